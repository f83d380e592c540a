// Package forecast predicts the hotline's inbound calls per half hour and
// the agents needed to answer them.
//
// The model is a multiplicative decomposition that a supervisor can check
// by hand:
//
//	calls(day, slot) = level(day) × day factor(type) × season(day) × slot share(type, slot)
//
// where a day's type is its weekday, or "holiday" for a public holiday, or
// "adjusted working day" for a weekend day that China's 调休 rules make a
// working day (ticketing.Calendar says which); the day factors and the
// intraday shares are robust (trimmed) averages over the last weeks; the
// level is a straight line through the last weeks' medians; and the season
// factor is the uplift of Beijing's heating season (15 Nov – 15 Mar), learnt
// from the history around its start and end when the history covers them.
//
// The package also has the seasonal-naive baseline (the same slot a week
// earlier), a backtest of both, Erlang C staffing and the seasonal
// pre-plans (未诉先办) mined from monthly ticket counts. It does no I/O and
// reads no clock: callers pass series and times.
package forecast

import (
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// The series step.
const (
	Slot         = 30 * time.Minute
	SlotsPerDay  = 48
	SlotsPerWeek = 7 * SlotsPerDay
)

// Series is a count per half hour from Start, a half-hour boundary.
type Series struct {
	Start  time.Time
	Counts []float64
}

// End is the instant just after the last slot.
func (s Series) End() time.Time { return s.Start.Add(time.Duration(len(s.Counts)) * Slot) }

// At is the start of slot i.
func (s Series) At(i int) time.Time { return s.Start.Add(time.Duration(i) * Slot) }

// aligned reports whether t is a half-hour boundary.
func aligned(t time.Time) bool { return t.Equal(t.Truncate(Slot)) }

// FromInts is a series of the counts from start.
func FromInts(start time.Time, counts []int) Series {
	out := Series{Start: start, Counts: make([]float64, len(counts))}
	for i, c := range counts {
		out.Counts[i] = float64(c)
	}
	return out
}

// Bin counts the times that fall in [from, to) per half hour; from is
// rounded down and to up to a half-hour boundary.
func Bin(times []time.Time, from, to time.Time) Series {
	from, to = from.Truncate(Slot), to.Add(Slot-1).Truncate(Slot)
	n := max(int(to.Sub(from)/Slot), 0)
	s := Series{Start: from, Counts: make([]float64, n)}
	for _, t := range times {
		if t.Before(from) || !t.Before(to) {
			continue
		}
		s.Counts[int(t.Sub(from)/Slot)]++
	}
	return s
}

// midnight is the start of t's day in Beijing.
func midnight(t time.Time) time.Time {
	y, m, d := t.In(ticketing.Beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, ticketing.Beijing)
}

// nextMidnight is the first Beijing midnight at or after t.
func nextMidnight(t time.Time) time.Time {
	m := midnight(t)
	if m.Before(t) {
		m = m.AddDate(0, 0, 1)
	}
	return m
}

// slotOfDay is the index of t's half hour in its Beijing day (0-47).
func slotOfDay(t time.Time) int {
	b := t.In(ticketing.Beijing)
	return b.Hour()*2 + b.Minute()/30
}

// Heating reports whether t's Beijing day is in the heating season, 15
// November to 15 March inclusive.
func Heating(t time.Time) bool {
	_, m, d := t.In(ticketing.Beijing).Date()
	switch m {
	case time.November:
		return d >= 15
	case time.December, time.January, time.February:
		return true
	case time.March:
		return d <= 15
	}
	return false
}

// invalid is an EINVALID error naming the field at fault.
func invalid(field, problem string) error {
	return hotline.Errorf(hotline.EINVALID, "%s: %s", field, problem).WithField(field, problem)
}
