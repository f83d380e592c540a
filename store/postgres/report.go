package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cityhotline/hotline/ticketing"
)

var _ ticketing.ReportStore = (*DB)(nil)

// The period's tickets are counted by two plain GROUP BYs that run at once,
// each a parallel hash aggregate: (category, channel, type, overdue) and
// (district, unit); the store adds up each dimension from their rows.
// (One GROUPING SETS scan was slower: PostgreSQL cannot run grouping sets
// in parallel, and an empty set or a time bucket makes it sort the period.)
// $1, $2: the period; $3: the overdue instant.
const (
	reportKindSQL = `SELECT category, channel, type, COALESCE(reply_due < COALESCE(replied_at, $3), false),
		count(*), count(dispatched_at)
	FROM tickets WHERE created >= $1 AND created < $2 GROUP BY 1, 2, 3, 4`
	reportCategorySQL = `SELECT category, '', '', false, count(*), 0::bigint
	FROM tickets WHERE created >= $1 AND created < $2 GROUP BY 1`
	reportPlaceSQL = `SELECT district, unit, count(*)
	FROM tickets WHERE created >= $1 AND created < $2 GROUP BY 1, 2`
)

// seriesSQL counts the tickets of each step of [$1, $2), $3 wide, $4 steps:
// one index-only range count per step.
const seriesSQL = `SELECT i, (SELECT count(*) FROM tickets
	WHERE created >= $1::timestamptz + i * $3::interval AND created < LEAST($1::timestamptz + (i + 1) * $3::interval, $2::timestamptz))
	FROM generate_series(0, $4::int - 1) i`

// ReportCounts counts the tickets of a report period with GROUP BY, and
// with q.Detail the volume series, the period's lifecycle events and its
// callbacks; the queries run at once, each on its own connection.
func (db *DB) ReportCounts(ctx context.Context, q ticketing.ReportQuery) (ticketing.ReportCounts, error) {
	var c ticketing.ReportCounts
	now := q.Now
	if now.IsZero() {
		now = q.To
	}
	var kinds, places sums
	steps := []func() error{
		func() error { return db.reportKinds(ctx, q, now, &kinds) },
		func() error { return db.reportPlaces(ctx, q, &places) },
	}
	step := q.Step
	if step <= 0 {
		step = time.Hour
	}
	if q.Detail {
		c.Series = make([]int, (q.To.Sub(q.From)+step-1)/step)
		steps = append(steps,
			func() error { return db.reportSeries(ctx, q.From, q.To, step, c.Series) },
			func() (err error) { c.Actions, err = db.reportActions(ctx, q.From, q.To); return err },
			func() (err error) { c.Callbacks, err = db.reportCallbacks(ctx, q.From, q.To); return err })
	}
	if err := parallel(steps...); err != nil {
		return ticketing.ReportCounts{}, err
	}
	c.Total, c.Overdue, c.Dispatched = kinds.total, kinds.overdue, kinds.dispatched
	c.Category, c.District, c.Unit = kinds.groups(0), places.groups(0), places.groups(1)
	if q.Detail {
		c.Channel, c.Type = kinds.groups(1), kinds.groups(2)
	}
	return c, nil
}

// sums adds up rows of up to three key columns: per column, per key.
type sums struct {
	by                         [3]map[string]int
	total, overdue, dispatched int
}

func (s *sums) add(keys []string, n int, overdue bool) {
	for i, k := range keys {
		if s.by[i] == nil {
			s.by[i] = map[string]int{}
		}
		s.by[i][k] += n
	}
	s.total += n
	if overdue {
		s.overdue += n
	}
}

// groups are column i's keys and counts, ordered by key.
func (s *sums) groups(i int) []ticketing.KeyCount {
	var out []ticketing.KeyCount
	for _, k := range slices.Sorted(maps.Keys(s.by[i])) {
		out = append(out, ticketing.KeyCount{Key: k, Count: s.by[i][k]})
	}
	return out
}

// reportKinds sums the period's tickets by category (with Detail also by
// channel, type and overdue).
func (db *DB) reportKinds(ctx context.Context, q ticketing.ReportQuery, now time.Time, s *sums) error {
	sql, args := reportCategorySQL, []any{q.From, q.To}
	if q.Detail {
		sql, args = reportKindSQL, append(args, now)
	}
	return db.withoutJIT(ctx, "report counts", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var cat, ch, typ string
			var od bool
			var n, dispatched int64
			if err := rows.Scan(&cat, &ch, &typ, &od, &n, &dispatched); err != nil {
				return err
			}
			s.add([]string{cat, ch, typ}, int(n), od && q.Detail)
			s.dispatched += int(dispatched)
		}
		return rows.Err()
	})
}

// reportPlaces sums the period's tickets by district and by unit.
func (db *DB) reportPlaces(ctx context.Context, q ticketing.ReportQuery, s *sums) error {
	return db.withoutJIT(ctx, "report places", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, reportPlaceSQL, q.From, q.To)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var district, unit string
			var n int64
			if err := rows.Scan(&district, &unit, &n); err != nil {
				return err
			}
			s.add([]string{district, unit}, int(n), false)
		}
		return rows.Err()
	})
}

// parallel runs fns at once and waits for them all.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, f := range fns {
		wg.Go(func() { errs[i] = f() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// withoutJIT runs fn in a read-only transaction with JIT compilation off:
// for these one-scan aggregates it cost more (2 s) than it saved.
func (db *DB) withoutJIT(ctx context.Context, what string, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SET LOCAL jit = off"); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := fn(tx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// reportSeries fills series with the tickets of each step.
func (db *DB) reportSeries(ctx context.Context, from, to time.Time, step time.Duration, series []int) error {
	return db.withoutJIT(ctx, "report series", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, seriesSQL, from, to, step, len(series))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var i int32
			var n int64
			if err := rows.Scan(&i, &n); err != nil {
				return err
			}
			if int(i) < len(series) {
				series[i] = int(n)
			}
		}
		return rows.Err()
	})
}

// reportActions counts the ReportActions events of [from, to) by action
// (the events_action_time index).
func (db *DB) reportActions(ctx context.Context, from, to time.Time) (map[string]int, error) {
	rows, err := db.pool.Query(ctx, `SELECT action, count(*) FROM events
		WHERE action = ANY($3) AND time >= $1 AND time < $2 GROUP BY action`, from, to, ticketing.ReportActions)
	if err != nil {
		return nil, fmt.Errorf("report actions: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var action string
		var n int64
		if err := rows.Scan(&action, &n); err != nil {
			return nil, fmt.Errorf("report actions: %w", err)
		}
		out[action] = int(n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report actions: %w", err)
	}
	return out, nil
}

// reportCallbacks counts the callback records of [from, to) as the
// assessment does (see assessmentSQL), over every unit.
func (db *DB) reportCallbacks(ctx context.Context, from, to time.Time) (ticketing.UnitScore, error) {
	var s ticketing.UnitScore
	var n [6]int64
	err := db.pool.QueryRow(ctx, `SELECT count(*),
		count(*) FILTER (WHERE final AND NOT excluded),
		count(*) FILTER (WHERE final AND NOT excluded AND contacted = 'yes'),
		count(*) FILTER (WHERE final AND NOT excluded AND resolved = 'yes'),
		count(*) FILTER (WHERE final AND NOT excluded AND satisfaction = 'satisfied'),
		count(*) FILTER (WHERE final AND NOT excluded AND satisfaction = 'basically')
		FROM callback_answers WHERE called_at >= $1 AND called_at < $2`, from, to).
		Scan(&n[0], &n[1], &n[2], &n[3], &n[4], &n[5])
	if err != nil {
		return s, fmt.Errorf("report callbacks: %w", err)
	}
	s.Callbacks, s.Valid, s.Contacted = int(n[0]), int(n[1]), int(n[2])
	s.Resolved, s.Satisfied, s.Basically = int(n[3]), int(n[4]), int(n[5])
	return s, nil
}

// likeEscape escapes s for LIKE (backslash is PostgreSQL's escape).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindUrgentTickets returns the tickets of an urgent-sensitive brief.
func (db *DB) FindUrgentTickets(ctx context.Context, q ticketing.UrgentQuery) ([]ticketing.UrgentTicket, error) {
	cats, catLikes, words := []string{}, []string{}, []string{}
	for _, c := range q.Categories {
		cats = append(cats, string(c))
		catLikes = append(catLikes, likeEscape(string(c))+".%")
	}
	for _, k := range q.Keywords {
		words = append(words, "%"+likeEscape(k)+"%")
	}
	if len(cats)+len(words) == 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT id, created, category, title, content, address, district, street
		FROM tickets WHERE created >= $1 AND created < $2 AND (category = ANY($3) OR category LIKE ANY($4)
			OR title LIKE ANY($5) OR content LIKE ANY($5))
		ORDER BY created, id`+limitClause(q.Limit, 0), q.From, q.To, cats, catLikes, words)
	if err != nil {
		return nil, fmt.Errorf("find urgent tickets: %w", err)
	}
	defer rows.Close()
	var out []ticketing.UrgentTicket
	for rows.Next() {
		var t ticketing.UrgentTicket
		if err := rows.Scan(&t.ID, timeDest{&t.Created}, &t.Category, &t.Title, &t.Content, &t.Address, &t.District, &t.Street); err != nil {
			return nil, fmt.Errorf("find urgent tickets: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find urgent tickets: %w", err)
	}
	return out, nil
}

// SaveReport stores r over the report of the same kind and period start.
func (db *DB) SaveReport(ctx context.Context, r *ticketing.StoredReport) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO reports (kind, period_from, period_to, generated_at, body)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, period_from) DO UPDATE SET
		period_to = excluded.period_to, generated_at = excluded.generated_at, body = excluded.body`,
		string(r.Kind), r.From, r.To, r.GeneratedAt, string(r.Body))
	if err != nil {
		return fmt.Errorf("save report: %w", err)
	}
	return nil
}

// FindReport returns the stored report of kind starting at from.
func (db *DB) FindReport(ctx context.Context, kind ticketing.ReportKind, from time.Time) (*ticketing.StoredReport, error) {
	var r ticketing.StoredReport
	var k, body string
	err := db.pool.QueryRow(ctx, `SELECT kind, period_from, period_to, generated_at, body::text
		FROM reports WHERE kind = $1 AND period_from = $2`, string(kind), from).
		Scan(&k, timeDest{&r.From}, timeDest{&r.To}, timeDest{&r.GeneratedAt}, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound(string(kind) + " report from " + from.UTC().Format(time.RFC3339))
	}
	if err != nil {
		return nil, fmt.Errorf("find report: %w", err)
	}
	r.Kind, r.Body = ticketing.ReportKind(k), []byte(body)
	return &r, nil
}

// FindReports lists stored reports, newest period first, without bodies.
func (db *DB) FindReports(ctx context.Context, kind ticketing.ReportKind, limit int) ([]ticketing.StoredReport, error) {
	rows, err := db.pool.Query(ctx, `SELECT kind, period_from, period_to, generated_at FROM reports
		WHERE $1 = '' OR kind = $1 ORDER BY period_from DESC, kind`+limitClause(limit, 0), string(kind))
	if err != nil {
		return nil, fmt.Errorf("find reports: %w", err)
	}
	defer rows.Close()
	var out []ticketing.StoredReport
	for rows.Next() {
		var r ticketing.StoredReport
		var k string
		if err := rows.Scan(&k, timeDest{&r.From}, timeDest{&r.To}, timeDest{&r.GeneratedAt}); err != nil {
			return nil, fmt.Errorf("find reports: %w", err)
		}
		r.Kind = ticketing.ReportKind(k)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find reports: %w", err)
	}
	return out, nil
}
