package ticketing

import (
	"testing"
	"time"
)

func TestDueAt(t *testing.T) {
	cal := callbackCalendar()
	p := DefaultCallbackPolicy()
	for _, tc := range []struct {
		name, replied, want string
	}{
		{"inside the window", "2026-09-14 10:30:00", "2026-09-15 10:30:00"},
		{"at the window start", "2026-09-14 09:00:00", "2026-09-15 09:00:00"},
		{"just before the end", "2026-09-14 19:59:59", "2026-09-15 19:59:59"},
		{"at the window end", "2026-09-14 20:00:00", "2026-09-16 09:00:00"},
		{"evening: next day's start", "2026-09-14 21:00:00", "2026-09-16 09:00:00"},
		{"a second before midnight", "2026-09-14 23:59:59", "2026-09-16 09:00:00"},
		{"at midnight: that day's start", "2026-09-14 00:00:00", "2026-09-15 09:00:00"},
		{"early morning: that day's start", "2026-09-14 06:10:00", "2026-09-15 09:00:00"},
		{"weekends are calling days", "2026-09-18 11:00:00", "2026-09-19 11:00:00"},
		{"Friday evening, holiday Saturday: Sunday", "2026-09-25 19:30:00", "2026-09-27 09:00:00"},
		{"Thursday evening, holiday Saturday: Friday's window ended", "2026-09-24 20:30:00", "2026-09-27 09:00:00"},
		{"into National Day: after the holiday", "2026-09-30 10:00:00", "2026-10-08 09:00:00"},
		{"on the last holiday's evening", "2026-10-06 21:00:00", "2026-10-08 09:00:00"},
		{"worked Saturday is a calling day", "2026-10-09 12:00:00", "2026-10-10 12:00:00"},
		{"year end", "2026-12-31 22:00:00", "2027-01-02 09:00:00"},
	} {
		if got := DueAt(bjs(tc.replied), p, cal); !got.Equal(bjs(tc.want)) {
			t.Errorf("%s: DueAt(%s) = %s, want %s", tc.name, tc.replied, got.In(Beijing), tc.want)
		}
	}
}

func TestDueAtOtherZonesAndPolicies(t *testing.T) {
	cal := callbackCalendar()
	p := DefaultCallbackPolicy()
	// 17:30 UTC on the 14th is 01:30 Beijing on the 15th: the window is Beijing's.
	if got := DueAt(time.Date(2026, 9, 14, 17, 30, 0, 0, time.UTC), p, cal); !got.Equal(bjs("2026-09-16 09:00:00")) {
		t.Errorf("UTC reply: due %s, want 2026-09-16 09:00 Beijing", got.In(Beijing))
	}
	p.SkipHolidays = false
	if got := DueAt(bjs("2026-09-30 10:00:00"), p, cal); !got.Equal(bjs("2026-10-01 10:00:00")) {
		t.Errorf("holidays not skipped: due %s, want 2026-10-01 10:00", got.In(Beijing))
	}
	if got := DueAt(bjs("2026-09-30 10:00:00"), p, nil); !got.Equal(bjs("2026-10-01 10:00:00")) {
		t.Errorf("no calendar: due %s", got.In(Beijing))
	}
	p.Window = CallbackWindow{From: 0, To: 24 * time.Hour}
	p.Delay = 0
	if at := bjs("2026-09-14 23:59:59"); !DueAt(at, p, cal).Equal(at) {
		t.Errorf("all-day window moved %s", at)
	}
}

// TestDeadlineDueAt: Art. 23 — "诉求办理时限期满" the centre calls back. The
// callback falls due Delay after the missed deadline (as after a reply),
// inside the calling window, holidays skipped.
func TestDeadlineDueAt(t *testing.T) {
	cal := callbackCalendar()
	p := DefaultCallbackPolicy()
	for _, tc := range []struct{ name, deadline, want string }{
		{"in the window: a day later", "2026-09-14 15:00:00", "2026-09-15 15:00:00"},
		{"evening: the day after next, at the start", "2026-09-14 22:00:00", "2026-09-16 09:00:00"},
		{"early morning: next day's start", "2026-09-14 06:00:00", "2026-09-15 09:00:00"},
		{"delay ends on a holiday Saturday: Sunday", "2026-09-25 11:00:00", "2026-09-27 09:00:00"},
		{"delay ends in National Day", "2026-09-30 12:00:00", "2026-10-08 09:00:00"},
		{"deadline on a holiday, delay still in it", "2026-10-03 12:00:00", "2026-10-08 09:00:00"},
		{"deadline on the last holiday: next day, same hour", "2026-10-07 12:00:00", "2026-10-08 12:00:00"},
		{"worked Saturday is a calling day", "2026-10-09 16:00:00", "2026-10-10 16:00:00"},
	} {
		if got := DeadlineDueAt(bjs(tc.deadline), p, cal); !got.Equal(bjs(tc.want)) {
			t.Errorf("%s: DeadlineDueAt(%s) = %s, want %s", tc.name, tc.deadline, got.In(Beijing), tc.want)
		}
	}
	p.Delay = 2 * time.Hour
	if got := DeadlineDueAt(bjs("2026-09-14 19:00:00"), p, cal); !got.Equal(bjs("2026-09-15 09:00:00")) {
		t.Errorf("a 2 h delay past the window's end: %s", got.In(Beijing))
	}
}

func TestCallbackDue(t *testing.T) {
	cal := callbackCalendar()
	p := DefaultCallbackPolicy()
	for _, tc := range []struct {
		name     string
		t        *Ticket
		want     string // "" = no due time
		trigger  string
		deadline bool
	}{
		{"replied: a day after the reply", &Ticket{RepliedAt: bjs("2026-09-14 10:00:00"), ReplyDue: bjs("2026-09-20 10:00:00")},
			"2026-09-15 10:00:00", "2026-09-14 10:00:00", false},
		{"replied late: after the reply, not the deadline", &Ticket{RepliedAt: bjs("2026-09-21 10:00:00"), ReplyDue: bjs("2026-09-20 10:00:00")},
			"2026-09-22 10:00:00", "2026-09-21 10:00:00", false},
		{"overdue (Art. 23): a day after the deadline", &Ticket{ReplyDue: bjs("2026-09-14 21:00:00")},
			"2026-09-16 09:00:00", "2026-09-14 21:00:00", true},
		{"overdue at noon", &Ticket{ReplyDue: bjs("2026-09-14 12:00:00")},
			"2026-09-15 12:00:00", "2026-09-14 12:00:00", true},
		{"neither", &Ticket{}, "", "", false},
		{"nil", nil, "", "", false},
	} {
		got, ok := CallbackDue(tc.t, p, cal)
		if ok != (tc.want != "") || (ok && !got.Equal(bjs(tc.want))) {
			t.Errorf("%s: CallbackDue = %s, %v; want %q", tc.name, got.In(Beijing), ok, tc.want)
		}
		at, byDeadline := CallbackTrigger(tc.t)
		if (tc.trigger == "" && !at.IsZero()) || (tc.trigger != "" && !at.Equal(bjs(tc.trigger))) || byDeadline != tc.deadline {
			t.Errorf("%s: CallbackTrigger = %s, %v; want %q, %v", tc.name, at.In(Beijing), byDeadline, tc.trigger, tc.deadline)
		}
	}
}

func TestCallbackInWindow(t *testing.T) {
	cal := callbackCalendar()
	p := DefaultCallbackPolicy()
	for at, want := range map[string]bool{
		"2026-09-14 08:59:59": false,
		"2026-09-14 09:00:00": true,
		"2026-09-14 19:59:59": true,
		"2026-09-14 20:00:00": false,
		"2026-09-19 12:00:00": true,  // Saturday
		"2026-10-02 12:00:00": false, // National Day
		"2026-10-10 12:00:00": true,  // worked Saturday
	} {
		if got := InWindow(bjs(at), p, cal); got != want {
			t.Errorf("InWindow(%s) = %v, want %v", at, got, want)
		}
	}
}

func TestCallbackEligible(t *testing.T) {
	replied := func(edit func(*Ticket)) *Ticket {
		t := &Ticket{ID: "20260914000001", ContactNumber: "13800138000", Unit: "street-jianwai",
			State: StateReplied, RepliedAt: bjs("2026-09-14 10:00:00")}
		if edit != nil {
			edit(t)
		}
		return t
	}
	for _, tc := range []struct {
		name   string
		t      *Ticket
		reason string // "" = eligible
	}{
		{"replied", replied(nil), ""},
		{"closed after a reply", replied(func(t *Ticket) { t.State = StateClosed }), ""},
		{"overdue, no reply (Art. 23)", replied(func(t *Ticket) {
			t.State, t.RepliedAt, t.ReplyDue, t.ReplyLight = StateInProgress, time.Time{}, bjs("2026-09-13 10:00:00"), LightRed
		}), ""},
		{"in progress, not overdue", replied(func(t *Ticket) {
			t.State, t.RepliedAt, t.ReplyDue, t.ReplyLight = StateInProgress, time.Time{}, bjs("2026-09-20 10:00:00"), LightYellow
		}), "not replied (in_progress)"},
		{"confidential", replied(func(t *Ticket) { t.Confidential = true }), "confidential"},
		{"declined", replied(func(t *Ticket) { t.NoCallback = true }), "citizen declined callbacks"},
		{"no number", replied(func(t *Ticket) { t.ContactNumber = "" }), "no contact number"},
		{"number without digits", replied(func(t *Ticket) { t.ContactNumber = " - " }), "no contact number"},
		{"merged", replied(func(t *Ticket) {
			t.State, t.MergedInto, t.Triage = StateClosed, "20260913000007", TriageMerged
		}), "merged into 20260913000007"},
		{"answered at intake", replied(func(t *Ticket) {
			t.State, t.Unit, t.RepliedAt, t.Triage = StateClosed, "", time.Time{}, TriageAnswered
		}), "no handling unit (not dispatched)"},
		{"closed without a reply", replied(func(t *Ticket) { t.State, t.RepliedAt = StateClosed, time.Time{} }), "not replied (closed)"},
		{"returned", replied(func(t *Ticket) { t.State, t.RepliedAt = StateReturned, time.Time{} }), "not replied (returned)"},
		{"archived", replied(func(t *Ticket) { t.State = StateArchived }), "archived"},
		{"nil", nil, "no ticket"},
	} {
		ok, reason := Eligible(tc.t)
		if ok != (tc.reason == "") || reason != tc.reason {
			t.Errorf("%s: Eligible = %v, %q; want reason %q", tc.name, ok, reason, tc.reason)
		}
	}
}

func TestCallbackNormalizeNumber(t *testing.T) {
	for in, want := range map[string]string{
		"13800138000":        "13800138000",
		"138-0013-8000":      "13800138000",
		"+86 138 0013 8000":  "13800138000",
		"008613800138000":    "13800138000",
		"010-65123456":       "01065123456",
		"86123":              "86123", // not a mobile behind a country code
		"   ":                "",
		"(010) 8888-9999 转1": "010888899991",
	} {
		if got := NormalizeNumber(in); got != want {
			t.Errorf("NormalizeNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzDueAt: any reply time, delay and window yields a due time inside a
// window, never before reply+Delay, without panicking.
func FuzzDueAt(f *testing.F) {
	f.Add(bjs("2026-09-25 19:30:00").Unix(), int64(24*60), uint16(9*60), uint16(20*60), true)
	f.Add(bjs("2026-09-30 23:59:59").Unix(), int64(0), uint16(0), uint16(24*60), true)
	f.Add(int64(-1), int64(1), uint16(1439), uint16(1440), false)
	cal := callbackCalendar()
	f.Fuzz(func(t *testing.T, sec, delayMin int64, from, to uint16, skip bool) {
		// Keep to four centuries around now, with delays up to a year.
		sec %= 200 * 365 * 86400
		delayMin = max(delayMin, -delayMin) % (366 * 24 * 60)
		p := DefaultCallbackPolicy()
		p.Delay, p.SkipHolidays = time.Duration(delayMin)*time.Minute, skip
		p.Window = CallbackWindow{From: time.Duration(from%1440) * time.Minute, To: time.Duration(to%1441) * time.Minute}
		if p.Window.validate() != "" {
			p.Window = DefaultCallbackPolicy().Window
		}
		replied := time.Unix(1798761600+sec, 0) // around 2027
		got := DueAt(replied, p, cal)
		if !InWindow(got, p, cal) {
			t.Fatalf("DueAt(%s, %v, %s) = %s: outside the window", replied.In(Beijing), p.Delay, p.Window, got.In(Beijing))
		}
		if got.Before(replied.Add(p.Delay)) {
			t.Fatalf("DueAt(%s, %v) = %s: before reply+delay", replied.In(Beijing), p.Delay, got.In(Beijing))
		}
	})
}
