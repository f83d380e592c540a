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

// seedCallbackAnswers copies n records of November 2026 into db.
func seedCallbackAnswers(b *testing.B, db *DB, n int) {
	b.Helper()
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
	if _, err := db.pool.Exec(ctx, finalsSQL("")); err != nil {
		b.Fatalf("mark final records: %v", err)
	}
	// A few approved claims, as in life.
	if _, err := db.pool.Exec(ctx, `INSERT INTO assessment_exclusions (ticket)
		SELECT DISTINCT ticket FROM callback_answers WHERE id % 500 = 0`); err != nil {
		b.Fatalf("seed exclusions: %v", err)
	}
	if _, err := db.pool.Exec(ctx, `UPDATE callback_answers a SET excluded = true
		FROM assessment_exclusions x WHERE x.ticket = a.ticket`); err != nil {
		b.Fatalf("mark excluded records: %v", err)
	}
	// As autovacuum would after the updates above.
	if _, err := db.pool.Exec(ctx, `VACUUM ANALYZE callback_answers`); err != nil {
		b.Fatalf("vacuum: %v", err)
	}
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
