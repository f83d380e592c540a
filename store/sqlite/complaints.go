package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// ComplaintCounts counts complaint tickets by street/town filed in
// [from, to): the measure of the monthly 治理类 list.
func (db *DB) ComplaintCounts(ctx context.Context, from, to time.Time) (map[hotline.UnitID]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT street, count(*) FROM tickets
		WHERE created >= ? AND created < ? AND type = ? AND street <> ''
		GROUP BY street`, from.UnixMicro(), to.UnixMicro(), string(ticketing.TypeComplaint))
	if err != nil {
		return nil, fmt.Errorf("complaint counts: %w", err)
	}
	defer rows.Close()
	out := map[hotline.UnitID]int{}
	for rows.Next() {
		var street string
		var n int
		if err := rows.Scan(&street, &n); err != nil {
			return nil, fmt.Errorf("complaint counts: %w", err)
		}
		out[hotline.UnitID(street)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("complaint counts: %w", err)
	}
	return out, nil
}
