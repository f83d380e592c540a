package ticketing

import (
	"maps"
	"slices"
	"time"
)

// SLA returns the service's deadline rules: the clocks of every urgency
// tier, which clocks count working days, the warning fraction and the
// working calendar. They come from the configuration; changing them takes
// a restart.
func (s *Service) SLA() SLAConfig {
	c := s.cfg.SLA
	c.Deadlines = maps.Clone(c.Deadlines)
	return c
}

// Holidays returns the calendar's public holidays (days off that are not
// ordinary weekends), sorted, as midnights in Beijing.
func (c *Calendar) Holidays() []time.Time { return c.days(c.holidays) }

// Workdays returns the weekend days that are worked (调休上班), sorted, as
// midnights in Beijing.
func (c *Calendar) Workdays() []time.Time { return c.days(c.workdays) }

func (c *Calendar) days(set map[string]bool) []time.Time {
	if c == nil {
		return nil
	}
	out := make([]time.Time, 0, len(set))
	for _, k := range slices.Sorted(maps.Keys(set)) {
		d, err := time.ParseInLocation("2006-01-02", k, Beijing)
		if err == nil {
			out = append(out, d)
		}
	}
	return out
}
