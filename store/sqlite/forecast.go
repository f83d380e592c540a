package sqlite

import (
	"context"
	"time"

	"github.com/cityhotline/hotline"
)

// CountCalls counts the call records f selects (its paging ignored) per
// step of arrival time from f.From to f.To, both required; the last
// bucket may be shorter. calls_direction_arrived (or calls_arrived without a
// direction) serves the range.
func (db *DB) CountCalls(ctx context.Context, f hotline.CallFilter, step time.Duration) ([]int, error) {
	n, err := f.Buckets(step)
	if err != nil {
		return nil, err
	}
	w := callWhere(f)
	q := `SELECT (arrived - ?) / ?, COUNT(*) FROM calls` + w.String() + ` GROUP BY 1`
	rows, err := db.read.QueryContext(ctx, q, append([]any{f.From.UnixMicro(), step.Microseconds()}, w.args...)...)
	if err != nil {
		return nil, wrap(err, "count calls")
	}
	defer rows.Close()
	out := make([]int, n)
	for rows.Next() {
		var b int64
		var c int
		if err := rows.Scan(&b, &c); err != nil {
			return nil, wrap(err, "count calls")
		}
		if b >= 0 && b < int64(n) {
			out[b] = c
		}
	}
	return out, wrap(rows.Err(), "count calls")
}
