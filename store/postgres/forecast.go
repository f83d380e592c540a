package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
)

// maxCallBuckets bounds CountCalls' answer (ten years of half hours).
const maxCallBuckets = 10 * 366 * 48

// CountCalls counts the call records f selects (its paging ignored) per
// step of arrival time from f.From to f.To, both required; the last
// bucket may be shorter. calls_direction_arrived (or calls_arrived without a
// direction) serves the range.
func (db *DB) CountCalls(ctx context.Context, f hotline.CallFilter, step time.Duration) ([]int, error) {
	n, err := callBuckets(f, step)
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

// callBuckets checks CountCalls' window and returns its number of steps.
func callBuckets(f hotline.CallFilter, step time.Duration) (int, error) {
	switch {
	case f.From.IsZero() || f.To.IsZero() || !f.From.Before(f.To):
		return 0, hotline.Errorf(hotline.EINVALID, "count calls: from and to are required, from before to").WithField("from", "required, before to")
	case step < time.Second:
		return 0, hotline.Errorf(hotline.EINVALID, "count calls: step %v is under a second", step).WithField("step", "at least 1s")
	}
	n := (f.To.Sub(f.From) + step - 1) / step
	if n > maxCallBuckets {
		return 0, hotline.Errorf(hotline.EINVALID, "count calls: %d steps, more than %d", n, maxCallBuckets).WithField("step", "too many steps")
	}
	return int(n), nil
}
