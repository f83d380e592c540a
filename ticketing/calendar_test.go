package ticketing

import (
	"testing"
	"time"
)

func bj(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Beijing)
	if err != nil {
		panic(err)
	}
	return t
}

func day(s string) time.Time { return bj(s + " 00:00") }

// The 2026 National Day holiday: 1–7 October off, Saturday 10 October worked.
func testCalendar() *Calendar {
	var hol []time.Time
	for d := 1; d <= 7; d++ {
		hol = append(hol, time.Date(2026, 10, d, 0, 0, 0, 0, Beijing))
	}
	return NewCalendar(hol, []time.Time{day("2026-10-10")})
}

func TestWorkday(t *testing.T) {
	c := testCalendar()
	for s, want := range map[string]bool{
		"2026-09-30": true,  // Wednesday
		"2026-10-01": false, // holiday
		"2026-10-05": false, // holiday on a Monday
		"2026-10-08": true,  // Thursday
		"2026-10-10": true,  // adjusted working Saturday
		"2026-10-11": false, // Sunday
	} {
		if got := c.Workday(day(s)); got != want {
			t.Errorf("Workday(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestCalendarAdd(t *testing.T) {
	c := testCalendar()
	cases := []struct {
		start   string
		d       time.Duration
		working bool
		want    string
	}{
		{"2026-09-30 10:00", 24 * time.Hour, false, "2026-10-01 10:00"},
		{"2026-09-30 10:00", 24 * time.Hour, true, "2026-10-08 10:00"},     // skips the holiday
		{"2026-09-30 10:00", 14 * time.Hour, true, "2026-10-01 00:00"},     // exactly what is left of the 30th
		{"2026-09-30 10:00", 2 * time.Hour, true, "2026-09-30 12:00"},      // same day
		{"2026-10-09 12:00", 24 * time.Hour, true, "2026-10-10 12:00"},     // the worked Saturday counts
		{"2026-10-03 09:00", time.Hour, true, "2026-10-08 01:00"},          // starts on a holiday
		{"2026-10-09 12:00", 3 * 24 * time.Hour, true, "2026-10-13 12:00"}, // Fri → Sat(worked) → Mon → Tue
	}
	for _, tc := range cases {
		if got := c.Add(bj(tc.start), tc.d, tc.working); !got.Equal(bj(tc.want)) {
			t.Errorf("Add(%s, %v, %v) = %s, want %s", tc.start, tc.d, tc.working, got.In(Beijing), tc.want)
		}
	}
}

func TestCalendarBetweenInvertsAdd(t *testing.T) {
	c := testCalendar()
	start := bj("2026-09-29 17:30")
	for _, d := range []time.Duration{time.Hour, 30 * time.Hour, 7 * 24 * time.Hour} {
		end := c.Add(start, d, true)
		if got := c.Between(start, end, true); got != d {
			t.Errorf("Between(start, Add(start, %v)) = %v", d, got)
		}
	}
	if got := c.Between(bj("2026-10-02 00:00"), bj("2026-10-04 00:00"), true); got != 0 {
		t.Errorf("Between over holidays = %v, want 0", got)
	}
}

func TestCalendarWithoutWorkdaysTerminates(t *testing.T) {
	var all []time.Time
	for d := range 400 {
		all = append(all, day("2026-01-01").AddDate(0, 0, d))
	}
	c := NewCalendar(all, nil)
	_ = c.Add(day("2026-01-01"), time.Hour, true) // must return
}

// Replace changes the days in place: a holder of the pointer sees them.
func TestCalendarReplace(t *testing.T) {
	c := testCalendar()
	held := c // the IVR, the callbacks and the forecasts hold the pointer
	if !held.Holiday(day("2026-10-01")) || held.Holiday(day("2026-11-30")) {
		t.Fatal("the starting calendar")
	}
	c.Replace([]time.Time{day("2026-11-30")}, nil)
	if held.Holiday(day("2026-10-01")) || !held.Holiday(day("2026-11-30")) || held.Workday(day("2026-11-30")) {
		t.Error("the held calendar does not see the new holidays")
	}
	if held.Workday(day("2026-10-10")) { // a Saturday, no longer worked
		t.Error("the old adjusted working day is still worked")
	}
	if got := held.Holidays(); len(got) != 1 || !got[0].Equal(day("2026-11-30")) {
		t.Errorf("holidays %v", got)
	}
	// Friday 2026-11-27 12:00 + 24 working hours skips the weekend and Monday.
	if got, want := held.Add(bj("2026-11-27 12:00"), 24*time.Hour, true), bj("2026-12-01 12:00"); !got.Equal(want) {
		t.Errorf("Add over the new holiday = %s, want %s", got, want)
	}
}

// BenchmarkCalendarAdd is a 15-working-day deadline (the complex tier's
// reply on working days): one read lock over a three-week walk.
func BenchmarkCalendarAdd(b *testing.B) {
	c := testCalendar()
	start := bj("2026-09-28 10:00")
	for b.Loop() {
		c.Add(start, 15*24*time.Hour, true)
	}
}

// BenchmarkCalendarWorkdayParallel is the IVR and the callback scheduler
// asking about today from every core at once (readers share the lock).
func BenchmarkCalendarWorkdayParallel(b *testing.B) {
	c := testCalendar()
	day := bj("2026-10-01 10:00")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Workday(day)
		}
	})
}
