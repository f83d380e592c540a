package ticketing

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/cityhotline/hotline"
)

// SLAStore keeps the admin's deadline rules and calendar across restarts
// (both stores do, in their settings table).
type SLAStore interface {
	// FindSLASettings returns the stored settings, or nil when none were
	// ever saved.
	FindSLASettings(ctx context.Context) (*SLASettings, error)
	SaveSLASettings(ctx context.Context, s *SLASettings) error
	// RescheduleChecks makes every ticket's SLA check that is due after
	// at due at at, and returns how many it moved: the sweep then looks
	// at them all again under rules that changed.
	RescheduleChecks(ctx context.Context, at time.Time) (int64, error)
}

// sla returns the deadline rules in force. The pointer is replaced, never
// changed, when the admin edits them: a caller keeps one consistent set.
func (s *Service) sla() *SLAConfig { return s.rules.Load() }

// SLA returns the service's deadline rules: the clocks of every urgency
// tier, which clocks count working days, the warning fraction and the
// working calendar (shared: its days change in place on an edit).
func (s *Service) SLA() SLAConfig {
	c := *s.sla()
	c.Deadlines = maps.Clone(c.Deadlines)
	return c
}

// SLASettings returns the rules in force with the calendar's days and the
// audit of their edits.
func (s *Service) SLASettings() SLASettings {
	s.slaMu.Lock()
	defer s.slaMu.Unlock()
	return s.settingsLocked()
}

// UpdateSLA replaces the deadline rules and the calendar's days with in
// (its audit fields are ignored), after checking them, and stores them with
// the change in the audit; nothing changes when they are not valid or
// cannot be stored. Admin only. New rules apply to clocks started after
// the change: deadlines already running keep theirs (they are stored on
// each order); the lights of running clocks follow the new warning
// fraction and calendar from the next sweep (every pending check is
// brought forward to the change).
func (s *Service) UpdateSLA(ctx context.Context, a hotline.Actor, in SLASettings) (SLASettings, error) {
	if err := adminOnly(a, "the deadline rules"); err != nil {
		return SLASettings{}, err
	}
	if err := in.Validate(); err != nil {
		return SLASettings{}, err
	}
	if s.slaStore == nil {
		return SLASettings{}, fmt.Errorf("save the deadline rules: the store keeps no settings")
	}
	s.slaMu.Lock()
	defer s.slaMu.Unlock()
	before := s.settingsLocked()
	changes := diffSLA(before, in)
	if len(changes) == 0 {
		return before, nil
	}
	now := s.now()
	next := SLASettings{Deadlines: maps.Clone(in.Deadlines), Working: in.Working, WarnAt: in.WarnAt,
		Holidays: sortedDays(in.Holidays), Workdays: sortedDays(in.Workdays), Updated: now, By: a.UserID, ByName: a.Name}
	next.History = append([]SLAChange{{At: now, By: a.UserID, ByName: a.Name, Changes: changes}}, before.History...)
	if len(next.History) > maxSLAHistory {
		next.History = next.History[:maxSLAHistory]
	}
	if err := s.slaStore.SaveSLASettings(ctx, &next); err != nil {
		return SLASettings{}, fmt.Errorf("save the deadline rules: %w", err)
	}
	s.applySLALocked(next)
	s.log.Info("deadline rules changed", "actor", a.UserID, "changes", changes)
	// The lights of running clocks follow the new warning threshold,
	// working-day switches and calendar: every pending check is brought
	// forward, and the sweep re-evaluates them under the new rules (their
	// deadlines stay; only when each turns yellow or red is recomputed).
	if n, err := s.slaStore.RescheduleChecks(ctx, now); err != nil {
		s.log.Error("deadline rules changed: the running clocks' checks were not brought forward; they follow the new rules at their next check",
			"err", err)
	} else if n > 0 {
		s.log.Info("deadline rules changed: running clocks to re-check", "tickets", n)
	}
	return next, nil
}

// LoadSLA applies the stored deadline rules and calendar, if any, over the
// configuration's; it reports whether there were any. Stored rules that no
// longer pass Validate are not applied (the error says why).
func (s *Service) LoadSLA(ctx context.Context) (bool, error) {
	if s.slaStore == nil {
		return false, nil
	}
	st, err := s.slaStore.FindSLASettings(ctx)
	if err != nil {
		return false, fmt.Errorf("load the deadline rules: %w", err)
	}
	if st == nil {
		return false, nil
	}
	if err := st.Validate(); err != nil {
		return false, fmt.Errorf("the stored deadline rules (changed %s by %s) are not valid, the configuration's stay in force: %w",
			st.Updated.Format(time.RFC3339), st.By, err)
	}
	s.slaMu.Lock()
	defer s.slaMu.Unlock()
	cal := s.sla().Calendar
	var years []int
	st.Holidays, st.Workdays, years = withShippedYears(st.Holidays, st.Workdays, cal.Holidays(), cal.Workdays())
	if len(years) > 0 {
		s.log.Info("deadline rules: the shipped calendar's days are kept for the years the stored calendar has none of",
			"years", years)
	}
	s.applySLALocked(*st)
	return true, nil
}

// withShippedYears adds to the stored calendar's days the shipped ones
// (the configuration's calendar) of every year the stored days do not
// touch: an admin who edited 2026 on the page still gets the holidays of
// 2027 that a later release ships. A year the admin edited is the admin's
// alone. It returns the days and the years taken from the shipped
// calendar.
func withShippedYears(holidays, workdays, shippedH, shippedW []time.Time) (h, w []time.Time, years []int) {
	edited := map[int]bool{}
	for _, d := range slices.Concat(holidays, workdays) {
		edited[d.In(Beijing).Year()] = true
	}
	added := map[int]bool{}
	h, w = slices.Clone(holidays), slices.Clone(workdays)
	for _, src := range []struct {
		days []time.Time
		dst  *[]time.Time
	}{{shippedH, &h}, {shippedW, &w}} {
		for _, d := range src.days {
			if y := d.In(Beijing).Year(); !edited[y] {
				*src.dst = append(*src.dst, d)
				added[y] = true
			}
		}
	}
	return h, w, slices.Sorted(maps.Keys(added))
}

// settingsLocked is SLASettings with s.slaMu held. Its History may be
// shared: history slices are never changed, only replaced.
func (s *Service) settingsLocked() SLASettings {
	c := s.SLA()
	out := s.slaAudit
	out.Deadlines, out.Working, out.WarnAt = c.Deadlines, c.Working, c.WarnAt
	out.Holidays, out.Workdays = c.Calendar.Holidays(), c.Calendar.Workdays()
	return out
}

// applySLALocked puts st in force: the calendar's days in place (the IVR,
// the callbacks and the forecasts share it), then the rules.
func (s *Service) applySLALocked(st SLASettings) {
	cur := s.sla()
	cur.Calendar.Replace(st.Holidays, st.Workdays)
	s.rules.Store(&SLAConfig{Deadlines: maps.Clone(st.Deadlines), Working: st.Working, WarnAt: st.WarnAt, Calendar: cur.Calendar})
	s.slaAudit = SLASettings{Updated: st.Updated, By: st.By, ByName: st.ByName, History: st.History}
}

func sortedDays(days []time.Time) []time.Time {
	out := make([]time.Time, 0, len(days))
	for _, k := range slices.Sorted(maps.Keys(daySet(days))) {
		d, _ := time.ParseInLocation("2006-01-02", k, Beijing)
		out = append(out, d)
	}
	return out
}

// Holidays returns the calendar's public holidays (days off that are not
// ordinary weekends), sorted, as midnights in Beijing.
func (c *Calendar) Holidays() []time.Time {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return calendarDays(c.holidays)
}

// Workdays returns the weekend days that are worked (调休上班), sorted, as
// midnights in Beijing.
func (c *Calendar) Workdays() []time.Time {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return calendarDays(c.workdays)
}

func calendarDays(set map[string]bool) []time.Time {
	out := make([]time.Time, 0, len(set))
	for _, k := range slices.Sorted(maps.Keys(set)) {
		d, err := time.ParseInLocation("2006-01-02", k, Beijing)
		if err == nil {
			out = append(out, d)
		}
	}
	return out
}
