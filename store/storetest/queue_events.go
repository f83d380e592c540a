package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/agent"
)

// QueueEventStore is what a backend provides for the ACD's queue log. What
// the suite pins down:
//
//   - CreateQueueEvents stores a batch whole or not at all (an event
//     without a time fails it); an empty batch stores nothing and succeeds.
//   - Every field round-trips: At in UTC to the microsecond like every
//     time, the durations (Wait, Talk, WrapUp) to the millisecond, dropping
//     (or rounding) the rest.
//   - FindQueueEvents returns the events f selects in time order, those of
//     the same instant in the order they were stored (within a batch and
//     across batches). From is inclusive and To exclusive; zero fields
//     select everything. There is no limit: callers bound the window.
type QueueEventStore interface {
	CreateQueueEvents(ctx context.Context, events []agent.Event) error
	FindQueueEvents(ctx context.Context, f agent.EventFilter) ([]agent.Event, error)
}

func runQueueEvents(t *testing.T, open func(t *testing.T) Store) {
	queueEventStore := func(t *testing.T) QueueEventStore {
		s, ok := open(t).(QueueEventStore)
		if !ok {
			t.Fatal("the store does not implement QueueEventStore (CreateQueueEvents, FindQueueEvents)")
		}
		return s
	}
	t.Run("RoundTrip", func(t *testing.T) { testQueueEventRoundTrip(t, queueEventStore(t)) })
	t.Run("Order", func(t *testing.T) { testQueueEventOrder(t, queueEventStore(t)) })
	t.Run("Filters", func(t *testing.T) { testQueueEventFilters(t, queueEventStore(t)) })
	t.Run("Empty", func(t *testing.T) { testQueueEventEmpty(t, queueEventStore(t)) })
	t.Run("Atomic", func(t *testing.T) { testQueueEventAtomic(t, queueEventStore(t)) })
	t.Run("LargeBatch", func(t *testing.T) { testQueueEventLargeBatch(t, queueEventStore(t)) })
}

// fullQueueEvent has every field set, its time in Beijing time with a
// sub-microsecond remainder and its durations with sub-millisecond ones.
func fullQueueEvent() agent.Event {
	return agent.Event{
		At: t0, Kind: agent.EventTransfer, Queue: "complaints", Call: "call-7", Agent: "u-agent-7",
		Reason: "u-agent-9", Wait: 14*time.Second + 999*time.Millisecond + 400*time.Microsecond,
		Talk: 3*time.Minute + 250*time.Microsecond, Target: "policy",
		WrapUp: 30*time.Second + 1*time.Millisecond + 499*time.Microsecond, State: agent.StateWrapUp,
	}
}

// storedEvent is how a store gives e back.
func storedEvent(e agent.Event) agent.Event {
	e.At = micro(e.At)
	e.Wait = e.Wait.Truncate(time.Millisecond)
	e.Talk = e.Talk.Truncate(time.Millisecond)
	e.WrapUp = e.WrapUp.Truncate(time.Millisecond)
	return e
}

// sameEvents fails t unless got is want as stored, in order, with UTC times.
func sameEvents(t *testing.T, want, got []agent.Event, what string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d events %s, want %d %s", what, len(got), eventCalls(got), len(want), eventCalls(want))
	}
	for i := range want {
		if w := storedEvent(want[i]); got[i] != w {
			t.Fatalf("%s: event %d\n got %+v\nwant %+v", what, i, got[i], w)
		}
		if got[i].At.Location() != time.UTC {
			t.Fatalf("%s: event %d is in %v, want UTC", what, i, got[i].At.Location())
		}
	}
}

func eventCalls(evs []agent.Event) string {
	calls := make([]string, len(evs))
	for i, e := range evs {
		calls[i] = string(e.Call)
	}
	return "[" + strings.Join(calls, " ") + "]"
}

func findEvents(t *testing.T, s QueueEventStore, f agent.EventFilter, what string) []agent.Event {
	t.Helper()
	got, err := s.FindQueueEvents(ctx(t), f)
	must(t, err, what)
	return got
}

func testQueueEventRoundTrip(t *testing.T, s QueueEventStore) {
	full := fullQueueEvent()
	// Only a time and a kind: every other field empty.
	bare := agent.Event{At: t0.Add(time.Second), Kind: agent.EventLogout}
	// Every kind and every state, so no value is refused or mangled.
	var all []agent.Event
	for i, k := range agent.EventKinds {
		all = append(all, agent.Event{At: t0.Add(time.Minute + time.Duration(i)*time.Second), Kind: k,
			State: agent.States[i%len(agent.States)], Call: "k"})
	}
	batch := append([]agent.Event{full, bare}, all...)
	must(t, s.CreateQueueEvents(ctx(t), batch), "create")
	got := findEvents(t, s, agent.EventFilter{}, "find all")
	sameEvents(t, batch, got, "round trip")
	if got[0].Wait != 14999*time.Millisecond || got[0].WrapUp != 30001*time.Millisecond {
		t.Fatalf("durations not kept to the millisecond: wait %v, wrap-up %v", got[0].Wait, got[0].WrapUp)
	}
}

// testQueueEventOrder: time order whatever the order stored; the same
// instant keeps the stored order, within a batch and across batches.
func testQueueEventOrder(t *testing.T, s QueueEventStore) {
	ev := func(sec int, call string) agent.Event {
		return agent.Event{At: t0.Add(time.Duration(sec) * time.Second), Kind: agent.EventEnter, Queue: "q", Call: hotline.CallID(call)}
	}
	must(t, s.CreateQueueEvents(ctx(t), []agent.Event{ev(2, "b"), ev(1, "a"), ev(3, "s1"), ev(3, "s2")}), "batch 1")
	must(t, s.CreateQueueEvents(ctx(t), []agent.Event{ev(0, "first"), ev(3, "s3"), ev(4, "last")}), "batch 2")
	must(t, s.CreateQueueEvents(ctx(t), []agent.Event{ev(3, "s4")}), "batch 3")
	got := findEvents(t, s, agent.EventFilter{}, "find")
	want := []agent.Event{ev(0, "first"), ev(1, "a"), ev(2, "b"), ev(3, "s1"), ev(3, "s2"), ev(3, "s3"), ev(3, "s4"), ev(4, "last")}
	sameEvents(t, want, got, "order")
}

// seedQueueEvents stores events a…h a minute apart (a first): a…f in two
// queues and for two agents, g and h agent events without a queue.
func seedQueueEvents(t *testing.T, s QueueEventStore) map[string]agent.Event {
	specs := []struct {
		name, queue string
		agent       string
		kind        agent.EventKind
	}{
		{"a", "complaints", "", agent.EventEnter},
		{"b", "complaints", "u1", agent.EventConnect},
		{"c", "policy", "", agent.EventEnter},
		{"d", "policy", "u2", agent.EventConnect},
		{"e", "complaints", "u1", agent.EventCompleteAgent},
		{"f", "policy", "u2", agent.EventCompleteCaller},
		{"g", "", "u1", agent.EventPause},
		{"h", "", "u2", agent.EventLogout},
	}
	m := map[string]agent.Event{}
	var batch []agent.Event
	for i, sp := range specs {
		e := agent.Event{At: t0.Add(time.Duration(i) * time.Minute), Kind: sp.kind, Queue: sp.queue,
			Agent: hotline.UserID(sp.agent), Call: hotline.CallID(sp.name)}
		m[sp.name] = e
		batch = append(batch, e)
	}
	must(t, s.CreateQueueEvents(ctx(t), batch), "seed queue events")
	return m
}

func testQueueEventFilters(t *testing.T, s QueueEventStore) {
	m := seedQueueEvents(t, s)
	minute := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }
	cases := []struct {
		name string
		f    agent.EventFilter
		want string // letters, in time order
	}{
		{"none", agent.EventFilter{}, "abcdefgh"},
		{"queue", agent.EventFilter{Queue: "policy"}, "cdf"},
		{"agent", agent.EventFilter{Agent: "u1"}, "beg"},
		{"queue and agent", agent.EventFilter{Queue: "complaints", Agent: "u1"}, "be"},
		{"from inclusive", agent.EventFilter{From: minute(5)}, "fgh"},
		{"to exclusive", agent.EventFilter{To: minute(2)}, "ab"},
		{"from and to", agent.EventFilter{From: minute(1), To: minute(4)}, "bcd"},
		{"from and to in another zone", agent.EventFilter{From: minute(1).UTC(), To: minute(4).UTC()}, "bcd"},
		{"empty window", agent.EventFilter{From: minute(2), To: minute(2)}, ""},
		{"everything", agent.EventFilter{From: minute(1), To: minute(6), Queue: "policy", Agent: "u2"}, "df"},
		{"no match", agent.EventFilter{Queue: "nobody"}, ""},
	}
	for _, tc := range cases {
		got := findEvents(t, s, tc.f, tc.name)
		var want []agent.Event
		for _, c := range tc.want {
			want = append(want, m[string(c)])
		}
		sameEvents(t, want, got, fmt.Sprintf("filter %s (want %q)", tc.name, tc.want))
	}
}

func testQueueEventEmpty(t *testing.T, s QueueEventStore) {
	if got := findEvents(t, s, agent.EventFilter{}, "find in an empty store"); len(got) != 0 {
		t.Fatalf("empty store: %d events", len(got))
	}
	must(t, s.CreateQueueEvents(ctx(t), nil), "create a nil batch")
	must(t, s.CreateQueueEvents(ctx(t), []agent.Event{}), "create an empty batch")
	if got := findEvents(t, s, agent.EventFilter{}, "find after empty batches"); len(got) != 0 {
		t.Fatalf("empty batches stored %d events", len(got))
	}
}

// testQueueEventAtomic: a batch that fails stores none of its events, so a
// writer may retry it without duplicating any.
func testQueueEventAtomic(t *testing.T, s QueueEventStore) {
	good := agent.Event{At: t0, Kind: agent.EventEnter, Queue: "q", Call: "good"}
	bad := []agent.Event{good, {Kind: agent.EventEnter, Queue: "q", Call: "no-time"}, good}
	if err := s.CreateQueueEvents(ctx(t), bad); err == nil {
		t.Fatal("a batch with an event without a time was stored")
	}
	if got := findEvents(t, s, agent.EventFilter{}, "find after a failed batch"); len(got) != 0 {
		t.Fatalf("a failed batch stored %d events", len(got))
	}
	must(t, s.CreateQueueEvents(ctx(t), []agent.Event{good}), "create after a failed batch")
	sameEvents(t, []agent.Event{good}, findEvents(t, s, agent.EventFilter{}, "find"), "after a failed batch")
}

// testQueueEventLargeBatch: a batch larger than any statement a backend
// might split it into, in order.
func testQueueEventLargeBatch(t *testing.T, s QueueEventStore) {
	batch := make([]agent.Event, 2000)
	for i := range batch {
		batch[i] = agent.Event{At: t0.Add(time.Duration(i/3) * time.Millisecond), Kind: agent.EventOffer,
			Queue: "q", Call: hotline.CallID(fmt.Sprintf("c%04d", i)), Agent: "u1", Wait: time.Duration(i) * time.Millisecond}
	}
	must(t, s.CreateQueueEvents(ctx(t), batch), "create 2000")
	sameEvents(t, batch, findEvents(t, s, agent.EventFilter{}, "find 2000"), "large batch")
}
