package forecast

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/cityhotline/hotline/ticketing"
)

// The generated centre: a known shape that the tests expect the model to
// find again.
var (
	// genWeekly is the day factor of Monday to Sunday (workdays average 1).
	genWeekly = [7]float64{1.15, 1.05, 1.0, 0.95, 0.85, 0.6, 0.55}
	// genHoliday is a holiday's factor; it has the weekend shape.
	genHoliday = 0.45
	// genHeating is the heating-season uplift.
	genHeating = 1.3
	// genLevel is the daily calls of a factor-1 day on genDay0, growing by
	// genGrowth per day.
	genLevel, genGrowth = 3000.0, 0.0002
	genDay0             = time.Date(2024, 1, 1, 0, 0, 0, 0, ticketing.Beijing)
)

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, ticketing.Beijing)
}

// genCalendar has 2024–2026's National Day weeks and 2025's holidays, with
// their 调休 working days.
func genCalendar() *ticketing.Calendar {
	var hol []time.Time
	span := func(y int, m time.Month, d, n int) {
		for i := range n {
			hol = append(hol, date(y, m, d+i))
		}
	}
	span(2024, time.October, 1, 7)
	span(2025, time.January, 28, 8)
	span(2025, time.April, 4, 3)
	span(2025, time.May, 1, 5)
	span(2025, time.May, 31, 3)
	span(2025, time.October, 1, 8)
	span(2026, time.October, 1, 7)
	work := []time.Time{date(2024, 9, 29), date(2024, 10, 12), date(2025, 1, 26), date(2025, 2, 8),
		date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11), date(2026, 9, 20), date(2026, 10, 10)}
	return ticketing.NewCalendar(hol, work)
}

// shape is an intraday profile summing to 1: a morning and an afternoon
// peak (workdays), or a later, flatter day (weekends and holidays).
func shape(weekend bool) (p [SlotsPerDay]float64) {
	var sum float64
	for s := range p {
		h := float64(s)/2 + 0.25
		bump := func(at, width, height float64) float64 { return height * math.Exp(-(h-at)*(h-at)/(width*width)) }
		if weekend {
			p[s] = 0.05 + bump(11, 3, 1) + bump(16, 3, 0.5)
		} else {
			p[s] = 0.05 + bump(10, 2, 1) + bump(15, 2.5, 0.8) + bump(20, 2, 0.3)
		}
		sum += p[s]
	}
	for s := range p {
		p[s] /= sum
	}
	return p
}

// genMean is the expected calls per half hour from start for n slots.
func genMean(cal *ticketing.Calendar, start time.Time, n int) Series {
	work, rest := shape(false), shape(true)
	s := Series{Start: start, Counts: make([]float64, n)}
	for i := range s.Counts {
		t := s.At(i)
		d := midnight(t)
		typ := TypeOf(cal, d)
		f, p := 1.0, work
		switch {
		case typ == Holiday:
			f, p = genHoliday, rest
		case typ == AdjustedWorkday:
		default:
			f = genWeekly[typ]
			if typ >= Saturday {
				p = rest
			}
		}
		if Heating(d) {
			f *= genHeating
		}
		days := math.Round(d.Sub(genDay0).Hours() / 24)
		s.Counts[i] = genLevel * (1 + genGrowth*days) * f * p[slotOfDay(t)]
	}
	return s
}

// genNoisy draws Poisson counts around mean with a fixed seed.
func genNoisy(mean Series, seed uint64) Series {
	r := rand.New(rand.NewPCG(seed, 1))
	out := Series{Start: mean.Start, Counts: make([]float64, len(mean.Counts))}
	for i, l := range mean.Counts {
		out.Counts[i] = poisson(r, l)
	}
	return out
}

func poisson(r *rand.Rand, l float64) float64 {
	if l > 30 {
		return math.Max(0, math.Round(l+math.Sqrt(l)*r.NormFloat64()))
	}
	limit, k, p := math.Exp(-l), 0.0, r.Float64()
	for p > limit {
		k++
		p *= r.Float64()
	}
	return k
}

// slotsBetween is the number of half hours from a to b.
func slotsBetween(a, b time.Time) int { return int(b.Sub(a) / Slot) }
