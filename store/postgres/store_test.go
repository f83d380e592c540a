package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/store/internal/ticketno"
	"github.com/cityhotline/hotline/ticketing"
)

var day0 = time.Date(2026, 11, 27, 9, 0, 0, 0, ticketno.Beijing)

func intake(at time.Time) []ticketing.Event {
	return []ticketing.Event{{Time: at, Actor: hotline.System, Action: "intake", To: ticketing.StatePendingDispatch}}
}

func mustCreate(t *testing.T, db *DB, tk *ticketing.Ticket) *ticketing.Ticket {
	t.Helper()
	if err := db.CreateTicket(t.Context(), tk, intake(tk.Created), nil); err != nil {
		t.Fatalf("create ticket: %v", err)
	}
	return tk
}

// tables lists the tables of the test's schema.
func tables(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.pool.Query(t.Context(), `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() ORDER BY table_name`)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	return names
}

func TestMigrateUpDownUp(t *testing.T) {
	db := OpenTest(t) // migrated up
	ctx := t.Context()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if v, err := db.Version(ctx); err != nil || v != len(ms) {
		t.Fatalf("version after up: %d, %v; want %d", v, err, len(ms))
	}
	if err := db.Migrate(ctx); err != nil { // again: nothing to do
		t.Fatalf("migrate twice: %v", err)
	}
	mustCreate(t, db, &ticketing.Ticket{Created: day0, State: ticketing.StatePendingDispatch})

	for v := len(ms) - 1; v >= 0; v-- { // down, one step at a time
		if err := db.MigrateDown(ctx); err != nil {
			t.Fatalf("migrate down to %d: %v", v, err)
		}
		if got, err := db.Version(ctx); err != nil || got != v {
			t.Fatalf("version after down: %d, %v; want %d", got, err, v)
		}
	}
	if got := tables(t, db); strings.Join(got, ",") != "schema_migrations" {
		t.Fatalf("tables after down: %v, want only schema_migrations", got)
	}
	if err := db.MigrateDown(ctx); err != nil {
		t.Fatalf("migrate down with nothing applied: %v", err)
	}

	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
	if got := len(tables(t, db)); got < 10 {
		t.Fatalf("only %d tables after up again", got)
	}
	// The numbering starts afresh with the new schema.
	tk := mustCreate(t, db, &ticketing.Ticket{Created: day0, State: ticketing.StatePendingDispatch})
	if tk.ID != "20261127000001" {
		t.Fatalf("first ticket after up again: %s", tk.ID)
	}
}

func TestMigrationsAreNumbered(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 || ms[0].Up == "" || ms[0].Down == "" {
		t.Fatalf("migrations: %+v", ms)
	}
}

func TestEventsAreAppendOnly(t *testing.T) {
	db := OpenTest(t)
	ctx := t.Context()
	tk := mustCreate(t, db, &ticketing.Ticket{Created: day0, State: ticketing.StatePendingDispatch})
	for _, sql := range []string{
		`UPDATE events SET reason = 'rewritten' WHERE ticket = $1`,
		`DELETE FROM events WHERE ticket = $1`,
	} {
		_, err := db.pool.Exec(ctx, sql, string(tk.ID))
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err %v, want the append-only refusal", sql, err)
		}
	}
	if _, err := db.pool.Exec(ctx, `TRUNCATE events`); err == nil {
		t.Error("TRUNCATE events succeeded")
	}
	evs, err := db.FindEvents(ctx, tk.ID)
	if err != nil || len(evs) != 1 || evs[0].Reason != "" {
		t.Fatalf("events after refused changes: %+v, %v", evs, err)
	}
}

func TestNumberPastAMillion(t *testing.T) {
	db := OpenTest(t)
	if _, err := db.pool.Exec(t.Context(), `INSERT INTO ticket_seq (day, n) VALUES ('20261127', 999999)`); err != nil {
		t.Fatal(err)
	}
	tk := mustCreate(t, db, &ticketing.Ticket{Created: day0, State: ticketing.StatePendingDispatch})
	if want := ticketno.ID("20261127", 1000000); tk.ID != want {
		t.Fatalf("ID %s, want %s", tk.ID, want)
	}
}

func TestCreateNeedsCreated(t *testing.T) {
	db := OpenTest(t)
	tk := &ticketing.Ticket{State: ticketing.StatePendingDispatch}
	err := db.CreateTicket(t.Context(), tk, nil, nil)
	if hotline.ErrorCode(err) != hotline.EINVALID || tk.ID != "" {
		t.Fatalf("create without Created: %v, id %q", err, tk.ID)
	}
}

// TestBatchWithConflict creates many tickets at once, some reusing an
// idempotency key, so that batches fail and are retried one by one: every
// caller gets its own answer and the numbers have no gap.
func TestBatchWithConflict(t *testing.T) {
	db := OpenTest(t)
	const n = 60
	errs := make([]error, n)
	tks := make([]*ticketing.Ticket, n)
	var wg sync.WaitGroup
	for i := range n {
		tks[i] = &ticketing.Ticket{Created: day0, State: ticketing.StatePendingDispatch}
		idem := &ticketing.Idempotency{User: "u", Key: fmt.Sprintf("k%d", i%(n/2)), Hash: "h"}
		wg.Go(func() { errs[i] = db.CreateTicket(t.Context(), tks[i], intake(day0), idem) })
	}
	wg.Wait()
	created, conflicts := map[hotline.TicketID]bool{}, 0
	for i, err := range errs {
		switch hotline.ErrorCode(err) {
		case "":
			created[tks[i].ID] = true
		case hotline.ECONFLICT:
			conflicts++
			if tks[i].ID != "" {
				t.Errorf("conflicting create %d got id %s", i, tks[i].ID)
			}
		default:
			t.Fatalf("create %d: %v", i, err)
		}
	}
	if len(created) != n/2 || conflicts != n/2 {
		t.Fatalf("%d created, %d conflicts; want %d each", len(created), conflicts, n/2)
	}
	for k := 1; k <= n/2; k++ {
		if id := ticketno.ID("20261127", int64(k)); !created[id] {
			t.Fatalf("numbering has a gap at %s", id)
		}
	}
}

func TestCreateAfterClose(t *testing.T) {
	db := OpenTest(t)
	db.Close()
	db.Close() // idempotent
	err := db.CreateTicket(context.Background(), &ticketing.Ticket{Created: day0}, nil, nil)
	if !errors.Is(err, errClosed) {
		t.Fatalf("create after close: %v", err)
	}
}

func TestCreateCancelled(t *testing.T) {
	db := OpenTest(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	tk := &ticketing.Ticket{Created: day0}
	if err := db.CreateTicket(ctx, tk, nil, nil); !errors.Is(err, context.Canceled) || tk.ID != "" {
		t.Fatalf("cancelled create: %v, id %q", err, tk.ID)
	}
}

func TestStaleUpdateCarriesCurrent(t *testing.T) {
	db := OpenTest(t)
	tk := mustCreate(t, db, &ticketing.Ticket{Created: day0, State: ticketing.StatePendingDispatch, Title: "a"})
	stale := *tk
	tk.Title = "b"
	if err := db.UpdateTicket(t.Context(), tk, 1, nil); err != nil {
		t.Fatal(err)
	}
	err := db.UpdateTicket(t.Context(), &stale, 1, nil)
	var he *hotline.Error
	if !errors.As(err, &he) || he.Code != hotline.ECONFLICT {
		t.Fatalf("stale update: %v", err)
	}
	cur, ok := he.Current.(*ticketing.Ticket)
	if !ok || cur.Title != "b" || cur.Version != 2 {
		t.Fatalf("Current = %#v", he.Current)
	}
}

func TestFindTicketsRejectsUnknown(t *testing.T) {
	db := OpenTest(t)
	for _, f := range []ticketing.TicketFilter{
		{Sort: "oldest"},
		{States: []ticketing.State{"dispatched') OR true --"}},
		{Overdue: true}, // without OverdueAt
	} {
		if _, err := db.FindTickets(t.Context(), f); hotline.ErrorCode(err) != hotline.EINVALID {
			t.Errorf("filter %+v: %v, want EINVALID", f, err)
		}
	}
}

// TestTSQueryQuoting sends hostile terms through tsQuery to the server:
// each must stay one quoted lexeme, never an operator.
func TestTSQueryQuoting(t *testing.T) {
	db := OpenTest(t)
	terms := []string{`a'b`, `c\`, `d & !e`, `f:*`, `路灯`}
	var got string
	if err := db.pool.QueryRow(t.Context(), `SELECT to_tsquery('simple', $1)::text`, tsQuery(terms)).Scan(&got); err != nil {
		t.Fatalf("to_tsquery(%s): %v", tsQuery(terms), err)
	}
	if strings.Contains(got, "!") || strings.Contains(got, "|") || strings.Contains(got, ":*") {
		t.Fatalf("terms became operators: %s", got)
	}
	if !strings.Contains(got, "'路灯'") {
		t.Fatalf("tsquery %s lost a term", got)
	}
}

// TestSearchMatchesTokenizer checks that PostgreSQL's simple parser keeps
// every token that ticketing.IndexText produces, so that search agrees
// with the SQLite store.
func TestSearchMatchesTokenizer(t *testing.T) {
	db := OpenTest(t)
	tk := &ticketing.Ticket{Created: day0, State: ticketing.StatePendingDispatch,
		Title: "ＡＢＣ小区12号楼Café", Content: "路灯不亮abc123 x1y2", Address: "朝阳区"}
	mustCreate(t, db, tk)
	for _, q := range []string{"abc", "12号楼", "café", "路灯不亮", "abc123", "X1Y2", "朝阳"} {
		got, err := db.FindTickets(t.Context(), ticketing.TicketFilter{Query: q})
		if err != nil || len(got) != 1 {
			t.Errorf("query %q: %d tickets, %v", q, len(got), err)
		}
	}
}

// genericPlan returns the plan PostgreSQL makes for sql as a generic
// (cached) plan, the kind pgx's statement cache ends up with, executed with
// the literal arguments lits. The plan types in off are disabled, so that
// they are used only when nothing else can answer the query.
func genericPlan(t *testing.T, db *DB, sql, lits string, off ...string) string {
	t.Helper()
	ctx := t.Context()
	var plan string
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		sets := []string{"SET LOCAL plan_cache_mode = force_generic_plan"}
		for _, o := range off {
			sets = append(sets, "SET LOCAL enable_"+o+" = off")
		}
		for _, set := range append(sets, "PREPARE planned AS "+sql) {
			if _, err := tx.Exec(ctx, set); err != nil {
				return err
			}
		}
		exec := "EXPLAIN EXECUTE planned"
		if lits != "" {
			exec += "(" + lits + ")"
		}
		rows, err := tx.Query(ctx, exec)
		if err != nil {
			return err
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		plan = strings.Join(lines, "\n")
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "DEALLOCATE planned")
		return err
	})
	if err != nil {
		t.Fatalf("plan %s: %v", sql, err)
	}
	return plan
}

// TestHotPathsUseIndexes checks that the indexes can serve the hot queries
// (and the queues in order, without a sort) even as generic plans. Whether
// the planner prefers them is a matter of table size: see the benchmarks.
func TestHotPathsUseIndexes(t *testing.T) {
	db := OpenTest(t)
	open := []ticketing.State{ticketing.StateDispatched, ticketing.StateInProgress}
	cases := []struct {
		name   string
		filter ticketing.TicketFilter
		lits   string
		index  string
	}{
		{"unit queue", ticketing.TicketFilter{Unit: "u1", States: open, Sort: ticketing.SortDeadline, Limit: 50},
			"'u1'", "tickets_unit_queue"},
		{"dispatch queue", ticketing.TicketFilter{States: []ticketing.State{ticketing.StatePendingDispatch},
			Sort: ticketing.SortDispatch, Limit: 50}, "", "tickets_dispatch_queue"},
		{"newest", ticketing.TicketFilter{Limit: 50}, "", "tickets_created"},
		{"unit's newest", ticketing.TicketFilter{Unit: "u1", Limit: 50}, "'u1'", "tickets_unit_created"},
		{"overdue", ticketing.TicketFilter{Overdue: true, OverdueAt: day0, States: open, Sort: ticketing.SortDeadline, Limit: 50},
			"now()", "tickets_held_due"},
	}
	for _, c := range cases {
		sql, _, err := findTicketsSQL(c.filter)
		if err != nil {
			t.Fatal(err)
		}
		plan := genericPlan(t, db, sql, c.lits, "seqscan", "bitmapscan", "sort")
		if !strings.Contains(plan, c.index) || strings.Contains(plan, "Sort") {
			t.Errorf("%s: plan does not read %s in order:\n%s", c.name, c.index, plan)
		}
	}
	plan := genericPlan(t, db, ticketsToCheckSQL+limitClause(100, 0), "now()", "seqscan")
	if !strings.Contains(plan, "tickets_next_check") {
		t.Errorf("tickets to check: plan does not use tickets_next_check:\n%s", plan)
	}
	sql, _, _ := findTicketsSQL(ticketing.TicketFilter{Phone: "13800000001"})
	plan = genericPlan(t, db, sql, "'13800000001'", "seqscan", "indexscan")
	if !strings.Contains(plan, "tickets_caller_number") || !strings.Contains(plan, "tickets_contact_number") {
		t.Errorf("phone: plan does not use both number indexes:\n%s", plan)
	}
}
