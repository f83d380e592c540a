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
	q := `SELECT ` + ticketSelectList + ` FROM tickets` + w.String() + order + ` LIMIT ? OFFSET ?`
	return q, append(w.args, sqlLimit(f.Limit), max(f.Offset, 0)), nil
}

func ticketWhere(f ticketing.TicketFilter) (*where, error) {
	w := &where{}
	if len(f.States) > 0 {
		args := make([]any, len(f.States))
		for i, s := range f.States {
			args[i] = string(s)
		}
		w.add("state IN ("+placeholders(len(args))+")", args...)
	}
	w.eq("unit", string(f.Unit))
	if f.Visible != "" {
		w.add("(unit = ? OR copy_unit = ?)", f.Visible, f.Visible)
	}
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
	w.add("state IN (?, ?) AND reply_due < ?",
		string(ticketing.StateDispatched), string(ticketing.StateInProgress), f.OverdueAt.UnixMicro())
	return nil
}

func ticketOrder(sort string) (string, error) {
	switch sort {
	case "", ticketing.SortCreatedDesc:
		return " ORDER BY created DESC, id DESC", nil
	case ticketing.SortDeadline:
		return " ORDER BY reply_due ASC NULLS LAST, id ASC", nil
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
