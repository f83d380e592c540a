package api

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// fakeReportStore counts every period the same and keeps reports in memory.
type fakeReportStore struct {
	mu      sync.Mutex // the reporter counts the periods at once
	counts  ticketing.ReportCounts
	urgent  []ticketing.UrgentTicket
	stored  map[string]ticketing.StoredReport
	queries []ticketing.ReportQuery
}

func (f *fakeReportStore) ReportCounts(_ context.Context, q ticketing.ReportQuery) (ticketing.ReportCounts, error) {
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	if !q.Detail {
		return ticketing.ReportCounts{Total: 2, Category: []ticketing.KeyCount{{Key: "heating.cold", Count: 2}}}, nil
	}
	return f.counts, nil
}

func (f *fakeReportStore) FindUrgentTickets(context.Context, ticketing.UrgentQuery) ([]ticketing.UrgentTicket, error) {
	return f.urgent, nil
}

func (f *fakeReportStore) SaveReport(_ context.Context, r *ticketing.StoredReport) error {
	f.stored[string(r.Kind)+r.From.UTC().String()] = *r
	return nil
}

func (f *fakeReportStore) FindReport(_ context.Context, kind ticketing.ReportKind, from time.Time) (*ticketing.StoredReport, error) {
	r, ok := f.stored[string(kind)+from.UTC().String()]
	if !ok {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "no report")
	}
	return &r, nil
}

func (f *fakeReportStore) FindReports(context.Context, ticketing.ReportKind, int) ([]ticketing.StoredReport, error) {
	var out []ticketing.StoredReport
	for _, r := range f.stored {
		r.Body = nil
		out = append(out, r)
	}
	return out, nil
}

func (f *fakeReportStore) FindUnits(context.Context, ticketing.UnitFilter) ([]*ticketing.Unit, error) {
	return []*ticketing.Unit{{ID: "d1", Name: "海淀区"}}, nil
}

func (f *fakeReportStore) FindCategories(context.Context) ([]*ticketing.Category, error) {
	return []*ticketing.Category{{ID: "heating.cold", Name: "供暖不热"}}, nil
}

// newReportEnv serves reports from a real Reporter over a fake store, with
// every token a user of role. The clock is testNow: 2026-11-27 18:00 Beijing.
func newReportEnv(t *testing.T, role hotline.Role) (*env, *fakeReportStore) {
	e := newEnv(t)
	st := &fakeReportStore{stored: map[string]ticketing.StoredReport{}, counts: ticketing.ReportCounts{
		Total: 5, Category: []ticketing.KeyCount{{Key: "heating.cold", Count: 5}}, District: []ticketing.KeyCount{{Key: "d1", Count: 5}},
		Series: []int{5}, Overdue: 1, Dispatched: 4,
		Callbacks: ticketing.UnitScore{Callbacks: 2, Valid: 2, Contacted: 2, Resolved: 1, Satisfied: 1},
	}, urgent: []ticketing.UrgentTicket{{ID: "20261127000001", Created: testNow.Add(-8 * time.Hour), Category: "heating.cold",
		Title: "=暖气不热", District: "d1"}}}
	clock := hotline.ClockFunc(func() time.Time { return testNow })
	cfg := e.srv.cfg
	cfg.Reports = ticketing.NewReporter(st, nil, clock, nil)
	e.srv = newServer(cfg, e.tickets, asRole{e.accounts, role}, slog.New(slog.DiscardHandler))
	return e, st
}

func TestReportNotEnabled(t *testing.T) {
	e := newEnv(t)
	apiError(t, e.request("GET", "/api/v1/reports/daily", ""), http.StatusNotFound)
	apiError(t, e.request("GET", "/api/v1/reports", ""), http.StatusNotFound)
}

func TestReportJSON(t *testing.T) {
	e, st := newReportEnv(t, hotline.RoleAnalyst)
	var rep ticketing.Report
	decodeBody(t, e.request("GET", "/api/v1/reports/daily?date=2026-11-27", ""), http.StatusOK, &rep)
	from := time.Date(2026, 11, 26, 12, 0, 0, 0, ticketing.Beijing)
	if !rep.From.Equal(from) || rep.Total != 5 || rep.Previous.Total != 2 || rep.Dispatch.Dispatched != 4 || rep.Dispatch.Overdue != 1 {
		t.Errorf("report head: %+v", rep)
	}
	if rep.Rates.ResponseRate != 1 || rep.Rates.ResolutionRate != 0.5 || rep.Rates.SatisfactionRate != 0.5 {
		t.Errorf("rates = %+v, want 1, 0.5, 0.5", rep.Rates)
	}
	if len(rep.Urgent) != 1 || rep.Urgent[0].Theme != "heating" || rep.Urgent[0].Place != "海淀区" {
		t.Errorf("urgent = %+v", rep.Urgent)
	}
	if mv := rep.Movers.Category.Previous.Rise; len(mv) != 1 || mv[0].Change != 3 || *mv[0].Pct != 1.5 {
		t.Errorf("movers = %+v", rep.Movers.Category)
	}
	// The period ended, so the report was stored; the second read is the
	// stored one (no new counting).
	n := len(st.queries)
	decodeBody(t, e.request("GET", "/api/v1/reports/daily?date=2026-11-27", ""), http.StatusOK, &rep)
	if len(st.queries) != n || len(st.stored) != 1 {
		t.Errorf("second read counted again (%d → %d queries) or stored %d", n, len(st.queries), len(st.stored))
	}
	var list struct {
		Reports []storedReportJSON `json:"reports"`
	}
	decodeBody(t, e.request("GET", "/api/v1/reports?kind=daily", ""), http.StatusOK, &list)
	if len(list.Reports) != 1 || list.Reports[0].Label != "2026-11-27" || list.Reports[0].Kind != "daily" {
		t.Errorf("list = %+v", list)
	}
	// Today's weekly is partial: generated, not stored.
	decodeBody(t, e.request("GET", "/api/v1/reports/weekly?date=2026-11-27", ""), http.StatusOK, &rep)
	if !rep.Partial || len(st.stored) != 1 || len(rep.Urgent) != 0 {
		t.Errorf("weekly partial %v stored %d urgent %d", rep.Partial, len(st.stored), len(rep.Urgent))
	}
}

func TestReportBadQuery(t *testing.T) {
	e, _ := newReportEnv(t, hotline.RoleSupervisor)
	for _, c := range []struct{ path, field string }{
		{"/api/v1/reports/yearly?date=2026-11-27", "kind"},
		{"/api/v1/reports/daily?date=2026-13-01", "date"},
		{"/api/v1/reports/daily?date=2026-11-27&format=pdf", "format"},
		{"/api/v1/reports/daily?day=2026-11-27", "day"},
		{"/api/v1/reports/monthly?date=2026-12-01", "date"}, // not begun
		{"/api/v1/reports?kind=hourly", "kind"},
		{"/api/v1/reports?limit=0", "limit"},
	} {
		body := apiError(t, e.request("GET", c.path, ""), http.StatusBadRequest)
		if body.Fields[c.field] == "" {
			t.Errorf("%s: fields %v, want %s named", c.path, body.Fields, c.field)
		}
	}
}

func TestReportForbidden(t *testing.T) {
	for _, role := range []hotline.Role{hotline.RoleAgent, hotline.RoleUnit, hotline.RoleDispatcher} {
		e, _ := newReportEnv(t, role)
		apiError(t, e.request("GET", "/api/v1/reports/daily?date=2026-11-27", ""), http.StatusForbidden)
		apiError(t, e.request("GET", "/api/v1/reports", ""), http.StatusForbidden)
	}
}

func TestReportExports(t *testing.T) {
	e, _ := newReportEnv(t, hotline.RoleAdmin)
	w := e.request("GET", "/api/v1/reports/daily?date=2026-11-27&format=csv", "")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", w.Code, w.Header())
	}
	csv := w.Body.String()
	for _, want := range []string{"受理量 total,5\n", "派单 dispatched,4\n", "响应率 response_rate,1\n",
		"category,heating.cold,供暖不热,5\n", "heating,20261127000001,2026-11-27 10:00,海淀区,'=暖气不热\n"} {
		if !strings.Contains(csv, want) {
			t.Errorf("csv lacks %q:\n%s", want, csv)
		}
	}
	if cd := w.Header().Get("Content-Disposition"); !strings.Contains(cd, "report-daily-2026-11-27.csv") {
		t.Errorf("content disposition %q", cd)
	}
	w = e.request("GET", "/api/v1/reports/daily?date=2026-11-27&format=xlsx", "")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != xlsxContentType {
		t.Fatalf("xlsx: %d %s", w.Code, w.Header())
	}
	z, err := zip.NewReader(bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	sheets := 0
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			sheets++
		}
		if f.Name == "xl/workbook.xml" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if !strings.Contains(string(b), "急难敏感 urgent") {
				t.Errorf("workbook sheets: %s", b)
			}
		}
	}
	if sheets != 5 {
		t.Errorf("%d sheets, want 5", sheets)
	}
}
