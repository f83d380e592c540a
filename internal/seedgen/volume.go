package seedgen

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// Shape of the volume. A working day carries WorkdayFactor times the mean,
// a weekend or holiday RestdayFactor (5 × 1.08 + 2 × 0.80 = 7: the week
// keeps the mean).
const (
	WorkdayFactor = 1.08
	RestdayFactor = 0.80
)

// monthFactor is the season outside heating: quiet at the Spring Festival,
// busier in the summer (rain, heat, power, noise).
var monthFactor = [12]float64{1.0, 0.9, 0.95, 0.95, 1.0, 1.05, 1.1, 1.1, 1.0, 0.95, 1.0, 1.0}

// halfHours weighs the 48 half hours of a day: night low, 9–11 and 14–16
// the peaks.
var halfHours = func() []float64 {
	w := []float64{
		0.25, 0.2, 0.15, 0.12, 0.1, 0.1, 0.1, 0.1, 0.12, 0.15, 0.2, 0.3, // 00:00–05:30
		0.5, 0.8, 1.3, 1.9, 2.6, 3.0, 3.2, 3.3, 3.2, 3.0, 2.6, 2.0, // 06:00–11:30
		1.8, 2.2, 2.8, 3.0, 3.1, 3.1, 3.0, 2.8, 2.5, 2.2, 2.0, 1.9, // 12:00–17:30
		1.8, 1.7, 1.6, 1.5, 1.3, 1.1, 0.9, 0.7, 0.55, 0.45, 0.35, 0.3, // 18:00–23:30
	}
	cum := make([]float64, len(w))
	sum := 0.0
	for i, x := range w {
		sum += x
		cum[i] = sum
	}
	return cum
}()

// InHeatingSeason reports whether day lies in Beijing's heating season,
// 15 November to 15 March.
func InHeatingSeason(day time.Time) bool {
	_, m, d := day.In(ticketing.Beijing).Date()
	switch m {
	case time.December, time.January, time.February:
		return true
	case time.November:
		return d >= 15
	case time.March:
		return d <= 15
	}
	return false
}

// Temperature is the day's mean temperature in °C: Beijing's seasonal
// curve (−4 °C in mid January, 27 °C in mid July) plus a cold snap now and
// then, the same for every seed.
func Temperature(day time.Time) float64 {
	doy := float64(day.In(ticketing.Beijing).YearDay())
	t := 11.5 - 15.5*math.Cos(2*math.Pi*(doy-18)/365)
	rng := rand.New(rand.NewPCG(7, uint64(day.Unix()/86400/4))) // snaps last about four days
	if rng.IntN(5) == 0 {
		t -= 4 + 4*rng.Float64()
	}
	return t
}

// heatingShare is the fraction of requests about heating on day: a trickle
// outside the season, several-fold inside it, the more the colder.
func heatingShare(day time.Time) float64 {
	if !InHeatingSeason(day) {
		return 0.004
	}
	cold := math.Max(0, 12-Temperature(day)) / 16 // 0 on a mild day, ≈1 at −4 °C
	share := 0.03 + 0.07*cold
	if _, m, d := day.In(ticketing.Beijing).Date(); m == time.November && d < 22 {
		share += 0.04 // the first week: flats still cold, valves not yet open
	}
	return share
}

// dayMean is the expected number of requests on day.
func (g *Generator) dayMean(day time.Time) float64 {
	f := RestdayFactor
	if g.cfg.Calendar.Workday(day) {
		f = WorkdayFactor
	}
	if g.cfg.Calendar.Holiday(day) {
		f = 0.7
	}
	base := g.cfg.TicketsPerDay * f * monthFactor[day.In(ticketing.Beijing).Month()-1]
	return base * (1 - 0.004 + heatingShare(day))
}

// categoryWeight is a leaf's share of the non-heating requests, roughly
// after Beijing's published category ranking (market, housing, property,
// labour, health and traffic lead).
func categoryWeight(id hotline.CategoryID) float64 {
	if w, ok := categoryWeights[id]; ok {
		return w
	}
	return 1
}

var categoryWeights = map[hotline.CategoryID]float64{
	"property.service": 6, "property.fee": 2, "property.elevator": 2,
	"noise.construction": 4, "noise.living": 3, "noise.commercial": 2,
	"road.damage": 2, "road.signal": 1, "road.parking": 4, "road.highway": 0.5,
	"transit.bus": 2, "transit.subway": 1.5,
	"sanitation.garbage": 2, "sanitation.streetlight": 1.5, "sanitation.manhole": 0.5,
	"sanitation.greening": 1, "sanitation.stall": 2, "sorting": 1, "illegal_building": 2,
	"labour.wages": 4, "labour.insurance": 4, "labour.contract": 2,
	"health.service": 3, "health.insurance": 3, "health.public": 1.5,
	"education.kindergarten": 1, "education.enrolment": 2.5, "education.training": 1,
	"market.consumer": 8, "market.food": 2, "market.price": 2,
	"housing.quality": 2, "housing.rental": 3, "housing.affordable": 2,
	"ecology.air": 1, "ecology.water": 0.5, "elderly.care": 1, "elderly.allowance": 1.5,
	"welfare": 1, "fire": 1, "cabletv": 0.5, "police.residence": 3, "police.dogs": 0.5, "other": 3,
	"water.outage": 2, "water.quality": 0.5, "water.pressure": 0.8, "water.pipe": 0.7,
	"gas.outage": 0.5, "gas.leak": 0.2, "gas.service": 1, "power.outage": 1.5, "power.voltage": 0.3,
}

// heatingMix splits heating requests among the heating leaves.
func heatingMix(rng *rand.Rand, inSeason bool) string {
	x := rng.Float64()
	if !inSeason {
		if x < 0.7 {
			return "heating.fee"
		}
		return "heating.leak"
	}
	switch {
	case x < 0.62:
		return "heating.cold"
	case x < 0.77:
		return "heating.off"
	case x < 0.87:
		return "heating.leak"
	}
	return "heating.fee"
}

// logNormal draws a duration with the given median and spread (σ of ln).
func logNormal(rng *rand.Rand, median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(sigma*rng.NormFloat64()))
}
