package agent

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// callLog lists the events of call id from the index from on, kinds other
// than offer, as "kind queue agent reason".
func (f *fixture) callLog(id hotline.CallID, from int) []string {
	var out []string
	for _, e := range f.events()[from:] {
		if e.Call == id && e.Kind != EventOffer {
			out = append(out, fmt.Sprintf("%s %s %s %s", e.Kind, e.Queue, e.Agent, e.Reason))
		}
	}
	return out
}

func (f *fixture) checkInvariants() {
	f.t.Helper()
	if err := f.a.check(); err != nil {
		f.t.Fatal(err)
	}
}

func TestWarmTransferToAgentAnswered(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.ready("a1", "a2", "a3")
	f.enqueue("c1", "q")
	f.ok(f.a.Answer("a1", "c1"))
	f.clock.Advance(time.Minute)
	mark := len(f.events())

	// a2 is ready and idle longest, but the transfer is for a3 only.
	equal(t, "warm transfer", shows(f.ok(f.a.TransferWarm("c1", "a1", "", "a3", "请班长处理"))), []string{
		"offer a3 c1",
		"agent_state a3 offered",
	})
	f.checkInvariants()
	if st, _ := f.a.Status("a1"); st.State != StateOnCall || st.Call != "c1" {
		t.Fatalf("transferring agent %+v, want on_call on c1", st)
	}
	w, _ := f.a.Call("c1")
	if !w.WarmTransfer || w.Agent != "a1" || w.Position != 1 || !slices.Equal(w.Ringing, []hotline.UserID{"a3"}) ||
		w.Note != "请班长处理" || w.Connected.IsZero() {
		t.Fatalf("call during the warm transfer %+v", w)
	}
	// The transferring agent is offered nothing else meanwhile.
	equal(t, "another call", shows(f.enqueue("c2", "q")), []string{"offer a2 c2", "agent_state a2 offered"})
	f.checkInvariants()

	f.clock.Advance(5 * time.Second)
	equal(t, "answer", shows(f.ok(f.a.Answer("a3", "c1"))), []string{
		"agent_state a1 wrap_up",
		"connect a3 c1",
		"agent_state a3 on_call",
	})
	f.checkInvariants()
	w, _ = f.a.Call("c1")
	if w.WarmTransfer || w.Agent != "a3" || !w.Connected.Equal(f.clock.Now()) {
		t.Fatalf("call after the answer %+v", w)
	}
	equal(t, "log", f.callLog("c1", mark), []string{
		"enter q a3 warm_transfer",
		"transfer q a1 a3",
		"connect q a3 ",
	})
	var transfer, connect Event
	for _, e := range f.events()[mark:] {
		switch {
		case e.Kind == EventTransfer:
			transfer = e
		case e.Kind == EventConnect && e.Call == "c1":
			connect = e
		}
	}
	if transfer.Talk != 65*time.Second || transfer.State != StateWrapUp || transfer.Target != "q" {
		t.Errorf("transfer event %+v: want 65 s of talk, ringing included", transfer)
	}
	if connect.Wait != 5*time.Second {
		t.Errorf("connect event %+v: want the 5 s the target rang", connect)
	}
	if k := f.a.KPIs("", time.Time{}, time.Time{}); k.Handled != 1 || k.Answered != 2 {
		t.Errorf("KPIs %+v: want the transferring agent's call handled, both visits answered", k)
	}
	f.ok(f.a.Complete("a3", "c1", "agent"))
	f.checkInvariants()
}

// Each way a warm transfer to a queue can end before anyone answers.
func TestWarmTransferEnds(t *testing.T) {
	tests := []struct {
		name    string
		end     func(f *fixture) []Effect
		want    []string
		a1      State
		ringing []hotline.UserID // the call's offers after it; nil: gone or connected
		log     []string         // c1's events after the transfer's enter
	}{
		{"withdrawn", func(f *fixture) []Effect { return f.ok(f.a.CancelTransfer("c1", "a1")) },
			[]string{"offer_cancelled b1 c1 withdrawn", "agent_state b1 ready"},
			StateOnCall, nil, []string{"transfer_cancel r a1 agent", "ring_canceled r b1 withdrawn"}},
		{"transferring agent hangs up", func(f *fixture) []Effect { return f.ok(f.a.Complete("a1", "c1", "agent")) },
			[]string{"agent_state a1 wrap_up"},
			StateWrapUp, []hotline.UserID{"b1"}, []string{"transfer q a1 "}},
		{"caller hangs up", func(f *fixture) []Effect { return f.ok(f.a.Complete("a1", "c1", "caller")) },
			[]string{"offer_cancelled b1 c1 abandoned", "agent_state b1 ready", "agent_state a1 wrap_up"},
			StateWrapUp, nil, []string{"transfer_cancel r a1 caller", "ring_canceled r b1 abandoned", "complete_caller q a1 "}},
		{"transferring agent's softphone lost", func(f *fixture) []Effect { return f.ok(f.a.Requeue("c1")) },
			[]string{"agent_state a1 not_ready(other)"},
			StateNotReady, []hotline.UserID{"b1"}, []string{"requeue q a1 "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Config{Queues: []QueueConfig{{Name: "q"}, {Name: "r", AnnounceEvery: 20 * time.Second}}})
			f.ready("a1")
			f.login("b1", map[string]int{"r": 5})
			f.ok(f.a.SetReady("b1"))
			f.enqueue("c1", "q")
			f.ok(f.a.Answer("a1", "c1"))
			f.clock.Advance(time.Minute)
			equal(t, "warm transfer", only(f.ok(f.a.TransferWarm("c1", "a1", "r", "", "燃气")), EffectOffer), []string{"offer b1 c1"})
			mark := len(f.events())
			f.clock.Advance(3 * time.Second)

			equal(t, "effects", shows(tt.end(f)), tt.want)
			f.checkInvariants()
			f.wantState("a1", tt.a1)
			equal(t, "log", f.callLog("c1", mark), tt.log)
			w, in := f.a.Call("c1")
			switch {
			case tt.name == "withdrawn":
				if !in || w.WarmTransfer || w.Agent != "a1" || w.Queue != "q" || w.Note != "" || !w.Enqueued.Equal(t0.Add(time.Second)) {
					t.Fatalf("call after the cancel %+v: want a1's call as before", w)
				}
				f.ok(f.a.Complete("a1", "c1", "agent"))
			case tt.ringing != nil:
				if !in || w.WarmTransfer || w.Agent != "" || !slices.Equal(w.Ringing, tt.ringing) {
					t.Fatalf("call %+v: want waiting alone, ringing %v", w, tt.ringing)
				}
				// From now on the caller waits alone: announcements resume.
				f.a.mu.Lock()
				next := f.a.calls["c1"].nextAnnounce
				f.a.mu.Unlock()
				if !next.Equal(f.clock.Now().Add(20 * time.Second)) {
					t.Errorf("next announcement in %v, want 20 s", next.Sub(f.clock.Now()))
				}
				equal(t, "answer", shows(f.ok(f.a.Answer("b1", "c1"))), []string{"connect b1 c1", "agent_state b1 on_call"})
			case in:
				t.Fatalf("call still in the ACD: %+v", w)
			}
			f.checkInvariants()
		})
	}
}

func TestWarmTransferConflicts(t *testing.T) {
	f := newFixture(t, twoQueues())
	f.ready("a1", "a2")
	f.enqueue("c1", "q")
	f.ok(f.a.Answer("a1", "c1"))

	f.code(hotline.ECONFLICT, nil, nil2(f.a.CancelTransfer("c1", "a1"))) // nothing pending
	f.code(hotline.ECONFLICT, nil, nil2(f.a.TransferWarm("c1", "a2", "", "", "")))
	f.code(hotline.EINVALID, nil, nil2(f.a.TransferWarm("c1", "a1", "nope", "", "")))
	f.code(hotline.EINVALID, nil, nil2(f.a.TransferWarm("c1", "a1", "", "a1", "")))
	f.code(hotline.ENOTFOUND, nil, nil2(f.a.TransferWarm("c1", "a1", "", "nobody", "")))
	f.code(hotline.ENOTFOUND, nil, nil2(f.a.TransferWarm("c9", "a1", "", "", "")))

	f.ok(f.a.TransferWarm("c1", "a1", "", "a2", ""))
	f.code(hotline.ECONFLICT, nil, nil2(f.a.TransferWarm("c1", "a1", "r", "", "")))
	f.code(hotline.ECONFLICT, nil, nil2(f.a.Transfer("c1", "a1", "r", "", "")))
	f.code(hotline.ECONFLICT, nil, nil2(f.a.Abandon("c1")))
	f.code(hotline.ECONFLICT, nil, nil2(f.a.Logout("a1")))
	f.code(hotline.ECONFLICT, nil, nil2(f.a.CancelTransfer("c1", "a2")))
	f.code(hotline.ECONFLICT, nil, nil2(f.a.Complete("a2", "c1", "agent")))
	f.checkInvariants()

	f.ok(f.a.CancelTransfer("c1", "a1"))
	f.code(hotline.ECONFLICT, nil, nil2(f.a.Answer("a2", "c1"))) // too late
	f.code(hotline.ECONFLICT, nil, nil2(f.a.CancelTransfer("c1", "a1")))
	// A new warm transfer after the cancel is fine, and the target answers.
	f.ok(f.a.TransferWarm("c1", "a1", "r", "", ""))
	f.code(hotline.ECONFLICT, nil, nil2(f.a.Answer("a2", "c1"))) // a2 does not serve r
	f.login("b1", map[string]int{"r": 5})
	equal(t, "b1 ready", only(f.ok(f.a.SetReady("b1")), EffectOffer), []string{"offer b1 c1"})
	f.ok(f.a.Answer("b1", "c1"))
	f.wantState("a1", StateWrapUp)
	f.checkInvariants()
}

// Nobody answers: the offers ring out as for any waiting call, the agents
// who let them ring go not ready after MaxNoAnswer, and the call neither
// overflows nor hears announcements while the transferring agent holds it.
func TestWarmTransferRingsOut(t *testing.T) {
	f := newFixture(t, Config{Queues: []QueueConfig{{Name: "q", RingTimeout: 5 * time.Second,
		MaxWait: 10 * time.Second, Overflow: OverflowCallback, AnnounceEvery: 3 * time.Second}}})
	f.ready("a1")
	f.enqueue("c1", "q")
	f.ok(f.a.Answer("a1", "c1"))
	f.ready("a2", "a3")
	f.ok(f.a.TransferWarm("c1", "a1", "", "", ""))
	effs := f.runUntil(f.clock.Now().Add(time.Minute))
	equal(t, "ring cycle", only(effs, EffectOffer, EffectOfferCancelled, EffectOverflow, EffectAnnounce), []string{
		"offer_cancelled a2 c1 timeout",
		"offer a3 c1",
		"offer_cancelled a3 c1 timeout",
		"offer a2 c1",
		"offer_cancelled a2 c1 timeout",
		"offer a3 c1",
		"offer_cancelled a3 c1 timeout",
	})
	f.checkInvariants()
	f.wantState("a1", StateOnCall)
	f.wantState("a2", StateNotReady)
	if w, _ := f.a.Call("c1"); !w.WarmTransfer || w.Agent != "a1" {
		t.Fatalf("call %+v", w)
	}
	if next := f.a.NextDeadline(); !next.IsZero() {
		t.Errorf("a deadline at %v for a call the agent holds", next)
	}
	equal(t, "cancel", shows(f.ok(f.a.CancelTransfer("c1", "a1"))), nil)
	f.ok(f.a.Complete("a1", "c1", "agent"))
	f.checkInvariants()
}

// Under ring_all the first answer takes the call from the transferring
// agent and the other offers are cancelled.
func TestWarmTransferRingAll(t *testing.T) {
	f := newFixture(t, Config{Queues: []QueueConfig{{Name: "q"}, {Name: "r", Strategy: StrategyRingAll, WrapUp: -1}}})
	f.ready("a1")
	f.enqueue("c1", "q")
	f.ok(f.a.Answer("a1", "c1"))
	for _, id := range []string{"b1", "b2"} {
		f.login(id, map[string]int{"r": 5})
		f.ok(f.a.SetReady(hotline.UserID(id)))
	}
	equal(t, "offers", only(f.ok(f.a.TransferWarm("c1", "a1", "r", "", "")), EffectOffer), []string{"offer b1 c1", "offer b2 c1"})
	equal(t, "answer", shows(f.ok(f.a.Answer("b2", "c1"))), []string{
		"agent_state a1 wrap_up",
		"connect b2 c1",
		"agent_state b2 on_call",
		"offer_cancelled b1 c1 taken",
		"agent_state b1 ready",
	})
	f.checkInvariants()
	// a1 wraps up under q's rules (30 s), not r's (none).
	if st, _ := f.a.Status("a1"); !st.WrapUpEnd.Equal(f.clock.Now().Add(DefaultWrapUp)) {
		t.Errorf("a1 %+v", st)
	}
}
