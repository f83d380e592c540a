package postgres

import (
	"context"
	"fmt"

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
	q, err := ticketQuery(f)
	if err != nil {
		return nil, fmt.Errorf("summarize tickets: %w", err)
	}
	overdue := "0"
	if !f.OverdueAt.IsZero() {
		overdue = "COUNT(*) FILTER (WHERE state IN " + heldStates + " AND reply_due < " + q.arg(f.OverdueAt) + ")"
	}
	sql := `SELECT COALESCE(` + col + `, ''), COUNT(*),
		COUNT(*) FILTER (WHERE reply_light = 'yellow'),
		COUNT(*) FILTER (WHERE reply_light = 'red'),
		` + overdue + `,
		COUNT(*) FILTER (WHERE supervised)
		FROM tickets` + q.where() + ` GROUP BY 1 ORDER BY 1`
	rows, err := db.pool.Query(ctx, sql, q.args...)
	if err != nil {
		return nil, fmt.Errorf("summarize tickets: %w", err)
	}
	defer rows.Close()
	var out []ticketing.TicketCount
	for rows.Next() {
		var c ticketing.TicketCount
		var total, yellow, red, late, sup int64
		if err := rows.Scan(&c.Key, &total, &yellow, &red, &late, &sup); err != nil {
			return nil, fmt.Errorf("summarize tickets: %w", err)
		}
		c.Total, c.Yellow, c.Red, c.Overdue, c.Supervised = int(total), int(yellow), int(red), int(late), int(sup)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("summarize tickets: %w", err)
	}
	return out, nil
}
