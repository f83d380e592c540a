package agent

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

// shiftConfig and playShift are the shift of TestACDKPIs: two agents, four
// calls in queue q, from t0 to t0+200 s.
var shiftConfig = Config{Queues: []QueueConfig{
	{Name: "q", WrapUp: 20 * time.Second, AnnounceEvery: -1, RingTimeout: time.Minute},
	{Name: "r"},
}}

func playShift(f *fixture) {
	at := func(sec int) { f.runUntil(t0.Add(time.Duration(sec) * time.Second)) }
	f.login("a1", map[string]int{"q": 1})
	f.login("a2", map[string]int{"q": 1})
	at(10)
	f.ok(f.a.SetReady("a1"))
	at(20)
	f.ok(f.a.SetReady("a2"))
	at(30)
	f.enqueue("c1", "q")
	at(35)
	f.ok(f.a.Answer("a1", "c1"))
	at(40)
	f.enqueue("c2", "q")
	at(60)
	f.ok(f.a.Answer("a2", "c2"))
	at(70)
	f.enqueue("c3", "q")
	at(73)
	f.ok(f.a.Abandon("c3"))
	at(95)
	f.ok(f.a.Complete("a1", "c1", "agent"))
	at(100)
	f.ok(f.a.Complete("a2", "c2", "caller"))
	at(110)
	f.ok(f.a.SetNotReady("a2", ReasonBreak))
	at(120)
	f.enqueue("c4", "q")
	at(130)
	f.ok(f.a.Answer("a1", "c4"))
	at(190)
	f.ok(f.a.Complete("a1", "c4", "agent"))
	at(200)
	f.ok(f.a.EndWrapUp("a1"))
	at(300) // every window below ends before the ACD's time
}

func sec(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }

// TestComputeKPISeriesMatchesACD: over a stored log, each window gives what
// the ACD computes over its own log for that window, agents' states carried
// in from before the window included.
func TestComputeKPISeriesMatchesACD(t *testing.T) {
	f := newFixture(t, shiftConfig)
	playShift(f)
	log := f.events()
	bounds := []time.Time{sec(0), sec(50), sec(100), sec(150), sec(200), sec(250)}
	for _, queue := range []string{"", "q", "r"} {
		got := ComputeKPISeries(log, queue, DefaultServiceLevel, bounds)
		if len(got) != len(bounds)-1 {
			t.Fatalf("queue %q: %d windows, want %d", queue, len(got), len(bounds)-1)
		}
		for i, k := range got {
			checkKPI(t, k, f.a.KPIs(queue, bounds[i], bounds[i+1]))
		}
		whole := ComputeKPISeries(log, queue, DefaultServiceLevel, []time.Time{sec(100), sec(200)})
		checkKPI(t, whole[0], f.a.KPIs(queue, sec(100), sec(200)))
	}
	// The window [100, 200) of TestACDKPIs, by hand: a1 in wrap-up since
	// 95 and a2 on a call since 60, states carried in from before it. The
	// wrap-up that ends at 200 s is outside it (TestACDKPIs, whose window
	// ends at the ACD's time, counts it).
	checkKPI(t, ComputeKPISeries(log, "q", DefaultServiceLevel, []time.Time{sec(100), sec(200)})[0], KPI{
		Offered: 1, Answered: 1, AnsweredWithinSL: 1, ServiceLevel: 1, ASA: 10 * time.Second,
		AHT:     130 * time.Second / 2, // talk 40 + 60, wrap-up 10 + 20
		Handled: 2, Occupancy: 95.0 / 110,
	})
	// A log that starts inside the window loses only what came before.
	late := ComputeKPISeries(log[slices.IndexFunc(log, func(e Event) bool { return !e.At.Before(sec(100)) }):],
		"q", DefaultServiceLevel, []time.Time{sec(0), sec(300)})
	if late[0].Offered != 1 || late[0].Handled != 2 {
		t.Errorf("log from 100 s: %+v", late[0])
	}
}

func TestComputeKPISeriesEdges(t *testing.T) {
	if got := ComputeKPISeries(nil, "", time.Second, []time.Time{t0}); got != nil {
		t.Errorf("one bound: %v, want nil", got)
	}
	got := ComputeKPISeries(nil, "", time.Second, []time.Time{t0, sec(60), sec(120)})
	if !reflect.DeepEqual(got, []KPI{{}, {}}) {
		t.Errorf("empty log: %+v", got)
	}
	// An agent who logged out before the window is not staffed in it.
	log := []Event{
		{At: sec(0), Kind: EventLogin, Agent: "a1", State: StateNotReady},
		{At: sec(1), Kind: EventUnpause, Agent: "a1", State: StateReady},
		{At: sec(2), Kind: EventLogout, Agent: "a1", State: StateOffline},
		{At: sec(10), Kind: EventLogin, Agent: "a2", State: StateNotReady},
		{At: sec(11), Kind: EventUnpause, Agent: "a2", State: StateReady},
		{At: sec(20), Kind: EventOffer, Queue: "q", Call: "c1", Agent: "a2", State: StateOffered},
		{At: sec(25), Kind: EventConnect, Queue: "q", Call: "c1", Agent: "a2", Wait: 6 * time.Second, State: StateOnCall},
	}
	k := ComputeKPISeries(log, "", 15*time.Second, []time.Time{sec(15), sec(35)})[0]
	if !near(k.Occupancy, 10.0/20) || k.Answered != 1 || k.Offered != 0 {
		t.Errorf("carried state: %+v, want occupancy 0.5 (a2 ready 15–20, offered 20–25, on call 25–35)", k)
	}
}

// TestRestore: a restarted ACD given the log of the run before computes the
// same KPIs, and nothing else about it changes.
func TestRestore(t *testing.T) {
	before := newFixture(t, shiftConfig)
	playShift(before)
	past := before.events()

	f := newFixture(t, shiftConfig)
	f.clock.Advance(time.Hour) // restarted an hour later
	now := f.clock.Now()
	f.login("a9", map[string]int{"q": 1}) // an event of its own at now
	snap := f.a.Snapshot()
	logged := len(f.events())

	restored := slices.Clone(past)
	slices.Reverse(restored) // any order
	restored = append(restored,
		Event{At: now.Add(-Retention - time.Second), Kind: EventEnter, Queue: "q", Call: "too-old"},
		Event{At: now.Add(time.Second), Kind: EventEnter, Queue: "q", Call: "future"},
		Event{At: now, Kind: EventEnter, Queue: "q", Call: "now"},
	)
	f.a.Restore(restored)

	if got := f.a.Snapshot(); !reflect.DeepEqual(got, snap) {
		t.Errorf("snapshot changed:\n got %+v\nwant %+v", got, snap)
	}
	if n := len(f.events()); n != logged {
		t.Errorf("Restore delivered %d events to Config.Log", n-logged)
	}
	if _, ok := f.a.Call("now"); ok {
		t.Error("a restored enter put a call in the queue")
	}
	for _, w := range [][2]int{{0, 300}, {100, 200}, {35, 130}} {
		from, to := sec(w[0]), sec(w[1])
		for _, q := range []string{"", "q"} {
			checkKPI(t, f.a.KPIs(q, from, to), before.a.KPIs(q, from, to))
		}
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	events := f.a.events
	if !slices.IsSortedFunc(events, func(x, y Event) int { return x.At.Compare(y.At) }) {
		t.Fatal("the in-memory log is out of time order")
	}
	want := len(past) + 2 // the event at now, and a9's login
	if len(events) != want {
		t.Fatalf("%d events in the log, want %d", len(events), want)
	}
	if tail := events[len(events)-2:]; tail[0].Call != "now" || tail[1].Agent != "a9" {
		t.Errorf("last events %+v: want the restored one before the ACD's own of the same instant", tail)
	}
}

// TestRestoreThenRun: events logged after a restore are kept in order and
// pruned with the restored ones.
func TestRestoreThenRun(t *testing.T) {
	f := newFixture(t, shiftConfig)
	f.clock.Advance(time.Hour)
	f.a.Restore([]Event{{At: t0, Kind: EventEnter, Queue: "q", Call: "old"}})
	f.ready("a1")
	f.enqueue("c1", "q")
	f.handle("a1", "c1")
	if k := f.a.KPIs("q", time.Time{}, time.Time{}); k.Offered != 2 || k.Answered != 1 {
		t.Fatalf("after restore and a call: %+v", k)
	}
	f.tick(Retention - 30*time.Minute) // t0 is now more than Retention ago
	if k := f.a.KPIs("q", time.Time{}, time.Time{}); k.Offered != 1 {
		t.Fatalf("after pruning: offered %d, want 1", k.Offered)
	}
}
