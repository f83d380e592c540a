package ticketing

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/cityhotline/hotline"
)

// Clocks are the three SLA durations of an urgency tier, counted from
// dispatch: accept (签收), first contact with the citizen, reply (反馈).
type Clocks struct {
	Accept, Contact, Reply time.Duration
}

// ClockNames are the names of the three clocks in events and metrics.
var ClockNames = []string{"accept", "contact", "reply"}

// SLAConfig says how long each clock runs and how it counts.
type SLAConfig struct {
	Deadlines map[Urgency]Clocks
	// Working[i] makes clock i (in ClockNames order) count working days only.
	Working [3]bool
	// WarnAt is the used fraction of a clock at which it turns yellow.
	WarnAt   float64
	Calendar *Calendar
}

// DefaultSLA returns the deadlines of DESIGN.md: emergency 2 h, water/power/
// gas/heating 24 h, ordinary 7 days, complex 15 days to reply; accept within
// 2 h (emergency 15 min); first contact within 24 h (emergency 1 h).
func DefaultSLA() SLAConfig {
	const day = 24 * time.Hour
	return SLAConfig{
		Deadlines: map[Urgency]Clocks{
			UrgencyEmergency: {Accept: 15 * time.Minute, Contact: time.Hour, Reply: 2 * time.Hour},
			UrgencyUtility:   {Accept: 2 * time.Hour, Contact: day, Reply: day},
			UrgencyOrdinary:  {Accept: 2 * time.Hour, Contact: day, Reply: 7 * day},
			UrgencyComplex:   {Accept: 2 * time.Hour, Contact: day, Reply: 15 * day},
		},
		WarnAt:   0.8,
		Calendar: NewCalendar(nil, nil),
	}
}

// clock is one SLA clock of a ticket, seen through accessors so the three
// clocks share one implementation.
type clock struct {
	name  string
	due   *time.Time
	light *Light
	done  time.Time // when the clock was satisfied; zero while running
}

func (t *Ticket) clocks() [3]clock {
	return [3]clock{
		{"accept", &t.AcceptDue, &t.AcceptLight, t.AcceptedAt},
		{"contact", &t.ContactDue, &t.ContactLight, t.ContactedAt},
		{"reply", &t.ReplyDue, &t.ReplyLight, t.RepliedAt},
	}
}

// StartClocks sets all three deadlines from the dispatch instant.
func (c *SLAConfig) StartClocks(t *Ticket, at time.Time) {
	d := c.Deadlines[t.Urgency]
	durs := [3]time.Duration{d.Accept, d.Contact, d.Reply}
	for i, k := range t.clocks() {
		*k.due = c.Calendar.Add(at, durs[i], c.Working[i])
		*k.light = LightGreen
	}
	t.PausedAt = time.Time{}
}

// warnTime is when a clock that started at start and falls due at due turns
// yellow.
func (c *SLAConfig) warnTime(i int, start, due time.Time) time.Time {
	total := c.Calendar.Between(start, due, c.Working[i])
	return c.Calendar.Add(start, time.Duration(float64(total)*c.WarnAt), c.Working[i])
}

// Evaluate recomputes the lights of the running clocks at now, sets
// NextCheck, and returns the clocks whose light changed.
func (c *SLAConfig) Evaluate(t *Ticket, now time.Time) (changed []string) {
	t.NextCheck = time.Time{}
	if !t.State.WithUnit() || t.DispatchedAt.IsZero() || !t.PausedAt.IsZero() {
		return nil
	}
	for i, k := range t.clocks() {
		if !k.done.IsZero() || k.due.IsZero() {
			continue
		}
		warn := c.warnTime(i, t.DispatchedAt, *k.due)
		light, next := LightGreen, warn
		switch {
		case !now.Before(*k.due):
			light, next = LightRed, time.Time{}
		case !now.Before(warn):
			light, next = LightYellow, *k.due
		}
		if light != *k.light {
			*k.light = light
			changed = append(changed, k.name)
		}
		if !next.IsZero() && (t.NextCheck.IsZero() || next.Before(t.NextCheck)) {
			t.NextCheck = next
		}
	}
	return changed
}

// shiftClocks moves the running deadlines by d (after an approved pause).
func (t *Ticket) shiftClocks(d time.Duration) {
	for _, k := range t.clocks() {
		if k.done.IsZero() && !k.due.IsZero() {
			*k.due = k.due.Add(d)
		}
	}
}

// SLASettings is what the admin edits on the deadlines page and the store
// keeps: the clocks of every tier, which clocks count working days, the
// warning fraction, the calendar's days, and who changed them last with
// the history of changes (newest first). Stored settings override the
// configuration at start-up.
type SLASettings struct {
	Deadlines map[Urgency]Clocks
	Working   [3]bool
	WarnAt    float64
	// Holidays and Workdays are days (any instant of the day in Beijing).
	Holidays, Workdays []time.Time

	Updated time.Time // zero: never edited (the configuration's rules)
	By      hotline.UserID
	ByName  string
	History []SLAChange
}

// SLAChange is one admin edit of the deadline rules, for the audit:
// who, when, and each change as "what: before → after".
type SLAChange struct {
	At      time.Time
	By      hotline.UserID
	ByName  string
	Changes []string
}

// Bounds of the deadline rules an admin may set.
const (
	MaxClock         = 365 * 24 * time.Hour // no clock runs longer than a year
	MaxCalendarDays  = 1000                 // holidays, and adjusted working days, each
	maxSLAHistory    = 50                   // changes kept in the audit
	minCalendarYear  = 2000
	maxCalendarYear  = 2100
	fieldTierPattern = "tiers.%s.%s"
)

// Validate checks the rules: every tier present; each clock a positive
// whole number of seconds up to MaxClock; accept ≤ contact ≤ reply (a unit
// accepts an order before it contacts the citizen and contacts them before
// it replies — DESIGN.md's tiers, e.g. utility 2 h ≤ 24 h ≤ 24 h); WarnAt
// strictly between 0 and 1; calendar days between 2000 and 2100, at most
// MaxCalendarDays of each, adjusted working days on weekends and none of
// them also a holiday. Field names are those of the API's JSON.
func (s SLASettings) Validate() error {
	var v hotline.Invalid
	for _, u := range Urgencies {
		c, ok := s.Deadlines[u]
		if !ok {
			v.Add("tiers."+string(u), "required: every urgency tier needs its clocks")
			continue
		}
		durs := [3]time.Duration{c.Accept, c.Contact, c.Reply}
		for i, d := range durs {
			f := fmt.Sprintf(fieldTierPattern, u, ClockNames[i])
			switch {
			case d <= 0:
				v.Add(f, "must be positive")
			case d%time.Second != 0:
				v.Add(f, "must be a whole number of seconds")
			case d > MaxClock:
				v.Add(f, "at most 365 days")
			case i > 0 && d < durs[i-1]:
				v.Add(f, fmt.Sprintf("must not be shorter than the %s clock (%s)", ClockNames[i-1], FormatClock(durs[i-1])))
			}
		}
	}
	for u := range s.Deadlines {
		if _, err := ParseUrgency(string(u)); err != nil {
			v.Add("tiers."+string(u), "unknown urgency tier")
		}
	}
	if !(s.WarnAt > 0 && s.WarnAt < 1) {
		v.Add("warn_at", "must lie strictly between 0 and 1")
	}
	checkDays(&v, "holidays", s.Holidays)
	checkDays(&v, "workdays", s.Workdays)
	hol := daySet(s.Holidays)
	for _, d := range s.Workdays {
		k := dayKey(d)
		if hol[k] {
			v.Add("workdays", k+" is also a holiday; a day is one or the other")
		}
		if wd := d.In(Beijing).Weekday(); wd != time.Saturday && wd != time.Sunday {
			v.Add("workdays", fmt.Sprintf("%s is a %s; list only weekend days that are worked", k, wd))
		}
	}
	return v.Err("the deadline rules are not valid")
}

func checkDays(v *hotline.Invalid, field string, days []time.Time) {
	if len(days) > MaxCalendarDays {
		v.Add(field, fmt.Sprintf("at most %d days", MaxCalendarDays))
	}
	for _, d := range days {
		if y := d.In(Beijing).Year(); y < minCalendarYear || y > maxCalendarYear {
			v.Add(field, fmt.Sprintf("%s: only years %d to %d", dayKey(d), minCalendarYear, maxCalendarYear))
		}
	}
}

// FormatClock writes a clock in the largest unit that divides it: "7d",
// "36h", "15m", "90s" (Go's form for fractions of a second).
func FormatClock(d time.Duration) string {
	switch {
	case d > 0 && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d > 0 && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d > 0 && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d > 0 && d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

// diffSLA lists what differs between two rule sets, one "what: before →
// after" (or "holidays: +day", "holidays: -day") per change.
func diffSLA(before, after SLASettings) []string {
	var out []string
	for _, u := range Urgencies {
		b, a := before.Deadlines[u], after.Deadlines[u]
		bd, ad := [3]time.Duration{b.Accept, b.Contact, b.Reply}, [3]time.Duration{a.Accept, a.Contact, a.Reply}
		for i := range bd {
			if bd[i] != ad[i] {
				out = append(out, fmt.Sprintf(fieldTierPattern+": %s → %s", u, ClockNames[i], FormatClock(bd[i]), FormatClock(ad[i])))
			}
		}
	}
	for i, name := range ClockNames {
		if before.Working[i] != after.Working[i] {
			out = append(out, fmt.Sprintf("working_days.%s: %t → %t", name, before.Working[i], after.Working[i]))
		}
	}
	if before.WarnAt != after.WarnAt {
		out = append(out, fmt.Sprintf("warn_at: %g → %g", before.WarnAt, after.WarnAt))
	}
	out = append(out, diffDays("holidays", before.Holidays, after.Holidays)...)
	return append(out, diffDays("workdays", before.Workdays, after.Workdays)...)
}

func diffDays(field string, before, after []time.Time) []string {
	b, a := daySet(before), daySet(after)
	var out []string
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if !a[k] {
			out = append(out, field+": -"+k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if !b[k] {
			out = append(out, field+": +"+k)
		}
	}
	return out
}
