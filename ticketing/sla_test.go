package ticketing

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
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

func validSettings() SLASettings {
	d := DefaultSLA()
	return SLASettings{Deadlines: d.Deadlines, WarnAt: 0.8,
		Holidays: []time.Time{day("2026-10-01")}, Workdays: []time.Time{day("2026-09-27")}}
}

func TestSLASettingsValidate(t *testing.T) {
	if err := validSettings().Validate(); err != nil {
		t.Fatalf("the defaults: %v", err)
	}
	cases := []struct {
		name, field string
		edit        func(s *SLASettings)
	}{
		{"missing tier", "tiers.complex", func(s *SLASettings) { delete(s.Deadlines, UrgencyComplex) }},
		{"unknown tier", "tiers.urgent", func(s *SLASettings) { s.Deadlines["urgent"] = Clocks{time.Hour, time.Hour, time.Hour} }},
		{"zero clock", "tiers.emergency.accept", func(s *SLASettings) { s.Deadlines[UrgencyEmergency] = Clocks{0, time.Hour, 2 * time.Hour} }},
		{"negative clock", "tiers.utility.contact", func(s *SLASettings) {
			s.Deadlines[UrgencyUtility] = Clocks{time.Hour, -time.Hour, 2 * time.Hour}
		}},
		{"fraction of a second", "tiers.ordinary.reply", func(s *SLASettings) {
			s.Deadlines[UrgencyOrdinary] = Clocks{time.Hour, 2 * time.Hour, 3*time.Hour + time.Millisecond}
		}},
		{"over a year", "tiers.complex.reply", func(s *SLASettings) {
			s.Deadlines[UrgencyComplex] = Clocks{time.Hour, 2 * time.Hour, 366 * 24 * time.Hour}
		}},
		{"contact before accept", "tiers.ordinary.contact", func(s *SLASettings) {
			s.Deadlines[UrgencyOrdinary] = Clocks{2 * time.Hour, time.Hour, 7 * 24 * time.Hour}
		}},
		{"reply before contact", "tiers.ordinary.reply", func(s *SLASettings) {
			s.Deadlines[UrgencyOrdinary] = Clocks{time.Hour, 24 * time.Hour, 12 * time.Hour}
		}},
		{"warn at 0", "warn_at", func(s *SLASettings) { s.WarnAt = 0 }},
		{"warn at 1", "warn_at", func(s *SLASettings) { s.WarnAt = 1 }},
		{"holiday too early", "holidays", func(s *SLASettings) { s.Holidays = append(s.Holidays, day("1999-12-31")) }},
		{"too many holidays", "holidays", func(s *SLASettings) {
			for i := range MaxCalendarDays + 1 {
				s.Holidays = append(s.Holidays, day("2027-01-01").AddDate(0, 0, i))
			}
		}},
		{"workday also a holiday", "workdays", func(s *SLASettings) { s.Holidays = append(s.Holidays, day("2026-09-27")) }},
		{"workday not a weekend", "workdays", func(s *SLASettings) { s.Workdays = append(s.Workdays, day("2026-10-08")) }},
	}
	for _, c := range cases {
		s := validSettings()
		s.Deadlines = maps.Clone(s.Deadlines)
		c.edit(&s)
		err := s.Validate()
		he, ok := err.(*hotline.Error)
		if !ok || he.Code != hotline.EINVALID || he.Fields[c.field] == "" {
			t.Errorf("%s: %v, want a problem with %s", c.name, err, c.field)
			continue
		}
		if len(he.Fields) != 1 {
			t.Errorf("%s: problems with %v, want only %s", c.name, he.Fields, c.field)
		}
	}
	// Equal clocks are allowed (utility: contact and reply both 24 h).
	s := validSettings()
	s.Deadlines = maps.Clone(s.Deadlines)
	s.Deadlines[UrgencyEmergency] = Clocks{time.Second, time.Second, time.Second}
	if err := s.Validate(); err != nil {
		t.Errorf("equal clocks: %v", err)
	}
}

func TestFormatClockAndDiff(t *testing.T) {
	for d, want := range map[time.Duration]string{7 * 24 * time.Hour: "7d", 36 * time.Hour: "36h", 15 * time.Minute: "15m", 90 * time.Second: "90s", 3 * time.Second: "3s"} {
		if got := FormatClock(d); got != want {
			t.Errorf("FormatClock(%v) = %q, want %q", d, got, want)
		}
	}
	a, b := validSettings(), validSettings()
	b.Deadlines = maps.Clone(b.Deadlines)
	b.Deadlines[UrgencyComplex] = Clocks{time.Hour, 24 * time.Hour, 10 * 24 * time.Hour}
	b.Working[0], b.WarnAt = true, 0.7
	b.Holidays = []time.Time{day("2026-10-02")}
	got := diffSLA(a, b)
	want := []string{"tiers.complex.accept: 2h → 1h", "tiers.complex.reply: 15d → 10d", "working_days.accept: false → true",
		"warn_at: 0.8 → 0.7", "holidays: -2026-10-01", "holidays: +2026-10-02"}
	if !slices.Equal(got, want) {
		t.Errorf("diff = %q, want %q", got, want)
	}
}
