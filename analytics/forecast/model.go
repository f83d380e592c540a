package forecast

import (
	"math"
	"slices"
	"time"

	"github.com/cityhotline/hotline/ticketing"
)

// Config tunes the model. Zero fields take the defaults.
type Config struct {
	Calendar    *ticketing.Calendar // public holidays and 调休 working days; nil: weekends only
	ProfileDays int                 // past days of each type averaged for its factor and shares; default 8
	HolidayDays int                 // past holidays averaged; default 16
	MinDays     int                 // with fewer past days a holiday borrows Sunday's figures and an adjusted working day the workdays'; default 3
	LevelWeeks  int                 // weeks the level line is fitted on; default 8
	SeasonDays  int                 // days either side of a heating-season boundary compared; default 28
}

func (c Config) withDefaults() Config {
	if c.Calendar == nil {
		c.Calendar = noCalendar
	}
	def := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	def(&c.ProfileDays, 8)
	def(&c.HolidayDays, 16)
	def(&c.MinDays, 3)
	def(&c.LevelWeeks, 8)
	def(&c.SeasonDays, 28)
	return c
}

// MinHistoryDays is the shortest history Fit accepts, in full days.
const MinHistoryDays = 14

// Model is a fitted forecast: every figure is exported so that it can be
// shown and checked by hand.
type Model struct {
	cfg Config
	// End is the Beijing midnight after the last full day of history; day
	// offsets count from it (the first day forecast is offset 0).
	End time.Time
	// Level is the out-of-season daily calls of a day with factor 1 at
	// offset 0; Trend is its change per day.
	Level, Trend float64
	// DayFactors scale the level per day type (Monday to Friday average
	// about 1); Shares are each type's fractions of the day per half hour.
	DayFactors [numDayTypes]float64
	Shares     [numDayTypes][SlotsPerDay]float64
	// Samples is how many past days each type's figures average; 0 means
	// the type borrowed another's (holiday: Sunday; adjusted: workdays).
	Samples [numDayTypes]int
	// HeatingFactor multiplies days in the heating season; it is learnt
	// from HeatingBoundaries season starts and ends (0: not learnt, 1).
	HeatingFactor     float64
	HeatingBoundaries int
}

// day is one full Beijing day of history.
type day struct {
	date    time.Time
	typ     DayType
	heating bool
	counts  []float64
	total   float64
}

// days cuts s into its full Beijing days.
func days(s Series, cal *ticketing.Calendar) ([]day, error) {
	if !aligned(s.Start) {
		return nil, invalid("start", "the series must start on a half-hour boundary")
	}
	first := nextMidnight(s.Start)
	var out []day
	for i := int(first.Sub(s.Start) / Slot); i+SlotsPerDay <= len(s.Counts); i += SlotsPerDay {
		d := day{date: s.At(i), counts: s.Counts[i : i+SlotsPerDay]}
		d.typ, d.heating = TypeOf(cal, d.date), Heating(d.date)
		for _, c := range d.counts {
			d.total += c
		}
		out = append(out, d)
	}
	if len(out) < MinHistoryDays {
		return nil, invalid("history", "at least 14 full days of history are needed")
	}
	return out, nil
}

// Fit estimates the model from the full days of s.
func Fit(s Series, cfg Config) (*Model, error) {
	cfg = cfg.withDefaults()
	h, err := days(s, cfg.Calendar)
	if err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, End: h[len(h)-1].date.AddDate(0, 0, 1), HeatingFactor: 1}
	m.fitDayFactors(h) // first without the season, to compare the sides of its boundaries
	m.fitHeating(h)
	m.fitDayFactors(h)
	m.fitShares(h)
	m.fitLevel(h)
	return m, nil
}

// season is the season factor of a day in (or out of) the heating season.
func (m *Model) season(heating bool) float64 {
	if heating {
		return m.HeatingFactor
	}
	return 1
}

// fitDayFactors sets each type's factor: the trimmed mean, over its last
// days, of the day's calls over the mean of the Monday-to-Friday days
// within a week either side (both without the season factor).
func (m *Model) fitDayFactors(h []day) {
	adj := make([]float64, len(h))
	for i, d := range h {
		adj[i] = d.total / m.season(d.heating)
	}
	ratios := make([][]float64, numDayTypes)
	for i := len(h) - 1; i >= 0; i-- {
		t := h[i].typ
		if len(ratios[t]) >= m.limit(t) {
			continue
		}
		if base := workdayMean(h, adj, i); base > 0 {
			ratios[t] = append(ratios[t], adj[i]/base)
		}
	}
	for t := range numDayTypes {
		m.DayFactors[t] = 1
		if len(ratios[t]) > 0 {
			m.DayFactors[t] = trimmedMean(ratios[t])
		}
	}
	// Too few days of their own: a holiday is like a Sunday, an adjusted
	// working day like the average workday.
	if len(ratios[Holiday]) < m.cfg.MinDays {
		m.DayFactors[Holiday] = m.DayFactors[Sunday]
	}
	if len(ratios[AdjustedWorkday]) < m.cfg.MinDays {
		m.DayFactors[AdjustedWorkday], _ = m.workdayAverage()
	}
}

// limit is how many past days of type t are averaged.
func (m *Model) limit(t DayType) int {
	if t == Holiday {
		return m.cfg.HolidayDays
	}
	return m.cfg.ProfileDays
}

// workdayAverage is the mean of Monday to Friday's factors and shares.
func (m *Model) workdayAverage() (f float64, shares [SlotsPerDay]float64) {
	for t := Monday; t <= Friday; t++ {
		f += m.DayFactors[t] / 5
		for j := range shares {
			shares[j] += m.Shares[t][j] / 5
		}
	}
	return f, shares
}

// workdayMean is the mean of adj over the Monday-to-Friday days within 7
// days of day i, other than i; 0 when there are none.
func workdayMean(h []day, adj []float64, i int) float64 {
	var sum float64
	var n int
	for j := max(i-7, 0); j <= min(i+7, len(h)-1); j++ {
		if j != i && h[j].typ.workday() {
			sum += adj[j]
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// fitHeating compares, at every heating-season start (15 Nov) and end (16
// Mar) the history covers with SeasonDays either side, the mean calls per
// day-type factor inside the season with those outside; the factor is
// the geometric mean of those ratios. A start and an end cancel a trend.
func (m *Model) fitHeating(h []day) {
	first, last := h[0].date, h[len(h)-1].date
	var logs []float64
	for y := first.Year() - 1; y <= last.Year(); y++ {
		for _, b := range []time.Time{
			time.Date(y, time.November, 15, 0, 0, 0, 0, ticketing.Beijing),
			time.Date(y, time.March, 16, 0, 0, 0, 0, ticketing.Beijing),
		} {
			if r, ok := m.boundaryRatio(h, b); ok {
				logs = append(logs, math.Log(r))
			}
		}
	}
	if len(logs) == 0 {
		return
	}
	var sum float64
	for _, l := range logs {
		sum += l
	}
	m.HeatingFactor, m.HeatingBoundaries = math.Exp(sum/float64(len(logs))), len(logs)
}

// boundaryRatio is the in-season over out-of-season mean of calls per
// factor in the SeasonDays either side of b, if h covers them.
func (m *Model) boundaryRatio(h []day, b time.Time) (float64, bool) {
	w := m.cfg.SeasonDays
	i := int(math.Round(b.Sub(h[0].date).Hours() / 24))
	if i-w < 0 || i+w > len(h) {
		return 0, false
	}
	var in, out float64
	for j := i - w; j < i+w; j++ {
		f := m.DayFactors[h[j].typ]
		if f <= 0 { // a type without calls says nothing about the level
			continue
		}
		v := h[j].total / f
		if h[j].heating {
			in += v
		} else {
			out += v
		}
	}
	if in <= 0 || out <= 0 {
		return 0, false
	}
	return in / out, true
}

// fitShares sets each type's intraday shape: the trimmed mean per half
// hour of its last days' fractions, scaled to sum to 1.
func (m *Model) fitShares(h []day) {
	var n [numDayTypes]int
	var frac [numDayTypes][SlotsPerDay][]float64
	for i := len(h) - 1; i >= 0; i-- {
		t := h[i].typ
		if n[t] >= m.limit(t) || h[i].total <= 0 {
			continue
		}
		n[t]++
		for j, c := range h[i].counts {
			frac[t][j] = append(frac[t][j], c/h[i].total)
		}
	}
	for t := range numDayTypes {
		m.Samples[t] = n[t]
		if n[t] == 0 {
			m.Shares[t] = flat()
			continue
		}
		var sum float64
		for j := range SlotsPerDay {
			m.Shares[t][j] = trimmedMean(frac[t][j])
			sum += m.Shares[t][j]
		}
		for j := range SlotsPerDay {
			m.Shares[t][j] /= sum
		}
	}
	if n[Holiday] < m.cfg.MinDays {
		m.Shares[Holiday], m.Samples[Holiday] = m.Shares[Sunday], 0
	}
	if n[AdjustedWorkday] < m.cfg.MinDays {
		_, m.Shares[AdjustedWorkday] = m.workdayAverage()
		m.Samples[AdjustedWorkday] = 0
	}
}

func flat() (s [SlotsPerDay]float64) {
	for j := range s {
		s[j] = 1.0 / SlotsPerDay
	}
	return s
}

// fitLevel fits a straight line through the weekly medians of the last
// LevelWeeks weeks' calls per factor (without the season); with fewer
// than 4 weeks the level is their mean and there is no trend.
func (m *Model) fitLevel(h []day) {
	var xs, ys []float64
	for k := 0; k < m.cfg.LevelWeeks && 7*(k+1) <= len(h); k++ {
		week := make([]float64, 0, 7)
		for i := len(h) - 7*(k+1); i < len(h)-7*k; i++ {
			if f := m.DayFactors[h[i].typ] * m.season(h[i].heating); f > 0 {
				week = append(week, h[i].total/f)
			}
		}
		if len(week) > 0 {
			xs = append(xs, float64(-7*k-4))
			ys = append(ys, median(week))
		}
	}
	m.Level, m.Trend = line(xs, ys)
	if len(xs) < 4 {
		m.Level, m.Trend = mean(ys), 0
	}
}

// Predict is the expected calls in the half hour that starts at t.
func (m *Model) Predict(t time.Time) float64 {
	d := midnight(t)
	off := math.Round(d.Sub(m.End).Hours() / 24)
	typ := TypeOf(m.cfg.Calendar, d)
	level := max(m.Level+m.Trend*off, 0)
	return level * m.DayFactors[typ] * m.season(Heating(d)) * m.Shares[typ][slotOfDay(t)]
}

// Forecast predicts n half hours from from (rounded down to a half hour).
func (m *Model) Forecast(from time.Time, n int) Series {
	s := Series{Start: from.Truncate(Slot), Counts: make([]float64, max(n, 0))}
	for i := range s.Counts {
		s.Counts[i] = m.Predict(s.At(i))
	}
	return s
}

// line is the least-squares line through (xs, ys): its value at x = 0 and
// its slope.
func line(xs, ys []float64) (at0, slope float64) {
	mx, my := mean(xs), mean(ys)
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	if sxx == 0 {
		return my, 0
	}
	slope = sxy / sxx
	return my - slope*mx, slope
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// trimmedMean is the mean of xs without its lowest and highest fifth.
func trimmedMean(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	k := len(s) / 5
	return mean(s[k : len(s)-k])
}
