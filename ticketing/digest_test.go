package ticketing_test

import (
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

func TestBuildDigestSortsByMostPressingClock(t *testing.T) {
	bj := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, ticketing.Beijing) }
	now := bj(28, 8, 30)
	const u = hotline.UnitID("110105-002")
	tk := func(id string, st ticketing.State, mod func(*ticketing.Ticket)) *ticketing.Ticket {
		t := &ticketing.Ticket{ID: hotline.TicketID(id), Unit: u, State: st, DispatchedAt: bj(20, 9, 0)}
		mod(t)
		return t
	}
	list := []*ticketing.Ticket{
		// accept ran out at 08:00: overdue on the accept clock.
		tk("a-overdue", ticketing.StateDispatched, func(t *ticketing.Ticket) { t.AcceptDue, t.ReplyDue = bj(28, 8, 0), bj(30, 9, 0) }),
		// accepted and contacted; reply due 17:00 today.
		tk("b-today", ticketing.StateInProgress, func(t *ticketing.Ticket) {
			t.AcceptedAt, t.ContactedAt = bj(20, 10, 0), bj(20, 11, 0)
			t.AcceptDue, t.ContactDue, t.ReplyDue = bj(20, 11, 0), bj(21, 9, 0), bj(28, 17, 0)
		}),
		// reply due 23:59 tomorrow.
		tk("c-tomorrow", ticketing.StateInProgress, func(t *ticketing.Ticket) {
			t.AcceptedAt, t.ContactedAt, t.ReplyDue = bj(20, 10, 0), bj(20, 11, 0), bj(29, 23, 59)
		}),
		// arrived last night, deadline in a week.
		tk("d-new", ticketing.StateDispatched, func(t *ticketing.Ticket) {
			t.DispatchedAt, t.AcceptDue = bj(27, 22, 0), bj(29, 22, 0).AddDate(0, 0, 3)
		}),
		// supervised, deadline far.
		tk("e-supervised", ticketing.StateInProgress, func(t *ticketing.Ticket) {
			t.AcceptedAt, t.ContactedAt, t.ReplyDue, t.Supervised = bj(20, 10, 0), bj(20, 11, 0), bj(30, 12, 0).AddDate(0, 0, 5), true
		}),
		// paused: no clock runs, and nothing else marks it.
		tk("f-paused", ticketing.StateInProgress, func(t *ticketing.Ticket) { t.PausedAt, t.ReplyDue = bj(25, 9, 0), bj(28, 9, 0) }),
		// a return awaiting the centre, and another unit's order.
		tk("g-returned", ticketing.StateReturned, func(t *ticketing.Ticket) { t.PendingReturn = "不属于本单位职责" }),
		tk("h-other", ticketing.StateDispatched, func(t *ticketing.Ticket) { t.Unit = "110108-002"; t.AcceptDue = bj(28, 8, 0) }),
		// an extension awaiting approval, reply due at midnight tonight exactly: tomorrow's list.
		tk("i-extension", ticketing.StateInProgress, func(t *ticketing.Ticket) {
			t.AcceptedAt, t.ContactedAt, t.ReplyDue, t.PendingExtension = bj(20, 10, 0), bj(20, 11, 0), bj(29, 0, 0), 5
		}),
	}
	d := ticketing.BuildDigest(u, list, now.UTC())
	ids := func(l []ticketing.DigestItem) (out []string) {
		for _, it := range l {
			out = append(out, string(it.Ticket))
		}
		return out
	}
	want := map[string][]string{
		"overdue": {"a-overdue"}, "today": {"b-today"}, "tomorrow": {"i-extension", "c-tomorrow"},
		"arrived": {"d-new"}, "supervised": {"e-supervised"},
	}
	got := map[string][]string{"overdue": ids(d.Overdue), "today": ids(d.DueToday), "tomorrow": ids(d.DueTomorrow),
		"arrived": ids(d.Arrived), "supervised": ids(d.Supervised)}
	for k, w := range want {
		if len(got[k]) != len(w) {
			t.Errorf("%s: %v, want %v", k, got[k], w)
			continue
		}
		for i := range w {
			if got[k][i] != w[i] {
				t.Errorf("%s: %v, want %v", k, got[k], w)
			}
		}
	}
	if d.Open != 7 || d.PendingReturns != 1 || d.PendingExtensions != 1 {
		t.Errorf("open %d returns %d extensions %d, want 7 1 1", d.Open, d.PendingReturns, d.PendingExtensions)
	}
	if d.Overdue[0].Clock != "accept" || d.DueToday[0].Clock != "reply" {
		t.Errorf("clocks %q %q", d.Overdue[0].Clock, d.DueToday[0].Clock)
	}
	if !d.Day.Equal(bj(28, 0, 0)) {
		t.Errorf("day %s", d.Day)
	}
}

func TestDigestFollowsTheClocksAndTheRules(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		heat := w.intake(t, ticketing.IntakeInput{Category: "heating.cold", Content: "暖气不热，室温14度", Address: "北京市海淀区中关村大街27号"})
		d, err := w.svc.Digest(w.ctx, heating, "")
		if err != nil {
			t.Fatal(err)
		}
		// 09:00 Beijing, accept due 11:00: due today, on the accept clock.
		if d.Open != 1 || len(d.DueToday) != 1 || d.DueToday[0].Ticket != heat.ID || d.DueToday[0].Clock != "accept" {
			t.Fatalf("after intake: %+v", d)
		}
		w.clock.advance(10 * time.Minute)
		w.act(t, heating, heat.ID, "accept", ticketing.ActionInput{})
		d, _ = w.svc.Digest(w.ctx, heating, "")
		// contact due 09:00 tomorrow.
		if len(d.DueToday) != 0 || len(d.DueTomorrow) != 1 || d.DueTomorrow[0].Clock != "contact" {
			t.Fatalf("after accept: %+v", d)
		}
		w.clock.advance(25 * time.Hour)
		d, _ = w.svc.Digest(w.ctx, supervisor, "soe.heating")
		if len(d.Overdue) != 1 || d.Overdue[0].Clock != "contact" {
			t.Fatalf("a day later: %+v", d)
		}

		_, err = w.svc.Digest(w.ctx, wangjing, "soe.heating")
		wantCode(t, err, hotline.EFORBIDDEN)
		if _, err = w.svc.Digest(w.ctx, analyst, "soe.heating"); err != nil {
			t.Errorf("analyst: %v", err)
		}
		_, err = w.svc.Digest(w.ctx, supervisor, "")
		wantCode(t, err, hotline.EINVALID)
		_, err = w.svc.Digest(w.ctx, supervisor, "no-such-unit")
		wantCode(t, err, hotline.ENOTFOUND)
	})
}
