package call

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/agent"
	"github.com/cityhotline/hotline/store/sqlite"
)

// After a transfer the call record names the agent who had the call last;
// the agent who transferred it may still file the work order once the call
// is over, and link it: the stored queue log shows it talked to the caller.
// An agent who never did may not.
func TestLinkAfterTheCallByAnAgentWhoTransferredIt(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hotline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	rec := &hotline.CallRecord{ID: "c-1", Direction: "inbound", Caller: "13800138000", Callee: "12345",
		Arrived: at, Answered: at.Add(2 * time.Second), Ended: at.Add(5 * time.Minute), Queue: "complaints", Agent: "u-2"}
	other := &hotline.CallRecord{ID: "c-2", Direction: "inbound", Caller: "13900139000", Callee: "12345",
		Arrived: at, Answered: at.Add(3 * time.Second), Ended: at.Add(4 * time.Minute), Queue: "complaints", Agent: "u-3"}
	for _, r := range []*hotline.CallRecord{rec, other} {
		if err := db.CreateCall(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CreateQueueEvents(ctx, []agent.Event{
		{At: at.Add(10 * time.Second), Kind: agent.EventConnect, Queue: "complaints", Call: "c-1", Agent: "u-1"},
		{At: at.Add(11 * time.Second), Kind: agent.EventConnect, Queue: "complaints", Call: "c-2", Agent: "u-4"},
		{At: at.Add(2 * time.Minute), Kind: agent.EventConnect, Queue: "complaints", Call: "c-1", Agent: "u-2"},
	}); err != nil {
		t.Fatal(err)
	}
	svc := &Service{store: db, queues: newQueueCounts(nil)}

	if err := svc.linkTicket(ctx, "c-1", "u-1", "20261127000001", "ticket"); err != nil {
		t.Fatalf("the transferring agent links its work order: %v", err)
	}
	got, err := db.FindCallByID(ctx, "c-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Ticket != "20261127000001" || got.Agent != "u-2" {
		t.Errorf("call record: ticket %q agent %q, want the ticket linked and the last agent kept", got.Ticket, got.Agent)
	}
	if err := svc.linkTicket(ctx, "c-1", "u-4", "20261127000002", "ticket"); hotline.ErrorCode(err) != hotline.EFORBIDDEN {
		t.Errorf("an agent who took another call links this one: %v, want forbidden", err)
	}
	if err := svc.linkTicket(ctx, "c-2", "u-1", "20261127000003", "ticket"); hotline.ErrorCode(err) != hotline.EFORBIDDEN {
		t.Errorf("an agent links a call it never took: %v, want forbidden", err)
	}
	if got, _ := db.FindCallByID(ctx, "c-2"); got.Ticket != "" {
		t.Errorf("the refused link changed call c-2: ticket %q", got.Ticket)
	}
}
