package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// benchTickets is how many tickets BenchmarkUnitQueue seeds:
// $HOTLINE_BENCH_TICKETS, default 200,000.
func benchTickets(b *testing.B) int {
	s := os.Getenv("HOTLINE_BENCH_TICKETS")
	if s == "" {
		return 200_000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("HOTLINE_BENCH_TICKETS=%q: want a positive number", s)
	}
	return n
}

// benchTicket is a realistic freshly filed ticket.
func benchTicket(created time.Time) *ticketing.Ticket {
	return &ticketing.Ticket{
		Channel: ticketing.ChannelPhone, CallerNumber: "13800000001", ContactNumber: "13900000001",
		Type: ticketing.TypeComplaint, Category: "road.lamp", Title: "路灯不亮",
		Content: "朝阳区建外街道某小区3号楼楼下路灯连续三天不亮，夜间出行不便，请尽快维修。",
		Address: "朝阳区建外街道某小区3号楼", District: "chaoyang", Street: "jianwai",
		Urgency: ticketing.UrgencyOrdinary, State: ticketing.StatePendingDispatch, Triage: ticketing.TriageDispatch,
		SuggestedUnit: "jianwai", Agent: "agent-1", Created: created, Updated: created,
	}
}

// BenchmarkCreateTicket files tickets from 16 × GOMAXPROCS goroutines, as
// an HTTP server under load would, each with its intake event and an
// idempotency key, and reports the throughput.
func BenchmarkCreateTicket(b *testing.B) {
	db := OpenTest(b)
	var n atomic.Int64
	actor := hotline.Actor{UserID: "agent-1", Name: "坐席", Role: hotline.RoleAgent}
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			now := time.Now()
			t := benchTicket(now)
			evs := []ticketing.Event{{Time: now, Actor: actor, Action: "intake", To: t.State}}
			idem := &ticketing.Idempotency{User: actor.UserID, Key: fmt.Sprintf("k-%d", i), Hash: "h"}
			if err := db.CreateTicket(context.Background(), t, evs, idem); err != nil {
				b.Errorf("create: %v", err) // not Fatal: this is not the benchmark's goroutine
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
}

// benchUnits is how many handling units the seeded tickets spread over.
const benchUnits = 1000

// perDay is Beijing's daily volume of requests (≈ 24 M a year).
const perDay = 66_000

// seedTickets copies n tickets into db at Beijing's daily volume, spread
// over benchUnits units. As in life, the open ones (dispatched or in
// progress, with their SLA check due) are the recent ones: most of the last
// fortnight's; older tickets are closed. The secondary indexes are dropped
// for the copy and rebuilt after it, which is much faster than keeping
// them up to date row by row and leaves the same table.
func seedTickets(tb testing.TB, db *DB, n int) {
	ctx := context.Background()
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		tb.Fatalf("seed tickets: %v", err)
	}
	defer conn.Release()
	rows, err := conn.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes
		WHERE schemaname = current_schema() AND tablename = 'tickets' AND indexname <> 'tickets_pkey'`)
	if err != nil {
		tb.Fatalf("seed tickets: %v", err)
	}
	var name, def string
	var names, defs []string
	_, err = pgx.ForEachRow(rows, []any{&name, &def}, func() error {
		names, defs = append(names, name), append(defs, def)
		return nil
	})
	if err != nil {
		tb.Fatalf("seed tickets: %v", err)
	}
	for _, name := range names {
		if _, err := conn.Exec(ctx, "DROP INDEX "+pgx.Identifier{name}.Sanitize()); err != nil {
			tb.Fatalf("seed tickets: drop %s: %v", name, err)
		}
	}
	cols := append([]string{"id", "version"}, ticketColumns...)
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"tickets"}, cols, seedRows(n)); err != nil {
		tb.Fatalf("seed tickets: %v", err)
	}
	for _, sql := range append([]string{"SET maintenance_work_mem = '512MB'"}, append(defs, "ANALYZE tickets")...) {
		if _, err := conn.Exec(ctx, sql); err != nil {
			tb.Fatalf("seed tickets: %s: %v", sql, err)
		}
	}
}

// seedRows generates the rows of seedTickets.
func seedRows(n int) pgx.CopyFromSource {
	end := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	span := time.Duration(n) * (24 * time.Hour / perDay) // n × 1.3 s, without overflowing
	fortnight := 14 * 24 * time.Hour
	rng := rand.New(rand.NewPCG(1, 2))
	return pgx.CopyFromSlice(n, func(i int) ([]any, error) {
		created := end.Add(-span + time.Duration(float64(span)*float64(i)/float64(n)))
		t := benchTicket(created)
		t.Unit = hotline.UnitID(fmt.Sprintf("u%04d", rng.IntN(benchUnits)))
		t.CallerNumber, t.ContactNumber = fmt.Sprintf("138%08d", i), fmt.Sprintf("139%08d", i%(n/3+1))
		t.ReplyDue = created.Add(7*24*time.Hour + time.Duration(rng.IntN(3600))*time.Second)
		t.State = ticketing.StateClosed
		if end.Sub(created) < fortnight || i >= n-n/5 { // recent: for small n, the newest fifth
			switch r := rng.IntN(10); {
			case r < 3:
				t.State, t.NextCheck = ticketing.StateDispatched, t.ReplyDue
			case r < 7:
				t.State, t.NextCheck = ticketing.StateInProgress, t.ReplyDue
			}
		}
		return append([]any{fmt.Sprintf("B%013d", i), 1}, ticketValues(t)...), nil
	})
}

// BenchmarkUnitQueue reads the first page (50) of a random unit's work
// queue over a seeded table and reports the p50 and p99 latency. There is
// no warm-up: pages come from wherever PostgreSQL finds them.
func BenchmarkUnitQueue(b *testing.B) {
	db := OpenTest(b)
	n := benchTickets(b)
	began := time.Now()
	seedTickets(b, db, n)
	b.Logf("seeded %d tickets in %v", n, time.Since(began).Round(time.Millisecond))
	var queued int
	if err := db.pool.QueryRow(context.Background(), `SELECT count(*) FROM tickets
		WHERE state IN ('dispatched', 'in_progress')`).Scan(&queued); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d open tickets over %d units", queued, benchUnits)
	open := []ticketing.State{ticketing.StateDispatched, ticketing.StateInProgress}
	b.Run(fmt.Sprintf("tickets=%d", n), func(b *testing.B) {
		rng := rand.New(rand.NewPCG(3, 4))
		lat := make([]time.Duration, 0, b.N)
		for b.Loop() {
			f := ticketing.TicketFilter{
				Unit: hotline.UnitID(fmt.Sprintf("u%04d", rng.IntN(benchUnits))), States: open,
				Sort: ticketing.SortDeadline, Limit: 50,
			}
			t0 := time.Now()
			ts, err := db.FindTickets(context.Background(), f)
			lat = append(lat, time.Since(t0))
			if err != nil || len(ts) == 0 {
				b.Fatalf("queue of %s: %d tickets, %v", f.Unit, len(ts), err)
			}
		}
		slices.Sort(lat)
		b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
		b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
