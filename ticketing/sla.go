package ticketing

import (
	"time"
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
