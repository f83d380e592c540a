package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// runSLASettings checks the admin's deadline rules: none until saved; then
// what was saved last, clocks to the second, days as days (Beijing), the
// audit with its times in UTC; other settings rows left alone.
func runSLASettings(t *testing.T, open func(t *testing.T) Store) {
	t.Run("RescheduleChecks", func(t *testing.T) { testRescheduleChecks(t, open(t)) })
	s, ok := open(t).(ticketing.SLAStore)
	if !ok {
		t.Fatal("the store does not keep the deadline rules (ticketing.SLAStore)")
	}
	got, err := s.FindSLASettings(ctx(t))
	must(t, err, "find before any")
	if got != nil {
		t.Fatalf("deadline rules before any were saved: %+v", got)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, ticketing.Beijing) }
	first := &ticketing.SLASettings{
		Deadlines: map[ticketing.Urgency]ticketing.Clocks{
			ticketing.UrgencyEmergency: {Accept: 15 * time.Minute, Contact: time.Hour, Reply: 2 * time.Hour},
			ticketing.UrgencyUtility:   {Accept: 2 * time.Hour, Contact: 24 * time.Hour, Reply: 24 * time.Hour},
			ticketing.UrgencyOrdinary:  {Accept: 2 * time.Hour, Contact: 24 * time.Hour, Reply: 3 * 24 * time.Hour},
			ticketing.UrgencyComplex:   {Accept: 90 * time.Second, Contact: 24 * time.Hour, Reply: 15 * 24 * time.Hour},
		},
		Working:  [3]bool{false, true, true},
		WarnAt:   0.75,
		Holidays: []time.Time{day(2026, 10, 1), day(2026, 10, 2), day(2027, 1, 1)},
		Workdays: []time.Time{day(2026, 9, 27)},
		Updated:  t0, By: "admin", ByName: "管理员",
		History: []ticketing.SLAChange{{At: t0, By: "admin", ByName: "管理员",
			Changes: []string{"tiers.ordinary.reply: 7d → 3d", "holidays: +2027-01-01"}}},
	}
	must(t, s.SaveSLASettings(ctx(t), first), "save")
	got, err = s.FindSLASettings(ctx(t))
	must(t, err, "find saved")
	checkSLA(t, got, first)

	// Saving again replaces: fewer days, no workdays, a longer history.
	second := *first
	second.Deadlines = map[ticketing.Urgency]ticketing.Clocks{}
	for u, c := range first.Deadlines {
		second.Deadlines[u] = c
	}
	second.Deadlines[ticketing.UrgencyOrdinary] = ticketing.Clocks{Accept: time.Hour, Contact: 12 * time.Hour, Reply: 5 * 24 * time.Hour}
	second.Holidays, second.Workdays, second.WarnAt = []time.Time{day(2026, 10, 1)}, nil, 0.9
	second.Updated, second.By, second.ByName = t0.Add(time.Hour), "admin2", "二号管理员"
	second.History = append([]ticketing.SLAChange{{At: t0.Add(time.Hour), By: "admin2", ByName: "二号管理员", Changes: []string{"warn_at: 0.75 → 0.9"}}}, first.History...)
	must(t, s.SaveSLASettings(ctx(t), &second), "save again")
	got, err = s.FindSLASettings(ctx(t))
	must(t, err, "find saved again")
	checkSLA(t, got, &second)

	// The callback switch shares the settings table and is left alone.
	if cs, ok := s.(ticketing.CallbackStore); ok {
		sw, err := cs.FindCallbackSwitch(ctx(t))
		must(t, err, "find the callback switch")
		if sw != (ticketing.CallbackSwitch{}) {
			t.Fatalf("saving the deadline rules set the callback switch: %+v", sw)
		}
	}
}

func checkSLA(t *testing.T, got, want *ticketing.SLASettings) {
	t.Helper()
	if got == nil {
		t.Fatal("no deadline rules found after saving")
	}
	if !reflect.DeepEqual(got.Deadlines, want.Deadlines) || got.Working != want.Working || got.WarnAt != want.WarnAt {
		t.Fatalf("rules = %v %v %v, want %v %v %v", got.Deadlines, got.Working, got.WarnAt, want.Deadlines, want.Working, want.WarnAt)
	}
	if g, w := dayStrings(got.Holidays), dayStrings(want.Holidays); !reflect.DeepEqual(g, w) {
		t.Fatalf("holidays = %v, want %v", g, w)
	}
	if g, w := dayStrings(got.Workdays), dayStrings(want.Workdays); !reflect.DeepEqual(g, w) {
		t.Fatalf("workdays = %v, want %v", g, w)
	}
	if got.Updated.Location() != time.UTC || !got.Updated.Equal(micro(want.Updated)) || got.By != want.By || got.ByName != want.ByName {
		t.Fatalf("changed %v by %s (%s), want %v by %s (%s)", got.Updated, got.By, got.ByName, micro(want.Updated), want.By, want.ByName)
	}
	if len(got.History) != len(want.History) {
		t.Fatalf("history has %d changes, want %d", len(got.History), len(want.History))
	}
	for i, h := range got.History {
		w := want.History[i]
		if h.At.Location() != time.UTC || !h.At.Equal(micro(w.At)) || h.By != w.By || h.ByName != w.ByName || !reflect.DeepEqual(h.Changes, w.Changes) {
			t.Fatalf("history[%d] = %+v, want %+v", i, h, w)
		}
	}
}

// testRescheduleChecks: after a change of the rules every pending SLA
// check later than the change comes due at it; earlier ones and tickets
// without a running clock stay as they were.
func testRescheduleChecks(t *testing.T, st Store) {
	s, ok := st.(ticketing.SLAStore)
	if !ok {
		t.Fatal("the store does not keep the deadline rules (ticketing.SLAStore)")
	}
	at := func(d time.Duration, checked bool) *ticketing.Ticket {
		tk := newTicket(t0)
		if checked {
			tk.NextCheck = t0.Add(d)
		}
		return create(t, st, tk)
	}
	late := at(3*time.Hour, true)
	later := at(48*time.Hour, true)
	due := at(-time.Hour, true)
	at(0, false) // no running clock
	n, err := s.RescheduleChecks(ctx(t), t0)
	must(t, err, "reschedule checks")
	if n != 2 {
		t.Errorf("rescheduled %d checks, want 2", n)
	}
	got, err := st.FindTicketsToCheck(ctx(t), t0, 10)
	must(t, err, "find tickets to check")
	if g, want := ids(got), []hotline.TicketID{due.ID, late.ID, later.ID}; !equalIDs(g, want) {
		t.Fatalf("to check at the change: %v, want %v", g, want)
	}
	for _, tk := range got {
		if tk.ID != due.ID && !tk.NextCheck.Equal(micro(t0)) {
			t.Errorf("ticket %s checks at %v, want %v", tk.ID, tk.NextCheck, t0)
		}
	}
}

// dayStrings writes days as YYYY-MM-DD in Beijing (nil and empty alike).
func dayStrings(days []time.Time) []string {
	out := []string{}
	for _, d := range days {
		out = append(out, d.In(beijing).Format(time.DateOnly))
	}
	return out
}
