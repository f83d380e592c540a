package call

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/agent"
)

// fakeQueueLogStore keeps the batches it is given. create, when set, runs
// first: an error refuses the batch. find, when set, answers
// FindQueueEvents; otherwise it filters the stored events by From.
type fakeQueueLogStore struct {
	create func(ctx context.Context, events []agent.Event) error
	find   func(ctx context.Context, f agent.EventFilter) ([]agent.Event, error)

	mu      sync.Mutex
	batches [][]agent.Event
}

func (s *fakeQueueLogStore) CreateQueueEvents(ctx context.Context, events []agent.Event) error {
	if s.create != nil {
		if err := s.create(ctx, events); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches = append(s.batches, slices.Clone(events))
	return nil
}

func (s *fakeQueueLogStore) FindQueueEvents(ctx context.Context, f agent.EventFilter) ([]agent.Event, error) {
	if s.find != nil {
		return s.find(ctx, f)
	}
	var out []agent.Event
	for _, e := range s.all() {
		if !e.At.Before(f.From) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (s *fakeQueueLogStore) sizes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []int{}
	for _, b := range s.batches {
		out = append(out, len(b))
	}
	return out
}

func (s *fakeQueueLogStore) all() []agent.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Concat(s.batches...)
}

var logT0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// queueEvent is the i-th event of a test: an enter of call "c<i>".
func queueEvent(i int) agent.Event {
	return agent.Event{At: logT0.Add(time.Duration(i) * time.Millisecond), Kind: agent.EventEnter, Queue: "q",
		Call: hotline.CallID(fmt.Sprintf("c%d", i))}
}

func queueEvents(from, to int) []agent.Event {
	var out []agent.Event
	for i := from; i < to; i++ {
		out = append(out, queueEvent(i))
	}
	return out
}

func wantSizes(t *testing.T, st *fakeQueueLogStore, want ...int) {
	t.Helper()
	if got := st.sizes(); !slices.Equal(got, want) {
		t.Fatalf("batches of %v, want %v", got, want)
	}
}

func wantStored(t *testing.T, st *fakeQueueLogStore, want []agent.Event) {
	t.Helper()
	if got := st.all(); !slices.Equal(got, want) {
		t.Fatalf("stored %d events, want %d in order", len(got), len(want))
	}
}

// TestQueueLogBatches: a full batch is written at once, a partial one at
// the next flush, in order.
func TestQueueLogBatches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &fakeQueueLogStore{}
		q := NewQueueLog(QueueLogConfig{}, st, nil)
		if err := q.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		defer q.Stop()
		for _, e := range queueEvents(0, 1200) {
			q.Add(e)
		}
		synctest.Wait()
		wantSizes(t, st, 500, 500) // 200 wait for the flush
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		wantSizes(t, st, 500, 500, 200)

		q.Add(queueEvent(1200))
		time.Sleep(499 * time.Millisecond)
		synctest.Wait()
		wantSizes(t, st, 500, 500, 200)
		time.Sleep(time.Millisecond) // the next flush, 500 ms after the last
		synctest.Wait()
		wantSizes(t, st, 500, 500, 200, 1)
		wantStored(t, st, queueEvents(0, 1201))
		if s := q.Stats(); s != (QueueLogStats{Written: 1201}) {
			t.Errorf("stats %+v", s)
		}
		if err := q.Start(t.Context()); err == nil {
			t.Error("a second Start was accepted")
		}
	})
}

// TestQueueLogStopFlushes: Stop writes what is waiting at once, after
// Start or without it, and after the context ended; it is idempotent, and
// events added after it are dropped.
func TestQueueLogStopFlushes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &fakeQueueLogStore{}
		q := NewQueueLog(QueueLogConfig{}, st, nil)
		if err := q.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		for _, e := range queueEvents(0, 10) {
			q.Add(e)
		}
		start := time.Now()
		q.Stop()
		if d := time.Since(start); d != 0 {
			t.Errorf("Stop took %v, want no wait for the flush", d)
		}
		wantStored(t, st, queueEvents(0, 10))
		q.Stop()
		q.Add(queueEvent(10))
		wantStored(t, st, queueEvents(0, 10))
		if s := q.Stats(); s != (QueueLogStats{Written: 10, Dropped: 1}) {
			t.Errorf("stats %+v", s)
		}
		if err := q.Start(t.Context()); err == nil {
			t.Error("Start after Stop was accepted")
		}
	})
	synctest.Test(t, func(t *testing.T) {
		st := &fakeQueueLogStore{}
		q := NewQueueLog(QueueLogConfig{}, st, nil)
		for _, e := range queueEvents(0, 3) {
			q.Add(e)
		}
		q.Stop() // never started
		wantStored(t, st, queueEvents(0, 3))
	})
	synctest.Test(t, func(t *testing.T) {
		st := &fakeQueueLogStore{}
		q := NewQueueLog(QueueLogConfig{}, st, nil)
		ctx, cancel := context.WithCancel(t.Context())
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		for _, e := range queueEvents(0, 5) {
			q.Add(e)
		}
		synctest.Wait()
		cancel() // the server shuts down: the deferred Stop comes later
		synctest.Wait()
		for _, e := range queueEvents(5, 7) {
			q.Add(e)
		}
		q.Stop()
		wantStored(t, st, queueEvents(0, 7))
	})
}

// TestQueueLogNeverBlocks: with the store stuck, Add still returns at
// once; what does not fit is dropped, counted and logged, and the rest is
// written in order once the store answers again.
func TestQueueLogNeverBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		st := &fakeQueueLogStore{create: func(context.Context, []agent.Event) error { <-release; return nil }}
		var logs bytes.Buffer
		q := NewQueueLog(QueueLogConfig{Buffer: 8, BatchSize: 4}, st, slog.New(slog.NewTextHandler(&logs, nil)))
		if err := q.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		for _, e := range queueEvents(0, 100) {
			q.Add(e) // a blocked Add would leave the bubble deadlocked
		}
		dropped := q.Stats().Dropped
		if dropped < 100-8-4 || dropped >= 100 {
			t.Fatalf("dropped %d of 100 with a buffer of 8 and a batch of 4 in the store", dropped)
		}
		close(release)
		q.Stop()
		s := q.Stats()
		if s.Written+s.Dropped != 100 || s.Lost != 0 {
			t.Fatalf("stats %+v: written and dropped should make 100", s)
		}
		got := st.all()
		if !slices.IsSortedFunc(got, func(x, y agent.Event) int { return x.At.Compare(y.At) }) {
			t.Error("events stored out of order")
		}
		if !strings.Contains(logs.String(), "events dropped") || !strings.Contains(logs.String(), fmt.Sprintf("dropped_total=%d", dropped)) {
			t.Errorf("the drops were not logged:\n%s", logs.String())
		}
	})
}

// TestQueueLogRetries: a failed batch is retried after 200 ms, then 400 ms;
// one that fails every attempt is logged and counted as lost, and the
// writer goes on.
func TestQueueLogRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var attempts []time.Duration // the writer's only
		failures := 2
		start := time.Now()
		st := &fakeQueueLogStore{create: func(context.Context, []agent.Event) error {
			attempts = append(attempts, time.Since(start))
			if failures > 0 {
				failures--
				return errors.New("connection refused")
			}
			return nil
		}}
		var logs bytes.Buffer
		q := NewQueueLog(QueueLogConfig{BatchSize: 3, Retries: 2}, st, slog.New(slog.NewTextHandler(&logs, nil)))
		if err := q.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		defer q.Stop()
		for _, e := range queueEvents(0, 3) {
			q.Add(e)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		want := []time.Duration{0, 200 * time.Millisecond, 600 * time.Millisecond}
		if !slices.Equal(attempts, want) {
			t.Fatalf("attempts at %v, want %v", attempts, want)
		}
		wantStored(t, st, queueEvents(0, 3))

		failures = 3 // every attempt of the next batch
		for _, e := range queueEvents(3, 6) {
			q.Add(e)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if s := q.Stats(); s != (QueueLogStats{Written: 3, Lost: 3}) {
			t.Fatalf("stats %+v", s)
		}
		if !strings.Contains(logs.String(), "batch lost") || !strings.Contains(logs.String(), "attempts=3") {
			t.Errorf("the lost batch was not logged:\n%s", logs.String())
		}
		for _, e := range queueEvents(6, 9) {
			q.Add(e)
		}
		synctest.Wait()
		wantStored(t, st, slices.Concat(queueEvents(0, 3), queueEvents(6, 9)))
	})
}

// TestQueueLogStopGivesUp: a store that never answers holds Stop for
// StopTimeout at most; what it could not write is lost.
func TestQueueLogStopGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &fakeQueueLogStore{create: func(ctx context.Context, _ []agent.Event) error {
			<-ctx.Done()
			return ctx.Err()
		}}
		q := NewQueueLog(QueueLogConfig{BatchSize: 2}, st, nil)
		if err := q.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		q.Add(queueEvent(0))
		start := time.Now()
		q.Stop()
		if d := time.Since(start); d != 15*time.Second {
			t.Errorf("Stop took %v, want the 15 s StopTimeout", d)
		}
		if s := q.Stats(); s != (QueueLogStats{Lost: 1}) {
			t.Errorf("stats %+v", s)
		}
	})
}

// TestQueueLogStopEndsRetries: Stop does not wait for a writer retrying a
// failing store beyond StopTimeout.
func TestQueueLogStopEndsRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &fakeQueueLogStore{create: func(context.Context, []agent.Event) error { return errors.New("disk full") }}
		q := NewQueueLog(QueueLogConfig{BatchSize: 2, Retries: 100, Backoff: time.Second}, st, nil)
		if err := q.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		for _, e := range queueEvents(0, 3) { // one batch being retried, one event waiting
			q.Add(e)
		}
		time.Sleep(2 * time.Second)
		start := time.Now()
		q.Stop()
		if d := time.Since(start); d != 15*time.Second {
			t.Errorf("Stop took %v, want the 15 s StopTimeout", d)
		}
		if s := q.Stats(); s != (QueueLogStats{Lost: 3}) {
			t.Errorf("stats %+v", s)
		}
	})
}

// TestQueueLogRestore: the events an ACD logged through a QueueLog are
// given back to the ACD of the next run, whose KPIs then count them.
func TestQueueLogRestore(t *testing.T) {
	st := &fakeQueueLogStore{}
	cfg := agent.Config{Queues: []agent.QueueConfig{{Name: "q", WrapUp: -1}}}
	clock := &stepClock{t: logT0}

	q1 := NewQueueLog(QueueLogConfig{}, st, nil)
	cfg.Log = q1.Add
	acd1, err := agent.New(cfg, clock)
	if err != nil {
		t.Fatal(err)
	}
	if err := q1.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	must := func(_ []agent.Effect, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(acd1.Login(agent.Profile{ID: "a1", Name: "a1", Skills: map[string]int{"q": 1}}))
	must(acd1.SetReady("a1"))
	must(acd1.Enqueue(agent.Call{ID: "c1", Queue: "q"}))
	clock.t = clock.t.Add(4 * time.Second)
	must(acd1.Answer("a1", "c1"))
	clock.t = clock.t.Add(time.Minute)
	must(acd1.Complete("a1", "c1", "agent"))
	q1.Stop()
	if len(st.all()) == 0 {
		t.Fatal("nothing was written")
	}

	clock.t = clock.t.Add(time.Hour)
	var asked agent.EventFilter
	st.find = func(_ context.Context, f agent.EventFilter) ([]agent.Event, error) {
		asked = f
		return st.all(), nil
	}
	q2 := NewQueueLog(QueueLogConfig{}, st, nil)
	cfg.Log = q2.Add
	acd2, err := agent.New(cfg, clock)
	if err != nil {
		t.Fatal(err)
	}
	n, err := q2.Restore(t.Context(), acd2, logT0)
	if err != nil || n != len(st.all()) {
		t.Fatalf("restore: %d, %v", n, err)
	}
	if asked != (agent.EventFilter{From: logT0}) {
		t.Errorf("asked the store for %+v", asked)
	}
	end := logT0.Add(2 * time.Minute)
	if got, want := acd2.KPIs("q", logT0, end), acd1.KPIs("q", logT0, end); got != want || got.Answered != 1 {
		t.Errorf("KPIs after restore %+v, want %+v", got, want)
	}
	q2.Stop()
	if got := len(st.sizes()); got != 1 {
		t.Errorf("the restored events were written again: %d batches", got)
	}

	st.find = func(context.Context, agent.EventFilter) ([]agent.Event, error) { return nil, errors.New("timeout") }
	if _, err := q2.Restore(t.Context(), acd2, logT0); err == nil || !strings.Contains(err.Error(), "restore queue log") {
		t.Errorf("a failed read: %v", err)
	}
}

// stepClock is a clock the test sets by hand (one goroutine).
type stepClock struct{ t time.Time }

func (c *stepClock) Now() time.Time { return c.t }
