package postgres

import (
	"context"
	"fmt"
	"strings"
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
	q := &callConds{}
	q.add("arrived >= %s", f.From)
	q.add("arrived < %s", f.To)
	q.eq("caller", f.Caller)
	q.eq("queue", f.Queue)
	q.eq("direction", f.Direction)
	q.eq("end_reason", f.EndReason)
	k := len(q.args)
	sql := fmt.Sprintf(`SELECT (floor(extract(epoch FROM arrived - $%d::timestamptz) * 1000000))::bigint / $%d, COUNT(*)
		FROM calls WHERE %s GROUP BY 1`, k+1, k+2, strings.Join(q.conds, " AND "))
	rows, err := db.pool.Query(ctx, sql, append(q.args, f.From, step.Microseconds())...)
	if err != nil {
		return nil, fmt.Errorf("count calls: %w", err)
	}
	defer rows.Close()
	out := make([]int, n)
	for rows.Next() {
		var b, c int64
		if err := rows.Scan(&b, &c); err != nil {
			return nil, fmt.Errorf("count calls: %w", err)
		}
		if b >= 0 && b < int64(n) {
			out[b] = int(c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count calls: %w", err)
	}
	return out, nil
}
