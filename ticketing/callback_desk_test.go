package ticketing_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// deskWorld is a world with the callback desk over the same store.
type deskWorld struct {
	*world
	desk *ticketing.CallbackDesk
	cs   ticketing.CallbackStore
}

func newDeskWorld(t *testing.T, w *world, reopen bool) *deskWorld {
	t.Helper()
	cs, ok := w.store.(ticketing.CallbackStore)
	if !ok {
		t.Fatal("the store keeps no callbacks")
	}
	p := ticketing.DefaultCallbackPolicy()
	return &deskWorld{world: w, cs: cs, desk: ticketing.NewCallbackDesk(w.svc, cs, p, nil, reopen)}
}

// replied files a ticket for number and has 望京 reply to it.
func (d *deskWorld) replied(t *testing.T, number, address string) hotline.TicketID {
	t.Helper()
	tk := d.intake(t, ticketing.IntakeInput{Category: "city.streetlight", Content: "路灯不亮", Address: address, ContactNumber: number})
	d.act(t, dispatcher, tk.ID, "dispatch", ticketing.ActionInput{Unit: string(wangjing.Unit)})
	d.act(t, wangjing, tk.ID, "accept", ticketing.ActionInput{})
	d.act(t, wangjing, tk.ID, "reply", ticketing.ActionInput{Outcome: "resolved", Content: "已修复"})
	return tk.ID
}

func (d *deskWorld) callbacks(t *testing.T, id hotline.TicketID) []*ticketing.Callback {
	t.Helper()
	cbs, err := d.cs.FindCallbacks(d.ctx, ticketing.CallbackFilter{Ticket: id})
	if err != nil {
		t.Fatal(err)
	}
	return cbs
}

// lastEvent returns the ticket's newest history entry.
func (d *deskWorld) lastEvent(t *testing.T, id hotline.TicketID) ticketing.Event {
	t.Helper()
	evs, err := d.store.FindEvents(d.ctx, id)
	if err != nil || len(evs) == 0 {
		t.Fatalf("events of %s: %v, %v", id, evs, err)
	}
	return evs[len(evs)-1]
}

func (d *deskWorld) wantEvent(t *testing.T, id hotline.TicketID, action string, by hotline.Actor, text string) {
	t.Helper()
	ev := d.lastEvent(t, id)
	if ev.Action != action || ev.Actor.UserID != by.UserID || !strings.Contains(ev.Reason, text) {
		t.Fatalf("last event of %s = %s by %s %q; want %s by %s containing %q", id, ev.Action, ev.Actor.UserID, ev.Reason,
			action, by.UserID, text)
	}
}

func TestCallbackDeskSwitch(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		d := newDeskWorld(t, w, true)
		_, err := d.desk.SetPaused(d.ctx, agent, true, "")
		wantCode(t, err, hotline.EFORBIDDEN)
		_, err = d.desk.Switch(d.ctx, wangjing)
		wantCode(t, err, hotline.EFORBIDDEN)
		sw, err := d.desk.Switch(d.ctx, supervisor)
		if err != nil || sw.Paused {
			t.Fatalf("switch before any: %+v, %v", sw, err)
		}
		sup := supervisor
		sup.Name = "李主任"
		sw, err = d.desk.SetPaused(d.ctx, sup, true, "  线路检修  ")
		if err != nil || !sw.Paused || sw.By != "sup1" || sw.ByName != "李主任" || sw.Reason != "线路检修" || !sw.Since.Equal(d.clock.Now()) {
			t.Fatalf("paused: %+v, %v", sw, err)
		}
		d.clock.advance(time.Hour)
		again, err := d.desk.SetPaused(d.ctx, admin, true, "again")
		if err != nil || !again.Since.Equal(sw.Since) || again.By != "sup1" {
			t.Fatalf("pausing a paused scheduler changed it: %+v, %v", again, err)
		}
		// Stored: a new desk (a restart) reads it back.
		stored, err := d.cs.FindCallbackSwitch(d.ctx)
		if err != nil || !stored.Paused || stored.Reason != "线路检修" {
			t.Fatalf("stored switch %+v, %v", stored, err)
		}
		_, err = d.desk.SetPaused(d.ctx, admin, false, strings.Repeat("长", 2001))
		wantCode(t, err, hotline.EINVALID)
		sw, err = d.desk.SetPaused(d.ctx, admin, false, "")
		if err != nil || sw.Paused || sw.By != "admin" || !sw.Since.Equal(d.clock.Now()) {
			t.Fatalf("resumed: %+v, %v", sw, err)
		}
	})
}

func TestCallbackDeskControl(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		d := newDeskWorld(t, w, true)
		a := d.replied(t, "13900139000", "朝阳区望京西园一区")
		b := d.replied(t, "139-0013-9000", "朝阳区望京西园二区")
		due := d.clock.Now().Add(24 * time.Hour)
		group := &ticketing.Callback{Tickets: []hotline.TicketID{a, b}, ContactNumber: "13900139000", Due: due,
			Planned: d.clock.Now(), State: ticketing.CallbackPending}
		if err := d.cs.CreateCallback(d.ctx, group); err != nil {
			t.Fatal(err)
		}
		// The unit sees the call without the citizen's other ticket.
		seen, _, err := d.desk.TicketCallbacks(d.ctx, wangjing, b)
		if err != nil || len(seen) != 1 || seen[0].ID != group.ID || !slices.Equal(seen[0].Tickets, []hotline.TicketID{b}) {
			t.Fatalf("the unit's view of b's callbacks: %+v, %v", seen, err)
		}
		_, err = d.desk.Control(d.ctx, agent, a, ticketing.OpPause, "")
		wantCode(t, err, hotline.EFORBIDDEN)
		_, err = d.desk.Control(d.ctx, supervisor, a, "stop", "")
		wantCode(t, err, hotline.EINVALID)
		_, err = d.desk.Control(d.ctx, supervisor, "20991231000001", ticketing.OpPause, "")
		wantCode(t, err, hotline.ENOTFOUND)

		// Pausing a of the group splits it off; b keeps its call.
		d.clock.advance(time.Minute)
		own, err := d.desk.Control(d.ctx, supervisor, a, ticketing.OpPause, "市民要求晚些回访")
		if err != nil || own.State != ticketing.CallbackPaused || !slices.Equal(own.Tickets, []hotline.TicketID{a}) ||
			own.ID == group.ID || !own.Due.Equal(due) {
			t.Fatalf("pause a: %+v, %v", own, err)
		}
		rest, err := d.cs.FindCallbackByID(d.ctx, group.ID)
		if err != nil || rest.State != ticketing.CallbackPending || !slices.Equal(rest.Tickets, []hotline.TicketID{b}) {
			t.Fatalf("the group after pausing a: %+v, %v", rest, err)
		}
		d.wantEvent(t, a, "callback_pause", supervisor, "pending → paused; 市民要求晚些回访")
		evs := len(mustEvents(t, d, a))
		if again, err := d.desk.Control(d.ctx, supervisor, a, ticketing.OpPause, ""); err != nil || again.ID != own.ID {
			t.Fatalf("pausing again: %+v, %v", again, err)
		}
		if n := len(mustEvents(t, d, a)); n != evs {
			t.Errorf("a pause that changed nothing was audited (%d → %d events)", evs, n)
		}

		resumed, err := d.desk.Control(d.ctx, admin, a, ticketing.OpResume, "")
		if err != nil || resumed.ID != own.ID || resumed.State != ticketing.CallbackPending {
			t.Fatalf("resume a: %+v, %v", resumed, err)
		}
		d.wantEvent(t, a, "callback_resume", admin, "paused → pending")

		_, err = d.desk.Control(d.ctx, supervisor, a, ticketing.OpSkip, " ")
		wantCode(t, err, hotline.EINVALID)
		skipped, err := d.desk.Control(d.ctx, supervisor, a, ticketing.OpSkip, "市民已当面表示满意")
		if err != nil || skipped.State != ticketing.CallbackSkipped || skipped.Reason != "市民已当面表示满意" {
			t.Fatalf("skip a: %+v, %v", skipped, err)
		}
		d.wantEvent(t, a, "callback_skip", supervisor, "pending → skipped")
		_, err = d.desk.Control(d.ctx, supervisor, a, ticketing.OpPause, "")
		wantCode(t, err, hotline.ECONFLICT)

		// Re-run: the finished callback of a alone is scheduled again.
		d.clock.advance(time.Hour)
		rerun, err := d.desk.Control(d.ctx, supervisor, a, ticketing.OpRerun, "")
		if err != nil || rerun.ID != own.ID || rerun.State != ticketing.CallbackPending || rerun.Attempts != 0 ||
			!rerun.Planned.Equal(d.clock.Now()) || rerun.Due.Before(d.clock.Now()) {
			t.Fatalf("rerun a: %+v, %v", rerun, err)
		}
		d.wantEvent(t, a, "callback_rerun", supervisor, "skipped → pending")
		_, err = d.desk.Control(d.ctx, supervisor, a, ticketing.OpRerun, "")
		wantCode(t, err, hotline.ECONFLICT)

		// A call in progress is not paused.
		calling, err := ticketing.BeginAttempt(*rest, d.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := d.cs.UpdateCallback(d.ctx, &calling, rest.Version); err != nil {
			t.Fatal(err)
		}
		_, err = d.desk.Control(d.ctx, supervisor, b, ticketing.OpPause, "")
		wantCode(t, err, hotline.ECONFLICT)
		_, err = d.desk.Control(d.ctx, supervisor, b, ticketing.OpRerun, "")
		wantCode(t, err, hotline.ECONFLICT)

		// A ticket with no callback: nothing to pause; a re-run makes one,
		// unless the ticket may not be called.
		c := d.replied(t, "13700137000", "朝阳区望京西园三区")
		_, err = d.desk.Control(d.ctx, supervisor, c, ticketing.OpPause, "")
		wantCode(t, err, hotline.ECONFLICT)
		made, err := d.desk.Control(d.ctx, supervisor, c, ticketing.OpRerun, "市民来电要求回访")
		if err != nil || made.ID == 0 || !slices.Equal(made.Tickets, []hotline.TicketID{c}) || made.ContactNumber != "13700137000" {
			t.Fatalf("rerun with no callback: %+v, %v", made, err)
		}
		d.wantEvent(t, c, "callback_rerun", supervisor, "none → pending")
		open := d.intake(t, ticketing.IntakeInput{Category: "city.streetlight", Content: "路灯不亮", Address: "朝阳区望京西园四区"})
		_, err = d.desk.Control(d.ctx, supervisor, open.ID, ticketing.OpRerun, "")
		wantCode(t, err, hotline.ECONFLICT)

		// The supervisors' list.
		list, err := d.desk.Callbacks(d.ctx, supervisor, ticketing.CallbackFilter{States: []ticketing.CallbackState{ticketing.CallbackPending}})
		if err != nil || len(list) != 2 {
			t.Fatalf("pending callbacks: %+v, %v", list, err)
		}
		_, err = d.desk.Callbacks(d.ctx, agent, ticketing.CallbackFilter{})
		wantCode(t, err, hotline.EFORBIDDEN)
		// A unit reads its ticket's callbacks without the citizen's number
		// or other tickets.
		cbs, _, err := d.desk.TicketCallbacks(d.ctx, wangjing, a)
		if err != nil || len(cbs) != 1 || cbs[0].ContactNumber != "" {
			t.Fatalf("the unit's view of a's callbacks: %+v, %v", cbs, err)
		}

		cbs, _, err = d.desk.TicketCallbacks(d.ctx, supervisor, a)
		if err != nil || len(cbs) != 1 || cbs[0].ContactNumber != "13900139000" {
			t.Fatalf("the supervisor's view of a's callbacks: %+v, %v", cbs, err)
		}
		_, _, err = d.desk.TicketCallbacks(d.ctx, zgc, a)
		wantCode(t, err, hotline.ENOTFOUND)
	})
}

func mustEvents(t *testing.T, d *deskWorld, id hotline.TicketID) []ticketing.Event {
	t.Helper()
	evs, err := d.store.FindEvents(d.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestCallbackDeskManualAnswers(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		d := newDeskWorld(t, w, true)
		a := d.replied(t, "13900139000", "朝阳区望京西园一区")
		// The robot has a callback pending for a and another ticket.
		other := d.replied(t, "13900139000", "朝阳区望京西园二区")
		robot := &ticketing.Callback{Tickets: []hotline.TicketID{a, other}, ContactNumber: "13900139000",
			Due: d.clock.Now().Add(24 * time.Hour), Planned: d.clock.Now(), State: ticketing.CallbackPending}
		if err := d.cs.CreateCallback(d.ctx, robot); err != nil {
			t.Fatal(err)
		}
		d.clock.advance(2 * time.Hour)
		full := ticketing.ManualAnswers{Reached: true, Contacted: ticketing.AnswerYes, Resolved: ticketing.AnswerYes,
			Satisfaction: ticketing.BasicallySatisfied, Note: "市民表示路灯已修好"}

		_, err := d.desk.EnterAnswers(d.ctx, wangjing, a, full)
		wantCode(t, err, hotline.EFORBIDDEN)
		_, err = d.desk.EnterAnswers(d.ctx, dispatcher, a, full)
		wantCode(t, err, hotline.EFORBIDDEN)

		res, err := d.desk.EnterAnswers(d.ctx, agent, a, full)
		if err != nil || !res.Valid || res.Reopened {
			t.Fatalf("enter answers: %+v, %v", res, err)
		}
		r := res.Record
		if r.ID == 0 || !r.Manual || r.By != "agent1" || r.Callback != 0 || r.Unit != wangjing.Unit || r.Tier != ticketing.TierStreet ||
			!r.CalledAt.Equal(d.clock.Now()) || r.Satisfaction != ticketing.BasicallySatisfied {
			t.Fatalf("record %+v", r)
		}
		d.wantEvent(t, a, "callback_answers", agent, "人工回访 reached=yes contacted=yes resolved=yes satisfaction=basically (valid); 市民表示路灯已修好")
		// The robot will not call about a again; other keeps its call.
		cbs := d.callbacks(t, a)
		cur := ticketing.CurrentCallback(cbs, a)
		if cur == nil || cur.State != ticketing.CallbackSkipped || !strings.HasPrefix(cur.Reason, "answered by hand") {
			t.Fatalf("a's robot callback after the manual answers: %+v", cur)
		}
		if rest, err := d.cs.FindCallbackByID(d.ctx, robot.ID); err != nil || !slices.Equal(rest.Tickets, []hotline.TicketID{other}) ||
			rest.State != ticketing.CallbackPending {
			t.Fatalf("the robot's callback for the other ticket: %+v, %v", rest, err)
		}
		tk, _ := d.store.FindTicketByID(d.ctx, a)
		if !ticketing.Covered(tk, cbs) {
			t.Error("the round answered by hand is not covered")
		}

		// No robot callback yet: the round is marked made.
		b := d.replied(t, "13600136000", "朝阳区望京西园三区")
		if _, err := d.desk.EnterAnswers(d.ctx, supervisor, b, full); err != nil {
			t.Fatal(err)
		}
		tb, _ := d.store.FindTicketByID(d.ctx, b)
		if cbs := d.callbacks(t, b); len(cbs) != 1 || cbs[0].State != ticketing.CallbackSkipped || !ticketing.Covered(tb, cbs) {
			t.Fatalf("b's callbacks after the manual answers: %+v", cbs)
		}

		// Not reached: stored, not valid, the robot still calls.
		c := d.replied(t, "13500135000", "朝阳区望京西园四区")
		res, err = d.desk.EnterAnswers(d.ctx, agent, c, ticketing.ManualAnswers{Reached: false, Note: "无人接听"})
		if err != nil || res.Valid || res.Record.Reached || res.Record.Contacted != ticketing.AnswerUnknown {
			t.Fatalf("not reached: %+v, %v", res, err)
		}
		if cbs := d.callbacks(t, c); len(cbs) != 0 {
			t.Fatalf("a failed manual call settled the robot's round: %+v", cbs)
		}
		d.wantEvent(t, c, "callback_answers", agent, "人工回访 reached=no (not valid); 无人接听")

		// Partial answers are kept, not valid.
		res, err = d.desk.EnterAnswers(d.ctx, agent, c, ticketing.ManualAnswers{Reached: true, Contacted: ticketing.AnswerYes})
		if err != nil || res.Valid || res.Record.Resolved != ticketing.AnswerUnknown || res.Record.Satisfaction != ticketing.SatisfactionUnknown {
			t.Fatalf("partial: %+v, %v", res, err)
		}

		// Dissatisfied reopens for the same unit.
		e := d.replied(t, "13400134000", "朝阳区望京西园五区")
		res, err = d.desk.EnterAnswers(d.ctx, agent, e, ticketing.ManualAnswers{Reached: true, Contacted: ticketing.AnswerYes,
			Resolved: ticketing.AnswerYes, Satisfaction: ticketing.Dissatisfied})
		if err != nil || !res.Reopened || !res.Valid {
			t.Fatalf("dissatisfied: %+v, %v", res, err)
		}
		te, _ := d.store.FindTicketByID(d.ctx, e)
		if te.State != ticketing.StateDispatched || te.Unit != wangjing.Unit || te.Reopens != 1 {
			t.Fatalf("ticket after a dissatisfied manual callback: %s %s reopens %d", te.State, te.Unit, te.Reopens)
		}
		ev := d.lastEvent(t, e)
		if ev.Action != "reopen" || !strings.Contains(ev.Reason, "人工回访") {
			t.Fatalf("reopen event %+v", ev)
		}
		// The reopened ticket is with its unit again: no answers now.
		_, err = d.desk.EnterAnswers(d.ctx, agent, e, full)
		wantCode(t, err, hotline.ECONFLICT)

		// With reopening off, unresolved is only recorded.
		off := newDeskWorld(t, w, false)
		f := d.replied(t, "13300133000", "朝阳区望京西园六区")
		res, err = off.desk.EnterAnswers(d.ctx, agent, f, ticketing.ManualAnswers{Reached: true, Contacted: ticketing.AnswerNo,
			Resolved: ticketing.AnswerNo, Satisfaction: ticketing.Satisfied})
		if err != nil || res.Reopened {
			t.Fatalf("unresolved, reopening off: %+v, %v", res, err)
		}

		// Field errors.
		for _, tc := range []struct {
			name  string
			in    ticketing.ManualAnswers
			field string
		}{
			{"answers without reaching", ticketing.ManualAnswers{Reached: false, Satisfaction: ticketing.Satisfied}, "satisfaction"},
			{"bad yes/no", ticketing.ManualAnswers{Reached: true, Contacted: "maybe"}, "contacted"},
			{"bad satisfaction", ticketing.ManualAnswers{Reached: true, Satisfaction: "happy"}, "satisfaction"},
			{"future call", ticketing.ManualAnswers{Reached: true, CalledAt: d.clock.Now().Add(time.Hour)}, "called_at"},
			{"before the reply", ticketing.ManualAnswers{Reached: true, CalledAt: d.clock.Now().Add(-24 * time.Hour)}, "called_at"},
			{"long note", ticketing.ManualAnswers{Reached: true, Note: strings.Repeat("长", 2001)}, "note"},
		} {
			_, err := d.desk.EnterAnswers(d.ctx, agent, c, tc.in)
			var he *hotline.Error
			if !errors.As(err, &he) || he.Code != hotline.EINVALID || he.Fields[tc.field] == "" {
				t.Errorf("%s: error %v, want EINVALID on %s", tc.name, err, tc.field)
			}
		}
		// Tickets a callback cannot be about.
		open := d.intake(t, ticketing.IntakeInput{Category: "city.streetlight", Content: "路灯不亮", Address: "朝阳区望京西园七区"})
		_, err = d.desk.EnterAnswers(d.ctx, agent, open.ID, full)
		wantCode(t, err, hotline.ECONFLICT)
		declined := d.intake(t, ticketing.IntakeInput{Category: "city.streetlight", Content: "路灯不亮", Address: "朝阳区望京西园八区", NoCallback: true})
		d.act(t, dispatcher, declined.ID, "dispatch", ticketing.ActionInput{Unit: string(wangjing.Unit)})
		d.act(t, wangjing, declined.ID, "accept", ticketing.ActionInput{})
		d.act(t, wangjing, declined.ID, "reply", ticketing.ActionInput{Outcome: "resolved", Content: "已修复"})
		_, err = d.desk.EnterAnswers(d.ctx, agent, declined.ID, full)
		wantCode(t, err, hotline.ECONFLICT)

		// The answers count in the month's assessment like the robot's:
		// a (基本满意), b (基本满意), e (不满意), f (满意, unresolved) are valid;
		// c's are not.
		scores, err := d.svc.Assessment(d.ctx, supervisor, ticketing.MonthOf(d.clock.Now()), ticketing.TierStreet)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, s := range scores {
			found = found || s.Unit == wangjing.Unit
			if s.Unit == wangjing.Unit && (s.Valid != 4 || s.Callbacks != 6 || s.Contacted != 3 || s.Resolved != 3 ||
				s.Satisfied != 1 || s.Basically != 2) {
				t.Errorf("望京's counts %+v", s)
			}
		}
		if !found {
			t.Errorf("望京 is not in the assessment: %+v", scores)
		}
	})
}
