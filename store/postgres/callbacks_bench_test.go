package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// benchCallbackRecords is how many callback records
// BenchmarkAssessmentCounts seeds: $HOTLINE_BENCH_CALLBACKS, default
// 200,000 (the target is 2,000,000).
func benchCallbackRecords(b *testing.B) int {
	s := os.Getenv("HOTLINE_BENCH_CALLBACKS")
	if s == "" {
		return 200_000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("HOTLINE_BENCH_CALLBACKS=%q: want a positive number", s)
	}
	return n
}

// benchTierUnits is how many units of each tier the records spread over,
// and the share (in percent) of records each tier gets.
var benchTierUnits = []struct {
	tier  ticketing.Tier
	units int
	share int
}{
	{ticketing.TierStreet, 343, 70},
	{ticketing.TierDistrict, 16, 10},
	{ticketing.TierCityDept, 100, 20},
}

// benchAnswerRow is one seeded record: most reached citizens answer all
// three questions; some hang up early or are not reached. About one ticket
// in ten is called twice (a retry or a reopen), so "latest valid per
// ticket" has work to do.
func benchAnswerRow(r *rand.Rand, i int, start time.Time) []any {
	pick := r.IntN(100)
	tu := benchTierUnits[0]
	for _, t := range benchTierUnits {
		if pick < t.share {
			tu = t
			break
		}
		pick -= t.share
	}
	ticket := i
	if i%10 == 9 {
		ticket = i - 1 - r.IntN(min(i, 5))
	}
	yn := func() string { return []string{"yes", "yes", "yes", "no"}[r.IntN(4)] }
	contacted, resolved, sat := yn(), yn(), []string{"satisfied", "satisfied", "basically", "dissatisfied"}[r.IntN(4)]
	reached := r.IntN(100) < 85
	switch {
	case !reached:
		contacted, resolved, sat = "", "", ""
	case r.IntN(100) < 8: // hung up after question 2
		sat = "unknown"
	}
	at := start.Add(time.Duration(r.Int64N(int64(29 * 24 * time.Hour))))
	return []any{int64(i + 1), fmt.Sprintf("2026110%07d", ticket), fmt.Sprintf("%s-%03d", tu.tier, r.IntN(tu.units)),
		string(tu.tier), at, ticketing.MonthOf(at).Key(), reached, contacted, resolved, sat}
}

// seedCallbackAnswers copies n records of November 2026 into db, logging
// how long each step took (the COPY, marking the finals, the exclusions,
// VACUUM ANALYZE).
func seedCallbackAnswers(b testing.TB, db *DB, n int) {
	b.Helper()
	step := time.Now()
	lap := func(what string) {
		b.Logf("seed %d records: %s %v", n, what, time.Since(step).Round(time.Millisecond))
		step = time.Now()
	}
	r := rand.New(rand.NewPCG(5, 12345))
	start := ticketing.Month{Year: 2026, Month: time.November}.Start()
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i >= n {
			return nil, nil
		}
		row := benchAnswerRow(r, i, start)
		i++
		return row, nil
	})
	cols := []string{"callback_id", "ticket", "unit", "tier", "called_at", "month", "reached", "contacted", "resolved", "satisfaction"}
	ctx := context.Background()
	if _, err := db.pool.CopyFrom(ctx, pgx.Identifier{"callback_answers"}, cols, src); err != nil {
		b.Fatalf("seed callback answers: %v", err)
	}
	lap("COPY")
	if _, err := db.pool.Exec(ctx, finalsSQL("")); err != nil {
		b.Fatalf("mark final records: %v", err)
	}
	lap("finals")
	// A few approved claims, as in life.
	if _, err := db.pool.Exec(ctx, `INSERT INTO assessment_exclusions (ticket)
		SELECT DISTINCT ticket FROM callback_answers WHERE id % 500 = 0`); err != nil {
		b.Fatalf("seed exclusions: %v", err)
	}
	if _, err := db.pool.Exec(ctx, `UPDATE callback_answers a SET excluded = true
		FROM assessment_exclusions x WHERE x.ticket = a.ticket`); err != nil {
		b.Fatalf("mark excluded records: %v", err)
	}
	lap("exclusions")
	// As autovacuum would after the updates above.
	if _, err := db.pool.Exec(ctx, `VACUUM ANALYZE callback_answers`); err != nil {
		b.Fatalf("vacuum: %v", err)
	}
	lap("VACUUM ANALYZE")
}

// BenchmarkAssessmentCounts times a whole month's assessment counts: every
// tier of November over the seeded records. Target: ≤ 1 s at 2,000,000
// records (HOTLINE_BENCH_CALLBACKS=2000000).
func BenchmarkAssessmentCounts(b *testing.B) {
	db := OpenTest(b)
	n := benchCallbackRecords(b)
	seeded := time.Now()
	seedCallbackAnswers(b, db, n)
	b.Logf("seeded %d callback records in %v", n, time.Since(seeded).Round(time.Millisecond))
	month := ticketing.Month{Year: 2026, Month: time.November}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		total := 0
		for _, tier := range ticketing.Tiers {
			counts, err := db.AssessmentCounts(ctx, month, tier)
			if err != nil {
				b.Fatalf("assessment counts %s: %v", tier, err)
			}
			for _, c := range counts {
				total += c.Callbacks
			}
		}
		if total != n {
			b.Fatalf("the month's counts cover %d records, seeded %d", total, n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/month")
}

// benchLoadChunk is how many callbacks, each with one answer record,
// BenchmarkLoadCallbacks stores per op: hotlinectl seed's chunk.
const benchLoadChunk = 5000

// benchLoadChunkOf is the i-th chunk of callbacks of November 2026 and
// their records, from benchAnswerRow (about one ticket in ten is called
// twice, so the finals move).
func benchLoadChunkOf(r *rand.Rand, i int, start time.Time) ([]*ticketing.Callback, [][]*ticketing.CallbackRecord) {
	cbs := make([]*ticketing.Callback, benchLoadChunk)
	recs := make([][]*ticketing.CallbackRecord, benchLoadChunk)
	for k := range cbs {
		row := benchAnswerRow(r, i*benchLoadChunk+k, start)
		rec := &ticketing.CallbackRecord{Ticket: hotline.TicketID(row[1].(string)), Unit: hotline.UnitID(row[2].(string)),
			Tier: ticketing.Tier(row[3].(string)), CalledAt: row[4].(time.Time), Reached: row[6].(bool),
			Contacted: ticketing.YesNo(row[7].(string)), Resolved: ticketing.YesNo(row[8].(string)),
			Satisfaction: ticketing.Satisfaction(row[9].(string))}
		cbs[k] = &ticketing.Callback{Tickets: []hotline.TicketID{rec.Ticket}, ContactNumber: "13800138000",
			Due: rec.CalledAt, Attempts: 1, State: ticketing.CallbackDone, Planned: rec.CalledAt}
		recs[k] = []*ticketing.CallbackRecord{rec}
	}
	return cbs, recs
}

// BenchmarkLoadCallbacks times hotlinectl seed's path for callbacks:
// LoadCallbacks of 5,000 callbacks with one answer each per op, into a
// store that grows by that much each op (-benchtime 40x: 200,000 answers).
// BenchmarkLoadCallbacksWithoutRollup is the same with the roll-up's
// triggers disabled: the difference is what keeping the roll-up costs.
func BenchmarkLoadCallbacks(b *testing.B)              { benchLoadCallbacks(b, true) }
func BenchmarkLoadCallbacksWithoutRollup(b *testing.B) { benchLoadCallbacks(b, false) }

func benchLoadCallbacks(b *testing.B, rollup bool) {
	db := OpenTest(b)
	if !rollup {
		disableRollup(b, db)
	}
	r := rand.New(rand.NewPCG(5, 12345))
	start := ticketing.Month{Year: 2026, Month: time.November}.Start()
	ctx := context.Background()
	i := 0
	for b.Loop() {
		b.StopTimer()
		cbs, recs := benchLoadChunkOf(r, i, start)
		i++
		b.StartTimer()
		if err := db.LoadCallbacks(ctx, cbs, recs); err != nil {
			b.Fatalf("load callbacks: %v", err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*benchLoadChunk), "µs/answer")
}

// disableRollup turns the roll-up's triggers off, for measuring their cost.
func disableRollup(b *testing.B, db *DB) {
	b.Helper()
	if _, err := db.pool.Exec(context.Background(), `ALTER TABLE callback_answers DISABLE TRIGGER USER`); err != nil {
		b.Fatalf("disable the roll-up triggers: %v", err)
	}
}

// BenchmarkSeedAnswers times seedCallbackAnswers (COPY of
// $HOTLINE_BENCH_CALLBACKS records, the finals of all of them, the
// exclusions, VACUUM ANALYZE) with the roll-up's triggers and without, in
// turn under the same load: what the roll-up costs a bulk load.
func BenchmarkSeedAnswers(b *testing.B) {
	n := benchCallbackRecords(b)
	for _, rollup := range []bool{true, false} {
		b.Run(map[bool]string{true: "rollup", false: "without-rollup"}[rollup], func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db := OpenTest(b)
				if !rollup {
					disableRollup(b, db)
				}
				b.StartTimer()
				seedCallbackAnswers(b, db, n)
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/load")
		})
	}
}
