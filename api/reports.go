package api

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// Reports serves the daily, weekly and monthly reports; ticketing.Reporter
// does. Set Config.Reports to serve /api/v1/reports.
type Reports interface {
	Report(ctx context.Context, a hotline.Actor, kind ticketing.ReportKind, day time.Time) (*ticketing.Report, error)
	List(ctx context.Context, a hotline.Actor, kind ticketing.ReportKind, limit int) ([]ticketing.StoredReport, error)
}

var _ Reports = (*ticketing.Reporter)(nil)

// reportRoutes registers the report routes.
func (s *server) reportRoutes() {
	s.handle("GET /api/v1/reports", s.authed(s.listReports))
	s.handle("GET /api/v1/reports/{kind}", s.authed(s.getReport))
}

var (
	reportParams     = []string{"date", "format"}
	reportListParams = []string{"kind", "limit"}
)

func init() {
	maps.Copy(operations, map[string]operation{
		"GET /api/v1/reports": {summary: "Stored reports (日报告、周分析、月通报), newest period first, without their bodies; admin, supervisor and analyst only",
			tag: "reports", status: 200, result: "ReportList", params: []param{
				query("kind", "daily, weekly or monthly; default all"), query("limit", "1-500, default 100")}},
		"GET /api/v1/reports/{kind}": {summary: "One report: the stored one, or generated now (and stored once its period has ended). " +
			"daily: 12:00 the day before to 12:00 of the date (Beijing); weekly: the Monday-to-Monday week holding the date; monthly: its month. " +
			"As JSON, CSV or XLSX; admin, supervisor and analyst only",
			tag: "reports", status: 200, result: "Report", params: []param{pathParam("kind", "daily, weekly or monthly"),
				query("date", "YYYY-MM-DD (Beijing); default the newest period whose report is due"),
				query("format", "json (default), csv or xlsx")}},
	})
}

// reports returns the report service, or ENOTFOUND when none is set.
func (s *server) reports() (Reports, error) {
	if s.cfg.Reports == nil {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "reports are not enabled")
	}
	return s.cfg.Reports, nil
}

type storedReportJSON struct {
	Kind        ticketing.ReportKind `json:"kind"`
	Label       string               `json:"label"`
	From        string               `json:"from"`
	To          string               `json:"to"`
	GeneratedAt string               `json:"generated_at"`
}

func (s *server) listReports(w http.ResponseWriter, r *http.Request) {
	rs, err := s.reports()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var bad hotline.Invalid
	q := r.URL.Query()
	checkParams(&bad, q, reportListParams...)
	kind := ticketing.ReportKind(q.Get("kind"))
	if _, err := ticketing.ParseReportKind(string(kind)); kind != "" && err != nil {
		bad.Add("kind", "must be daily, weekly or monthly")
	}
	limit := 100
	if v := q.Get("limit"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 500 {
			bad.Add("limit", "must be 1-500")
		} else {
			limit = n
		}
	}
	if err := bad.Err("invalid query"); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := rs.List(r.Context(), actor(r), kind, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]storedReportJSON, 0, len(list))
	for _, sr := range list {
		p := ticketing.Period{Kind: sr.Kind, From: sr.From, To: sr.To}
		out = append(out, storedReportJSON{Kind: sr.Kind, Label: p.Label(), From: s.stampIn(sr.From),
			To: s.stampIn(sr.To), GeneratedAt: s.stampIn(sr.GeneratedAt)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"reports": out})
}

func (s *server) getReport(w http.ResponseWriter, r *http.Request) {
	rs, err := s.reports()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	kind, day, format, err := s.reportQuery(r.PathValue("kind"), r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := rs.Report(r.Context(), actor(r), kind, day)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch format {
	case "csv":
		s.writeReportCSV(w, rep)
	case "xlsx":
		s.writeReportXLSX(w, r, rep)
	default:
		writeJSON(w, http.StatusOK, rep)
	}
}

// reportQuery reads the kind, date (default: the newest period due) and
// format. Every bad value is named.
func (s *server) reportQuery(k string, q url.Values) (ticketing.ReportKind, time.Time, string, error) {
	var bad hotline.Invalid
	checkParams(&bad, q, reportParams...)
	kind, err := ticketing.ParseReportKind(k)
	if err != nil {
		bad.Add("kind", "must be daily, weekly or monthly")
	}
	var day time.Time
	if d := q.Get("date"); d != "" {
		if day, err = ticketing.ParseReportDay("date", d); err != nil {
			bad.Add("date", "must be YYYY-MM-DD")
		}
	} else if kind != "" {
		day = ticketing.LatestDue(kind, s.cfg.Clock.Now()).Day()
	}
	format := q.Get("format")
	switch format {
	case "", "json":
		format = "json"
	case "csv", "xlsx":
	default:
		bad.Add("format", "must be json, csv or xlsx")
	}
	return kind, day, format, bad.Err("invalid query")
}

// reportSchemas are the shapes of the report routes.
func reportSchemas() map[string]any {
	counts := map[string]any{"type": "array", "items": object(map[string]any{"key": str(""), "count": integer})}
	mover := object(map[string]any{"key": str(""), "count": integer, "base": integer, "change": integer,
		"pct": map[string]any{"type": []string{"number", "null"}, "description": "change ÷ base; null when base is 0"}})
	set := object(map[string]any{"rise": map[string]any{"type": "array", "items": mover}, "fall": map[string]any{"type": "array", "items": mover}})
	movers := object(map[string]any{"previous": set, "last_year": set})
	period := object(map[string]any{"from": stamp3, "to": stamp3, "total": integer})
	return map[string]any{
		"ReportList": object(map[string]any{"reports": map[string]any{"type": "array", "items": object(map[string]any{
			"kind": str("daily, weekly or monthly"), "label": str("2026-11-27, the week's Monday, or 2026-11"),
			"from": stamp3, "to": stamp3, "generated_at": stamp3})}}, "reports"),
		"Report": object(map[string]any{
			"kind": str(""), "label": str(""), "from": stamp3, "to": stamp3, "generated_at": stamp3,
			"partial": map[string]any{"type": "boolean", "description": "generated before the period ended (not stored)"},
			"total":   integer, "previous": period, "last_year": period,
			"volume": object(map[string]any{"channel": counts, "type": counts, "category": counts, "district": counts, "unit": counts}),
			"series": map[string]any{"type": "array", "items": object(map[string]any{"at": stamp3, "count": integer}),
				"description": "tickets per hour (daily) or per day"},
			"movers": object(map[string]any{"category": movers, "district": movers, "unit": movers}),
			"dispatch": object(map[string]any{"dispatched": integer, "returns": integer, "extensions_requested": integer,
				"extensions_approved": integer, "overdue": integer, "supervised": integer, "reopened": integer}),
			"rates": object(map[string]any{"callbacks": integer, "valid": integer, "response_rate": number,
				"resolution_rate": number, "satisfaction_rate": number, "score": number}),
			"calls": object(map[string]any{"offered": integer, "answered": integer, "abandoned": integer,
				"answered_within_sl": integer, "service_level": number, "asa_ms": integer, "abandon_rate": number,
				"aht_ms": integer, "occupancy": number}),
			"urgent": map[string]any{"type": "array", "description": "daily only: 扬言, 供暖, 消防安全, 供水", "items": object(map[string]any{
				"theme": str("threat, heating, fire or water"), "id": str("ticket number"), "time": stamp3,
				"place": str(""), "summary": str(""), "category": str("")})},
			"names": map[string]any{"type": "object", "additionalProperties": str("")},
		}, "kind", "from", "to", "total"),
	}
}
