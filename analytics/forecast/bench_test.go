package forecast

import (
	"testing"
)

// twoYears is two years of generated half-hour history (728 days, ending
// Monday 2026-11-23) at the generator's scale (about 3,000 calls a day).
func twoYears(scale float64) Series {
	cal := genCalendar()
	start, end := date(2024, 11, 25), date(2026, 11, 23)
	mean := genMean(cal, start, slotsBetween(start, end))
	for i := range mean.Counts {
		mean.Counts[i] *= scale
	}
	return genNoisy(mean, 42)
}

// BenchmarkForecast fits two years of history and forecasts 14 days.
func BenchmarkForecast(b *testing.B) {
	hist := twoYears(1)
	cfg := Config{Calendar: genCalendar()}
	b.ResetTimer()
	for b.Loop() {
		m, err := Fit(hist, cfg)
		if err != nil {
			b.Fatal(err)
		}
		_ = m.Forecast(m.End, 14*SlotsPerDay)
	}
}

// BenchmarkErlangStaffing staffs 14 days (672 half hours) at Beijing's
// scale: about 66,000 calls a day, up to ~3,000 in a half hour (≈ 400
// Erlangs at AHT 240 s).
func BenchmarkErlangStaffing(b *testing.B) {
	hist := twoYears(22)
	m, err := Fit(hist, Config{Calendar: genCalendar()})
	if err != nil {
		b.Fatal(err)
	}
	fc := m.Forecast(m.End, 14*SlotsPerDay)
	var peak int
	b.ResetTimer()
	for b.Loop() {
		plan, err := Staffing{}.Plan(fc)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range plan {
			peak = max(peak, p.Agents)
		}
	}
	b.ReportMetric(float64(peak), "peak_agents")
}

// BenchmarkBacktest backtests the last 8 weeks of the two-year series
// (they hold National Day 2026 and the start of the heating season) and
// reports the MAPE and WAPE of the model, of seasonal-naive and of the
// true means (the noise floor).
func BenchmarkBacktest(b *testing.B) {
	hist := twoYears(1)
	cal := genCalendar()
	var bt *Backtest
	for b.Loop() {
		var err error
		if bt, err = RunBacktest(hist, 8, Config{Calendar: cal}); err != nil {
			b.Fatal(err)
		}
	}
	from := bt.Weeks[0].From
	i := slotsBetween(hist.Start, from)
	floor := accuracy(hist.Counts[i:i+8*SlotsPerWeek], genMean(cal, from, 8*SlotsPerWeek).Counts)
	b.ReportMetric(bt.Model.MAPE, "mape_model")
	b.ReportMetric(bt.Naive.MAPE, "mape_naive")
	b.ReportMetric(floor.MAPE, "mape_floor")
	b.ReportMetric(bt.Model.WAPE, "wape_model")
	b.ReportMetric(bt.Naive.WAPE, "wape_naive")
	b.ReportMetric(floor.WAPE, "wape_floor")
}
