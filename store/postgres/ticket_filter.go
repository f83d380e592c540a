package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// query accumulates WHERE conditions and their arguments.
type query struct {
	conds []string
	args  []any
}

// arg adds v as an argument and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return fmt.Sprintf("$%d", len(q.args))
}

// eq adds "col = v" unless v is empty.
func (q *query) eq(col, v string) {
	if v != "" {
		q.conds = append(q.conds, col+" = "+q.arg(v))
	}
}

func (q *query) where() string {
	if len(q.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.conds, " AND ")
}

// ticketOrders are the ORDER BY clauses of the sort orders; each ends in id
// so that pages are stable.
var ticketOrders = map[string]string{
	"":                        "created DESC, id DESC",
	ticketing.SortCreatedDesc: "created DESC, id DESC",
	ticketing.SortDeadline:    "reply_due ASC NULLS LAST, id",
	ticketing.SortDispatch:    "urgency_rank, created, id",
}

// FindTickets returns the tickets that f selects, in f.Sort order.
func (db *DB) FindTickets(ctx context.Context, f ticketing.TicketFilter) ([]*ticketing.Ticket, error) {
	sql, args, err := findTicketsSQL(f)
	if err != nil {
		return nil, fmt.Errorf("find tickets: %w", err)
	}
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("find tickets: %w", err)
	}
	ts, err := scanTickets(rows)
	if err != nil {
		return nil, fmt.Errorf("find tickets: %w", err)
	}
	return ts, nil
}

// findTicketsSQL renders the query of FindTickets.
func findTicketsSQL(f ticketing.TicketFilter) (string, []any, error) {
	order, ok := ticketOrders[f.Sort]
	if !ok {
		return "", nil, hotline.Errorf(hotline.EINVALID, "unknown sort %q", f.Sort).WithField("sort", "must be created, deadline or dispatch")
	}
	q, err := ticketQuery(f)
	if err != nil {
		return "", nil, err
	}
	sql := `SELECT ` + ticketSelect + ` FROM tickets` + q.where() + ` ORDER BY ` + order + limitClause(f.Limit, f.Offset)
	return sql, q.args, nil
}

// ticketQuery turns a filter into conditions.
func ticketQuery(f ticketing.TicketFilter) (*query, error) {
	q := &query{}
	if err := q.states(f.States); err != nil {
		return nil, err
	}
	q.eq("unit", string(f.Unit))
	if f.Visible != "" {
		p := q.arg(string(f.Visible))
		q.conds = append(q.conds, "(unit = "+p+" OR copy_unit = "+p+")")
	}
	q.eq("category", string(f.Category))
	q.eq("district", string(f.District))
	q.eq("street", string(f.Street))
	q.eq("urgency", string(f.Urgency))
	q.eq("type", string(f.Type))
	q.eq("channel", string(f.Channel))
	q.eq("reply_light", string(f.Light))
	if f.Phone != "" {
		p := q.arg(f.Phone)
		q.conds = append(q.conds, "(caller_number = "+p+" OR contact_number = "+p+")")
	}
	if f.Supervised != nil {
		q.conds = append(q.conds, "supervised = "+q.arg(*f.Supervised))
	}
	if f.Overdue {
		if f.OverdueAt.IsZero() {
			return nil, hotline.Errorf(hotline.EINVALID, "overdue filter without a time").WithField("overdue_at", "required with overdue")
		}
		q.conds = append(q.conds, "state IN "+heldStates+" AND reply_due < "+q.arg(f.OverdueAt))
	}
	if !f.From.IsZero() {
		q.conds = append(q.conds, "created >= "+q.arg(f.From))
	}
	if !f.To.IsZero() {
		q.conds = append(q.conds, "created < "+q.arg(f.To))
	}
	q.text(f.Query)
	return q, nil
}

// heldStates are the states in which a unit holds a ticket and owes its
// reply (ticketing.State.WithUnit): an overdue ticket is in one of them.
const heldStates = "('dispatched', 'in_progress')"

// states adds a state condition. The states are written into the SQL as
// literals (they are checked against ticketing.States first) rather than
// passed as an array, so that the planner can match the partial index of
// the unit work queue even in a cached generic plan.
func (q *query) states(states []ticketing.State) error {
	if len(states) == 0 {
		return nil
	}
	lits := make([]string, len(states))
	for i, s := range states {
		if _, err := ticketing.ParseState(string(s)); err != nil {
			return err
		}
		lits[i] = "'" + string(s) + "'"
	}
	q.conds = append(q.conds, "state IN ("+strings.Join(lits, ", ")+")")
	return nil
}

// text adds a full-text condition: every query term must be among the
// ticket's indexed tokens. A query without terms selects nothing extra.
func (q *query) text(s string) {
	terms := ticketing.QueryTerms(s)
	if len(terms) == 0 {
		return
	}
	q.conds = append(q.conds, "to_tsvector('simple', search) @@ to_tsquery('simple', "+q.arg(tsQuery(terms))+")")
}

// tsQuery joins terms with & for to_tsquery, each one quoted: inside the
// quotes a quote is doubled and a backslash escaped, so no term can add an
// operator.
func tsQuery(terms []string) string {
	quoted := make([]string, len(terms))
	for i, t := range terms {
		t = strings.ReplaceAll(t, `\`, `\\`)
		quoted[i] = "'" + strings.ReplaceAll(t, "'", "''") + "'"
	}
	return strings.Join(quoted, " & ")
}
