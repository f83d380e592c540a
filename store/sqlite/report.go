package sqlite

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/cityhotline/hotline/ticketing"
)

var _ ticketing.ReportStore = (*DB)(nil)

// reportGroups are the GROUP BYs of a report period, one per dimension,
// over the tickets created in [?1, ?2). ?3 is the series step and ?4 the
// overdue instant, both in microseconds.
var reportGroups = []struct {
	dim, expr string
	detail    bool
}{
	{"category", "category", false},
	{"district", "district", false},
	{"unit", "unit", false},
	{"channel", "channel", true},
	{"type", "type", true},
	{"series", "CAST((created - ?1) / ?3 AS TEXT)", true},
}

// reportSQL is one UNION ALL of the groups the query asks for, plus the
// total and, with detail, the overdue count.
func reportSQL(detail bool) string {
	where := " FROM tickets WHERE created >= ?1 AND created < ?2"
	parts := []string{"SELECT 'total', '', count(*)" + where}
	if detail {
		parts = append(parts, "SELECT 'overdue', '', count(*)"+where+
			" AND reply_due IS NOT NULL AND reply_due < COALESCE(replied_at, ?4)",
			"SELECT 'dispatched', '', count(*)"+where+" AND dispatched_at IS NOT NULL")
	}
	for _, g := range reportGroups {
		if g.detail && !detail {
			continue
		}
		parts = append(parts, "SELECT '"+g.dim+"', "+g.expr+", count(*)"+where+" GROUP BY 2")
	}
	return strings.Join(parts, "\nUNION ALL\n")
}

// ReportCounts counts the tickets of a report period with GROUP BY, and
// with q.Detail the period's lifecycle events and callbacks.
func (db *DB) ReportCounts(ctx context.Context, q ticketing.ReportQuery) (ticketing.ReportCounts, error) {
	var c ticketing.ReportCounts
	step := max(q.Step.Microseconds(), 1)
	rows, err := db.read.QueryContext(ctx, reportSQL(q.Detail), q.From.UnixMicro(), q.To.UnixMicro(), step, q.Now.UnixMicro())
	if err != nil {
		return c, wrap(err, "report counts")
	}
	defer rows.Close()
	if q.Detail {
		c.Series = make([]int, (q.To.Sub(q.From).Microseconds()+step-1)/step)
	}
	for rows.Next() {
		var dim, key string
		var n int
		if err := rows.Scan(&dim, &key, &n); err != nil {
			return c, wrap(err, "report counts")
		}
		addReportRow(&c, dim, key, n)
	}
	if err := rows.Err(); err != nil {
		return c, wrap(err, "report counts")
	}
	sortGroups(&c)
	if !q.Detail {
		return c, nil
	}
	if c.Actions, err = db.reportActions(ctx, q.From, q.To); err != nil {
		return c, err
	}
	c.Callbacks, err = db.reportCallbacks(ctx, q.From, q.To)
	return c, err
}

// addReportRow files one row of reportSQL into c.
func addReportRow(c *ticketing.ReportCounts, dim, key string, n int) {
	kc := ticketing.KeyCount{Key: key, Count: n}
	switch dim {
	case "total":
		c.Total = n
	case "overdue":
		c.Overdue = n
	case "dispatched":
		c.Dispatched = n
	case "category":
		c.Category = append(c.Category, kc)
	case "district":
		c.District = append(c.District, kc)
	case "unit":
		c.Unit = append(c.Unit, kc)
	case "channel":
		c.Channel = append(c.Channel, kc)
	case "type":
		c.Type = append(c.Type, kc)
	case "series":
		var i int
		for _, r := range key {
			i = i*10 + int(r-'0')
		}
		if i >= 0 && i < len(c.Series) {
			c.Series[i] = n
		}
	}
}

// reportActions counts the ReportActions events of [from, to) by action.
func (db *DB) reportActions(ctx context.Context, from, to time.Time) (map[string]int, error) {
	args := []any{from.UnixMicro(), to.UnixMicro()}
	for _, a := range ticketing.ReportActions {
		args = append(args, a)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT action, count(*) FROM events
		WHERE action IN (`+placeholders(len(ticketing.ReportActions))+`) AND time >= ? AND time < ? GROUP BY action`,
		append(args[2:], args[:2]...)...)
	if err != nil {
		return nil, wrap(err, "report actions")
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var action string
		var n int
		if err := rows.Scan(&action, &n); err != nil {
			return nil, wrap(err, "report actions")
		}
		out[action] = n
	}
	return out, wrap(rows.Err(), "report actions")
}

// reportCallbacks counts the callback records of [from, to) as the
// assessment does (see assessmentSQL), over every unit.
func (db *DB) reportCallbacks(ctx context.Context, from, to time.Time) (ticketing.UnitScore, error) {
	var s ticketing.UnitScore
	err := db.read.QueryRowContext(ctx, `SELECT count(*),
		COALESCE(SUM(final AND NOT excluded), 0),
		COALESCE(SUM(final AND NOT excluded AND contacted = 'yes'), 0),
		COALESCE(SUM(final AND NOT excluded AND resolved = 'yes'), 0),
		COALESCE(SUM(final AND NOT excluded AND satisfaction = 'satisfied'), 0),
		COALESCE(SUM(final AND NOT excluded AND satisfaction = 'basically'), 0)
		FROM callback_answers WHERE called_at >= ? AND called_at < ?`, from.UnixMicro(), to.UnixMicro()).
		Scan(&s.Callbacks, &s.Valid, &s.Contacted, &s.Resolved, &s.Satisfied, &s.Basically)
	return s, wrap(err, "report callbacks")
}

// likeEscape escapes s for LIKE … ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindUrgentTickets returns the tickets of an urgent-sensitive brief.
func (db *DB) FindUrgentTickets(ctx context.Context, q ticketing.UrgentQuery) ([]ticketing.UrgentTicket, error) {
	args := []any{q.From.UnixMicro(), q.To.UnixMicro()}
	var or []string
	for _, c := range q.Categories {
		or = append(or, `category = ? OR category LIKE ? ESCAPE '\'`)
		args = append(args, string(c), likeEscape(string(c))+".%")
	}
	for _, k := range q.Keywords {
		or = append(or, `title LIKE ? ESCAPE '\' OR content LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(k)+"%", "%"+likeEscape(k)+"%")
	}
	if len(or) == 0 {
		return nil, nil
	}
	limit := -1
	if q.Limit > 0 {
		limit = q.Limit
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, created, category, title, content, address, district, street
		FROM tickets WHERE created >= ? AND created < ? AND (`+strings.Join(or, " OR ")+`)
		ORDER BY created, id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, wrap(err, "find urgent tickets")
	}
	defer rows.Close()
	var out []ticketing.UrgentTicket
	for rows.Next() {
		var t ticketing.UrgentTicket
		var created int64
		if err := rows.Scan(&t.ID, &created, &t.Category, &t.Title, &t.Content, &t.Address, &t.District, &t.Street); err != nil {
			return nil, wrap(err, "find urgent tickets")
		}
		t.Created = time.UnixMicro(created).UTC()
		out = append(out, t)
	}
	return out, wrap(rows.Err(), "find urgent tickets")
}

// SaveReport stores r over the report of the same kind and period start.
func (db *DB) SaveReport(ctx context.Context, r *ticketing.StoredReport) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO reports (kind, period_from, period_to, generated_at, body)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, period_from) DO UPDATE SET
		period_to = excluded.period_to, generated_at = excluded.generated_at, body = excluded.body`,
		string(r.Kind), r.From.UnixMicro(), r.To.UnixMicro(), r.GeneratedAt.UnixMicro(), string(r.Body))
	return wrap(err, "save report")
}

// FindReport returns the stored report of kind starting at from.
func (db *DB) FindReport(ctx context.Context, kind ticketing.ReportKind, from time.Time) (*ticketing.StoredReport, error) {
	var body string
	r, err := reportRow(db.read.QueryRowContext(ctx, `SELECT kind, period_from, period_to, generated_at, body
		FROM reports WHERE kind = ? AND period_from = ?`, string(kind), from.UnixMicro()), &body)
	if err := notFound(err, "find report", "no "+string(kind)+" report from "+from.UTC().Format(time.RFC3339)); err != nil {
		return nil, err
	}
	r.Body = []byte(body)
	return r, nil
}

// reportRow scans one reports row, the body into body when not nil.
func reportRow(sc interface{ Scan(...any) error }, body *string) (*ticketing.StoredReport, error) {
	var r ticketing.StoredReport
	var kind string
	var from, to, gen int64
	dest := []any{&kind, &from, &to, &gen}
	if body != nil {
		dest = append(dest, body)
	}
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	r.Kind = ticketing.ReportKind(kind)
	r.From, r.To, r.GeneratedAt = time.UnixMicro(from).UTC(), time.UnixMicro(to).UTC(), time.UnixMicro(gen).UTC()
	return &r, nil
}

// FindReports lists stored reports, newest period first, without bodies.
func (db *DB) FindReports(ctx context.Context, kind ticketing.ReportKind, limit int) ([]ticketing.StoredReport, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.read.QueryContext(ctx, `SELECT kind, period_from, period_to, generated_at FROM reports
		WHERE ? = '' OR kind = ? ORDER BY period_from DESC, kind LIMIT ?`, string(kind), string(kind), limit)
	if err != nil {
		return nil, wrap(err, "find reports")
	}
	defer rows.Close()
	var out []ticketing.StoredReport
	for rows.Next() {
		r, err := reportRow(rows, nil)
		if err != nil {
			return nil, wrap(err, "find reports")
		}
		out = append(out, *r)
	}
	return out, wrap(rows.Err(), "find reports")
}

// sortGroups orders every group of c by key.
func sortGroups(c *ticketing.ReportCounts) {
	for _, g := range []*[]ticketing.KeyCount{&c.Category, &c.District, &c.Unit, &c.Channel, &c.Type} {
		slices.SortFunc(*g, func(a, b ticketing.KeyCount) int { return strings.Compare(a.Key, b.Key) })
	}
}
