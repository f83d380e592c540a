package ticketing

import (
	"slices"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// planPass is what the scheduler's planning pass does for one ticket at
// now: a new round when the trigger has none (Covered), timed and checked
// by Plan, stamped Planned now.
func planPass(tk *Ticket, have []*Callback, now time.Time, p CallbackPolicy, cal *Calendar) (*Callback, []SkippedTicket) {
	if Covered(tk, have) {
		return nil, nil
	}
	made, skipped := Plan([]*Ticket{tk}, p, cal)
	if len(made) == 0 {
		return nil, skipped
	}
	cb := made[0]
	cb.Planned = now
	return &cb, skipped
}

func TestCovered(t *testing.T) {
	const id hotline.TicketID = "20260914000001"
	replied := &Ticket{ID: id, RepliedAt: bjs("2026-09-14 10:00:00"), ReplyDue: bjs("2026-09-20 10:00:00")}
	overdue := &Ticket{ID: id, ReplyDue: bjs("2026-09-14 10:00:00")}
	cb := func(state CallbackState, planned, due string, tickets ...hotline.TicketID) *Callback {
		c := &Callback{ID: 1, Tickets: tickets, State: state, Due: bjs(due)}
		if planned != "" {
			c.Planned = bjs(planned)
		}
		return c
	}
	for _, tc := range []struct {
		name string
		t    *Ticket
		have []*Callback
		want bool
	}{
		{"no callback", replied, nil, false},
		{"another ticket's callback", replied, []*Callback{cb(CallbackDone, "2026-09-14 11:00:00", "2026-09-15 10:00:00", "20260914000002")}, false},
		{"pending for this reply", replied, []*Callback{cb(CallbackPending, "2026-09-14 11:00:00", "2026-09-15 10:00:00", id)}, true},
		{"paused", replied, []*Callback{cb(CallbackPaused, "2026-09-14 11:00:00", "2026-09-15 10:00:00", id)}, true},
		{"calling", replied, []*Callback{cb(CallbackCalling, "2026-09-14 11:00:00", "2026-09-15 10:00:00", id)}, true},
		{"done for this reply", replied, []*Callback{cb(CallbackDone, "2026-09-14 11:00:00", "2026-09-15 10:00:00", id)}, true},
		{"planned the same instant as the reply", replied, []*Callback{cb(CallbackDone, "2026-09-14 10:00:00", "2026-09-15 10:00:00", id)}, true},
		{"unreachable for this reply", replied, []*Callback{cb(CallbackUnreachable, "2026-09-14 11:00:00", "2026-09-15 14:00:00", id)}, true},
		{"skipped by a supervisor for this reply", replied, []*Callback{cb(CallbackSkipped, "2026-09-14 11:00:00", "2026-09-15 10:00:00", id)}, true},
		{"done for an earlier reply: a second round", replied, []*Callback{cb(CallbackDone, "2026-09-10 11:00:00", "2026-09-11 10:00:00", id)}, false},
		{"skipped before the reopen, due after the new reply: a second round", replied,
			[]*Callback{cb(CallbackSkipped, "2026-09-13 11:00:00", "2026-09-14 12:00:00", id)}, false},
		{"earlier done and one pending", replied, []*Callback{
			cb(CallbackDone, "2026-09-10 11:00:00", "2026-09-11 10:00:00", id),
			cb(CallbackPending, "2026-09-14 11:00:00", "2026-09-15 10:00:00", id, "20260914000002")}, true},
		{"stored before Planned: its due time stands in", replied, []*Callback{cb(CallbackDone, "", "2026-09-15 10:00:00", id)}, true},
		{"stored before Planned, for an earlier reply", replied, []*Callback{cb(CallbackDone, "", "2026-09-11 10:00:00", id)}, false},
		{"Art. 23: none", overdue, nil, false},
		{"Art. 23: done after the deadline", overdue, []*Callback{cb(CallbackDone, "2026-09-14 10:01:00", "2026-09-15 10:01:00", id)}, true},
		{"Art. 23: a round before this deadline (extension granted since)", overdue,
			[]*Callback{cb(CallbackDone, "2026-09-12 10:01:00", "2026-09-13 10:01:00", id)}, false},
		{"no trigger at all", &Ticket{ID: id}, nil, true},
	} {
		if got := Covered(tc.t, tc.have); got != tc.want {
			t.Errorf("%s: Covered = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDetach(t *testing.T) {
	cb := Callback{ID: 7, Tickets: []hotline.TicketID{"a", "b", "c"}, ContactNumber: "13800138000",
		Due: bjs("2026-09-15 10:00:00"), Planned: bjs("2026-09-14 11:00:00"), State: CallbackPending,
		Attempts: 1, History: []CallbackAttempt{{Started: bjs("2026-09-15 10:00:00"), Result: ResultBusy}}, Version: 3}
	rest, own, ok := Detach(cb, "b")
	if !ok {
		t.Fatal("Detach refused a ticket of a group")
	}
	if !slices.Equal(rest.Tickets, []hotline.TicketID{"a", "c"}) || rest.ID != 7 || rest.Version != 3 || rest.Attempts != 1 {
		t.Errorf("rest = %+v", rest)
	}
	if !slices.Equal(cb.Tickets, []hotline.TicketID{"a", "b", "c"}) {
		t.Errorf("Detach changed its argument: %v", cb.Tickets)
	}
	want := Callback{Tickets: []hotline.TicketID{"b"}, ContactNumber: "13800138000", Due: cb.Due, Planned: cb.Planned, State: CallbackPending}
	if own.ID != 0 || own.Version != 0 || own.Attempts != 0 || len(own.History) != 0 ||
		!slices.Equal(own.Tickets, want.Tickets) || own.ContactNumber != want.ContactNumber ||
		!own.Due.Equal(want.Due) || !own.Planned.Equal(want.Planned) || own.State != want.State {
		t.Errorf("own = %+v", own)
	}
	if _, _, ok := Detach(cb, "z"); ok {
		t.Error("Detach split off a ticket the callback does not ask about")
	}
	single := Callback{Tickets: []hotline.TicketID{"a"}}
	if _, _, ok := Detach(single, "a"); ok {
		t.Error("Detach split the only ticket off")
	}
}

func TestCurrentCallback(t *testing.T) {
	mk := func(id int64, state CallbackState, planned string, tickets ...hotline.TicketID) *Callback {
		return &Callback{ID: id, State: state, Planned: bjs(planned), Tickets: tickets}
	}
	old := mk(1, CallbackDone, "2026-09-10 10:00:00", "a")
	newer := mk(2, CallbackUnreachable, "2026-09-12 10:00:00", "a", "b")
	pending := mk(3, CallbackPending, "2026-09-01 10:00:00", "a")
	other := mk(4, CallbackPending, "2026-09-13 10:00:00", "b")
	sameTime := mk(5, CallbackSkipped, "2026-09-12 10:00:00", "a")
	for _, tc := range []struct {
		name string
		have []*Callback
		want *Callback
	}{
		{"none", nil, nil},
		{"only another ticket's", []*Callback{other}, nil},
		{"the latest planned of the finished", []*Callback{newer, old}, newer},
		{"a scheduled one before finished ones", []*Callback{old, newer, pending, other}, pending},
		{"same planned time: the higher id", []*Callback{sameTime, newer}, sameTime},
	} {
		if got := CurrentCallback(tc.have, "a"); got != tc.want {
			t.Errorf("%s: CurrentCallback = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestCallsForReopen(t *testing.T) {
	for _, tc := range []struct {
		resolved YesNo
		sat      Satisfaction
		want     bool
	}{
		{AnswerYes, Satisfied, false},
		{AnswerYes, BasicallySatisfied, false},
		{AnswerYes, Dissatisfied, true},
		{AnswerNo, Satisfied, true},
		{AnswerNo, SatisfactionUnknown, true}, // hung up after saying "not resolved"
		{AnswerUnknown, SatisfactionUnknown, false},
		{AnswerUnknown, Dissatisfied, true},
	} {
		if got := CallsForReopen(tc.resolved, tc.sat); got != tc.want {
			t.Errorf("CallsForReopen(%s, %s) = %v, want %v", tc.resolved, tc.sat, got, tc.want)
		}
	}
	for s, want := range map[State]bool{StateReplied: true, StateClosed: true, StateInProgress: false, StateDispatched: false, StateArchived: false} {
		if Reopenable(s) != want {
			t.Errorf("Reopenable(%s) = %v", s, !want)
		}
	}
}

// TestPlanArt23 plans passes over tickets whose reply deadline passed
// (Art. 23: 诉求办理时限期满 the centre calls back), with the clock of the
// pass injected.
func TestPlanArt23(t *testing.T) {
	cal := callbackCalendar()
	p := DefaultCallbackPolicy()
	deadline := bjs("2026-09-14 17:00:00") // a Monday
	overdue := func(edit func(*Ticket)) *Ticket {
		tk := &Ticket{ID: "20260907000001", ContactNumber: "13800138000", Unit: "street-jianwai",
			State: StateInProgress, ReplyDue: deadline, ReplyLight: LightRed}
		if edit != nil {
			edit(tk)
		}
		return tk
	}
	pass := bjs("2026-09-14 17:01:00")
	for _, tc := range []struct {
		name   string
		t      *Ticket
		have   []*Callback
		due    string // "" = nothing planned
		reason string // the skip reason when nothing is planned by Plan
	}{
		{"overdue, red, no reply: due a day after the deadline", overdue(nil), nil, "2026-09-15 17:00:00", ""},
		{"overdue, still dispatched (not accepted)", overdue(func(tk *Ticket) { tk.State = StateDispatched }), nil, "2026-09-15 17:00:00", ""},
		{"deadline late in the evening", overdue(func(tk *Ticket) { tk.ReplyDue = bjs("2026-09-14 21:30:00") }), nil, "2026-09-16 09:00:00", ""},
		{"deadline before a holiday", overdue(func(tk *Ticket) { tk.ReplyDue = bjs("2026-09-25 15:00:00") }), nil, "2026-09-27 09:00:00", ""},
		{"the sweep has not turned it red yet", overdue(func(tk *Ticket) { tk.ReplyLight = LightYellow }), nil, "", "not replied (in_progress)"},
		{"paused clocks keep it yellow", overdue(func(tk *Ticket) { tk.ReplyLight = LightYellow; tk.PausedAt = deadline }), nil, "", "not replied (in_progress)"},
		{"confidential", overdue(func(tk *Ticket) { tk.Confidential = true }), nil, "", "confidential"},
		{"declined", overdue(func(tk *Ticket) { tk.NoCallback = true }), nil, "", "citizen declined callbacks"},
		{"returned to the centre", overdue(func(tk *Ticket) { tk.State = StateReturned }), nil, "", "not replied (returned)"},
		{"already called for this deadline", overdue(nil),
			[]*Callback{{Tickets: []hotline.TicketID{"20260907000001"}, State: CallbackDone, Planned: pass}}, "", ""},
		{"an Art. 23 callback waits", overdue(nil),
			[]*Callback{{Tickets: []hotline.TicketID{"20260907000001"}, State: CallbackPending, Planned: pass}}, "", ""},
		{"called for an earlier deadline; extended since and missed again", overdue(nil),
			[]*Callback{{Tickets: []hotline.TicketID{"20260907000001"}, State: CallbackDone, Planned: deadline.Add(-72 * time.Hour)}},
			"2026-09-15 17:00:00", ""},
	} {
		cb, skipped := planPass(tc.t, tc.have, pass, p, cal)
		switch {
		case tc.due == "" && cb != nil:
			t.Errorf("%s: planned %+v, want nothing", tc.name, cb)
		case tc.due != "" && cb == nil:
			t.Errorf("%s: nothing planned (%v), want due %s", tc.name, skipped, tc.due)
		case cb != nil && (!cb.Due.Equal(bjs(tc.due)) || !cb.Planned.Equal(pass) || cb.State != CallbackPending ||
			cb.ContactNumber != "13800138000" || !slices.Equal(cb.Tickets, []hotline.TicketID{tc.t.ID})):
			t.Errorf("%s: planned %+v, want due %s", tc.name, cb, tc.due)
		}
		if tc.reason != "" && (len(skipped) != 1 || skipped[0].Reason != tc.reason) {
			t.Errorf("%s: skipped %v, want reason %q", tc.name, skipped, tc.reason)
		}
	}
}

// TestSecondRound follows one ticket through two rounds with an injected
// clock: reply → callback → dissatisfied → reopen → deadline missed
// (Art. 23 round) → late reply (a round of its own) → satisfied. The
// assessment counts the latest valid callback of the ticket in the month.
func TestSecondRound(t *testing.T) {
	cal := callbackCalendar()
	p := DefaultCallbackPolicy()
	const id hotline.TicketID = "20260901000001"
	tk := &Ticket{ID: id, ContactNumber: "138-0013-8000", Unit: "street-jianwai", State: StateReplied,
		RepliedAt: bjs("2026-09-14 10:00:00"), ReplyDue: bjs("2026-09-15 10:00:00")}
	var have []*Callback
	var nextID int64
	step := func(name, now, wantDue string) *Callback {
		t.Helper()
		cb, skipped := planPass(tk, have, bjs(now), p, cal)
		if wantDue == "" {
			if cb != nil {
				t.Fatalf("%s: planned %+v, want nothing", name, cb)
			}
			return nil
		}
		if cb == nil || !cb.Due.Equal(bjs(wantDue)) {
			t.Fatalf("%s: planned %+v (skipped %v), want due %s", name, cb, skipped, wantDue)
		}
		nextID++
		cb.ID = nextID
		have = append(have, cb)
		return cb
	}
	call := func(cb *Callback, at string, result CallResult) {
		t.Helper()
		began, err := BeginAttempt(*cb, bjs(at))
		if err != nil {
			t.Fatal(err)
		}
		ended, err := NextAttempt(began, result, bjs(at).Add(3*time.Minute), p, cal)
		if err != nil {
			t.Fatal(err)
		}
		*cb = ended
	}

	first := step("the reply", "2026-09-14 10:01:00", "2026-09-15 10:00:00")
	step("a pass while it waits", "2026-09-14 18:00:00", "")
	call(first, "2026-09-15 10:00:00", ResultAnswered)
	step("a pass after the call", "2026-09-15 10:05:00", "")

	// Dissatisfied: reopened for the same unit (the lifecycle clears the
	// reply and starts a new deadline).
	tk.State, tk.RepliedAt, tk.ReplyDue, tk.ReplyLight = StateDispatched, time.Time{}, bjs("2026-09-18 10:05:00"), LightGreen
	step("reopened, deadline ahead", "2026-09-15 10:06:00", "")
	tk.State, tk.ReplyLight = StateInProgress, LightRed
	art23 := step("deadline missed (Art. 23)", "2026-09-18 10:06:00", "2026-09-19 10:05:00")
	call(art23, "2026-09-19 10:05:00", ResultNoAnswer)
	if art23.State != CallbackPending || !art23.Due.Equal(bjs("2026-09-19 12:08:00")) {
		t.Fatalf("Art. 23 callback after no answer: %+v", art23)
	}
	step("a pass while the retry waits", "2026-09-19 11:00:00", "")
	call(art23, "2026-09-19 12:08:00", ResultAnswered)

	// The unit replies late: that reply gets its own round.
	tk.State, tk.RepliedAt, tk.ReplyLight = StateReplied, bjs("2026-09-20 09:00:00"), LightRed
	second := step("the late reply", "2026-09-20 09:01:00", "2026-09-21 09:00:00")
	if second.ContactNumber != "13800138000" {
		t.Errorf("second round number %q", second.ContactNumber)
	}
	step("a pass after the second round is planned", "2026-09-20 12:00:00", "")
	call(second, "2026-09-21 09:00:00", ResultAnswered)
	step("a pass after the second round", "2026-09-21 09:05:00", "")

	// The three rounds' answers: the month's assessment takes the latest
	// valid one of the ticket (最终满意度), so the unit counts one valid
	// callback, satisfied and resolved.
	rec := func(at string, resolved YesNo, sat Satisfaction) CallbackAnswers {
		return CallbackAnswers{Ticket: id, Unit: "street-jianwai", Tier: TierStreet, Month: MonthOf(bjs(at)), CalledAt: bjs(at),
			Reached: true, Contacted: AnswerYes, Resolved: resolved, Satisfaction: sat}
	}
	month := Month{Year: 2026, Month: time.September}
	answers := []CallbackAnswers{
		rec("2026-09-15 10:00:00", AnswerNo, Dissatisfied),
		rec("2026-09-19 12:08:00", AnswerNo, SatisfactionUnknown), // hung up before question 3: not valid
		rec("2026-09-21 09:00:00", AnswerYes, Satisfied),
	}
	got := Tally(month, TierStreet, answers)
	if len(got) != 1 || got[0].Callbacks != 3 || got[0].Valid != 1 || got[0].Resolved != 1 || got[0].Satisfied != 1 {
		t.Fatalf("tally = %+v; want 3 callbacks, 1 valid (the second round's), resolved and satisfied", got)
	}
	// Had the second round not reached the citizen, the first round's
	// dissatisfied opinion would stand.
	got = Tally(month, TierStreet, answers[:2])
	if len(got) != 1 || got[0].Valid != 1 || got[0].Resolved != 0 || got[0].Satisfied != 0 {
		t.Fatalf("tally without the second round = %+v", got)
	}
}
