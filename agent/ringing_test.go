package agent

import (
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

func TestRingNoAnswerReoffersThenPauses(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.ready("a1", "a2")
	equal(t, "enqueue", shows(f.enqueue("c", "q")), []string{"offer a1 c", "agent_state a1 offered"})

	if effs := f.tick(14 * time.Second); len(effs) != 0 {
		t.Fatalf("tick before the ring timeout: %v", shows(effs))
	}
	equal(t, "a1 rings out", shows(f.tick(time.Second)), []string{
		"offer_cancelled a1 c timeout",
		"agent_state a1 ready",
		"offer a2 c",
		"agent_state a2 offered",
	})
	// Both have now missed it once; it goes back to a1 (idle longest), whose
	// second miss in a row pauses it.
	equal(t, "a2 rings out", shows(f.tick(15*time.Second)), []string{
		"offer_cancelled a2 c timeout",
		"agent_state a2 ready",
		"offer a1 c",
		"agent_state a1 offered",
	})
	equal(t, "a1 misses twice", shows(f.tick(15*time.Second)), []string{
		"offer_cancelled a1 c timeout",
		"agent_state a1 not_ready(no_answer)",
		"offer a2 c",
		"agent_state a2 offered",
	})
	equal(t, "a2 misses twice", shows(f.tick(15*time.Second)), []string{
		"offer_cancelled a2 c timeout",
		"agent_state a2 not_ready(no_answer)",
		"announce c pos=1 est=0s", // due at 60 s; nobody rings it any more
	})
	w, _ := f.a.Call("c")
	if w.Position != 1 || len(w.Ringing) != 0 || len(w.OfferedTo) != 2 {
		t.Fatalf("call after everyone missed: %+v", w)
	}
	var kinds []string
	for _, e := range f.events() {
		if e.Agent == "a1" && e.Kind != EventUnpause {
			kinds = append(kinds, string(e.Kind)+":"+string(e.State))
		}
	}
	equal(t, "a1 log", kinds, []string{
		"login:not_ready", "offer:offered", "ring_no_answer:ready",
		"offer:offered", "ring_no_answer:not_ready", "pause:not_ready",
	})
}

func TestRejectOffersSomeoneElse(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.ready("a1", "a2")
	f.enqueue("c", "q")
	equal(t, "reject", shows(f.ok(f.a.Reject("a1", "c"))), []string{
		"offer_cancelled a1 c rejected",
		"agent_state a1 ready",
		"offer a2 c",
		"agent_state a2 offered",
	})
	f.code(hotline.ECONFLICT, nil, nil2(f.a.Reject("a1", "c")))
	f.code(hotline.ENOTFOUND, nil, nil2(f.a.Reject("a1", "nope")))
	f.code(hotline.ENOTFOUND, nil, nil2(f.a.Reject("nobody", "c")))
}

func TestRejectByTheOnlyAgentRingsItAgain(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.ready("a1")
	f.enqueue("c", "q")
	equal(t, "first reject", shows(f.ok(f.a.Reject("a1", "c"))), []string{
		"offer_cancelled a1 c rejected",
		"agent_state a1 ready",
		"offer a1 c",
		"agent_state a1 offered",
	})
	equal(t, "second reject", shows(f.ok(f.a.Reject("a1", "c"))), []string{
		"offer_cancelled a1 c rejected",
		"agent_state a1 not_ready(no_answer)",
	})
}

func TestMissedAgentGetsAnotherCallFirst(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.enqueue("c1", "q")
	f.enqueue("c2", "q")
	f.ready("a1") // offered c1
	// a1 rejects c1: it gets c2, not c1 again; c1 waits for someone else.
	effs := f.ok(f.a.Reject("a1", "c1"))
	equal(t, "offers", only(effs, EffectOffer), []string{"offer a1 c2"})
}

func TestAnswerResetsMissedCount(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.ready("a1")
	f.enqueue("c1", "q")
	f.tick(15 * time.Second) // miss 1, offered again
	f.handle("a1", "c1")
	f.enqueue("c2", "q")
	f.tick(15 * time.Second) // miss 1 again, not 2
	f.wantState("a1", StateOffered)
}

func TestMaxNoAnswerNegativeNeverPauses(t *testing.T) {
	cfg := oneQueue("")
	cfg.MaxNoAnswer = -1
	f := newFixture(t, cfg)
	f.ready("a1")
	f.enqueue("c", "q")
	for range 5 {
		f.tick(15 * time.Second)
	}
	f.wantState("a1", StateOffered)
}

func TestAbandonWhileOffered(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.ready("a1")
	f.enqueue("c1", "q")
	f.enqueue("c2", "q")
	f.clock.Advance(4 * time.Second)
	equal(t, "abandon", shows(f.ok(f.a.Abandon("c1"))), []string{
		"offer_cancelled a1 c1 abandoned",
		"agent_state a1 ready",
		"offer a1 c2",
		"agent_state a1 offered",
	})
	if _, ok := f.a.Call("c1"); ok {
		t.Error("abandoned call still in the ACD")
	}
	if st, _ := f.a.Status("a1"); !st.Idle.Equal(t0) {
		t.Errorf("abandon cost a1 its place: idle %v", st.Idle)
	}
	f.ok(f.a.Answer("a1", "c2"))
	f.code(hotline.ECONFLICT, nil, nil2(f.a.Abandon("c2")))
	f.code(hotline.ENOTFOUND, nil, nil2(f.a.Abandon("c1")))
	k := f.a.KPIs("", time.Time{}, time.Time{})
	if k.Abandoned != 1 || k.AbandonedShort != 1 {
		t.Errorf("KPIs: %+v", k)
	}
}

func TestAnswerErrors(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.ready("a1", "a2")
	f.enqueue("c", "q")
	f.code(hotline.ECONFLICT, nil, nil2(f.a.Answer("a2", "c")))
	f.code(hotline.ENOTFOUND, nil, nil2(f.a.Answer("a1", "nope")))
	f.ok(f.a.Answer("a1", "c"))
	f.code(hotline.ECONFLICT, nil, nil2(f.a.Answer("a1", "c")))
	f.code(hotline.EINVALID, nil, nil2(f.a.Complete("a1", "c", "supervisor")))
	f.code(hotline.ECONFLICT, nil, nil2(f.a.Complete("a2", "c", "agent")))
}
