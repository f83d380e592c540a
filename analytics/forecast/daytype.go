package forecast

import (
	"fmt"
	"time"

	"github.com/cityhotline/hotline/ticketing"
)

// DayType is what a day's calls are like: its weekday, a public holiday, or
// a weekend day worked under the 调休 rules.
type DayType int

// The day types. A holiday on a weekday and on a weekend are both Holiday.
const (
	Monday DayType = iota
	Tuesday
	Wednesday
	Thursday
	Friday
	Saturday
	Sunday
	Holiday
	AdjustedWorkday
	numDayTypes
)

var dayTypeNames = [numDayTypes]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday", "adjusted_workday"}

func (d DayType) String() string {
	if d < 0 || d >= numDayTypes {
		return fmt.Sprintf("DayType(%d)", int(d))
	}
	return dayTypeNames[d]
}

// ParseDayType parses a day type's name.
func ParseDayType(s string) (DayType, error) {
	for i, n := range dayTypeNames {
		if n == s {
			return DayType(i), nil
		}
	}
	return 0, invalid("day_type", fmt.Sprintf("unknown day type %q", s))
}

// DayTypes lists every day type.
func DayTypes() []DayType {
	out := make([]DayType, numDayTypes)
	for i := range out {
		out[i] = DayType(i)
	}
	return out
}

// workday reports whether d is Monday to Friday.
func (d DayType) workday() bool { return d <= Friday }

// weekdayType maps time.Weekday (Sunday first) to Monday-first day types.
func weekdayType(wd time.Weekday) DayType { return DayType((int(wd) + 6) % 7) }

// noCalendar is the calendar of weekends only.
var noCalendar = ticketing.NewCalendar(nil, nil)

// TypeOf is the type of day's Beijing day under cal (nil: weekends only).
func TypeOf(cal *ticketing.Calendar, day time.Time) DayType {
	if cal == nil {
		cal = noCalendar
	}
	wd := day.In(ticketing.Beijing).Weekday()
	weekend := wd == time.Saturday || wd == time.Sunday
	switch {
	case cal.Holiday(day), !weekend && !cal.Workday(day):
		return Holiday
	case weekend && cal.Workday(day):
		return AdjustedWorkday
	}
	return weekdayType(wd)
}
