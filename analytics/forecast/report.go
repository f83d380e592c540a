package forecast

import (
	"math"
	"time"

	"github.com/cityhotline/hotline/ticketing"
)

// Report is a plan as JSON: the shape of `hotlinectl forecast` and of
// GET /api/v1/forecast. Times are RFC 3339 in Beijing time.
type Report struct {
	From     string          `json:"from"`
	Days     int             `json:"days"`
	Standard StandardReport  `json:"standard"`
	Model    ModelReport     `json:"model"`
	Backtest *BacktestReport `json:"backtest"`
	Daily    []DayReport     `json:"daily"`
	Slots    []SlotReport    `json:"slots"`
	LastWeek []float64       `json:"last_week"` // actual calls per half hour of the 7 days before from
}

// StandardReport is the service standard staffed to.
type StandardReport struct {
	AHTSeconds    float64 `json:"aht_seconds"`
	Target        float64 `json:"target"`
	WithinSeconds float64 `json:"within_seconds"`
	Shrinkage     float64 `json:"shrinkage"`
}

// ModelReport is the fitted model's figures.
type ModelReport struct {
	Level             float64            `json:"level"`
	TrendPerDay       float64            `json:"trend_per_day"`
	DayFactors        map[string]float64 `json:"day_factors"`
	Samples           map[string]int     `json:"samples"`
	HeatingFactor     float64            `json:"heating_factor"`
	HeatingBoundaries int                `json:"heating_boundaries"`
}

// AccuracyReport is one Accuracy.
type AccuracyReport struct {
	MAPE  float64 `json:"mape"`
	WAPE  float64 `json:"wape"`
	Slots int     `json:"mape_slots"`
}

// BacktestReport is a Backtest.
type BacktestReport struct {
	Metric string               `json:"metric"`
	Model  AccuracyReport       `json:"model"`
	Naive  AccuracyReport       `json:"seasonal_naive"`
	Weeks  []BacktestWeekReport `json:"weeks"`
}

// BacktestWeekReport is one backtested week.
type BacktestWeekReport struct {
	From  string         `json:"from"`
	Model AccuracyReport `json:"model"`
	Naive AccuracyReport `json:"seasonal_naive"`
}

// DayReport sums one forecast day.
type DayReport struct {
	Date       string  `json:"date"`
	DayType    string  `json:"day_type"`
	Calls      float64 `json:"calls"`
	PeakAgents int     `json:"peak_agents"`
	AgentHours float64 `json:"agent_hours"` // scheduled agents × half hours ÷ 2
}

// SlotReport is one half hour's forecast and staffing.
type SlotReport struct {
	Start        string  `json:"start"`
	Calls        float64 `json:"calls"`
	Erlangs      float64 `json:"erlangs"`
	Agents       int     `json:"agents"`
	Scheduled    int     `json:"scheduled"`
	ServiceLevel float64 `json:"service_level"`
	ASASeconds   float64 `json:"asa_seconds"`
	Occupancy    float64 `json:"occupancy"`
}

// BacktestMetric says how the backtest scores.
const BacktestMetric = "MAPE over half hours with at least 5 actual calls; WAPE = Σ|error| ÷ Σ actual over every half hour"

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func stamp(t time.Time) string { return t.In(ticketing.Beijing).Format(time.RFC3339) }

// Report renders p.
func (p *Plan) Report(cal *ticketing.Calendar) Report {
	r := Report{From: stamp(p.From), Days: len(p.Forecast.Counts) / SlotsPerDay,
		Standard: StandardReport{AHTSeconds: p.Standard.AHT.Seconds(), Target: p.Standard.Target,
			WithinSeconds: p.Standard.Within.Seconds(), Shrinkage: p.Standard.Shrinkage},
		Model: p.Model.report(), Slots: make([]SlotReport, len(p.Staffing)), LastWeek: make([]float64, len(p.LastWeek.Counts))}
	for i, c := range p.LastWeek.Counts {
		r.LastWeek[i] = round(c, 2)
	}
	if p.Backtest != nil {
		r.Backtest = p.Backtest.report()
	}
	for i, s := range p.Staffing {
		r.Slots[i] = SlotReport{Start: stamp(s.Start), Calls: round(s.Calls, 2), Erlangs: round(s.Erlangs, 3),
			Agents: s.Agents, Scheduled: s.Scheduled, ServiceLevel: round(s.ServiceLevel, 4),
			ASASeconds: round(s.ASA.Seconds(), 2), Occupancy: round(s.Occupancy, 4)}
		if i%SlotsPerDay == 0 {
			r.Daily = append(r.Daily, DayReport{Date: s.Start.In(ticketing.Beijing).Format(time.DateOnly), DayType: TypeOf(cal, s.Start).String()})
		}
		d := &r.Daily[len(r.Daily)-1]
		d.Calls = round(d.Calls+s.Calls, 1)
		d.PeakAgents = max(d.PeakAgents, s.Scheduled)
		d.AgentHours += float64(s.Scheduled) / 2
	}
	return r
}

func (m *Model) report() ModelReport {
	r := ModelReport{Level: round(m.Level, 2), TrendPerDay: round(m.Trend, 3), HeatingFactor: round(m.HeatingFactor, 4),
		HeatingBoundaries: m.HeatingBoundaries, DayFactors: map[string]float64{}, Samples: map[string]int{}}
	for _, t := range DayTypes() {
		r.DayFactors[t.String()] = round(m.DayFactors[t], 4)
		r.Samples[t.String()] = m.Samples[t]
	}
	return r
}

func (a Accuracy) report() AccuracyReport {
	return AccuracyReport{MAPE: round(a.MAPE, 4), WAPE: round(a.WAPE, 4), Slots: a.Slots}
}

func (b *Backtest) report() *BacktestReport {
	r := &BacktestReport{Metric: BacktestMetric, Model: b.Model.report(), Naive: b.Naive.report()}
	for _, w := range b.Weeks {
		r.Weeks = append(r.Weeks, BacktestWeekReport{From: stamp(w.From), Model: w.Model.report(), Naive: w.Naive.report()})
	}
	return r
}

// PrePlanJSON is a PrePlan as JSON.
type PrePlanJSON struct {
	Category string       `json:"category"`
	Season   string       `json:"season"`
	Act      []int        `json:"act_months"` // 1–12
	Factor   float64      `json:"factor"`
	Years    []SeasonYear `json:"years"`
}

// PrePlanReportJSON is a PrePlanReport as JSON.
type PrePlanReportJSON struct {
	From   string        `json:"from"`
	Months int           `json:"months"`
	Plans  []PrePlanJSON `json:"plans"`
}

// JSON renders r.
func (r *PrePlanReport) JSON() PrePlanReportJSON {
	out := PrePlanReportJSON{From: r.From.In(ticketing.Beijing).Format("2006-01"), Months: r.Months, Plans: []PrePlanJSON{}}
	for _, p := range r.Plans {
		j := PrePlanJSON{Category: p.Category, Season: p.Season, Factor: p.Factor, Years: p.Years}
		for _, m := range p.Act {
			j.Act = append(j.Act, int(m))
		}
		out.Plans = append(out.Plans, j)
	}
	return out
}
