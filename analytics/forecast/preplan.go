package forecast

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/cityhotline/hotline/ticketing"
)

// Season is a recurring stretch of months and the months to prepare in.
type Season struct {
	Name   string
	Months []time.Month // consecutive, possibly across the new year
	Act    []time.Month // when to act beforehand (未诉先办)
}

// The seasons looked for by default: Beijing's heating season and summer
// (rainstorms, air conditioning, water and power).
var (
	Winter = Season{Name: "winter", Months: []time.Month{time.November, time.December, time.January, time.February, time.March},
		Act: []time.Month{time.August, time.September, time.October}}
	Summer = Season{Name: "summer", Months: []time.Month{time.June, time.July, time.August},
		Act: []time.Month{time.March, time.April, time.May}}
)

// MonthlyCounts is a count per month and category from the month of Start
// (Beijing time); every category has the same number of months.
type MonthlyCounts struct {
	Start  time.Time
	Counts map[string][]int
}

// PrePlanConfig says what counts as a clear seasonal rise.
type PrePlanConfig struct {
	Seasons   []Season // default Winter and Summer
	MinFactor float64  // every year's factor at least this; default 1.5
	MinCount  int      // the category's tickets in its seasons at least this; default 20
}

// SeasonYear is one year's evidence: the tickets in the season's months
// and in the other months of the twelve ending with the season.
type SeasonYear struct {
	Year   int     `json:"year"` // the year the season starts in
	Season int     `json:"season"`
	Rest   int     `json:"rest"`
	Factor float64 `json:"factor"` // monthly mean in the season ÷ in the rest (a rest mean under 0.5 counts as 0.5)
}

// PrePlan is a category whose tickets rise every year in a season.
type PrePlan struct {
	Category string
	Season   string
	Act      []time.Month
	Factor   float64 // pooled over the years: season monthly mean ÷ rest monthly mean
	Years    []SeasonYear
}

// FindPrePlans lists the categories whose monthly tickets rise in a season
// by at least MinFactor in every complete year mc covers (at least one),
// highest factor first.
func FindPrePlans(mc MonthlyCounts, cfg PrePlanConfig) []PrePlan {
	if len(cfg.Seasons) == 0 {
		cfg.Seasons = []Season{Winter, Summer}
	}
	if cfg.MinFactor <= 0 {
		cfg.MinFactor = 1.5
	}
	if cfg.MinCount <= 0 {
		cfg.MinCount = 20
	}
	var out []PrePlan
	for cat, counts := range mc.Counts {
		for _, season := range cfg.Seasons {
			if p, ok := seasonPlan(mc.Start, counts, season, cfg); ok {
				p.Category = cat
				out = append(out, p)
			}
		}
	}
	slices.SortFunc(out, func(a, b PrePlan) int {
		return cmp.Or(cmp.Compare(b.Factor, a.Factor), cmp.Compare(a.Category, b.Category), cmp.Compare(a.Season, b.Season))
	})
	return out
}

// seasonPlan scores one category in one season: each window of the twelve
// months ending with the season's last month that counts covers is a year.
func seasonPlan(start time.Time, counts []int, season Season, cfg PrePlanConfig) (PrePlan, bool) {
	y0, m0, _ := start.In(ticketing.Beijing).Date()
	last := season.Months[len(season.Months)-1]
	p := PrePlan{Season: season.Name, Act: season.Act}
	var inSum, restSum, inMonths, restMonths int
	for end := 11; end < len(counts); end++ {
		if time.Month((int(m0)-1+end)%12+1) != last {
			continue
		}
		var y SeasonYear
		for i := end - 11; i <= end; i++ {
			if slices.Contains(season.Months, time.Month((int(m0)-1+i)%12+1)) {
				y.Season += counts[i]
			} else {
				y.Rest += counts[i]
			}
		}
		firstMonth := end - len(season.Months) + 1
		y.Year = y0 + (int(m0)-1+firstMonth)/12
		y.Factor = ratio(y.Season, len(season.Months), y.Rest, 12-len(season.Months))
		p.Years = append(p.Years, y)
		inSum, restSum = inSum+y.Season, restSum+y.Rest
		inMonths, restMonths = inMonths+len(season.Months), restMonths+12-len(season.Months)
	}
	if len(p.Years) == 0 || inSum < cfg.MinCount {
		return p, false
	}
	for _, y := range p.Years {
		if y.Factor < cfg.MinFactor {
			return p, false
		}
	}
	p.Factor = ratio(inSum, inMonths, restSum, restMonths)
	return p, true
}

// ratio is the monthly mean of in over that of rest, rounded to 3
// decimals; a rest mean under 0.5 counts as 0.5.
func ratio(in, inMonths, rest, restMonths int) float64 {
	r := float64(in) / float64(inMonths) / math.Max(float64(rest)/float64(restMonths), 0.5)
	return math.Round(r*1000) / 1000
}
