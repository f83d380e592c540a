package agent

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// fakeClock is a clock the test moves by hand; safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// t0 is 09:00 on a weekday in Beijing time.
var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

func newClock() *fakeClock { return &fakeClock{t: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixture is an ACD on a fake clock with its log recorded.
type fixture struct {
	t     *testing.T
	a     *ACD
	clock *fakeClock
	mu    sync.Mutex
	log   []Event
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	f := &fixture{t: t, clock: newClock()}
	cfg.Log = func(e Event) {
		f.mu.Lock()
		f.log = append(f.log, e)
		f.mu.Unlock()
	}
	a, err := New(cfg, f.clock)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f.a = a
	return f
}

// queues builds queue configs "name:strategy" with the given extra settings.
func oneQueue(strategy Strategy) Config {
	return Config{Queues: []QueueConfig{{Name: "q", Strategy: strategy}}}
}

// ok fails the test on err and returns effs.
func (f *fixture) ok(effs []Effect, err error) []Effect {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("unexpected error: %v", err)
	}
	return effs
}

// code fails unless err has the wanted code.
func (f *fixture) code(want string, _ []Effect, err error) {
	f.t.Helper()
	if got := hotline.ErrorCode(err); got != want {
		f.t.Fatalf("error %v has code %q, want %q", err, got, want)
	}
}

// login logs agents in with skill "q" (level 5) unless skills are given,
// and makes them ready one second apart, in order.
func (f *fixture) ready(ids ...string) {
	f.t.Helper()
	for _, id := range ids {
		if _, ok := f.a.Status(hotline.UserID(id)); !ok {
			f.ok(f.a.Login(Profile{ID: hotline.UserID(id), Name: id, Skills: map[string]int{"q": 5}}))
		}
		f.ok(f.a.SetReady(hotline.UserID(id)))
		f.clock.Advance(time.Second)
	}
}

func (f *fixture) login(id string, skills map[string]int) []Effect {
	f.t.Helper()
	return f.ok(f.a.Login(Profile{ID: hotline.UserID(id), Name: id, Skills: skills}))
}

func (f *fixture) enqueue(id, q string) []Effect {
	f.t.Helper()
	return f.ok(f.a.Enqueue(Call{ID: hotline.CallID(id), Queue: q}))
}

func (f *fixture) enqueueCall(c Call) []Effect {
	f.t.Helper()
	return f.ok(f.a.Enqueue(c))
}

func (f *fixture) tick(d time.Duration) []Effect {
	f.clock.Advance(d)
	return f.a.Tick()
}

// runUntil moves the clock to end the way a driver does: a Tick at every
// deadline on the way, and one at end.
func (f *fixture) runUntil(end time.Time) []Effect {
	var effs []Effect
	for {
		next := f.a.NextDeadline()
		if next.IsZero() || next.After(end) {
			next = end
		}
		if d := next.Sub(f.clock.Now()); d > 0 {
			f.clock.Advance(d)
		}
		effs = append(effs, f.a.Tick()...)
		if !next.Before(end) {
			return effs
		}
	}
}

// handle has agent answer and complete call, then end its wrap-up.
func (f *fixture) handle(agentID, callID string) {
	f.t.Helper()
	ag, c := hotline.UserID(agentID), hotline.CallID(callID)
	f.ok(f.a.Answer(ag, c))
	f.ok(f.a.Complete(ag, c, "agent"))
	if st, _ := f.a.Status(ag); st.State == StateWrapUp {
		f.ok(f.a.EndWrapUp(ag))
	}
}

func (f *fixture) state(id string) State {
	f.t.Helper()
	st, ok := f.a.Status(hotline.UserID(id))
	if !ok {
		return StateOffline
	}
	return st.State
}

func (f *fixture) wantState(id string, want State) {
	f.t.Helper()
	if got := f.state(id); got != want {
		f.t.Fatalf("agent %s is %s, want %s", id, got, want)
	}
}

// offeredTo returns the agents call is ringing now.
func (f *fixture) ringing(callID string) []hotline.UserID {
	f.t.Helper()
	w, ok := f.a.Call(hotline.CallID(callID))
	if !ok {
		f.t.Fatalf("call %s is not in the ACD", callID)
	}
	return w.Ringing
}

func (f *fixture) events() []Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Event(nil), f.log...)
}

// show writes an effect compactly, for comparing whole lists.
func show(e Effect) string {
	var b strings.Builder
	b.WriteString(string(e.Kind))
	if e.Agent != "" {
		fmt.Fprintf(&b, " %s", e.Agent)
	}
	if e.Call != nil {
		fmt.Fprintf(&b, " %s", e.Call.ID)
	}
	switch e.Kind {
	case EffectOfferCancelled, EffectRejected:
		fmt.Fprintf(&b, " %s", e.Reason)
	case EffectOverflow:
		fmt.Fprintf(&b, " →%s", e.Target)
	case EffectAnnounce:
		fmt.Fprintf(&b, " pos=%d est=%s", e.Position, e.EstimatedWait)
	case EffectAgentState:
		fmt.Fprintf(&b, " %s", e.Status.State)
		if e.Status.Reason != "" {
			fmt.Fprintf(&b, "(%s)", e.Status.Reason)
		}
	}
	return b.String()
}

func shows(effs []Effect) []string {
	out := make([]string, len(effs))
	for i, e := range effs {
		out[i] = show(e)
	}
	return out
}

// only keeps the effects of the given kinds.
func only(effs []Effect, kinds ...EffectKind) []string {
	var out []string
	for _, e := range effs {
		for _, k := range kinds {
			if e.Kind == k {
				out = append(out, show(e))
			}
		}
	}
	return out
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
