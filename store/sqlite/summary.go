package sqlite

import (
	"context"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// summaryColumns are the columns a summary may group by.
var summaryColumns = map[ticketing.SummaryGroup]string{
	ticketing.GroupUnit:     "unit",
	ticketing.GroupDistrict: "district",
	ticketing.GroupStreet:   "street",
	ticketing.GroupCategory: "category",
}

// SummarizeTickets counts the tickets f selects by group's column.
func (db *DB) SummarizeTickets(ctx context.Context, f ticketing.TicketFilter, group ticketing.SummaryGroup) ([]ticketing.TicketCount, error) {
	col, ok := summaryColumns[group]
	if !ok {
		return nil, hotline.Errorf(hotline.EINVALID, "unknown summary group %q", group).WithField("group", "must be unit, district, street or category")
	}
	f.Query = ""
	w, err := ticketWhere(f)
	if err != nil {
		return nil, err
	}
	if f.Visible != "" {
		w.add("(unit = ? OR copy_unit = ?)", f.Visible, f.Visible)
	}
	overdue := "0"
	var args []any
	if !f.OverdueAt.IsZero() {
		overdue = "SUM(CASE WHEN " + withUnit + " AND reply_due < ? THEN 1 ELSE 0 END)"
		args = append(args, f.OverdueAt.UnixMicro())
	}
	q := `SELECT COALESCE(` + col + `, ''), COUNT(*),
		SUM(CASE WHEN reply_light = 'yellow' THEN 1 ELSE 0 END),
		SUM(CASE WHEN reply_light = 'red' THEN 1 ELSE 0 END),
		` + overdue + `,
		SUM(CASE WHEN supervised THEN 1 ELSE 0 END)
		FROM tickets` + w.String() + ` GROUP BY 1 ORDER BY 1`
	rows, err := db.read.QueryContext(ctx, q, append(args, w.args...)...)
	if err != nil {
		return nil, wrap(err, "summarize tickets")
	}
	defer rows.Close()
	var out []ticketing.TicketCount
	for rows.Next() {
		var c ticketing.TicketCount
		if err := rows.Scan(&c.Key, &c.Total, &c.Yellow, &c.Red, &c.Overdue, &c.Supervised); err != nil {
			return nil, wrap(err, "summarize tickets")
		}
		out = append(out, c)
	}
	return out, wrap(rows.Err(), "summarize tickets")
}
