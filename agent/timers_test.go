package agent

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

func TestNextDeadline(t *testing.T) {
	tests := []struct {
		name  string
		queue QueueConfig
		run   func(f *fixture)
		want  time.Duration // after t0; -1 = none
	}{
		{"nothing pending", QueueConfig{Name: "q"}, func(f *fixture) { f.ready("a1") }, -1},
		{"announcement", QueueConfig{Name: "q", AnnounceEvery: 20 * time.Second}, func(f *fixture) {
			f.clock.Advance(time.Second)
			f.enqueue("c", "q")
		}, 21 * time.Second},
		{"never announce", QueueConfig{Name: "q", AnnounceEvery: -1}, func(f *fixture) { f.enqueue("c", "q") }, -1},
		{"max wait first", QueueConfig{Name: "q", MaxWait: 5 * time.Second, Overflow: OverflowCallback}, func(f *fixture) {
			f.enqueue("c", "q")
		}, 5 * time.Second},
		{"ring timeout", QueueConfig{Name: "q", RingTimeout: 10 * time.Second}, func(f *fixture) {
			f.ready("a1") // +1 s
			f.enqueue("c", "q")
		}, 11 * time.Second},
		{"connected calls have no timeout", QueueConfig{Name: "q"}, func(f *fixture) {
			f.ready("a1")
			f.enqueue("c", "q")
			f.ok(f.a.Answer("a1", "c"))
		}, -1},
		{"wrap-up end", QueueConfig{Name: "q", WrapUp: 3 * time.Second}, func(f *fixture) {
			f.ready("a1")
			f.enqueue("c", "q")
			f.ok(f.a.Answer("a1", "c"))
			f.clock.Advance(time.Minute)
			f.ok(f.a.Complete("a1", "c", "agent"))
		}, 64 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Config{Queues: []QueueConfig{tt.queue}})
			tt.run(f)
			got := f.a.NextDeadline()
			switch {
			case tt.want < 0 && !got.IsZero():
				t.Fatalf("NextDeadline = %v, want none", got)
			case tt.want >= 0 && !got.Equal(t0.Add(tt.want)):
				t.Fatalf("NextDeadline = t0+%v, want t0+%v", got.Sub(t0), tt.want)
			}
		})
	}
}

// TestTickNeverEarly drives random traffic and checks the contract a driver
// relies on: a Tick before NextDeadline does nothing, and a Tick at it moves
// the deadline on.
func TestTickNeverEarly(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cfg := Config{Queues: []QueueConfig{
		{Name: "q", MaxWait: 90 * time.Second, Overflow: "r", WrapUp: 10 * time.Second},
		{Name: "r", Strategy: StrategyRingAll, MaxWait: 3 * time.Minute, Overflow: OverflowCallback, AnnounceEvery: 45 * time.Second},
	}}
	f := newFixture(t, cfg)
	for i := range 6 {
		f.login(fmt.Sprint("a", i), map[string]int{"q": 1 + i, "r": 1})
	}
	for step := range 400 {
		id := fmt.Sprint("a", rng.IntN(6))
		switch rng.IntN(6) {
		case 0:
			f.a.Enqueue(Call{ID: hotline.CallID(fmt.Sprint("c", step)), Queue: []string{"q", "r"}[rng.IntN(2)]})
		case 1:
			f.a.SetReady(hotline.UserID(id))
		case 2:
			if st, _ := f.a.Status(hotline.UserID(id)); st.State == StateOffered && rng.IntN(2) == 0 {
				f.a.Answer(st.Agent, st.Call)
			}
		case 3:
			if st, _ := f.a.Status(hotline.UserID(id)); st.State == StateOnCall {
				f.a.Complete(st.Agent, st.Call, "caller")
			}
		}
		next := f.a.NextDeadline()
		if next.IsZero() {
			f.clock.Advance(time.Second)
			continue
		}
		if wait := next.Sub(f.clock.Now()); wait > 0 {
			f.clock.Advance(wait - time.Nanosecond)
			if effs := f.a.Tick(); len(effs) != 0 {
				t.Fatalf("step %d: tick 1 ns before the deadline: %v", step, shows(effs))
			}
			f.clock.Advance(time.Nanosecond)
		}
		f.a.Tick()
		if after := f.a.NextDeadline(); !after.IsZero() && !after.After(next) {
			t.Fatalf("step %d: deadline %v did not move on (now %v)", step, after, next)
		}
	}
}

func TestAnnouncements(t *testing.T) {
	f := newFixture(t, Config{Queues: []QueueConfig{{Name: "q", AnnounceEvery: 20 * time.Second, RingTimeout: time.Minute}}})
	f.ready("a1", "a2")
	f.enqueue("x", "q") // offered a1
	f.clock.Advance(40 * time.Second)
	f.ok(f.a.Answer("a1", "x")) // waited 40 s: holdtime 40 s
	f.enqueue("y", "q")         // offered a2
	f.ok(f.a.Answer("a2", "y")) // waited 0 s: holdtime (3·40 + 0)/4 = 30 s
	if q := f.a.Snapshot().Queues[0]; q.Holdtime != 30*time.Second {
		t.Fatalf("holdtime %v, want 30s", q.Holdtime)
	}
	f.enqueue("c1", "q")
	f.enqueue("c2", "q")
	// 30 s × position ÷ 2 agents serving.
	equal(t, "first", shows(f.tick(20*time.Second)), []string{
		"announce c1 pos=1 est=15s",
		"announce c2 pos=2 est=30s",
	})
	if effs := f.tick(19 * time.Second); len(effs) != 0 {
		t.Fatalf("announced early: %v", shows(effs))
	}
	f.ok(f.a.Complete("a2", "y", "agent"))
	f.ok(f.a.SetNotReady("a2", ReasonBreak)) // one agent serving now
	equal(t, "second", shows(f.tick(time.Second)), []string{
		"announce c1 pos=1 est=30s",
		"announce c2 pos=2 est=1m0s",
	})
	// A ringing call hears nothing; the others keep their period.
	f.ok(f.a.Complete("a1", "x", "agent"))
	f.ok(f.a.EndWrapUp("a1")) // offered c1
	equal(t, "third", shows(f.tick(20*time.Second)), []string{"announce c2 pos=2 est=1m0s"})
}

func TestEstimatedWaitUnknownIsZero(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.enqueue("c1", "q")
	equal(t, "announce", shows(f.tick(30*time.Second)), []string{"announce c1 pos=1 est=0s"})
}

func TestTickDropsOldEvents(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.ready("a1")
	f.enqueue("c1", "q")
	f.handle("a1", "c1")
	f.clock.Advance(47 * time.Hour)
	f.a.SetNotReady("a1", ReasonBreak)
	f.clock.Advance(2 * time.Hour)
	f.a.Tick()
	f.a.mu.Lock()
	n, first := len(f.a.events), f.a.events[0]
	f.a.mu.Unlock()
	if n != 1 || first.Kind != EventPause {
		t.Fatalf("kept %d events from %+v, want only the pause", n, first)
	}
	if k := f.a.KPIs("", time.Time{}, time.Time{}); k.Offered != 0 {
		t.Errorf("KPIs still see dropped events: %+v", k)
	}
}

func TestClockGoingBackIsClamped(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.ready("a1") // at t0
	f.clock.Advance(-time.Minute)
	f.enqueue("c1", "q")
	w, _ := f.a.Call("c1")
	if !w.Enqueued.Equal(t0) {
		t.Fatalf("enqueued at %v, after the ACD had seen %v", w.Enqueued, t0)
	}
	evs := f.events()
	for i := 1; i < len(evs); i++ {
		if evs[i].At.Before(evs[i-1].At) {
			t.Fatalf("event %d goes back in time: %+v", i, evs[i])
		}
	}
}

// TestLogIsOutsideTheLock proves Config.Log runs without the ACD's lock: it
// reads and even changes the ACD, and still gets every event in order.
func TestLogIsOutsideTheLock(t *testing.T) {
	var (
		mu   sync.Mutex
		got  []string
		acd  *ACD
		once sync.Once
	)
	cfg := oneQueue("")
	cfg.Log = func(e Event) {
		acd.Snapshot() // would deadlock under the lock
		mu.Lock()
		got = append(got, string(e.Kind))
		mu.Unlock()
		if e.Kind == EventLogin {
			once.Do(func() { acd.SetReady(e.Agent) })
		}
	}
	acd, _ = New(cfg, newClock())
	acd.Login(Profile{ID: "a1", Skills: map[string]int{"q": 1}})
	acd.Enqueue(Call{ID: "c1", Queue: "q"})
	equal(t, "log", got, []string{"login", "unpause", "enter", "offer"})
}
