package api

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/analytics/forecast"
)

// fakeForecaster records what it was asked and answers fixed reports.
type fakeForecaster struct {
	in     forecast.PlanInput
	months int
	cfg    forecast.PrePlanConfig
}

func (f *fakeForecaster) Report(_ context.Context, in forecast.PlanInput) (*forecast.Report, error) {
	f.in = in
	return &forecast.Report{From: "2026-11-27T00:00:00+08:00", Days: in.Days,
		Slots: []forecast.SlotReport{{Start: "2026-11-27T00:00:00+08:00", Calls: 12.5, Agents: 3, Scheduled: 5}}}, nil
}

func (f *fakeForecaster) PrePlans(_ context.Context, months int, cfg forecast.PrePlanConfig) (*forecast.PrePlanReport, error) {
	f.months, f.cfg = months, cfg
	return &forecast.PrePlanReport{From: time.Date(2024, 11, 1, 0, 0, 0, 0, beijingZone), Months: months, Plans: []forecast.PrePlan{{
		Category: "heating", Season: "winter", Act: []time.Month{time.August, time.September, time.October}, Factor: 4,
		Years: []forecast.SeasonYear{{Year: 2025, Season: 200, Rest: 70, Factor: 4}}}}}, nil
}

func newForecastEnv(t *testing.T, role hotline.Role) (*env, *fakeForecaster) {
	e := newEnv(t)
	f := &fakeForecaster{}
	e.srv.cfg.Forecast = f
	e.srv.accounts = asRole{e.accounts, role}
	return e, f
}

func TestForecastRoute(t *testing.T) {
	e, f := newForecastEnv(t, hotline.RoleAnalyst)
	var out struct {
		From  string `json:"from"`
		Days  int    `json:"days"`
		Slots []struct {
			Calls     float64 `json:"calls"`
			Scheduled int     `json:"scheduled"`
		} `json:"slots"`
	}
	decodeBody(t, e.request("GET", "/api/v1/forecast?days=7&aht=180&within=20s&target=0.9&shrinkage=0.35&backtest_weeks=2", ""), http.StatusOK, &out)
	want := forecast.PlanInput{Days: 7, BacktestWeeks: 2, HistoryWeeks: 53,
		Staffing: forecast.Staffing{AHT: 180 * time.Second, Within: 20 * time.Second, Target: 0.9, Shrinkage: 0.35}}
	if f.in != want {
		t.Errorf("asked %+v, want %+v", f.in, want)
	}
	if out.Days != 7 || len(out.Slots) != 1 || out.Slots[0].Calls != 12.5 || out.Slots[0].Scheduled != 5 {
		t.Errorf("answer %+v", out)
	}
	decodeBody(t, e.request("GET", "/api/v1/forecast", ""), http.StatusOK, &out)
	if want := (forecast.PlanInput{Days: 14, BacktestWeeks: 4, HistoryWeeks: 53, Staffing: forecast.Staffing{Shrinkage: 0.3}}); f.in != want {
		t.Errorf("defaults: asked %+v, want %+v", f.in, want)
	}
	for query, field := range map[string]string{"days=40": "days", "aht=soon": "aht", "target=1.5": "target",
		"shrinkage=1": "shrinkage", "within=0": "within", "colour=red": "colour"} {
		if got := apiError(t, e.request("GET", "/api/v1/forecast?"+query, ""), http.StatusBadRequest); got.Fields[field] == "" {
			t.Errorf("%s: fields %v, want %s named", query, got.Fields, field)
		}
	}
}

func TestForecastAccess(t *testing.T) {
	e, _ := newForecastEnv(t, hotline.RoleAgent)
	apiError(t, e.request("GET", "/api/v1/forecast", ""), http.StatusForbidden)
	apiError(t, e.request("GET", "/api/v1/forecast/preplans", ""), http.StatusForbidden)
	off := newEnv(t)
	apiError(t, off.request("GET", "/api/v1/forecast", ""), http.StatusNotFound)
}

func TestPrePlansRoute(t *testing.T) {
	e, f := newForecastEnv(t, hotline.RoleSupervisor)
	var out struct {
		From  string `json:"from"`
		Plans []struct {
			Category string  `json:"category"`
			Act      []int   `json:"act_months"`
			Factor   float64 `json:"factor"`
			Years    []struct {
				Year, Season, Rest int
			} `json:"years"`
		} `json:"plans"`
	}
	decodeBody(t, e.request("GET", "/api/v1/forecast/preplans?months=36&min_factor=2", ""), http.StatusOK, &out)
	if f.months != 36 || f.cfg.MinFactor != 2 {
		t.Errorf("asked %d months, %+v", f.months, f.cfg)
	}
	if out.From != "2024-11" || len(out.Plans) != 1 || out.Plans[0].Category != "heating" || len(out.Plans[0].Act) != 3 ||
		out.Plans[0].Act[0] != 8 || out.Plans[0].Years[0].Season != 200 {
		t.Errorf("answer %+v", out)
	}
	if got := apiError(t, e.request("GET", "/api/v1/forecast/preplans?min_factor=0.5", ""), http.StatusBadRequest); got.Fields["min_factor"] == "" {
		t.Errorf("fields %v", got.Fields)
	}
}

// FuzzForecastQuery: any query either reads into a valid standard or is
// EINVALID, never a panic.
func FuzzForecastQuery(f *testing.F) {
	for _, s := range []string{"", "days=7&aht=180", "aht=4m&within=20s", "target=0.95&shrinkage=0", "aht=-1", "within=1e400", "days=x&x=y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		in, err := forecastQuery(q)
		if err != nil {
			if hotline.ErrorCode(err) != hotline.EINVALID {
				t.Fatalf("%q: %v is not EINVALID", raw, err)
			}
			return
		}
		if in.Days < 1 || in.Days > 28 || in.Staffing.Validate() != nil {
			t.Fatalf("%q accepted as %+v", raw, in)
		}
	})
}
