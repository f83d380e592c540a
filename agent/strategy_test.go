package agent

import (
	"fmt"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// give has agent id take n calls targeted at it (so the queue's strategy
// plays no part), each ending its wrap-up at once.
func (f *fixture) give(id string, n int) {
	f.t.Helper()
	for i := range n {
		c := fmt.Sprintf("warm-%s-%d", id, i)
		f.enqueueCall(Call{ID: hotline.CallID(c), Queue: "q", Agent: hotline.UserID(id)})
		f.handle(id, c)
		f.clock.Advance(time.Second)
	}
}

func TestStrategyPicksAgent(t *testing.T) {
	tests := []struct {
		name     string
		strategy Strategy
		setup    func(f *fixture)
		want     []string // offers for the next call, in order
	}{
		{"longest idle: first ready", StrategyLongestIdle, func(f *fixture) {
			f.ready("a1", "a2", "a3")
		}, []string{"offer a1 c"}},
		{"longest idle: a pause resets idle", StrategyLongestIdle, func(f *fixture) {
			f.ready("a1", "a2", "a3")
			f.ok(f.a.SetNotReady("a1", ReasonBreak))
			f.ready("a1")
		}, []string{"offer a2 c"}},
		{"longest idle: not ready and unskilled are skipped", StrategyLongestIdle, func(f *fixture) {
			f.login("x", map[string]int{"other": 9})
			f.ok(f.a.SetReady("x"))
			f.ready("a1", "a2")
			f.ok(f.a.SetNotReady("a1", ReasonMeeting))
		}, []string{"offer a2 c"}},
		{"fewest calls", StrategyFewestCalls, func(f *fixture) {
			f.ready("a1", "a2", "a3")
			f.give("a1", 1)
			f.give("a3", 2)
		}, []string{"offer a2 c"}},
		{"fewest calls: ties go to longest idle", StrategyFewestCalls, func(f *fixture) {
			f.ready("a1", "a2", "a3")
			f.give("a1", 2)
			f.give("a3", 1) // a3 ready again after a2...
			f.give("a2", 1) // ...and a2 after a3
		}, []string{"offer a3 c"}},
		{"round robin starts at the lowest ID", StrategyRoundRobin, func(f *fixture) {
			f.ready("a3", "a2", "a1")
		}, []string{"offer a1 c"}},
		{"ring all", StrategyRingAll, func(f *fixture) {
			f.ready("a2", "a1", "a3")
		}, []string{"offer a2 c", "offer a1 c", "offer a3 c"}},
		{"skill weighted: highest level", StrategySkillWeighted, func(f *fixture) {
			f.login("a1", map[string]int{"q": 3})
			f.login("a2", map[string]int{"q": 9})
			f.login("a3", map[string]int{"q": 6})
			f.ready("a1", "a3", "a2")
		}, []string{"offer a2 c"}},
		{"skill weighted: ties go to longest idle", StrategySkillWeighted, func(f *fixture) {
			f.login("a1", map[string]int{"q": 3})
			f.login("a2", map[string]int{"q": 9})
			f.login("a3", map[string]int{"q": 9})
			f.ready("a1", "a3", "a2")
		}, []string{"offer a3 c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, oneQueue(tt.strategy))
			tt.setup(f)
			equal(t, "offers", only(f.enqueue("c", "q"), EffectOffer), tt.want)
		})
	}
}

func TestRoundRobinRotates(t *testing.T) {
	f := newFixture(t, oneQueue(StrategyRoundRobin))
	f.ready("a2", "a3", "a1")
	var got []string
	for i := range 5 {
		c := fmt.Sprintf("c%d", i)
		for _, e := range f.enqueue(c, "q") {
			if e.Kind == EffectOffer {
				got = append(got, string(e.Agent))
				f.handle(string(e.Agent), c)
			}
		}
		if i == 2 {
			f.ok(f.a.SetNotReady("a2", ReasonBreak)) // skipped while away
		}
	}
	equal(t, "rotation", got, []string{"a1", "a2", "a3", "a1", "a3"})
}

func TestRingAllFirstAnswerWins(t *testing.T) {
	f := newFixture(t, oneQueue(StrategyRingAll))
	f.ready("a1", "a2", "a3")
	f.enqueue("c", "q")
	f.clock.Advance(3 * time.Second)
	effs := f.ok(f.a.Answer("a2", "c"))
	equal(t, "answer", shows(effs), []string{
		"connect a2 c",
		"agent_state a2 on_call",
		"offer_cancelled a1 c taken",
		"agent_state a1 ready",
		"offer_cancelled a3 c taken",
		"agent_state a3 ready",
	})
	f.code(hotline.ECONFLICT, nil, nil2(f.a.Answer("a1", "c")))
	// The losers keep their place in the idle order: a1 was ready first.
	if st, _ := f.a.Status("a1"); !st.Idle.Equal(t0) {
		t.Errorf("a1 idle since %v, want %v", st.Idle, t0)
	}
	// A second call rings both free agents while a2 talks.
	equal(t, "second call", only(f.enqueue("d", "q"), EffectOffer), []string{"offer a1 d", "offer a3 d"})
}

// nil2 drops the effects of a method's results.
func nil2(_ []Effect, err error) error { return err }

func TestRingAllAddsAgentsWhoBecomeReady(t *testing.T) {
	f := newFixture(t, oneQueue(StrategyRingAll))
	f.ready("a1")
	f.enqueue("c", "q")
	f.ready("a2")
	if got := f.ringing("c"); len(got) != 2 {
		t.Fatalf("ringing %v, want a1 and a2", got)
	}
	// A reject drops one offer; the call keeps ringing the other.
	effs := f.ok(f.a.Reject("a1", "c"))
	if got := only(effs, EffectOffer); len(got) != 0 {
		t.Fatalf("reject re-offered while a2 still rings: %v", got)
	}
	if got := f.ringing("c"); len(got) != 1 || got[0] != "a2" {
		t.Fatalf("ringing %v, want [a2]", got)
	}
}

func TestTargetedCallOnlyGoesToItsAgent(t *testing.T) {
	f := newFixture(t, oneQueue(StrategyLongestIdle))
	f.ready("a1", "a2")
	f.login("boss", map[string]int{}) // serves no queue: targeted calls still reach it
	f.enqueueCall(Call{ID: "t", Queue: "q", Agent: "boss", Note: "市民要求找班长"})
	if got := f.ringing("t"); len(got) != 0 {
		t.Fatalf("targeted call rings %v before its agent is ready", got)
	}
	effs := f.ok(f.a.SetReady("boss"))
	equal(t, "offers", only(effs, EffectOffer), []string{"offer boss t"})
	for _, e := range effs {
		if e.Kind == EffectOffer && e.Call.Note != "市民要求找班长" {
			t.Errorf("offer lost the note: %+v", e.Call)
		}
	}
}

func TestRingAllManyAgents(t *testing.T) {
	f := newFixture(t, oneQueue(StrategyRingAll))
	var ids []string
	for i := range 20 {
		ids = append(ids, fmt.Sprintf("a%02d", i))
	}
	f.ready(ids...)
	if got := only(f.enqueue("c", "q"), EffectOffer); len(got) != 20 {
		t.Fatalf("%d offers, want 20", len(got))
	}
	// a05 rejects: the others still ring, so it is not rung again.
	if got := only(f.ok(f.a.Reject("a05", "c")), EffectOffer); len(got) != 0 {
		t.Fatalf("re-offered: %v", got)
	}
	// All ring out: everyone is rung again, a05 first (idle since its
	// reject; the others only since the ring-out).
	effs := f.tick(15 * time.Second)
	if got := only(effs, EffectOffer); len(got) != 20 || got[0] != "offer a05 c" {
		t.Fatalf("after the ring-out: %d offers, first %v", len(got), got[:min(1, len(got))])
	}
	w, _ := f.a.Call("c")
	if len(w.OfferedTo) != 20 || len(w.Ringing) != 20 {
		t.Fatalf("offered to %d, ringing %d", len(w.OfferedTo), len(w.Ringing))
	}
}
