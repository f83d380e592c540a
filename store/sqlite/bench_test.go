package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

var openStates = []ticketing.State{ticketing.StateDispatched, ticketing.StateInProgress}

// seedTickets bulk-inserts n tickets spread over units u000…u199 in one
// transaction: the same columns and full-text trigger as CreateTicket, in
// multi-row INSERTs (one FTS5 flush per statement, not per row) and without
// the per-ticket commit and numbering.
func seedTickets(tb testing.TB, db *DB, n int) {
	tb.Helper()
	ctx := context.Background()
	const batch = 200
	err := db.inTx(ctx, func(tx *wtx) error {
		for from := 0; from < n; from += batch {
			if err := insertBatch(ctx, tx, from, min(from+batch, n)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("seed: %v", err)
	}
}

// insertBatch inserts seed tickets [from, to) in one statement.
func insertBatch(ctx context.Context, tx *wtx, from, to int) error {
	row := "(" + placeholders(len(ticketSelect(&ticketing.Ticket{}))+1) + ")"
	rows := make([]string, 0, to-from)
	var args []any
	for i := from; i < to; i++ {
		a, err := ticketInsertArgs(seedTicket(i))
		if err != nil {
			return err
		}
		rows = append(rows, row)
		args = append(args, a...)
	}
	q := `INSERT INTO tickets (` + ticketSelectList + `, search) VALUES ` + strings.Join(rows, ", ")
	_, err := tx.ExecContext(ctx, q, args...)
	return err
}

// seedTicket is the i-th synthetic ticket: a 20-second intake rhythm, states,
// urgencies and 200 units in rotation, 50k distinct callers.
func seedTicket(i int) *ticketing.Ticket {
	created := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * 20 * time.Second)
	return &ticketing.Ticket{
		ID: hotline.TicketID(fmt.Sprintf("seed%09d", i)), Version: 1, Created: created,
		State: ticketing.States[i%len(ticketing.States)], Unit: hotline.UnitID(fmt.Sprintf("u%03d", i%200)),
		Urgency: ticketing.Urgencies[i%len(ticketing.Urgencies)], Channel: ticketing.ChannelPhone,
		CallerNumber: fmt.Sprintf("138%08d", i%50000), Title: "路灯不亮",
		Content: "小区楼下路灯不亮，晚上出行不便", Address: fmt.Sprintf("朝阳区建外街道%d号", i%300),
		ReplyDue: created.Add(time.Duration(i%13) * 24 * time.Hour), NextCheck: created.Add(time.Hour),
	}
}

func BenchmarkCreateTicket(b *testing.B) {
	db := openTest(b)
	ctx := context.Background()
	at := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		t := &ticketing.Ticket{Created: at, State: ticketing.StatePendingDispatch, Title: "路灯不亮",
			Content: "小区楼下路灯不亮，晚上出行不便", Address: "朝阳区建外街道", CallerNumber: "13800000001"}
		ev := []ticketing.Event{{Time: at, Action: "intake", Actor: hotline.System, To: t.State}}
		if err := db.CreateTicket(ctx, t, ev, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnitQueue reads one unit's open tickets by deadline, 50 a page,
// from 100k tickets (about 140 open per unit), plus the other hot lists.
func BenchmarkUnitQueue(b *testing.B) {
	db := openTest(b)
	seedTickets(b, db, 100_000)
	ctx := context.Background()
	run := func(name string, f func(i int) ticketing.TicketFilter) {
		b.Run(name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				ts, err := db.FindTickets(ctx, f(i))
				if err != nil || len(ts) == 0 {
					b.Fatalf("%d tickets, %v", len(ts), err)
				}
				i++
			}
		})
	}
	run("Unit", func(i int) ticketing.TicketFilter {
		return ticketing.TicketFilter{Unit: hotline.UnitID(fmt.Sprintf("u%03d", i%200)), States: openStates,
			Sort: ticketing.SortDeadline, Limit: 50}
	})
	run("Dispatch", func(int) ticketing.TicketFilter {
		return ticketing.TicketFilter{States: []ticketing.State{ticketing.StatePendingDispatch},
			Sort: ticketing.SortDispatch, Limit: 50}
	})
	run("Phone", func(i int) ticketing.TicketFilter {
		return ticketing.TicketFilter{Phone: fmt.Sprintf("138%08d", i%50000), Limit: 50}
	})
	run("Query", func(i int) ticketing.TicketFilter {
		return ticketing.TicketFilter{Query: fmt.Sprintf("建外街道%d号", 100+i%200), Limit: 50}
	})
}

// TestHotPathsUseIndexes checks the query plans of the lists the desks
// poll all day: none may scan the tickets table.
func TestHotPathsUseIndexes(t *testing.T) {
	db := openTest(t)
	seedTickets(t, db, 500)
	if _, err := db.write.ExecContext(t.Context(), `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		f     ticketing.TicketFilter
		index string
	}{
		{"unit queue", ticketing.TicketFilter{Unit: "u001", States: openStates, Sort: ticketing.SortDeadline, Limit: 50}, "tickets_open_by_unit"},
		{"dispatch queue", ticketing.TicketFilter{States: []ticketing.State{ticketing.StatePendingDispatch},
			Sort: ticketing.SortDispatch, Limit: 50}, "tickets_dispatch_queue"},
		{"phone", ticketing.TicketFilter{Phone: "13800000001"}, "tickets_caller"},
		{"created", ticketing.TicketFilter{From: at, Limit: 50}, "tickets_created"},
	}
	for _, c := range cases {
		q, args, err := ticketQuery(c.f)
		if err != nil {
			t.Fatal(err)
		}
		plan := queryPlan(t, db, q, args...)
		if !strings.Contains(plan, c.index) || strings.Contains(plan, "SCAN tickets\n") {
			t.Errorf("%s: plan does not use %s:\n%s", c.name, c.index, plan)
		}
	}
	// A unit's queue is read in index order: no sort of all its open orders.
	q, args, _ := ticketQuery(ticketing.TicketFilter{Unit: "u001", States: openStates, Sort: ticketing.SortDeadline, Limit: 50})
	if plan := queryPlan(t, db, q, args...); strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("unit queue sorts:\n%s", plan)
	}
	// What a unit sees (held or copied): both partial indexes, each in order.
	q, args, _ = ticketQuery(ticketing.TicketFilter{Visible: "u001", States: openStates, Sort: ticketing.SortDeadline, Limit: 50})
	if plan := queryPlan(t, db, q, args...); !strings.Contains(plan, "tickets_open_by_unit") || !strings.Contains(plan, "tickets_open_by_copy") {
		t.Errorf("visible queue does not use both queue indexes:\n%s", plan)
	}
	plan := queryPlan(t, db, `SELECT id FROM tickets WHERE next_check IS NOT NULL AND next_check <= ? ORDER BY next_check, id LIMIT ?`, at.UnixMicro(), 10)
	if !strings.Contains(plan, "tickets_next_check") {
		t.Errorf("tickets to check: plan does not use tickets_next_check:\n%s", plan)
	}
}

func queryPlan(t *testing.T, db *DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.read.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	return b.String()
}
