package ticketing

import (
	"time"
)

// Beijing is the time zone of days: ticket numbers, holidays, reports.
var Beijing = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		// No tzdata on the machine: China has kept UTC+8 without DST since 1991.
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// Calendar knows which days are working days: Monday to Friday, less public
// holidays, plus the weekend days that China's adjusted-working-day (调休)
// rules turn into working days.
type Calendar struct {
	holidays map[string]bool
	workdays map[string]bool
}

// NewCalendar builds a calendar from holiday dates and adjusted working days.
func NewCalendar(holidays, workdays []time.Time) *Calendar {
	c := &Calendar{holidays: map[string]bool{}, workdays: map[string]bool{}}
	for _, d := range holidays {
		c.holidays[dayKey(d)] = true
	}
	for _, d := range workdays {
		c.workdays[dayKey(d)] = true
	}
	return c
}

func dayKey(t time.Time) string { return t.In(Beijing).Format("2006-01-02") }

// Workday reports whether t falls on a working day.
func (c *Calendar) Workday(t time.Time) bool {
	k := dayKey(t)
	if c.workdays[k] {
		return true
	}
	if c.holidays[k] {
		return false
	}
	wd := t.In(Beijing).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// maxCalendarDays bounds the walks below, so a calendar without working
// days cannot loop forever.
const maxCalendarDays = 3660

func nextMidnight(t time.Time) time.Time {
	y, m, d := t.In(Beijing).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, Beijing)
}

// Add returns the instant when d of working-day time has passed since start:
// time on non-working days does not count. With working false it is start+d.
func (c *Calendar) Add(start time.Time, d time.Duration, working bool) time.Time {
	if !working || c == nil {
		return start.Add(d)
	}
	cur := start
	for range maxCalendarDays {
		end := nextMidnight(cur)
		if c.Workday(cur) {
			if avail := end.Sub(cur); d <= avail {
				return cur.Add(d)
			} else {
				d -= avail
			}
		}
		cur = end
	}
	return cur.Add(d)
}

// Between returns the working-day time from a to b (zero when b is not
// after a). With working false it is b-a.
func (c *Calendar) Between(a, b time.Time, working bool) time.Duration {
	if !b.After(a) {
		return 0
	}
	if !working || c == nil {
		return b.Sub(a)
	}
	var total time.Duration
	cur := a
	for range maxCalendarDays {
		if !cur.Before(b) {
			break
		}
		end := nextMidnight(cur)
		if end.After(b) {
			end = b
		}
		if c.Workday(cur) {
			total += end.Sub(cur)
		}
		cur = end
	}
	return total
}

// Holiday reports whether t falls on a public holiday (a day off that is
// not an ordinary weekend).
func (c *Calendar) Holiday(t time.Time) bool {
	k := dayKey(t)
	return c.holidays[k] && !c.workdays[k]
}
