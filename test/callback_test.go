package test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/call"
	"github.com/cityhotline/hotline/internal/baresip"
	"github.com/cityhotline/hotline/store/sqlite"
	"github.com/cityhotline/hotline/ticketing"
)

// The callback scheduler end to end: a replied ticket on SQLite, an
// injected clock, and a real auto-answering baresip as the citizen.

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// repliedTicket stores a unit and a ticket it replied to at replied.
func repliedTicket(t *testing.T, db *sqlite.DB, replied time.Time) *ticketing.Ticket {
	t.Helper()
	ctx := context.Background()
	unit := &ticketing.Unit{ID: "street-jianwai", Name: "建外街道", Tier: ticketing.TierStreet}
	if err := db.CreateUnit(ctx, unit); err != nil {
		t.Fatal(err)
	}
	created := replied.Add(-48 * time.Hour)
	tk := &ticketing.Ticket{
		Channel: ticketing.ChannelPhone, Type: ticketing.TypeHelp, Urgency: ticketing.UrgencyOrdinary,
		State: ticketing.StateReplied, Title: "噪声扰民", Content: "夜间施工", ContactNumber: "13800138000",
		Unit: unit.ID, Created: created, Updated: replied, DispatchedAt: created, RepliedAt: replied,
		Outcome: ticketing.OutcomeResolved, ReplyContent: "已协调停工",
	}
	ev := ticketing.Event{Time: created, Actor: hotline.System, Action: "intake", To: ticketing.StatePendingDispatch}
	if err := db.CreateTicket(ctx, tk, []ticketing.Event{ev}, nil); err != nil {
		t.Fatal(err)
	}
	return tk
}

// callbackRig is a replied ticket on SQLite, a citizen's phone and a
// scheduler whose clock the test sets.
type callbackRig struct {
	db       *sqlite.DB
	tk       *ticketing.Ticket
	ph       *baresip.Phone
	clock    *fakeClock
	tickets  *ticketing.Service
	sched    *call.Scheduler
	finished chan ticketing.Callback
	replied  time.Time
}

func newCallbackRig(t *testing.T) *callbackRig {
	t.Helper()
	if testing.Short() {
		t.Skip("dials a real phone (baresip); skipped with -short")
	}
	baresip.NeedTool(t, "baresip")
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hotline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	r := &callbackRig{db: db, replied: time.Date(2026, 11, 23, 10, 0, 0, 0, ticketing.Beijing), // a Monday
		finished: make(chan ticketing.Callback, 4)}
	r.tk = repliedTicket(t, db, r.replied)
	r.ph = baresip.Start(t, baresip.Options{User: "13800138000", AutoAnswer: true})
	sr := newSurveyRig(t, r.ph.SIPPort())
	r.clock = &fakeClock{now: r.replied.Add(time.Hour)}
	tickets := ticketing.NewService(ticketing.DefaultConfig(), db, r.clock, nil, surveyLogger())
	r.tickets = tickets
	cfg := call.NewSchedulerConfig(ticketing.DefaultCallbackPolicy(), nil)
	cfg.Ring = 10 * time.Second
	cfg.OnFinished = func(cb ticketing.Callback) { r.finished <- cb }
	r.sched, err = call.NewScheduler(cfg, db, tickets, sr.svc, sr.sip, r.clock, surveyLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.sched.Stop)
	return r
}

func (r *callbackRig) tick(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.sched.Tick(ctx); err != nil {
		t.Fatal(err)
	}
}

// answer waits for the call and keys the three answers.
func (r *callbackRig) answer(t *testing.T, keys ...string) ticketing.Callback {
	t.Helper()
	r.ph.WaitEvent("CALL_ESTABLISHED", 10*time.Second)
	st := call.SurveyTicket{ID: r.tk.ID, Filed: r.tk.Created}
	time.Sleep(time.Duration((introSeconds(t, st) + 1.5) * float64(time.Second))) // into question 1
	r.ph.Command("sndcode", keys[0])
	for _, k := range keys[1:] {
		pressDuringQuestion(r.ph, k)
	}
	select {
	case cb := <-r.finished:
		return cb
	case <-time.After(40 * time.Second):
		t.Fatal("the callback did not finish within 40 s")
		return ticketing.Callback{}
	}
}

func TestCallbackSchedulerRealPhone(t *testing.T) {
	r := newCallbackRig(t)
	ctx := context.Background()

	// Before the delay: planned, not called.
	r.tick(t)
	cbs, err := r.db.FindCallbacks(ctx, ticketing.CallbackFilter{Ticket: r.tk.ID})
	if err != nil || len(cbs) != 1 || cbs[0].State != ticketing.CallbackPending || !cbs[0].Due.Equal(r.replied.Add(24*time.Hour)) {
		t.Fatalf("planned callbacks %+v, %v", cbs, err)
	}

	// After the delay, inside the window: the phone rings and answers 1, 1, 1.
	r.clock.set(r.replied.Add(25 * time.Hour))
	r.tick(t)
	done := r.answer(t, "1", "1", "1")
	if done.State != ticketing.CallbackDone || done.Attempts != 1 || done.LastResult != ticketing.ResultAnswered {
		t.Fatalf("callback after the call %+v", done)
	}
	checkCallbackAnswers(t, r.db, r.tk.ID, r.replied.Add(25*time.Hour),
		ticketing.AnswerYes, ticketing.AnswerYes, ticketing.Satisfied)

	// A second pass calls no more.
	r.tick(t)
	cbs, err = r.db.FindCallbacks(ctx, ticketing.CallbackFilter{})
	if err != nil || len(cbs) != 1 || cbs[0].State != ticketing.CallbackDone || cbs[0].Attempts != 1 {
		t.Fatalf("callbacks after a second pass %+v, %v", cbs, err)
	}
	select {
	case cb := <-r.finished:
		t.Fatalf("a second attempt was made: %+v", cb)
	default:
	}
	checkCallbackNote(t, r.db, r.tk.ID, "satisfaction=satisfied")
	if tk, err := r.db.FindTicketByID(ctx, r.tk.ID); err != nil || tk.State != ticketing.StateReplied || tk.Reopens != 0 {
		t.Fatalf("ticket after a satisfied callback: %+v, %v", tk, err)
	}
}

func TestCallbackDissatisfiedReopens(t *testing.T) {
	r := newCallbackRig(t)
	r.clock.set(r.replied.Add(25 * time.Hour))
	r.tick(t) // plans and calls in one pass
	if done := r.answer(t, "1", "2", "3"); done.State != ticketing.CallbackDone {
		t.Fatalf("callback after the call %+v", done)
	}
	checkCallbackAnswers(t, r.db, r.tk.ID, r.replied.Add(25*time.Hour),
		ticketing.AnswerYes, ticketing.AnswerNo, ticketing.Dissatisfied)
	checkCallbackNote(t, r.db, r.tk.ID, "satisfaction=dissatisfied")
	tk, err := r.db.FindTicketByID(context.Background(), r.tk.ID)
	if err != nil || tk.State == ticketing.StateReplied || tk.Reopens != 1 || tk.Unit != r.tk.Unit {
		t.Fatalf("ticket after a dissatisfied callback: %+v, %v", tk, err)
	}
}

// TestCallbackSecondRoundRealPhone: the citizen is dissatisfied, the
// ticket goes back to the unit, the unit replies again, and the robot
// calls a second time about the new reply; the month's assessment counts
// the second (latest valid) opinion only.
func TestCallbackSecondRoundRealPhone(t *testing.T) {
	r := newCallbackRig(t)
	ctx := context.Background()
	r.clock.set(r.replied.Add(25 * time.Hour))
	r.tick(t)
	if done := r.answer(t, "1", "2", "3"); done.State != ticketing.CallbackDone {
		t.Fatalf("first round after the call %+v", done)
	}
	tk, err := r.db.FindTicketByID(ctx, r.tk.ID)
	if err != nil || tk.State != ticketing.StateDispatched || tk.Reopens != 1 {
		t.Fatalf("ticket after a dissatisfied callback: %+v, %v", tk, err)
	}
	r.tick(t) // reopened, not replied: no round yet
	if cbs, _ := r.db.FindCallbacks(ctx, ticketing.CallbackFilter{Ticket: r.tk.ID}); len(cbs) != 1 {
		t.Fatalf("callbacks before the new reply: %+v", cbs)
	}

	unit := hotline.Actor{UserID: "jw1", Role: hotline.RoleUnit, Unit: "street-jianwai"}
	r.clock.set(r.replied.Add(27 * time.Hour))
	if _, err := r.tickets.Act(ctx, unit, r.tk.ID, "accept", ticketing.ActionInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.tickets.Act(ctx, unit, r.tk.ID, "reply", ticketing.ActionInput{Outcome: "resolved", Content: "已再次协调停工"}); err != nil {
		t.Fatal(err)
	}
	reply2 := r.clock.Now()
	r.tick(t)
	cbs, err := r.db.FindCallbacks(ctx, ticketing.CallbackFilter{Ticket: r.tk.ID})
	if err != nil || len(cbs) != 2 || cbs[1].State != ticketing.CallbackPending || !cbs[1].Due.Equal(reply2.Add(24*time.Hour)) {
		t.Fatalf("callbacks after the new reply %+v, %v; want a second round due %s", cbs, err, reply2.Add(24*time.Hour))
	}

	r.clock.set(reply2.Add(24 * time.Hour))
	r.tick(t)
	if done := r.answer(t, "1", "1", "1"); done.State != ticketing.CallbackDone || done.ID != cbs[1].ID || done.Attempts != 1 {
		t.Fatalf("second round after the call %+v", done)
	}
	recs, err := r.db.FindAnswers(ctx, r.tk.ID)
	if err != nil || len(recs) != 2 || recs[0].Satisfaction != ticketing.Dissatisfied || recs[1].Satisfaction != ticketing.Satisfied ||
		recs[0].Callback == recs[1].Callback {
		t.Fatalf("answers %+v, %v", recs, err)
	}
	counts, err := r.db.AssessmentCounts(ctx, ticketing.MonthOf(reply2), ticketing.TierStreet)
	if err != nil || len(counts) != 1 {
		t.Fatalf("assessment counts %+v, %v", counts, err)
	}
	if c := counts[0]; c.Callbacks != 2 || c.Valid != 1 || c.Contacted != 1 || c.Resolved != 1 || c.Satisfied != 1 || c.Basically != 0 {
		t.Fatalf("assessment counts %+v; want 2 callbacks, 1 valid: the second, resolved and satisfied", c)
	}
	if tk, err := r.db.FindTicketByID(ctx, r.tk.ID); err != nil || tk.State != ticketing.StateReplied || tk.Reopens != 1 {
		t.Fatalf("ticket after a satisfied second round: %+v, %v", tk, err)
	}
}

func checkCallbackAnswers(t *testing.T, db *sqlite.DB, id hotline.TicketID, calledAt time.Time,
	contacted, resolved ticketing.YesNo, sat ticketing.Satisfaction) {
	t.Helper()
	recs, err := db.FindAnswers(context.Background(), id)
	if err != nil || len(recs) != 1 {
		t.Fatalf("answers %+v, %v", recs, err)
	}
	r := recs[0]
	if !r.Reached || r.Contacted != contacted || r.Resolved != resolved || r.Satisfaction != sat || r.Unit != "street-jianwai" || r.Tier != ticketing.TierStreet ||
		!r.CalledAt.Equal(calledAt) || r.Recording == "" {
		t.Fatalf("stored answers %+v", r)
	}
}

func checkCallbackNote(t *testing.T, db *sqlite.DB, id hotline.TicketID, want string) {
	t.Helper()
	evs, err := db.FindEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Action == "note" && strings.Contains(ev.Reason, want) {
			return
		}
	}
	t.Fatalf("no callback note %q among %+v", want, evs)
}
