package forecast

import (
	"math"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

func TestDayTypeRoundTrip(t *testing.T) {
	for _, d := range DayTypes() {
		got, err := ParseDayType(d.String())
		if err != nil || got != d {
			t.Errorf("ParseDayType(%q) = %v, %v", d, got, err)
		}
	}
	if _, err := ParseDayType("someday"); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("ParseDayType(someday): %v, want EINVALID", err)
	}
}

func TestTypeOf(t *testing.T) {
	cal := genCalendar()
	for _, tt := range []struct {
		day  time.Time
		want DayType
	}{
		{date(2025, 9, 29), Monday},
		{date(2025, 9, 27), Saturday},
		{date(2025, 9, 28), AdjustedWorkday}, // a Sunday worked for National Day
		{date(2025, 10, 1), Holiday},         // a Wednesday off
		{date(2025, 10, 4), Holiday},         // a Saturday inside the holiday
		{date(2025, 10, 11), AdjustedWorkday},
		{date(2025, 10, 12), Sunday},
	} {
		if got := TypeOf(cal, tt.day.Add(13*time.Hour)); got != tt.want {
			t.Errorf("TypeOf(%s) = %v, want %v", tt.day.Format(time.DateOnly), got, tt.want)
		}
	}
	if got := TypeOf(nil, date(2025, 10, 1)); got != Wednesday {
		t.Errorf("without a calendar 2025-10-01 is %v, want wed", got)
	}
}

func TestHeating(t *testing.T) {
	for d, want := range map[time.Time]bool{
		date(2025, 11, 14): false, date(2025, 11, 15): true, date(2026, 1, 20): true,
		date(2026, 3, 15): true, date(2026, 3, 16): false, date(2026, 7, 1): false,
	} {
		if got := Heating(d.Add(23 * time.Hour)); got != want {
			t.Errorf("Heating(%s) = %v", d.Format(time.DateOnly), got)
		}
	}
}

func TestBin(t *testing.T) {
	from := date(2025, 6, 2)
	times := []time.Time{from.Add(-time.Minute), from, from.Add(29 * time.Minute), from.Add(30 * time.Minute),
		from.Add(89 * time.Minute), from.Add(90 * time.Minute)}
	s := Bin(times, from, from.Add(90*time.Minute))
	want := []float64{2, 1, 1}
	if !s.Start.Equal(from) || len(s.Counts) != 3 {
		t.Fatalf("Bin: start %v, %d slots", s.Start, len(s.Counts))
	}
	for i := range want {
		if s.Counts[i] != want[i] {
			t.Errorf("slot %d: %v, want %v", i, s.Counts[i], want[i])
		}
	}
}

func TestSeasonalNaive(t *testing.T) {
	start := date(2025, 6, 2)
	s := Series{Start: start, Counts: make([]float64, SlotsPerWeek+2)}
	for i := range s.Counts {
		s.Counts[i] = float64(i)
	}
	// A week after the end: slot 2 of the next week is slot 2+336 a week
	// earlier; beyond the data it steps back another week.
	f := SeasonalNaive(s, s.End(), 3)
	want := []float64{2, 3, 4}
	for i := range want {
		if f.Counts[i] != want[i] {
			t.Errorf("naive slot %d = %v, want %v", i, f.Counts[i], want[i])
		}
	}
}

func TestFitRejects(t *testing.T) {
	start := date(2025, 6, 2)
	short := Series{Start: start, Counts: make([]float64, 13*SlotsPerDay)}
	if _, err := Fit(short, Config{}); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("13 days: %v, want EINVALID", err)
	}
	odd := Series{Start: start.Add(time.Minute), Counts: make([]float64, 20*SlotsPerDay)}
	if _, err := Fit(odd, Config{}); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("unaligned start: %v, want EINVALID", err)
	}
}

// TestForecastRecoversShape fits 30 weeks of generated calls and forecasts
// the next 14 days, which hold the National Day week and a 调休 Saturday. Poisson noise alone gives the true means a MAPE against
// the actuals (the floor no forecast can beat on average); the model's
// figures come from averages of 8 to 16 noisy days, which add about
// 1/√8 of the noise in quadrature (×1.06), plus the level's error: the
// bound is 1.2 × the floor.
func TestForecastRecoversShape(t *testing.T) {
	cal := genCalendar()
	start, end := date(2025, 3, 3), date(2025, 9, 29)
	hist := genNoisy(genMean(cal, start, slotsBetween(start, end)), 7)
	m, err := Fit(hist, Config{Calendar: cal})
	if err != nil {
		t.Fatal(err)
	}
	n := 14 * SlotsPerDay
	truth := genMean(cal, end, n)
	actual := genNoisy(truth, 8)
	got := m.Forecast(end, n)

	floor := accuracy(actual.Counts, truth.Counts)
	acc := accuracy(actual.Counts, got.Counts)
	if acc.MAPE > 1.2*floor.MAPE {
		t.Errorf("MAPE %.4f, above 1.2 × the noise floor %.4f", acc.MAPE, floor.MAPE)
	}
	t.Logf("MAPE %.4f WAPE %.4f; noise floor MAPE %.4f WAPE %.4f", acc.MAPE, acc.WAPE, floor.MAPE, floor.WAPE)

	// The figures themselves: day factors relative to the workday mean.
	for typ, want := range map[DayType]float64{Monday: 1.15, Friday: 0.85, Sunday: 0.55, Holiday: genHoliday} {
		if f := m.DayFactors[typ]; math.Abs(f-want) > 0.03 {
			t.Errorf("day factor %v = %.3f, want %.2f ± 0.03", typ, f, want)
		}
	}
	if m.Samples[Holiday] < 3 || m.Samples[AdjustedWorkday] != 0 {
		t.Errorf("samples: holiday %d (want ≥ 3), adjusted %d (want 0: borrowed)", m.Samples[Holiday], m.Samples[AdjustedWorkday])
	}
	// The holiday Wednesday is forecast as a holiday, the 调休 Saturday as
	// a workday: compare daily totals with the truth within 5 %.
	for _, d := range []time.Time{date(2025, 10, 1), date(2025, 10, 11), date(2025, 10, 12)} {
		i := slotsBetween(end, d)
		var f, w float64
		for j := i; j < i+SlotsPerDay; j++ {
			f += got.Counts[j]
			w += truth.Counts[j]
		}
		if math.Abs(f/w-1) > 0.05 {
			t.Errorf("%s: forecast %.0f calls, truth %.0f", d.Format(time.DateOnly), f, w)
		}
	}
	// The intraday shape of a workday: each slot's share within 0.003.
	want := shape(false)
	for j := range SlotsPerDay {
		if math.Abs(m.Shares[Tuesday][j]-want[j]) > 0.003 {
			t.Errorf("Tuesday share of slot %d = %.4f, want %.4f", j, m.Shares[Tuesday][j], want[j])
		}
	}
}

// TestHeatingFactor learns the heating uplift from two years that cover
// two season starts and two ends.
func TestHeatingFactor(t *testing.T) {
	cal := genCalendar()
	start, end := date(2024, 11, 25), date(2026, 11, 23)
	hist := genNoisy(genMean(cal, start, slotsBetween(start, end)), 11)
	m, err := Fit(hist, Config{Calendar: cal})
	if err != nil {
		t.Fatal(err)
	}
	// Boundaries with 28 days either side: 2025-03-16, 2025-11-15,
	// 2026-03-16, 2026-11-15 (not 2024-11-15: before the data).
	if m.HeatingBoundaries != 3 || math.Abs(m.HeatingFactor-genHeating) > 0.03 {
		t.Errorf("heating factor %.3f from %d boundaries, want %.2f from 3", m.HeatingFactor, m.HeatingBoundaries, genHeating)
	}
	// Forecast into the season from a history that ends outside it.
	short := Series{Start: hist.Start, Counts: hist.Counts[:slotsBetween(start, date(2025, 11, 10))]}
	m, err = Fit(short, Config{Calendar: cal})
	if err != nil {
		t.Fatal(err)
	}
	f := m.Forecast(date(2025, 11, 10), 14*SlotsPerDay)
	tr := genMean(cal, date(2025, 11, 10), 14*SlotsPerDay)
	if acc := accuracy(tr.Counts, f.Counts); acc.WAPE > 0.04 {
		t.Errorf("across the season's start: WAPE %.4f against the true means, want ≤ 0.04", acc.WAPE)
	}
}

// TestBacktestBeatsNaiveOnHoliday backtests the week of National Day
// 2025: seasonal-naive repeats an ordinary week, the model knows the
// holiday.
func TestBacktestBeatsNaiveOnHoliday(t *testing.T) {
	cal := genCalendar()
	start, end := date(2025, 3, 3), date(2025, 10, 6)
	hist := genNoisy(genMean(cal, start, slotsBetween(start, end)), 3)
	bt, err := RunBacktest(hist, 2, Config{Calendar: cal})
	if err != nil {
		t.Fatal(err)
	}
	if len(bt.Weeks) != 2 || !bt.Weeks[1].From.Equal(date(2025, 9, 29)) {
		t.Fatalf("weeks: %+v", bt.Weeks)
	}
	hw := bt.Weeks[1]
	i := slotsBetween(start, hw.From)
	floor := accuracy(hist.Counts[i:i+SlotsPerWeek], genMean(cal, hw.From, SlotsPerWeek).Counts)
	if hw.Model.MAPE > 1.2*floor.MAPE || hw.Naive.MAPE < 2*hw.Model.MAPE {
		t.Errorf("holiday week: model MAPE %.4f, naive %.4f; want model ≤ 1.2 × the noise floor %.4f and naive ≥ 2× model",
			hw.Model.MAPE, hw.Naive.MAPE, floor.MAPE)
	}
	if bt.Model.WAPE >= bt.Naive.WAPE {
		t.Errorf("pooled WAPE: model %.4f, naive %.4f", bt.Model.WAPE, bt.Naive.WAPE)
	}
	t.Logf("holiday week MAPE model %.4f naive %.4f floor %.4f; pooled WAPE model %.4f naive %.4f", hw.Model.MAPE, hw.Naive.MAPE, floor.MAPE, bt.Model.WAPE, bt.Naive.WAPE)
	if _, err := RunBacktest(hist, 30, Config{Calendar: cal}); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("30 weeks of 31: %v, want EINVALID", err)
	}
}

func TestAccuracy(t *testing.T) {
	// Slots 10 and 20 enter the MAPE (|10−8|/10 = 0.2, |20−25|/20 = 0.25);
	// the slot of 2 does not. WAPE = (2 + 5 + 2) / 32.
	acc := accuracy([]float64{10, 20, 2}, []float64{8, 25, 0})
	if acc.Slots != 2 || math.Abs(acc.MAPE-0.225) > 1e-12 || math.Abs(acc.WAPE-9.0/32) > 1e-12 {
		t.Errorf("accuracy = %+v", acc)
	}
}
