package agent

import (
	"math"
	"testing"
	"time"
)

func near(x, y float64) bool { return math.Abs(x-y) < 1e-9 }

func checkKPI(t *testing.T, got, want KPI) {
	t.Helper()
	floats := got.ServiceLevel != want.ServiceLevel || got.AbandonRate != want.AbandonRate || got.Occupancy != want.Occupancy
	if floats && near(got.ServiceLevel, want.ServiceLevel) && near(got.AbandonRate, want.AbandonRate) && near(got.Occupancy, want.Occupancy) {
		got.ServiceLevel, got.AbandonRate, got.Occupancy = want.ServiceLevel, want.AbandonRate, want.Occupancy
	}
	if got != want {
		t.Fatalf("KPI\n got %+v\nwant %+v", got, want)
	}
}

// TestComputeKPIs checks every formula on a log built by hand. Each
// expectation notes what a wrong formula would give instead.
func TestComputeKPIs(t *testing.T) {
	s := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }
	d := func(n int) time.Duration { return time.Duration(n) * time.Second }
	events := []Event{
		{At: s(0), Kind: EventLogin, Agent: "a1", State: StateNotReady},
		{At: s(0), Kind: EventEnter, Queue: "q", Call: "c1"},
		{At: s(1), Kind: EventEnter, Queue: "q", Call: "c2"},
		{At: s(2), Kind: EventEnter, Queue: "q", Call: "c3"},
		{At: s(3), Kind: EventEnter, Queue: "q", Call: "c4"},
		{At: s(4), Kind: EventEnter, Queue: "q", Call: "c5"},
		{At: s(5), Kind: EventEnter, Queue: "q", Call: "c6"},
		{At: s(5), Kind: EventAbandon, Queue: "q", Call: "c3", Wait: d(3)},
		{At: s(6), Kind: EventEnter, Queue: "q", Call: "c7"},
		{At: s(10), Kind: EventUnpause, Agent: "a1", State: StateReady},
		{At: s(10), Kind: EventConnect, Queue: "q", Call: "c1", Agent: "a2", Wait: d(10)},
		{At: s(20), Kind: EventOffer, Queue: "q", Call: "c2", Agent: "a1", State: StateOffered},
		{At: s(21), Kind: EventConnect, Queue: "q", Call: "c2", Agent: "a1", Wait: d(20), State: StateOnCall},
		{At: s(19), Kind: EventConnect, Queue: "q", Call: "c5", Agent: "a3", Wait: d(15)},
		{At: s(25), Kind: EventConnect, Queue: "q", Call: "c7", Agent: "a3", Wait: d(4)},
		{At: s(30), Kind: EventOverflow, Queue: "q", Call: "c6", Target: "callback", Reason: "max_wait"},
		{At: s(40), Kind: EventAbandon, Queue: "q", Call: "c4", Wait: d(37)},
		{At: s(49), Kind: EventTransfer, Queue: "q", Call: "c5", Agent: "a3", Talk: d(30), Target: "q"},
		{At: s(49), Kind: EventEnter, Queue: "q", Call: "c5", Reason: "transfer"},
		{At: s(54), Kind: EventConnect, Queue: "q", Call: "c5", Agent: "a2", Wait: d(5)},
		{At: s(59), Kind: EventWrapUpEnd, Queue: "q", Call: "c5", Agent: "a3", WrapUp: d(10)},
		{At: s(60), Kind: EventRequeue, Queue: "q", Call: "c7", Agent: "a3", Talk: d(35)},
		{At: s(70), Kind: EventConnect, Queue: "q", Call: "c7", Agent: "a4", Wait: d(64), Reason: "reconnect"},
		{At: s(81), Kind: EventCompleteAgent, Queue: "q", Call: "c2", Agent: "a1", Talk: d(60), State: StateWrapUp},
		{At: s(91), Kind: EventWrapUpEnd, Queue: "q", Call: "c2", Agent: "a1", WrapUp: d(10), State: StateReady},
		{At: s(100), Kind: EventPause, Agent: "a1", Reason: "break", State: StateNotReady},
		{At: s(130), Kind: EventCompleteAgent, Queue: "q", Call: "c1", Agent: "a2", Talk: d(120)},
		{At: s(144), Kind: EventCompleteCaller, Queue: "q", Call: "c5", Agent: "a2", Talk: d(90)},
		{At: s(150), Kind: EventPause, Queue: "q", Call: "c1", Agent: "a2", WrapUp: d(20)},
		{At: s(160), Kind: EventCompleteCaller, Queue: "q", Call: "c7", Agent: "a4", Talk: d(90)},
		{At: s(200), Kind: EventLogout, Agent: "a1", State: StateOffline},
	}
	checkKPI(t, ComputeKPIs(events, 15*time.Second), KPI{
		Offered:          8, // 7 calls + c5's second visit
		Answered:         5, // c1 c2 c5 c5' c7; not c7's reconnect
		Abandoned:        2,
		AbandonedShort:   1, // c3 after 3 s
		AnsweredWithinSL: 4, // 10 s, 15 s (the threshold itself), 5 s, 4 s; not 20 s
		// 4 / (5 + 2); dividing by answered only would give 0.8.
		ServiceLevel: 4.0 / 7,
		// (10 + 20 + 15 + 5 + 4) / 5.
		ASA: 10800 * time.Millisecond,
		// 2 / 8 visits; 2 / (5 + 2) would be 0.2857.
		AbandonRate: 0.25,
		// talk 60 + 120 + 30 + 90 + 90 = 390, wrap-up 10 + 10 + 20 = 40, over
		// 5 handled (complete ×4 + transfer): 86 s. Talk alone would be 78 s.
		AHT:     86 * time.Second,
		Handled: 5,
		// a1: ready 10–20 and 91–100, offered 20–21, on call 21–81, wrap-up
		// 81–91: busy 70 s of 90 s staffed. Counting its not-ready time
		// (0–10, 100–200) would give 70/200.
		Occupancy:  70.0 / 90,
		Overflowed: 1,
	})
	if k := ComputeKPIs(nil, time.Second); k != (KPI{}) {
		t.Errorf("empty log: %+v", k)
	}
}

// TestACDKPIs plays a short shift on the fake clock and checks the KPIs the
// ACD computes from its own log, for the whole run and for a window.
func TestACDKPIs(t *testing.T) {
	f := newFixture(t, Config{Queues: []QueueConfig{
		{Name: "q", WrapUp: 20 * time.Second, AnnounceEvery: -1, RingTimeout: time.Minute},
		{Name: "r", ServiceLevel: time.Minute},
	}})
	at := func(sec int) { f.runUntil(t0.Add(time.Duration(sec) * time.Second)) }
	f.login("a1", map[string]int{"q": 1})
	f.login("a2", map[string]int{"q": 1})
	at(10)
	f.ok(f.a.SetReady("a1"))
	at(20)
	f.ok(f.a.SetReady("a2"))
	at(30)
	f.enqueue("c1", "q") // → a1
	at(35)
	f.ok(f.a.Answer("a1", "c1")) // waited 5 s
	at(40)
	f.enqueue("c2", "q") // → a2
	at(60)
	f.ok(f.a.Answer("a2", "c2")) // waited 20 s
	at(70)
	f.enqueue("c3", "q")
	at(73)
	f.ok(f.a.Abandon("c3")) // after 3 s
	at(95)
	f.ok(f.a.Complete("a1", "c1", "agent")) // talk 60 s; wrap-up to 115
	at(100)
	f.ok(f.a.Complete("a2", "c2", "caller")) // talk 40 s
	at(110)
	f.ok(f.a.SetNotReady("a2", ReasonBreak)) // wrap-up 10 s
	at(120)                                  // a1 ready again at 115
	f.enqueue("c4", "q")                     // → a1
	at(130)
	f.ok(f.a.Answer("a1", "c4")) // waited 10 s
	at(190)
	f.ok(f.a.Complete("a1", "c4", "agent")) // talk 60 s
	at(200)
	f.ok(f.a.EndWrapUp("a1")) // wrap-up 10 s

	whole := KPI{
		Offered: 4, Answered: 3, Abandoned: 1, AbandonedShort: 1, AnsweredWithinSL: 2,
		ServiceLevel: 0.5,                          // 2 / (3 + 1)
		ASA:          35 * time.Second / 3,         // (5 + 20 + 10) / 3
		AbandonRate:  0.25,                         // 1 / 4
		AHT:          (160 + 40) * time.Second / 3, // talk 60+40+60, wrap-up 20+10+10
		Occupancy:    200.0 / 280,                  // a1 busy 150 of 190 staffed, a2 50 of 90
		Handled:      3,
	}
	checkKPI(t, f.a.KPIs("", time.Time{}, time.Time{}), whole)
	checkKPI(t, f.a.KPIs("q", time.Time{}, t0.Add(time.Hour)), whole)

	checkKPI(t, f.a.KPIs("q", t0.Add(100*time.Second), t0.Add(200*time.Second)), KPI{
		Offered: 1, Answered: 1, AnsweredWithinSL: 1, ServiceLevel: 1, ASA: 10 * time.Second,
		AHT:       140 * time.Second / 2, // talk 40 + 60, wrap-up 10 + 20 + 10
		Handled:   2,
		Occupancy: 95.0 / 110, // a1 busy 85 of 100, a2 10 of 10
	})
	// Before 200 s: a1's last wrap-up has not ended yet, and its last 10 s
	// are outside the window.
	checkKPI(t, f.a.KPIs("q", t0.Add(100*time.Second), t0.Add(190*time.Second)), KPI{
		Offered: 1, Answered: 1, AnsweredWithinSL: 1, ServiceLevel: 1, ASA: 10 * time.Second,
		AHT:       (40 + 10 + 20) * time.Second, // c2's talk and the two wrap-ups that ended
		Handled:   1,
		Occupancy: 85.0 / 100, // a1 busy 75 of 90, a2 10 of 10
	})
	if k := f.a.KPIs("r", time.Time{}, time.Time{}); k != (KPI{}) {
		t.Errorf("queue r: %+v", k)
	}
}
