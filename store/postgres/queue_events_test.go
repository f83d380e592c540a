package postgres

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline/agent"
)

// TestQueueEventsMigrationUpDownUp: 0004 goes down on its own (leaving the
// callbacks of 0003 alone) and comes back up empty.
func TestQueueEventsMigrationUpDownUp(t *testing.T) {
	db := OpenTest(t)
	ctx := t.Context()
	for v, _ := db.Version(ctx); v > 4; v, _ = db.Version(ctx) { // later migrations first
		if err := db.MigrateDown(ctx); err != nil {
			t.Fatalf("migrate down from %d: %v", v, err)
		}
	}
	if v, err := db.Version(ctx); err != nil || v != 4 {
		t.Fatalf("version = %d, %v; want 4", v, err)
	}
	ev := []agent.Event{{At: time.Now(), Kind: agent.EventEnter, Queue: "q", Call: "c1"}}
	if err := db.CreateQueueEvents(ctx, ev); err != nil {
		t.Fatalf("create queue events: %v", err)
	}
	if err := db.MigrateDown(ctx); err != nil {
		t.Fatalf("migrate down: %v", err)
	}
	if v, err := db.Version(ctx); err != nil || v != 3 {
		t.Fatalf("version after one down: %d, %v; want 3", v, err)
	}
	if got := tables(t, db); slices.Contains(got, "queue_events") || !slices.Contains(got, "callbacks") {
		t.Fatalf("tables after reverting 0004: %v; want callbacks without queue_events", got)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
	got, err := db.FindQueueEvents(ctx, agent.EventFilter{})
	if err != nil || len(got) != 0 {
		t.Fatalf("after down and up: %d events, %v; want none", len(got), err)
	}
	if err := db.CreateQueueEvents(ctx, ev); err != nil {
		t.Fatalf("create after up/down/up: %v", err)
	}
}

// TestQueueEventReadsUseIndexes: a day's log, all queues or one, can be
// read in index order, without a sort, even as a generic plan.
func TestQueueEventReadsUseIndexes(t *testing.T) {
	db := OpenTest(t)
	day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		f     agent.EventFilter
		lits  string
		index string
	}{
		{"day", agent.EventFilter{From: day, To: day.Add(24 * time.Hour)}, "now(), now()", "queue_events_at"},
		{"queue's day", agent.EventFilter{From: day, To: day.Add(24 * time.Hour), Queue: "policy"},
			"now(), now(), 'policy'", "queue_events_queue"},
		{"agent's day", agent.EventFilter{From: day, To: day.Add(24 * time.Hour), Agent: "u1"},
			"now(), now(), 'u1'", "queue_events_agent"},
	}
	for _, c := range cases {
		sql, _ := queueEventQuery(c.f)
		plan := genericPlan(t, db, sql, c.lits, "seqscan", "bitmapscan", "sort")
		if !strings.Contains(plan, c.index) || strings.Contains(plan, "Sort") {
			t.Errorf("%s: plan does not read %s in order:\n%s", c.name, c.index, plan)
		}
	}
}
