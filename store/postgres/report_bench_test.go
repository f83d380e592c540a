package postgres

import (
	"os"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// BenchmarkMonthlyReport generates the monthly bulletin (月通报) of a month
// over an existing, populated database (e.g. hotlinectl seed's 2 M
// tickets): BENCH_DATABASE_URL names it (a migrated hotline database; the
// benchmark is skipped when unset) and BENCH_REPORT_MONTH the month,
// YYYY-MM (default: the month of the newest ticket). Each iteration counts
// the month, the previous month and the same month last year, and builds
// the report. The clock stands one second before the month ends, so the
// report is provisional and not stored: the benchmark writes nothing.
//
//	BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_seed2m?sslmode=disable \
//	  go test ./store/postgres -run '^$' -bench MonthlyReport -benchtime 3x
func BenchmarkMonthlyReport(b *testing.B) {
	url := os.Getenv("BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("BENCH_DATABASE_URL is not set: skipping the monthly report benchmark")
	}
	ctx := b.Context()
	db, err := Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	month, err := benchMonth(b, db)
	if err != nil {
		b.Fatal(err)
	}
	p := ticketing.ReportPeriod(ticketing.ReportMonthly, month.Start())
	clock := hotline.ClockFunc(func() time.Time { return p.To.Add(-time.Second) })
	rep := ticketing.NewReporter(db, nil, clock, nil)
	var r *ticketing.Report
	b.ResetTimer()
	for b.Loop() {
		if r, err = rep.Generate(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(r.Total), "tickets")
	b.Logf("%s: %d tickets (previous %d, last year %d), %d categories, %d units, dispatch %+v, rates %+v",
		p, r.Total, r.Previous.Total, r.LastYear.Total, len(r.Volume.Category), len(r.Volume.Unit), r.Dispatch, r.Rates)
}

// benchMonth is BENCH_REPORT_MONTH, or the month of the newest ticket.
func benchMonth(b *testing.B, db *DB) (ticketing.Month, error) {
	if m := os.Getenv("BENCH_REPORT_MONTH"); m != "" {
		return ticketing.ParseMonth(m)
	}
	var newest time.Time
	if err := db.pool.QueryRow(b.Context(), `SELECT max(created) FROM tickets`).Scan(&newest); err != nil {
		return ticketing.Month{}, err
	}
	return ticketing.MonthOf(newest), nil
}
