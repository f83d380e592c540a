package ticketing

import (
	"testing"
	"time"
)

func TestSLALights(t *testing.T) {
	cfg := DefaultSLA()
	start := bj("2026-11-27 09:00")
	tk := &Ticket{State: StateDispatched, Urgency: UrgencyOrdinary, DispatchedAt: start}
	cfg.StartClocks(tk, start)
	if !tk.AcceptDue.Equal(start.Add(2*time.Hour)) || !tk.ReplyDue.Equal(start.Add(7*24*time.Hour)) {
		t.Fatalf("deadlines accept %s reply %s", tk.AcceptDue, tk.ReplyDue)
	}
	if ch := cfg.Evaluate(tk, start); len(ch) != 0 || !tk.NextCheck.Equal(start.Add(96*time.Minute)) {
		t.Fatalf("at start: changed %v, next %s", ch, tk.NextCheck)
	}
	// 80 % of the 2 h accept clock: yellow.
	ch := cfg.Evaluate(tk, start.Add(96*time.Minute))
	if len(ch) != 1 || ch[0] != "accept" || tk.AcceptLight != LightYellow {
		t.Fatalf("at 96 min: changed %v light %s", ch, tk.AcceptLight)
	}
	if !tk.NextCheck.Equal(tk.AcceptDue) {
		t.Fatalf("next check %s, want accept due %s", tk.NextCheck, tk.AcceptDue)
	}
	// Overdue: red; evaluating again changes nothing.
	if ch := cfg.Evaluate(tk, start.Add(2*time.Hour)); len(ch) != 1 || tk.AcceptLight != LightRed {
		t.Fatalf("at 2 h: changed %v light %s", ch, tk.AcceptLight)
	}
	if ch := cfg.Evaluate(tk, start.Add(2*time.Hour+time.Minute)); len(ch) != 0 {
		t.Fatalf("re-evaluation changed %v", ch)
	}
	// Accepted: the accept clock stops; contact is next.
	tk.AcceptedAt, tk.State = start.Add(3*time.Hour), StateInProgress
	cfg.Evaluate(tk, tk.AcceptedAt)
	if want := start.Add(time.Duration(0.8 * float64(24*time.Hour))); !tk.NextCheck.Equal(want) {
		t.Fatalf("next check after accept %s, want %s", tk.NextCheck, want)
	}
	// Replied: nothing left to watch.
	tk.State = StateReplied
	if cfg.Evaluate(tk, start.Add(4*time.Hour)); !tk.NextCheck.IsZero() {
		t.Fatalf("next check after reply %s", tk.NextCheck)
	}
}

func TestSLAPausedHasNoCheck(t *testing.T) {
	cfg := DefaultSLA()
	start := bj("2026-11-27 09:00")
	tk := &Ticket{State: StateInProgress, Urgency: UrgencyEmergency, DispatchedAt: start}
	cfg.StartClocks(tk, start)
	tk.PausedAt = start.Add(time.Minute)
	if cfg.Evaluate(tk, start.Add(5*time.Hour)); !tk.NextCheck.IsZero() || tk.ReplyLight != LightGreen {
		t.Fatalf("paused ticket: next %s light %s", tk.NextCheck, tk.ReplyLight)
	}
	tk.shiftClocks(time.Hour)
	if !tk.ReplyDue.Equal(start.Add(3 * time.Hour)) {
		t.Fatalf("reply due after 1 h pause = %s", tk.ReplyDue)
	}
}

func TestSLAWorkingDays(t *testing.T) {
	cfg := DefaultSLA()
	cfg.Calendar = testCalendar()
	cfg.Working = [3]bool{false, false, true}
	start := bj("2026-09-30 10:00")
	tk := &Ticket{State: StateDispatched, Urgency: UrgencyUtility, DispatchedAt: start}
	cfg.StartClocks(tk, start)
	if want := bj("2026-10-08 10:00"); !tk.ReplyDue.Equal(want) {
		t.Errorf("utility reply due over the holiday = %s, want %s", tk.ReplyDue.In(Beijing), want)
	}
	if want := start.Add(2 * time.Hour); !tk.AcceptDue.Equal(want) {
		t.Errorf("accept (calendar time) due = %s, want %s", tk.AcceptDue, want)
	}
}
