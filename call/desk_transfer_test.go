package call

import (
	"context"
	"log/slog"
	"testing"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/agent"
	"github.com/cityhotline/hotline/api/deskproto"
)

// readyAgent attaches an agent with a (pretend) connected softphone and
// makes it ready.
func (td *testDesk) readyAgent(t *testing.T, u *account.User) (*DeskConn, *fakeClient) {
	t.Helper()
	fc := &fakeClient{}
	conn, err := td.Attach(context.Background(), u, fc)
	if err != nil {
		t.Fatal(err)
	}
	conn.as.mu.Lock()
	conn.as.rtcUp = true
	conn.as.mu.Unlock()
	if err := conn.Handle(context.Background(), &deskproto.Message{Type: "set_state", State: "ready"}); err != nil {
		t.Fatal(err)
	}
	return conn, fc
}

// drain empties the events posted to a call's goroutine.
func (qc *queuedCall) drain() []callEvent {
	var out []callEvent
	for {
		select {
		case e := <-qc.events:
			out = append(out, e)
		default:
			return out
		}
	}
}

// The desk's side of a warm transfer, without media: the messages to both
// agents, the cancel, the conflicts, and the connect posted to the call's
// goroutine when the target answers (which then moves the bridge).
func TestDeskWarmTransfer(t *testing.T) {
	td := newTestDesk(t)
	ctx := context.Background()
	agent2 := &account.User{ID: "u-2", Username: "agent2", Name: "话务员二", Role: hotline.RoleAgent}
	c1, fc1 := td.readyAgent(t, agent1)
	c2, fc2 := td.readyAgent(t, agent2)
	if err := c2.Handle(ctx, &deskproto.Message{Type: "set_state", State: "not_ready", Reason: "break"}); err != nil {
		t.Fatal(err)
	}
	qc := &queuedCall{id: "c-1", events: make(chan callEvent, 32), log: slog.New(slog.DiscardHandler), queue: "complaints"}
	td.mu.Lock()
	td.calls[qc.id] = qc
	td.mu.Unlock()
	td.apply(must(td.acd.Enqueue(agent.Call{ID: qc.id, Queue: "complaints", Caller: "13800138000"})))
	if err := c1.Handle(ctx, &deskproto.Message{Type: "answer", Call: "c-1"}); err != nil {
		t.Fatal(err)
	}
	if ev := qc.drain(); len(ev) != 1 || ev[0].kind != evConnect || ev[0].agent != c1.as {
		t.Fatalf("posted %+v, want agent1's connect", ev)
	}
	c1.as.mu.Lock()
	c1.as.call = qc // as talk does
	c1.as.mu.Unlock()
	if err := c2.Handle(ctx, &deskproto.Message{Type: "set_state", State: "ready"}); err != nil {
		t.Fatal(err)
	}

	warm := &deskproto.Message{Type: "transfer", Call: "c-1", Agent: "u-2", Mode: "warm", Note: "地址待核实"}
	cancel := &deskproto.Message{Type: "transfer", Call: "c-1", Mode: "cancel"}
	if err := c1.Handle(ctx, cancel); hotline.ErrorCode(err) != hotline.ECONFLICT {
		t.Fatalf("cancel with nothing pending: %v", err)
	}
	if err := c1.Handle(ctx, &deskproto.Message{Type: "transfer", Call: "c-1", Agent: "u-2", Mode: "attended"}); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Fatalf("unknown mode: %v", err)
	}
	if err := c1.Handle(ctx, warm); err != nil {
		t.Fatal(err)
	}
	if ts, ok := fc1.last("transfer_state").(deskproto.TransferState); !ok || ts.State != "pending" || ts.Target != "u-2" {
		t.Fatalf("agent1's transfer_state %#v", fc1.last("transfer_state"))
	}
	if o, ok := fc2.last("offer").(deskproto.Offer); !ok || o.Call != "c-1" || o.Note != "地址待核实" || o.TransferredBy != "话务员一" {
		t.Fatalf("agent2's offer %#v", fc2.last("offer"))
	}
	if st, _ := td.acd.Status(agent1.ID); st.State != agent.StateOnCall {
		t.Fatalf("agent1 is %s during the warm transfer", st.State)
	}
	if m := c1.as.connectedMsg(); m == nil || m.WarmTransfer != "u-2" {
		t.Fatalf("a resumed desk's call %#v, want the pending transfer", m)
	}
	for _, m := range []*deskproto.Message{warm, {Type: "transfer", Call: "c-1", Queue: "policy"}} {
		if err := c1.Handle(ctx, m); hotline.ErrorCode(err) != hotline.ECONFLICT {
			t.Fatalf("%+v while a warm transfer is pending: %v", *m, err)
		}
	}
	if ev := qc.drain(); len(ev) != 0 {
		t.Fatalf("the refused transfers posted %+v", ev)
	}

	// Withdrawn.
	if err := c1.Handle(ctx, cancel); err != nil {
		t.Fatal(err)
	}
	if ts := fc1.last("transfer_state").(deskproto.TransferState); ts.State != "cancelled" || ts.Target != "u-2" {
		t.Fatalf("agent1's transfer_state %#v", ts)
	}
	if oc, ok := fc2.last("offer_cancelled").(deskproto.OfferCancelled); !ok || oc.Reason != "withdrawn" {
		t.Fatalf("agent2's offer_cancelled %#v", fc2.last("offer_cancelled"))
	}
	if m := c1.as.connectedMsg(); m.WarmTransfer != "" {
		t.Fatalf("still pending after the cancel: %#v", m)
	}

	// Again, to the queue this time; agent2 answers.
	if err := c1.Handle(ctx, &deskproto.Message{Type: "transfer", Call: "c-1", Queue: "complaints", Mode: "warm"}); err != nil {
		t.Fatal(err)
	}
	if ts := fc1.last("transfer_state").(deskproto.TransferState); ts.State != "pending" || ts.Target != "complaints" {
		t.Fatalf("agent1's transfer_state %#v", ts)
	}
	if err := c2.Handle(ctx, &deskproto.Message{Type: "answer", Call: "c-1"}); err != nil {
		t.Fatal(err)
	}
	if ev := qc.drain(); len(ev) != 1 || ev[0].kind != evConnect || ev[0].agent != c2.as || ev[0].target != "complaints" {
		t.Fatalf("posted %+v, want agent2's connect", ev)
	}
	if st, _ := td.acd.Status(agent1.ID); st.State != agent.StateWrapUp {
		t.Fatalf("agent1 is %s after the answer", st.State)
	}
	if err := c1.Handle(ctx, cancel); hotline.ErrorCode(err) != hotline.ECONFLICT {
		t.Fatalf("cancel after the answer: %v", err)
	}
}
