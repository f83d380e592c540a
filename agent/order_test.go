package agent

import (
	"fmt"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

func twoQueues() Config {
	return Config{Queues: []QueueConfig{{Name: "q"}, {Name: "r"}}}
}

// positions lists the waiting calls' positions.
func (f *fixture) positions(ids ...string) []string {
	var out []string
	for _, id := range ids {
		w, _ := f.a.Call(hotline.CallID(id))
		out = append(out, fmt.Sprintf("%s=%d", id, w.Position))
	}
	return out
}

// serve has agent take calls one by one and returns their order.
func (f *fixture) serve(agentID string, n int) []string {
	f.t.Helper()
	var got []string
	effs := f.ok(f.a.SetReady(hotline.UserID(agentID)))
	for range n {
		var next string
		for _, e := range effs {
			if e.Kind == EffectOffer && e.Agent == hotline.UserID(agentID) {
				next = string(e.Call.ID)
			}
		}
		if next == "" {
			f.t.Fatalf("agent %s got no offer after %v", agentID, got)
		}
		got = append(got, next)
		f.ok(f.a.Answer(hotline.UserID(agentID), hotline.CallID(next)))
		f.ok(f.a.Complete(hotline.UserID(agentID), hotline.CallID(next), "caller"))
		effs = f.ok(f.a.EndWrapUp(hotline.UserID(agentID)))
	}
	return got
}

func TestPriorityOrder(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	for _, c := range []struct {
		id string
		p  Priority
	}{{"c1", PriorityNormal}, {"c2", PriorityElderly}, {"c3", PriorityRepeat}, {"c4", PriorityNormal}, {"c5", PriorityEscalation}} {
		f.enqueueCall(Call{ID: hotline.CallID(c.id), Queue: "q", Priority: c.p})
		f.clock.Advance(time.Second)
	}
	equal(t, "positions", f.positions("c1", "c2", "c3", "c4", "c5"), []string{"c1=4", "c2=2", "c3=3", "c4=5", "c5=1"})
	f.login("a1", map[string]int{"q": 1})
	equal(t, "served", f.serve("a1", 5), []string{"c5", "c2", "c3", "c1", "c4"})
}

func TestReadyAgentTakesBestCallOfItsQueues(t *testing.T) {
	f := newFixture(t, twoQueues())
	f.enqueue("q-old", "q")
	f.clock.Advance(10 * time.Second)
	f.enqueueCall(Call{ID: "r-elderly", Queue: "r", Priority: PriorityElderly})
	f.enqueue("r-new", "r")
	f.login("a1", map[string]int{"q": 5, "r": 5})
	// Priority beats waiting time across queues; then the longest waiting.
	equal(t, "served", f.serve("a1", 3), []string{"r-elderly", "q-old", "r-new"})
}

func TestRequeueConnectedGoesToFront(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.ready("a1")
	f.enqueue("c1", "q")
	f.ok(f.a.Answer("a1", "c1"))
	f.enqueueCall(Call{ID: "c2", Queue: "q", Priority: PriorityEscalation})
	f.enqueue("c3", "q")
	f.clock.Advance(time.Minute)

	effs := f.ok(f.a.Requeue("c1"))
	equal(t, "requeue", shows(effs), []string{"agent_state a1 not_ready(other)"})
	equal(t, "positions", f.positions("c1", "c2", "c3"), []string{"c1=1", "c2=2", "c3=3"})
	w, _ := f.a.Call("c1")
	if !w.Enqueued.Equal(t0.Add(time.Second)) {
		t.Errorf("requeue changed the enqueue time to %v", w.Enqueued)
	}
	// The next agent gets the requeued call ahead of the escalation.
	f.login("a2", map[string]int{"q": 5})
	equal(t, "served", f.serve("a2", 3), []string{"c1", "c2", "c3"})
	// The second answer is a reconnect, not a second answered call.
	var connects []string
	for _, e := range f.events() {
		if e.Kind == EventConnect && e.Call == "c1" {
			connects = append(connects, fmt.Sprintf("%s %q", e.Agent, e.Reason))
		}
	}
	equal(t, "connects", connects, []string{`a1 ""`, `a2 "reconnect"`})
	if k := f.a.KPIs("q", time.Time{}, time.Time{}); k.Answered != 3 || k.Offered != 3 {
		t.Errorf("KPIs count the reconnect: %+v", k)
	}
}

func TestRequeueOfferedGoesToFront(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.enqueue("c0", "q")
	f.ready("a1")
	f.ok(f.a.Answer("a1", "c0"))
	f.enqueue("c1", "q")
	f.enqueue("c2", "q")
	f.ready("a2") // offered c1
	f.ready("a3") // offered c2
	effs := f.ok(f.a.Requeue("c2"))
	equal(t, "requeue", shows(effs), []string{
		"offer_cancelled a3 c2 withdrawn",
		"agent_state a3 not_ready(no_answer)",
	})
	equal(t, "positions", f.positions("c1", "c2"), []string{"c1=2", "c2=1"})
	// Requeue of a call that is only waiting changes nothing.
	if effs := f.ok(f.a.Requeue("c2")); len(effs) != 0 {
		t.Errorf("requeue of a waiting call: %v", shows(effs))
	}
	f.code(hotline.ENOTFOUND, nil, nil2(f.a.Requeue("nope")))
}
