package web

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cityhotline/hotline/analytics/forecast"
	"github.com/cityhotline/hotline/internal/chromium"
	"github.com/cityhotline/hotline/ticketing"
)

// forecastReports is a real report (three regular weeks of July 2025: 2
// calls per half hour 08:00–18:00 on workdays, 1 at weekends) and a
// pre-plan report with one winter riser.
func forecastReports(t *testing.T) (forecast.Report, forecast.PrePlanReportJSON) {
	t.Helper()
	start := time.Date(2025, 7, 7, 0, 0, 0, 0, ticketing.Beijing)
	hist := forecast.Series{Start: start, Counts: make([]float64, 21*forecast.SlotsPerDay)}
	for i := range hist.Counts {
		if s := i % forecast.SlotsPerDay; s >= 16 && s < 36 {
			hist.Counts[i] = 2
			if wd := hist.At(i).In(ticketing.Beijing).Weekday(); wd == time.Saturday || wd == time.Sunday {
				hist.Counts[i] = 1
			}
		}
	}
	p, err := forecast.NewPlan(hist, forecast.Config{}, forecast.PlanInput{Staffing: forecast.Staffing{Shrinkage: 0.3}})
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]int, 24)
	for i := range counts {
		counts[i] = 10
		if m := (10+i)%12 + 1; m >= 11 || m <= 3 { // from November 2024
			counts[i] = 40
		}
	}
	pp := forecast.PrePlanReport{From: time.Date(2024, 11, 1, 0, 0, 0, 0, ticketing.Beijing), Months: 24,
		Plans: forecast.FindPrePlans(forecast.MonthlyCounts{Start: time.Date(2024, 11, 1, 0, 0, 0, 0, ticketing.Beijing),
			Counts: map[string][]int{"0101": counts}}, forecast.PrePlanConfig{})}
	return p.Report(nil), pp.JSON()
}

// TestForecastPageInChromium signs a supervisor in to the forecast page
// against the fake backend: the chart, the days, a chosen day's staffing,
// the backtest and the pre-plans are drawn; a bad standard is refused in
// the page; English works.
func TestForecastPageInChromium(t *testing.T) {
	report, preplans := forecastReports(t)
	fake := newFakeBackend(t)
	mux := http.NewServeMux()
	fake.routes(mux)
	var asked chan string = make(chan string, 16)
	mux.HandleFunc("GET /api/v1/forecast", fake.authed(func(w http.ResponseWriter, r *http.Request) {
		asked <- r.URL.RawQuery
		writeJSON(w, 200, report)
	}))
	mux.HandleFunc("GET /api/v1/forecast/preplans", fake.authed(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, preplans) }))
	mux.Handle("/", Handler())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	srv.Start()
	t.Cleanup(srv.Close)

	b := chromium.Open(t, chromium.Options{Life: 40 * time.Second, Mute: true, Shots: shotsDir(), Strict: true, Height: 1000})
	b.SignIn(srv.URL+"/forecast/", "boss", "secret", "app-view")
	b.Wait("days drawn", `document.querySelectorAll('#fc-days-body tr').length === 14`, wait)
	if q := <-asked; q != "aht=240&target=0.8&within=15&shrinkage=0.3" {
		t.Errorf("first query %q", q)
	}
	// 7 days of actuals and 14 of forecast, one point per half hour.
	points := `(sel) => (document.querySelector(sel).getAttribute('d').match(/[ML]/g) || []).length`
	if n := chromium.Eval[[]int](b, `[(`+points+`)('#fc-svg path.actual'), (`+points+`)('#fc-svg path.forecast')]`, wait); n[0] != 336 || n[1] != 672 {
		t.Errorf("chart points %v, want 336 actual and 672 forecast", n)
	}
	b.Wait("first day's staffing", `document.querySelectorAll('#fc-staff-body tr').length === 48`, wait)
	// Choose Monday 28 July: 09:00 has 2 calls, 0.267 Erlangs at AHT 240 s;
	// one agent answers 1 − 0.267·e^(−0.733·15/240) = 74.5 % in 15 s, so 2
	// agents, 3 scheduled (2 ÷ 0.7).
	b.Choose("#fc-day", "2025-07-28")
	b.Wait("Monday's staffing", `document.querySelector('#fc-staff-body tr[data-start="2025-07-28T09:00:00+08:00"]')`, wait)
	row := chromium.Eval[[]string](b, `[...document.querySelectorAll('#fc-staff-body tr[data-start="2025-07-28T09:00:00+08:00"] > *')].map((c) => c.textContent)`, wait)
	if len(row) != 8 || row[0] != "09:00" || row[1] != "2.0" || row[3] != "2" || row[4] != "3" {
		t.Errorf("Monday 09:00 row %q", row)
	}
	if sel := chromium.Eval[string](b, `document.querySelector('#fc-days-body tr.selected').dataset.date`, wait); sel != "2025-07-28" {
		t.Errorf("selected day %q", sel)
	}
	if n := chromium.Eval[int](b, `document.querySelectorAll('#fc-bt-body tr').length`, wait); n != 2 {
		t.Errorf("%d backtest rows, want one week and the total", n)
	}
	if pp := chromium.Eval[string](b, `document.querySelector('#fc-pp-list li.fc-pp[data-season="winter"]')?.dataset.category ?? ''`, wait); pp != "0101" {
		t.Errorf("pre-plan %q", pp)
	}
	b.Shot("forecast-zh")

	// A shrinkage of 100 % is refused before any request.
	b.Fill("#fc-shrinkage", "100")
	b.Click("#fc-apply")
	b.Wait("refused", `!document.querySelector('#fc-form-error').hidden`, wait)
	b.Fill("#fc-shrinkage", "25")
	b.Click("#fc-apply")
	select {
	case q := <-asked:
		if q != "aht=240&target=0.8&within=15&shrinkage=0.25" {
			t.Errorf("recompute query %q", q)
		}
	case <-time.After(wait):
		t.Fatal("no recompute")
	}
	b.Click("#lang-toggle")
	b.Wait("English", `document.querySelector('#fc-days-h').textContent === 'Days' && document.querySelector('#fc-days-body tr td').textContent === 'Mon'`, wait)
	b.Shot("forecast-en")
	b.CheckErrors()
}
