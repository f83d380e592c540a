package api

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/analytics/forecast"
)

// Forecaster forecasts inbound calls and staffing from the stored calls and
// finds seasonal pre-plans in the stored tickets; forecast.Service does.
// Set Config.Forecast to serve /api/v1/forecast.
type Forecaster interface {
	Report(ctx context.Context, in forecast.PlanInput) (*forecast.Report, error)
	PrePlans(ctx context.Context, months int, cfg forecast.PrePlanConfig) (*forecast.PrePlanReport, error)
}

var _ Forecaster = (*forecast.Service)(nil)

// forecastRoutes registers the forecast routes.
func (s *server) forecastRoutes() {
	s.handle("GET /api/v1/forecast", s.authed(s.getForecast))
	s.handle("GET /api/v1/forecast/preplans", s.authed(s.getPrePlans))
}

var (
	forecastParams = []string{"days", "aht", "target", "within", "shrinkage", "backtest_weeks", "history_weeks"}
	prePlanParams  = []string{"months", "min_factor"}
)

func init() {
	maps.Copy(operations, map[string]operation{
		"GET /api/v1/forecast": {summary: "Inbound calls forecast per half hour (Beijing time) from today's midnight, from the stored call records, " +
			"with the model's figures, a backtest against seasonal-naive and the Erlang C staffing plan; admin, supervisor and analyst only",
			tag: "forecast", status: 200, result: "ForecastReport", params: []param{
				query("days", "1-28, default 14"), query("aht", "average handle time: a duration (240s, 4m) or seconds; default 240s"),
				query("target", "service level: fraction answered within `within`, default 0.8"),
				query("within", "service level threshold: a duration or seconds; default 15s"),
				query("shrinkage", "fraction of paid time off the phones, default 0.3"),
				query("backtest_weeks", "1-12, default 4"), query("history_weeks", "3-156, default 53")}},
		"GET /api/v1/forecast/preplans": {summary: "Seasonal pre-plans (未诉先办): categories whose tickets rise every winter or summer, " +
			"with the months to act in and the per-year evidence; admin, supervisor and analyst only",
			tag: "forecast", status: 200, result: "PrePlanReport", params: []param{
				query("months", "complete months counted back from this one: 12-60, default 24"),
				query("min_factor", "a season's monthly mean over the rest's, every year; default 1.5")}},
	})
}

// forecaster returns the forecast service when the actor may read it.
func (s *server) forecaster(r *http.Request) (Forecaster, error) {
	if s.cfg.Forecast == nil {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "forecasts are not enabled")
	}
	switch a := actor(r); a.Role {
	case hotline.RoleAdmin, hotline.RoleSupervisor, hotline.RoleAnalyst:
	default:
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "role %s may not read forecasts", a.Role)
	}
	return s.cfg.Forecast, nil
}

func (s *server) getForecast(w http.ResponseWriter, r *http.Request) {
	f, err := s.forecaster(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := forecastQuery(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := f.Report(r.Context(), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// forecastQuery reads the plan's parameters; absent ones stay zero (the
// service's defaults).
func forecastQuery(q url.Values) (forecast.PlanInput, error) {
	var bad hotline.Invalid
	checkParams(&bad, q, forecastParams...)
	in := forecast.PlanInput{
		Days:          intParam(&bad, q, "days", 14, 1, 28),
		BacktestWeeks: intParam(&bad, q, "backtest_weeks", 4, 1, 12),
		HistoryWeeks:  intParam(&bad, q, "history_weeks", 53, 3, 156),
	}
	in.Staffing.AHT = durationParam(&bad, q, "aht")
	in.Staffing.Within = durationParam(&bad, q, "within")
	in.Staffing.Target = floatParam(&bad, q, "target")
	in.Staffing.Shrinkage = forecast.DefaultShrinkage
	if q.Has("shrinkage") {
		in.Staffing.Shrinkage = floatParam(&bad, q, "shrinkage")
	}
	if q.Has("within") && in.Staffing.Within == 0 {
		bad.Add("within", "must be more than 0")
	}
	if err := bad.Err("invalid query"); err != nil {
		return in, err
	}
	return in, in.Staffing.Validate()
}

// durationParam reads a Go duration ("240s", "4m") or a number of seconds.
func durationParam(v *hotline.Invalid, q url.Values, name string) time.Duration {
	s := q.Get(name)
	if s == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil && secs >= 0 && secs < 1e6 {
		return time.Duration(secs * float64(time.Second))
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		v.Add(name, "must be a duration such as 240s or a number of seconds")
		return 0
	}
	return d
}

func (s *server) getPrePlans(w http.ResponseWriter, r *http.Request) {
	f, err := s.forecaster(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	var bad hotline.Invalid
	checkParams(&bad, q, prePlanParams...)
	months := intParam(&bad, q, "months", 24, 12, 60)
	cfg := forecast.PrePlanConfig{MinFactor: floatParam(&bad, q, "min_factor")}
	if cfg.MinFactor < 0 || (q.Has("min_factor") && cfg.MinFactor <= 1) {
		bad.Add("min_factor", "must be more than 1")
	}
	if err := bad.Err("invalid query"); err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := f.PrePlans(r.Context(), months, cfg)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep.JSON())
}

// forecastSchemas are the shapes of the forecast routes.
func forecastSchemas() map[string]any {
	acc := object(map[string]any{"mape": number, "wape": number, "mape_slots": integer}, "mape", "wape", "mape_slots")
	counts := map[string]any{"type": "object", "additionalProperties": number}
	return map[string]any{
		"ForecastAccuracy": acc,
		"ForecastReport": object(map[string]any{
			"from": stamp3, "days": integer,
			"standard": object(map[string]any{"aht_seconds": number, "target": number, "within_seconds": number, "shrinkage": number}),
			"model": object(map[string]any{"level": number, "trend_per_day": number, "day_factors": counts,
				"samples":        map[string]any{"type": "object", "additionalProperties": integer},
				"heating_factor": number, "heating_boundaries": integer}),
			"backtest": map[string]any{"oneOf": []any{map[string]any{"type": "null"}, object(map[string]any{
				"metric": str(forecast.BacktestMetric), "model": ref("ForecastAccuracy"), "seasonal_naive": ref("ForecastAccuracy"),
				"weeks": map[string]any{"type": "array", "items": object(map[string]any{"from": stamp3,
					"model": ref("ForecastAccuracy"), "seasonal_naive": ref("ForecastAccuracy")})}})}},
			"daily": map[string]any{"type": "array", "items": object(map[string]any{"date": str("YYYY-MM-DD"),
				"day_type": str("mon … sun, holiday, adjusted_workday"), "calls": number, "peak_agents": integer, "agent_hours": number})},
			"slots": map[string]any{"type": "array", "items": object(map[string]any{"start": stamp3, "calls": number, "erlangs": number,
				"agents": integer, "scheduled": integer, "service_level": number, "asa_seconds": number, "occupancy": number})},
			"last_week": map[string]any{"type": "array", "items": number, "description": "actual calls per half hour of the 7 days before from"},
		}, "from", "days", "standard", "model", "daily", "slots", "last_week"),
		"PrePlanReport": object(map[string]any{
			"from": str("YYYY-MM: the first month counted"), "months": integer,
			"plans": map[string]any{"type": "array", "items": object(map[string]any{
				"category": str("category id"), "season": str("winter or summer"),
				"act_months": map[string]any{"type": "array", "items": integer, "description": "months to act in, 1-12"},
				"factor":     number,
				"years": map[string]any{"type": "array", "items": object(map[string]any{
					"year": integer, "season": integer, "rest": integer, "factor": number})}})},
		}, "from", "months", "plans"),
	}
}
