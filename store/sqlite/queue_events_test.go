package sqlite

import (
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline/agent"
)

// TestQueueEventsMigrationUpDownUp: 0005 goes down on its own (leaving the
// callbacks of 0004 alone) and comes back up empty.
func TestQueueEventsMigrationUpDownUp(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	for v, _ := db.schemaVersion(ctx); v > 5; v, _ = db.schemaVersion(ctx) { // later migrations first
		if err := db.MigrateDown(ctx); err != nil {
			t.Fatalf("migrate down from %d: %v", v, err)
		}
	}
	if v, err := db.schemaVersion(ctx); err != nil || v != 5 {
		t.Fatalf("version = %d, %v; want 5", v, err)
	}
	ev := []agent.Event{{At: time.Now(), Kind: agent.EventEnter, Queue: "q", Call: "c1"}}
	if err := db.CreateQueueEvents(ctx, ev); err != nil {
		t.Fatalf("create queue events: %v", err)
	}
	if err := db.MigrateDown(ctx); err != nil {
		t.Fatalf("migrate down: %v", err)
	}
	if v, err := db.schemaVersion(ctx); err != nil || v != 4 {
		t.Fatalf("version after one down = %d, %v; want 4", v, err)
	}
	if hasTable(t, db, "queue_events") || !hasTable(t, db, "callbacks") {
		t.Fatal("after reverting 0005: want no queue_events table and the callbacks table kept")
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

// TestQueueEventReadsUseIndexes: a day's log, all queues or one, is read
// in index order without scanning the table or sorting.
func TestQueueEventReadsUseIndexes(t *testing.T) {
	db := openTest(t)
	day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	var evs []agent.Event
	for i := range 2000 {
		evs = append(evs, agent.Event{At: day.Add(time.Duration(i) * time.Minute), Kind: agent.EventEnter,
			Queue: []string{"complaints", "policy"}[i%2], Agent: "u1"})
	}
	if err := db.CreateQueueEvents(t.Context(), evs); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(t.Context(), `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		f     agent.EventFilter
		index string
	}{
		{"day", agent.EventFilter{From: day, To: day.Add(24 * time.Hour)}, "queue_events_at"},
		{"queue's day", agent.EventFilter{From: day, To: day.Add(24 * time.Hour), Queue: "policy"}, "queue_events_queue"},
		{"agent's day", agent.EventFilter{From: day, To: day.Add(24 * time.Hour), Agent: "u2"}, "queue_events_agent"},
	}
	for _, c := range cases {
		q, args := queueEventQuery(c.f)
		plan := queryPlan(t, db, q, args...)
		if !strings.Contains(plan, c.index) || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%s: plan does not read %s in order:\n%s", c.name, c.index, plan)
		}
	}
}
