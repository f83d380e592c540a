package ticketing

import (
	"sync"
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
//
// One *Calendar is shared by the SLA clocks, the IVR's holiday branch, the
// callback scheduler's calling window and the forecasts; Replace changes
// its days in place, so every holder sees an admin's edit at once. It is
// safe for concurrent use.
type Calendar struct {
	mu       sync.RWMutex
	holidays map[string]bool
	workdays map[string]bool
}

// NewCalendar builds a calendar from holiday dates and adjusted working days.
func NewCalendar(holidays, workdays []time.Time) *Calendar {
	c := &Calendar{}
	c.holidays, c.workdays = daySet(holidays), daySet(workdays)
	return c
}

// Replace swaps the calendar's holidays and adjusted working days for new
// ones; readers see either the old days or the new ones, never a mix.
func (c *Calendar) Replace(holidays, workdays []time.Time) {
	h, w := daySet(holidays), daySet(workdays)
	c.mu.Lock()
	c.holidays, c.workdays = h, w
	c.mu.Unlock()
}

func daySet(days []time.Time) map[string]bool {
	set := make(map[string]bool, len(days))
	for _, d := range days {
		set[dayKey(d)] = true
	}
	return set
}

func dayKey(t time.Time) string { return t.In(Beijing).Format("2006-01-02") }

// Workday reports whether t falls on a working day.
func (c *Calendar) Workday(t time.Time) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.workday(t)
}

// workday is Workday with c.mu held for reading.
func (c *Calendar) workday(t time.Time) bool {
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
	c.mu.RLock()
	defer c.mu.RUnlock()
	cur := start
	for range maxCalendarDays {
		end := nextMidnight(cur)
		if c.workday(cur) {
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
	c.mu.RLock()
	defer c.mu.RUnlock()
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
		if c.workday(cur) {
			total += end.Sub(cur)
		}
		cur = end
	}
	return total
}

// Holiday reports whether t falls on a public holiday (a day off that is
// not an ordinary weekend).
func (c *Calendar) Holiday(t time.Time) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	k := dayKey(t)
	return c.holidays[k] && !c.workdays[k]
}
