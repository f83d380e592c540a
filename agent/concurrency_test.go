package agent

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// TestConcurrentUse hammers one ACD from many goroutines (run it with
// -race), checking the internal invariants while it runs, then checks the
// outcomes: no call rang two agents at once outside ring_all, and every
// call ended exactly once: answered, abandoned, sent to callback or refused.
func TestConcurrentUse(t *testing.T) {
	cfg := Config{Queues: []QueueConfig{
		{Name: "q", MaxLen: 15, MaxWait: 40 * time.Second, Overflow: "r", WrapUp: 3 * time.Second, RingTimeout: 5 * time.Second},
		{Name: "r", Strategy: StrategyRingAll, MaxLen: 10, MaxWait: 60 * time.Second, Overflow: OverflowCallback, WrapUp: -1},
		{Name: "s", Strategy: StrategyFewestCalls, MaxLen: 5},
	}}
	f := newFixture(t, cfg)
	const agents, callers, steps = 8, 4, 1500

	var mu sync.Mutex
	var effects []Effect
	enqueued := map[hotline.CallID]bool{}
	abandoned := map[hotline.CallID]int{}
	record := func(effs []Effect, err error) error {
		if code := hotline.ErrorCode(err); code != "" && code != hotline.ECONFLICT && code != hotline.ENOTFOUND {
			t.Errorf("unexpected error %v", err)
		}
		mu.Lock()
		effects = append(effects, effs...)
		mu.Unlock()
		return err
	}

	var wg sync.WaitGroup
	for i := range agents {
		id := hotline.UserID(fmt.Sprint("a", i))
		skills := map[string]int{"q": 1 + i, "r": 1}
		if i%2 == 0 {
			skills["s"] = 5
		}
		record(f.a.Login(Profile{ID: id, Name: string(id), Skills: skills}))
		wg.Go(func() { agentLoop(f.a, id, rand.New(rand.NewPCG(1, uint64(i))), steps, record) })
	}
	for i := range callers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(2, uint64(i)))
			var mine []hotline.CallID
			for n := range steps / 2 {
				id := hotline.CallID(fmt.Sprintf("c%d-%d", i, n))
				q := []string{"q", "q", "r", "s"}[rng.IntN(4)]
				err := record(f.a.Enqueue(Call{ID: id, Queue: q, Priority: Priority(rng.IntN(3))}))
				if err == nil {
					mu.Lock()
					enqueued[id] = true
					mu.Unlock()
					mine = append(mine, id)
				}
				if rng.IntN(5) == 0 && len(mine) > 0 {
					victim := mine[rng.IntN(len(mine))]
					if record(f.a.Abandon(victim)) == nil {
						mu.Lock()
						abandoned[victim]++
						mu.Unlock()
					}
				}
			}
		})
	}
	stop := make(chan struct{})
	var ticker sync.WaitGroup
	ticker.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			f.clock.Advance(time.Duration(rand.IntN(1500)) * time.Millisecond)
			record(f.a.Tick(), nil)
			if err := f.a.check(); err != nil {
				t.Error(err)
				return
			}
			f.a.Snapshot()
		}
	})
	wg.Wait()
	close(stop)
	ticker.Wait()
	if err := f.a.check(); err != nil {
		t.Fatal(err)
	}

	// Drain: hang up whatever is left.
	f.a.mu.Lock()
	var left []*call
	for _, c := range f.a.calls {
		left = append(left, c)
	}
	f.a.mu.Unlock()
	for _, c := range left {
		if w, ok := f.a.Call(c.ID); ok && w.Agent != "" {
			record(f.a.Complete(w.Agent, c.ID, "caller"))
		} else if record(f.a.Abandon(c.ID)) == nil {
			abandoned[c.ID]++
		}
	}
	for _, q := range f.a.Snapshot().Queues {
		if q.Waiting != 0 {
			t.Errorf("queue %s still has %d calls after the drain", q.Name, q.Waiting)
		}
	}
	if err := f.a.check(); err != nil {
		t.Fatal(err)
	}

	// Every call ended exactly once.
	ends := map[hotline.CallID][]string{}
	for id, n := range abandoned {
		for range n {
			ends[id] = append(ends[id], "abandoned")
		}
	}
	for _, e := range effects {
		switch {
		case e.Kind == EffectConnect:
			ends[e.Call.ID] = append(ends[e.Call.ID], "answered by "+string(e.Agent))
		case e.Kind == EffectOverflow && e.Target == OverflowCallback:
			ends[e.Call.ID] = append(ends[e.Call.ID], "callback")
		case e.Kind == EffectRejected:
			ends[e.Call.ID] = append(ends[e.Call.ID], "rejected")
		}
	}
	outcomes := map[string]int{}
	for id := range enqueued {
		if len(ends[id]) != 1 {
			t.Errorf("call %s ended %d times: %v", id, len(ends[id]), ends[id])
			continue
		}
		end, _, _ := strings.Cut(ends[id][0], " by ")
		outcomes[end]++
	}
	for _, o := range []string{"answered", "abandoned", "callback", "rejected"} {
		if outcomes[o] == 0 {
			t.Errorf("no call was %s: the load did not exercise much (%v)", o, outcomes)
		}
	}
	checkLog(t, f.events(), cfg)
	t.Logf("%d calls: %v; %d effects, %d events", len(enqueued), outcomes, len(effects), len(f.events()))
}

// agentLoop plays an agent's desk: answer most offers, reject some, hang up,
// wrap up, take breaks.
func agentLoop(a *ACD, id hotline.UserID, rng *rand.Rand, steps int, record func([]Effect, error) error) {
	for range steps {
		st, ok := a.Status(id)
		if !ok {
			return
		}
		switch st.State {
		case StateOffered:
			if rng.IntN(10) == 0 {
				record(a.Reject(id, st.Call))
			} else {
				record(a.Answer(id, st.Call))
			}
		case StateOnCall:
			record(a.Complete(id, st.Call, []string{"agent", "caller"}[rng.IntN(2)]))
		case StateWrapUp:
			if rng.IntN(2) == 0 {
				record(a.EndWrapUp(id))
			}
		case StateNotReady:
			record(a.SetReady(id))
		case StateReady:
			if rng.IntN(20) == 0 {
				record(a.SetNotReady(id, ReasonBreak))
			}
		}
	}
	// Leave ready-or-idle so the drain can finish every call.
	if st, _ := a.Status(id); st.State == StateOffered {
		record(a.SetNotReady(id, ReasonOther))
	}
}

// checkLog replays the queue log: time never goes back, a call outside
// ring_all never rings two agents at once, every offer ends once, and
// connects follow offers.
func checkLog(t *testing.T, events []Event, cfg Config) {
	t.Helper()
	ringAll := map[string]bool{}
	for _, q := range cfg.Queues {
		ringAll[q.Name] = q.Strategy == StrategyRingAll
	}
	ringing := map[hotline.CallID]map[hotline.UserID]bool{}
	for i, e := range events {
		if i > 0 && e.At.Before(events[i-1].At) {
			t.Fatalf("event %d goes back in time: %+v", i, e)
		}
		r := ringing[e.Call]
		switch e.Kind {
		case EventOffer:
			if r == nil {
				r = map[hotline.UserID]bool{}
				ringing[e.Call] = r
			}
			if len(r) > 0 && !ringAll[e.Queue] {
				t.Fatalf("event %d: call %s offered to %s while ringing %v", i, e.Call, e.Agent, r)
			}
			if r[e.Agent] {
				t.Fatalf("event %d: call %s offered twice to %s", i, e.Call, e.Agent)
			}
			r[e.Agent] = true
		case EventConnect, EventRingNoAnswer, EventRingCanceled:
			if !r[e.Agent] {
				t.Fatalf("event %d: %s of call %s by %s, which it was not ringing", i, e.Kind, e.Call, e.Agent)
			}
			delete(r, e.Agent)
			if e.Kind == EventConnect && len(r) > 0 {
				// The others' cancellations ("taken") follow at once.
				for j := i + 1; j <= i+len(r); j++ {
					if events[j].Kind != EventRingCanceled || events[j].Reason != CancelTaken {
						t.Fatalf("event %d: after connect of %s, %+v", j, e.Call, events[j])
					}
				}
			}
		case EventAbandon, EventOverflow:
			// Offers are cancelled by the events that follow.
		}
	}
	for c, r := range ringing {
		if len(r) > 0 {
			t.Errorf("call %s still rings %v at the end", c, r)
		}
	}
}
