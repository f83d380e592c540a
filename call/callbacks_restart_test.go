package call

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/configs"
	"github.com/cityhotline/hotline/ivr"
	"github.com/cityhotline/hotline/media"
	"github.com/cityhotline/hotline/sip"
	"github.com/cityhotline/hotline/store/postgres"
	"github.com/cityhotline/hotline/store/sqlite"
	"github.com/cityhotline/hotline/ticketing"
)

// The scheduler over a real store, with an injected clock and a dialer
// that holds each call until the test lets it end (busy) or the call's
// context is cancelled: enough to stop a scheduler in the middle of an
// attempt and start another on the same store.

// schedStore is what these tests need of a store.
type schedStore interface {
	SchedulerStore
	Store
	ticketing.Store
}

func schedStores() map[string]func(t *testing.T) schedStore {
	return map[string]func(t *testing.T) schedStore{
		"sqlite": func(t *testing.T) schedStore {
			db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hotline.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			if err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			return db
		},
		"postgres": func(t *testing.T) schedStore { return postgres.OpenTest(t) },
	}
}

type schedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *schedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *schedClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// heldDialer records each dial and holds it until release (then the far
// end is busy) or until the call's context ends.
type heldDialer struct {
	mu      sync.Mutex
	dials   []string
	dialed  chan string
	release chan struct{}
}

func newHeldDialer() *heldDialer {
	return &heldDialer{dialed: make(chan string, 16), release: make(chan struct{}, 16)}
}

func (d *heldDialer) Dial(ctx context.Context, to string, _ sip.DialOptions) (*sip.Call, error) {
	d.mu.Lock()
	d.dials = append(d.dials, to)
	d.mu.Unlock()
	d.dialed <- to
	select {
	case <-d.release:
		return nil, &sip.DialError{Status: 486, Reason: "Busy Here"}
	case <-ctx.Done():
		return nil, &sip.DialError{Err: ctx.Err()}
	}
}

func (d *heldDialer) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.dials)
}

// waitDial waits for the next dial.
func (d *heldDialer) waitDial(t *testing.T) string {
	t.Helper()
	select {
	case to := <-d.dialed:
		return to
	case <-time.After(10 * time.Second):
		t.Fatal("no call was placed within 10 s")
		return ""
	}
}

// noDial checks that no call is placed for a moment.
func (d *heldDialer) noDial(t *testing.T, why string) {
	t.Helper()
	select {
	case to := <-d.dialed:
		t.Fatalf("%s: a call to %s was placed", why, to)
	case <-time.After(200 * time.Millisecond):
	}
}

// schedRig is a store with a street unit, a ticketing service and a call
// service on the injected clock.
type schedRig struct {
	st      schedStore
	clock   *schedClock
	tickets *ticketing.Service
	calls   *Service
	log     *slog.Logger
}

func newSchedRig(t *testing.T, st schedStore, now time.Time) *schedRig {
	t.Helper()
	ctx := context.Background()
	if err := st.CreateUnit(ctx, &ticketing.Unit{ID: "street-jianwai", Name: "建外街道", Tier: ticketing.TierStreet}); err != nil {
		t.Fatal(err)
	}
	flows, err := configs.LoadFlows(configs.IVRFlows(), configs.Prompts())
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	engine := &ivr.Engine{SayNumber: media.SayNumber, SayDigits: media.SayDigits}
	calls, err := New(Config{}, st, flows, NewPrompts(configs.Prompts()), engine, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	clock := &schedClock{now: now}
	return &schedRig{st: st, clock: clock, tickets: ticketing.NewService(ticketing.DefaultConfig(), st, clock, nil, log), calls: calls, log: log}
}

// ticket stores a ticket of the street unit; edit sets its state.
func (r *schedRig) ticket(t *testing.T, number string, created time.Time, edit func(*ticketing.Ticket)) *ticketing.Ticket {
	t.Helper()
	tk := &ticketing.Ticket{Channel: ticketing.ChannelPhone, Type: ticketing.TypeHelp, Urgency: ticketing.UrgencyOrdinary,
		Title: "噪声扰民", Content: "夜间施工", ContactNumber: number, Unit: "street-jianwai", Created: created, Updated: created,
		DispatchedAt: created, Triage: ticketing.TriageDispatch}
	edit(tk)
	ev := ticketing.Event{Time: created, Actor: hotline.System, Action: "intake", To: ticketing.StatePendingDispatch}
	if err := r.st.CreateTicket(context.Background(), tk, []ticketing.Event{ev}, nil); err != nil {
		t.Fatal(err)
	}
	return tk
}

// scheduler builds a scheduler over the rig with dialer d; finished gets
// each callback whose outcome was stored.
func (r *schedRig) scheduler(t *testing.T, d Dialer, finished chan ticketing.Callback) *Scheduler {
	t.Helper()
	cfg := NewSchedulerConfig(ticketing.DefaultCallbackPolicy(), nil)
	cfg.Interval = time.Hour // passes are made by the test (and one at Start)
	cfg.Ring = time.Minute
	cfg.StopGrace = 100 * time.Millisecond
	if finished != nil {
		cfg.OnFinished = func(cb ticketing.Callback) { finished <- cb }
	}
	s, err := NewScheduler(cfg, r.st, r.tickets, r.calls, d, r.clock, r.log)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func tick(t *testing.T, s *Scheduler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
}

func waitFinished(t *testing.T, ch chan ticketing.Callback) ticketing.Callback {
	t.Helper()
	select {
	case cb := <-ch:
		return cb
	case <-time.After(10 * time.Second):
		t.Fatal("no callback finished within 10 s")
		return ticketing.Callback{}
	}
}

// onlyCallback returns the one stored callback of the ticket.
func (r *schedRig) onlyCallback(t *testing.T, id hotline.TicketID) *ticketing.Callback {
	t.Helper()
	cbs, err := r.st.FindCallbacks(context.Background(), ticketing.CallbackFilter{Ticket: id})
	if err != nil || len(cbs) != 1 {
		t.Fatalf("callbacks of %s: %+v, %v; want exactly one", id, cbs, err)
	}
	return cbs[0]
}

var replied = time.Date(2026, 11, 23, 10, 0, 0, 0, ticketing.Beijing) // a Monday

func repliedAt(at time.Time) func(*ticketing.Ticket) {
	return func(tk *ticketing.Ticket) {
		tk.State, tk.RepliedAt, tk.ReplyDue = ticketing.StateReplied, at, at.Add(72*time.Hour)
		tk.Outcome, tk.ReplyContent = ticketing.OutcomeResolved, "已协调停工"
	}
}

// TestSchedulerRestartMidAttempt: a scheduler dies in the middle of a
// call; another one started on the same store neither loses the callback
// nor calls twice. The attempt cut off counts (failed) and is retried
// RetryAfter later; the old scheduler's call ending late changes nothing.
func TestSchedulerRestartMidAttempt(t *testing.T) {
	for name, open := range schedStores() {
		t.Run(name, func(t *testing.T) {
			r := newSchedRig(t, open(t), replied.Add(25*time.Hour))
			tk := r.ticket(t, "13800138000", replied.Add(-48*time.Hour), repliedAt(replied))
			ctx := context.Background()

			old := newHeldDialer()
			oldDone := make(chan ticketing.Callback, 4)
			s1 := r.scheduler(t, old, oldDone)
			tick(t, s1) // plans and calls in one pass
			if to := old.waitDial(t); to != "13800138000" {
				t.Fatalf("dialled %q", to)
			}
			mid := r.onlyCallback(t, tk.ID)
			if mid.State != ticketing.CallbackCalling || mid.Attempts != 1 || len(mid.History) != 1 || !mid.History[0].Ended.IsZero() {
				t.Fatalf("callback in the middle of the call: %+v", mid)
			}

			// s1 is gone (a crash: its call is still up as far as it
			// knows). s2 starts on the same store.
			r.clock.set(replied.Add(25*time.Hour + 5*time.Minute))
			fresh := newHeldDialer()
			done := make(chan ticketing.Callback, 4)
			s2 := r.scheduler(t, fresh, done)
			if err := s2.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s2.Stop)
			tick(t, s2)
			fresh.noDial(t, "right after the restart")
			cb := r.onlyCallback(t, tk.ID)
			wantDue := replied.Add(25*time.Hour + 5*time.Minute + 2*time.Hour)
			if cb.State != ticketing.CallbackPending || cb.Attempts != 1 || !cb.Due.Equal(wantDue) ||
				len(cb.History) != 1 || cb.History[0].Result != ticketing.ResultFailed || cb.History[0].Ended.IsZero() {
				t.Fatalf("callback after the restart: %+v; want pending, 1 attempt (failed), due %s", cb, wantDue)
			}

			// The dead scheduler's call ends late: it must not overwrite
			// what s2 stored.
			old.release <- struct{}{}
			select {
			case got := <-oldDone:
				t.Fatalf("the old scheduler stored an outcome: %+v", got)
			case <-time.After(300 * time.Millisecond):
			}
			if again := r.onlyCallback(t, tk.ID); again.Version != cb.Version || again.State != ticketing.CallbackPending {
				t.Fatalf("the old scheduler's late outcome changed the callback: %+v", again)
			}
			s1.Stop()

			// Before the retry is due, passes call nobody.
			r.clock.set(wantDue.Add(-time.Minute))
			tick(t, s2)
			fresh.noDial(t, "before the retry")

			// At the retry: exactly one call, the second attempt.
			r.clock.set(wantDue)
			tick(t, s2)
			fresh.waitDial(t)
			tick(t, s2) // a pass while it rings starts nothing more
			fresh.noDial(t, "while the retry rings")
			fresh.release <- struct{}{}
			got := waitFinished(t, done)
			if got.State != ticketing.CallbackPending || got.Attempts != 2 || got.LastResult != ticketing.ResultBusy {
				t.Fatalf("after the retry: %+v", got)
			}
			if n := old.count() + fresh.count(); n != 2 {
				t.Fatalf("%d calls for two attempts", n)
			}
		})
	}
}

// TestSchedulerStopMidAttempt: a scheduler stopped gracefully while a call
// rings cancels it after StopGrace and stores the attempt as failed; the
// next scheduler retries it once, later.
func TestSchedulerStopMidAttempt(t *testing.T) {
	for name, open := range schedStores() {
		t.Run(name, func(t *testing.T) {
			r := newSchedRig(t, open(t), replied.Add(25*time.Hour))
			tk := r.ticket(t, "13800138000", replied.Add(-48*time.Hour), repliedAt(replied))
			ctx := context.Background()

			first := newHeldDialer()
			done1 := make(chan ticketing.Callback, 4)
			s1 := r.scheduler(t, first, done1)
			if err := s1.Start(ctx); err != nil { // Start makes a pass at once
				t.Fatal(err)
			}
			first.waitDial(t)
			s1.Stop() // the grace runs out; the call is cancelled
			stopped := waitFinished(t, done1)
			if stopped.State != ticketing.CallbackPending || stopped.Attempts != 1 || stopped.LastResult != ticketing.ResultFailed {
				t.Fatalf("after stopping mid-call: %+v", stopped)
			}

			second := newHeldDialer()
			done2 := make(chan ticketing.Callback, 4)
			s2 := r.scheduler(t, second, done2)
			if err := s2.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s2.Stop)
			second.noDial(t, "right after the restart")
			r.clock.set(stopped.Due)
			tick(t, s2)
			second.waitDial(t)
			second.release <- struct{}{}
			got := waitFinished(t, done2)
			if got.ID != stopped.ID || got.Attempts != 2 || got.LastResult != ticketing.ResultBusy {
				t.Fatalf("the retry: %+v", got)
			}
			if r.onlyCallback(t, tk.ID).Attempts != 2 || first.count() != 1 || second.count() != 1 {
				t.Fatalf("calls: %d then %d", first.count(), second.count())
			}
		})
	}
}

// TestSchedulerPauseSwitch: while a supervisor has paused the scheduler,
// callbacks are planned but no call starts, across a restart too; after
// the resume the due ones are called.
func TestSchedulerPauseSwitch(t *testing.T) {
	for name, open := range schedStores() {
		t.Run(name, func(t *testing.T) {
			r := newSchedRig(t, open(t), replied.Add(25*time.Hour))
			tk := r.ticket(t, "13800138000", replied.Add(-48*time.Hour), repliedAt(replied))
			ctx := context.Background()
			if err := r.st.SaveCallbackSwitch(ctx, ticketing.CallbackSwitch{Paused: true, Since: r.clock.Now(), By: "sup1"}); err != nil {
				t.Fatal(err)
			}
			d := newHeldDialer()
			done := make(chan ticketing.Callback, 4)
			s1 := r.scheduler(t, d, done)
			tick(t, s1)
			d.noDial(t, "paused")
			if cb := r.onlyCallback(t, tk.ID); cb.State != ticketing.CallbackPending {
				t.Fatalf("planned while paused: %+v", cb)
			}
			s1.Stop()
			s2 := r.scheduler(t, d, done)
			if err := s2.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s2.Stop)
			tick(t, s2)
			d.noDial(t, "paused, after a restart")
			if err := r.st.SaveCallbackSwitch(ctx, ticketing.CallbackSwitch{Since: r.clock.Now(), By: "sup1"}); err != nil {
				t.Fatal(err)
			}
			tick(t, s2)
			d.waitDial(t)
			d.release <- struct{}{}
			if got := waitFinished(t, done); got.Attempts != 1 {
				t.Fatalf("after the resume: %+v", got)
			}
		})
	}
}

// TestSchedulerArt23: a ticket whose reply deadline passed with no reply
// (Art. 23: 诉求办理时限期满, the centre calls back) is called Delay after
// the deadline, inside the window; one still within its deadline is not.
func TestSchedulerArt23(t *testing.T) {
	for name, open := range schedStores() {
		t.Run(name, func(t *testing.T) {
			deadline := replied // the Monday, 10:00
			r := newSchedRig(t, open(t), deadline.Add(time.Minute))
			ctx := context.Background()
			overdue := r.ticket(t, "13800138001", deadline.Add(-7*24*time.Hour), func(tk *ticketing.Ticket) {
				tk.State, tk.AcceptedAt, tk.ReplyDue, tk.ReplyLight = ticketing.StateInProgress, tk.Created, deadline, ticketing.LightRed
			})
			notYet := r.ticket(t, "13800138002", deadline.Add(-7*24*time.Hour), func(tk *ticketing.Ticket) {
				tk.State, tk.AcceptedAt, tk.ReplyDue, tk.ReplyLight = ticketing.StateInProgress, tk.Created, deadline.Add(time.Hour), ticketing.LightYellow
			})
			d := newHeldDialer()
			done := make(chan ticketing.Callback, 4)
			s := r.scheduler(t, d, done)
			t.Cleanup(s.Stop)
			tick(t, s)
			cb := r.onlyCallback(t, overdue.ID)
			if cb.State != ticketing.CallbackPending || !cb.Due.Equal(deadline.Add(24*time.Hour)) || !cb.Planned.Equal(r.clock.Now()) {
				t.Fatalf("Art. 23 callback %+v; want pending, due a day after the deadline", cb)
			}
			if cbs, _ := r.st.FindCallbacks(ctx, ticketing.CallbackFilter{Ticket: notYet.ID}); len(cbs) != 0 {
				t.Fatalf("a ticket within its deadline got a callback: %+v", cbs)
			}
			r.clock.set(deadline.Add(24*time.Hour - time.Minute))
			tick(t, s)
			d.noDial(t, "before the delay")
			r.clock.set(deadline.Add(24 * time.Hour))
			tick(t, s)
			if to := d.waitDial(t); to != "13800138001" {
				t.Fatalf("dialled %s", to)
			}
			d.release <- struct{}{}
			waitFinished(t, done)
			tick(t, s)
			d.noDial(t, "after the Art. 23 attempt")
			if cbs, _ := r.st.FindCallbacks(ctx, ticketing.CallbackFilter{}); len(cbs) != 1 {
				t.Fatalf("callbacks: %+v; want the one", cbs)
			}
		})
	}
}

// TestSchedulerSecondRound: a reply after a finished callback (the ticket
// was reopened) gets a second round, due Delay after the new reply; a
// ticket that stops being callable before its call is dropped, not
// called.
func TestSchedulerSecondRound(t *testing.T) {
	for name, open := range schedStores() {
		t.Run(name, func(t *testing.T) {
			r := newSchedRig(t, open(t), replied.Add(time.Minute))
			ctx := context.Background()
			tk := r.ticket(t, "13800138003", replied.Add(-48*time.Hour), repliedAt(replied))
			d := newHeldDialer()
			done := make(chan ticketing.Callback, 4)
			s := r.scheduler(t, d, done)
			t.Cleanup(s.Stop)
			tick(t, s)
			first := r.onlyCallback(t, tk.ID)

			// Round one ends (done, as the survey leaves it when the
			// citizen answers); the ticket is reopened.
			began, _ := ticketing.BeginAttempt(*first, first.Due)
			ended, _ := ticketing.NextAttempt(began, ticketing.ResultAnswered, first.Due.Add(2*time.Minute), ticketing.DefaultCallbackPolicy(), nil)
			if err := r.st.UpdateCallback(ctx, &ended, first.Version); err != nil {
				t.Fatal(err)
			}
			r.clock.set(first.Due.Add(5 * time.Minute))
			if _, err := r.tickets.Act(ctx, hotline.System, tk.ID, "reopen", ticketing.ActionInput{Reason: "回访不满意"}); err != nil {
				t.Fatal(err)
			}
			tick(t, s)
			if cbs, _ := r.st.FindCallbacks(ctx, ticketing.CallbackFilter{Ticket: tk.ID}); len(cbs) != 1 {
				t.Fatalf("a reopened ticket got a callback before its new reply: %+v", cbs)
			}
			unit := hotline.Actor{UserID: "jw1", Role: hotline.RoleUnit, Unit: "street-jianwai"}
			r.clock.set(first.Due.Add(3 * time.Hour))
			if _, err := r.tickets.Act(ctx, unit, tk.ID, "accept", ticketing.ActionInput{}); err != nil {
				t.Fatal(err)
			}
			if _, err := r.tickets.Act(ctx, unit, tk.ID, "reply", ticketing.ActionInput{Outcome: "resolved", Content: "已再次处理"}); err != nil {
				t.Fatal(err)
			}
			reply2 := r.clock.Now()
			tick(t, s)
			cbs, err := r.st.FindCallbacks(ctx, ticketing.CallbackFilter{Ticket: tk.ID})
			if err != nil || len(cbs) != 2 {
				t.Fatalf("callbacks after the second reply: %+v, %v; want two rounds", cbs, err)
			}
			second := cbs[1]
			if second.ID == first.ID || second.State != ticketing.CallbackPending || !second.Due.Equal(reply2.Add(24*time.Hour)) {
				t.Fatalf("second round %+v; want pending, due a day after the second reply (%s)", second, reply2)
			}
			tick(t, s)
			if cbs, _ := r.st.FindCallbacks(ctx, ticketing.CallbackFilter{Ticket: tk.ID}); len(cbs) != 2 {
				t.Fatalf("a third round was planned: %+v", cbs)
			}

			// The citizen declines callbacks before the second round's
			// call: the ticket is dropped and the callback skipped; nobody
			// is called.
			cur, _ := r.st.FindTicketByID(ctx, tk.ID)
			cur.NoCallback = true
			if err := r.st.UpdateTicket(ctx, cur, cur.Version, nil); err != nil {
				t.Fatal(err)
			}
			r.clock.set(second.Due)
			tick(t, s)
			d.noDial(t, "a ticket whose citizen declined")
			if got, _ := r.st.FindCallbackByID(ctx, second.ID); got.State != ticketing.CallbackSkipped || got.Reason == "" {
				t.Fatalf("second round after the citizen declined: %+v", got)
			}
		})
	}
}
