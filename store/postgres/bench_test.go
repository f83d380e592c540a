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
				b.Fatalf("create: %v", err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
}

// benchUnits is how many handling units the seeded tickets spread over.
const benchUnits = 1000

// seedTickets copies n tickets into db: spread over benchUnits units and a
// year, a fifth of them open with a unit (dispatched or in progress).
func seedTickets(b testing.TB, db *DB, n int) {
	ctx := context.Background()
	start := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	cols := append([]string{"id", "version"}, ticketColumns...)
	src := pgx.CopyFromSlice(n, func(i int) ([]any, error) {
		created := start.Add(time.Duration(i) * 365 * 24 * time.Hour / time.Duration(n))
		t := benchTicket(created)
		t.Unit = hotline.UnitID(fmt.Sprintf("u%04d", rng.IntN(benchUnits)))
		t.CallerNumber, t.ContactNumber = fmt.Sprintf("138%08d", i), fmt.Sprintf("139%08d", i%(n/3+1))
		t.ReplyDue = created.Add(7*24*time.Hour + time.Duration(rng.IntN(3600))*time.Second)
		switch r := rng.IntN(10); {
		case r == 0:
			t.State, t.NextCheck = ticketing.StateDispatched, t.ReplyDue
		case r == 1:
			t.State, t.NextCheck = ticketing.StateInProgress, t.ReplyDue
		default:
			t.State = ticketing.StateClosed
		}
		return append([]any{fmt.Sprintf("B%013d", i), 1}, ticketValues(t)...), nil
	})
	if _, err := db.pool.CopyFrom(ctx, pgx.Identifier{"tickets"}, cols, src); err != nil {
		b.Fatalf("seed tickets: %v", err)
	}
	if _, err := db.pool.Exec(ctx, "ANALYZE tickets"); err != nil {
		b.Fatalf("analyze: %v", err)
	}
}

// BenchmarkUnitQueue reads the first page (50) of a random unit's work
// queue over a seeded table and reports the p50 and p99 latency.
func BenchmarkUnitQueue(b *testing.B) {
	db := OpenTest(b)
	n := benchTickets(b)
	began := time.Now()
	seedTickets(b, db, n)
	b.Logf("seeded %d tickets in %v", n, time.Since(began).Round(time.Millisecond))
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
