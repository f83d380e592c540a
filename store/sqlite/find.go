package sqlite

import (
	"context"
	"strings"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// where collects AND-ed conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// eq adds "col = v" unless v is empty.
func (w *where) eq(col, v string) {
	if v != "" {
		w.add(col+" = ?", v)
	}
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// FindTickets returns the tickets f selects, in f.Sort order.
func (db *DB) FindTickets(ctx context.Context, f ticketing.TicketFilter) ([]*ticketing.Ticket, error) {
	q, args, err := ticketQuery(f)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	ts, err := queryAll(rows, err, ticketSelect)
	return ts, wrap(err, "find tickets")
}

// ticketQuery is the SELECT for f and its arguments.
func ticketQuery(f ticketing.TicketFilter) (string, []any, error) {
	w, err := ticketWhere(f)
	if err != nil {
		return "", nil, err
	}
	order, err := ticketOrder(f.Sort)
	if err != nil {
		return "", nil, err
	}
	if f.Visible != "" {
		return visibleQuery(f, w, order)
	}
	q := `SELECT ` + ticketSelectList + ` FROM tickets` + w.String() + order + ` LIMIT ? OFFSET ?`
	return q, append(w.args, sqlLimit(f.Limit), max(f.Offset, 0)), nil
}

// visibleQuery selects what a unit holds or is copied on. "unit = ? OR
// copy_unit = ?" would defeat the ordered queue indexes, so each side reads
// its own index in order, up to the page's end, and the two are merged.
func visibleQuery(f ticketing.TicketFilter, w *where, order string) (string, []any, error) {
	end := -1 // no limit
	if f.Limit > 0 {
		end = max(f.Offset, 0) + f.Limit
	}
	side := func(cond string) string {
		return `SELECT * FROM (SELECT ` + ticketSelectList + `, urgency_rank FROM tickets WHERE ` + cond +
			strings.Replace(w.String(), " WHERE ", " AND ", 1) + order + ` LIMIT ?)`
	}
	q := `SELECT ` + ticketSelectList + ` FROM (` + side("unit = ?") + ` UNION ALL ` +
		side("copy_unit = ? AND unit <> ?") + `)` + order + ` LIMIT ? OFFSET ?`
	args := append([]any{f.Visible}, w.args...)
	args = append(args, end, f.Visible, f.Visible)
	args = append(args, w.args...)
	args = append(args, end, sqlLimit(f.Limit), max(f.Offset, 0))
	return q, args, nil
}

func ticketWhere(f ticketing.TicketFilter) (*where, error) {
	w := &where{}
	if len(f.States) > 0 {
		cond, err := stateIn(f.States)
		if err != nil {
			return nil, err
		}
		w.add(cond)
	}
	w.eq("unit", string(f.Unit))
	w.eq("category", string(f.Category))
	w.eq("district", string(f.District))
	w.eq("street", string(f.Street))
	w.eq("urgency", string(f.Urgency))
	w.eq("type", string(f.Type))
	w.eq("channel", string(f.Channel))
	w.eq("reply_light", string(f.Light))
	if f.Phone != "" {
		w.add("(caller_number = ? OR contact_number = ?)", f.Phone, f.Phone)
	}
	if f.Supervised != nil {
		w.add("supervised = ?", *f.Supervised)
	}
	if err := overdueWhere(w, f); err != nil {
		return nil, err
	}
	if !f.From.IsZero() {
		w.add("created >= ?", f.From.UnixMicro())
	}
	if !f.To.IsZero() {
		w.add("created < ?", f.To.UnixMicro())
	}
	if terms := ticketing.QueryTerms(f.Query); len(terms) > 0 {
		w.add("seq IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?)", matchAll(terms))
	}
	return w, nil
}

// overdueWhere selects tickets a unit holds whose reply deadline has passed.
func overdueWhere(w *where, f ticketing.TicketFilter) error {
	if !f.Overdue {
		return nil
	}
	if f.OverdueAt.IsZero() {
		return hotline.Errorf(hotline.EINVALID, "overdue filter without a time").WithField("overdue_at", "required with overdue")
	}
	w.add(withUnit+" AND reply_due < ?", f.OverdueAt.UnixMicro())
	return nil
}

// withUnit is the condition of the partial queue indexes (migration 0003),
// written exactly as there: SQLite uses a partial index only when the query
// repeats its condition, and a bound parameter would not.
const withUnit = "state IN ('dispatched', 'in_progress')"

// stateIn is a condition on states, validated and written as literals so
// that the queue's two states match the partial indexes.
func stateIn(states []ticketing.State) (string, error) {
	set := map[ticketing.State]bool{}
	for _, s := range states {
		if _, err := ticketing.ParseState(string(s)); err != nil {
			return "", err
		}
		set[s] = true
	}
	if len(set) == 2 && set[ticketing.StateDispatched] && set[ticketing.StateInProgress] {
		return withUnit, nil
	}
	quoted := make([]string, 0, len(set))
	for _, s := range ticketing.States { // a fixed order: one plan per set
		if set[s] {
			quoted = append(quoted, "'"+string(s)+"'")
		}
	}
	return "state IN (" + strings.Join(quoted, ", ") + ")", nil
}

func ticketOrder(sort string) (string, error) {
	switch sort {
	case "", ticketing.SortCreatedDesc:
		return " ORDER BY created DESC, id DESC", nil
	case ticketing.SortDeadline:
		return " ORDER BY reply_due IS NULL, reply_due, id", nil // no deadline last
	case ticketing.SortDispatch:
		return " ORDER BY urgency_rank, created, id", nil
	}
	return "", hotline.Errorf(hotline.EINVALID, "unknown sort %q", sort).
		WithField("sort", "must be one of created, deadline, dispatch")
}

// matchAll is an FTS5 query that requires every term, each quoted so that
// no term is read as FTS syntax.
func matchAll(terms []string) string {
	q := make([]string, len(terms))
	for i, t := range terms {
		q[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(q, " AND ")
}
