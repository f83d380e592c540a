package ticketing

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

func rbj(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, Beijing)
}

func TestReportKindRoundTrip(t *testing.T) {
	for _, k := range ReportKinds {
		got, err := ParseReportKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseReportKind(%q) = %q, %v", k, got, err)
		}
	}
	if _, err := ParseReportKind("yearly"); err == nil {
		t.Error("yearly parsed")
	}
}

func TestReportPeriod(t *testing.T) {
	day := rbj(2026, 11, 27, 0, 0) // a Friday
	cases := []struct {
		kind                     ReportKind
		from, to, prev, lastYear time.Time
		label                    string
		buckets                  int
	}{
		{ReportDaily, rbj(2026, 11, 26, 12, 0), rbj(2026, 11, 27, 12, 0), rbj(2026, 11, 25, 12, 0), rbj(2025, 11, 26, 12, 0), "2026-11-27", 24},
		{ReportWeekly, rbj(2026, 11, 23, 0, 0), rbj(2026, 11, 30, 0, 0), rbj(2026, 11, 16, 0, 0), rbj(2025, 11, 24, 0, 0), "2026-11-23", 7},
		{ReportMonthly, rbj(2026, 11, 1, 0, 0), rbj(2026, 12, 1, 0, 0), rbj(2026, 10, 1, 0, 0), rbj(2025, 11, 1, 0, 0), "2026-11", 30},
	}
	for _, c := range cases {
		p := ReportPeriod(c.kind, day.Add(23*time.Hour)) // any time of the day
		if !p.From.Equal(c.from) || !p.To.Equal(c.to) {
			t.Errorf("%s: period %v – %v, want %v – %v", c.kind, p.From, p.To, c.from, c.to)
		}
		if got := p.Previous(); !got.From.Equal(c.prev) || !got.To.Equal(c.from) {
			t.Errorf("%s: previous %v – %v, want from %v to %v", c.kind, got.From, got.To, c.prev, c.from)
		}
		if got := p.LastYear(); !got.From.Equal(c.lastYear) {
			t.Errorf("%s: last year from %v, want %v", c.kind, got.From, c.lastYear)
		}
		if p.Label() != c.label || p.Buckets() != c.buckets {
			t.Errorf("%s: label %q buckets %d, want %q %d", c.kind, p.Label(), p.Buckets(), c.label, c.buckets)
		}
	}
	// A Monday is its own week; Sunday belongs to the week before.
	if p := ReportPeriod(ReportWeekly, rbj(2026, 11, 30, 0, 0)); !p.From.Equal(rbj(2026, 11, 30, 0, 0)) {
		t.Errorf("Monday's week starts %v", p.From)
	}
	if p := ReportPeriod(ReportWeekly, rbj(2026, 11, 29, 23, 59)); !p.From.Equal(rbj(2026, 11, 23, 0, 0)) {
		t.Errorf("Sunday's week starts %v", p.From)
	}
}

func TestReportSchedule(t *testing.T) {
	cases := []struct {
		kind       ReportKind
		now        time.Time
		latestFrom time.Time
		nextDue    time.Time
	}{
		{ReportDaily, rbj(2026, 11, 27, 12, 4), rbj(2026, 11, 25, 12, 0), rbj(2026, 11, 27, 12, 5)},
		{ReportDaily, rbj(2026, 11, 27, 12, 5), rbj(2026, 11, 26, 12, 0), rbj(2026, 11, 28, 12, 5)},
		{ReportWeekly, rbj(2026, 11, 30, 7, 59), rbj(2026, 11, 16, 0, 0), rbj(2026, 11, 30, 8, 0)},
		{ReportWeekly, rbj(2026, 11, 30, 8, 0), rbj(2026, 11, 23, 0, 0), rbj(2026, 12, 7, 8, 0)},
		{ReportMonthly, rbj(2026, 12, 1, 8, 0), rbj(2026, 11, 1, 0, 0), rbj(2027, 1, 1, 8, 0)},
		{ReportMonthly, rbj(2026, 11, 30, 23, 0), rbj(2026, 10, 1, 0, 0), rbj(2026, 12, 1, 8, 0)},
	}
	for _, c := range cases {
		if got := LatestDue(c.kind, c.now); !got.From.Equal(c.latestFrom) {
			t.Errorf("%s at %v: latest due from %v, want %v", c.kind, c.now, got.From, c.latestFrom)
		}
		if got := NextDue(c.kind, c.now).DueAt(); !got.Equal(c.nextDue) {
			t.Errorf("%s at %v: next due %v, want %v", c.kind, c.now, got, c.nextDue)
		}
	}
}

func TestBuildReport(t *testing.T) {
	p := ReportPeriod(ReportDaily, rbj(2026, 11, 27, 0, 0))
	cur := ReportCounts{
		Total:      10,
		Category:   kcs("heating.cold", 6, "noise.living", 3, "water", 1),
		District:   kcs("d1", 7, "d2", 3),
		Unit:       kcs("u1", 4, "u2", 6),
		Channel:    kcs("phone", 8, "web", 2),
		Type:       kcs("complaint", 5, "help", 5),
		Series:     []int{3, 0, 7},
		Overdue:    2,
		Dispatched: 8,
		Actions:    map[string]int{"return": 1, "extend": 2, "approve_extension": 1, "supervise": 3, "reopen": 1},
		// 4 valid: 3 contacted, 2 resolved, 1 satisfied + 2 basically.
		Callbacks: UnitScore{Callbacks: 5, Valid: 4, Contacted: 3, Resolved: 2, Satisfied: 1, Basically: 2},
	}
	prev := ReportCounts{Total: 8, Category: kcs("heating.cold", 2, "noise.living", 5, "gas", 1),
		District: kcs("d1", 4, "d2", 4), Unit: kcs("u1", 8)}
	urgent := []UrgentTicket{
		{ID: "3", Created: rbj(2026, 11, 27, 9, 0), Category: "water.outage", Title: "停水", District: "d1"},
		{ID: "2", Created: rbj(2026, 11, 27, 8, 0), Category: "noise.living", Content: "他扬言\n要跳楼", Address: "朝阳区某路1号"},
		{ID: "1", Created: rbj(2026, 11, 26, 13, 0), Category: "heating.cold", Title: "暖气不热", Street: "s1"},
		{ID: "4", Created: rbj(2026, 11, 26, 14, 0), Category: "ecology.water", Title: "河水"},
	}
	now := rbj(2026, 11, 27, 12, 5)
	r := BuildReport(ReportInput{Period: p, Current: cur, Previous: prev, Urgent: urgent, Themes: DefaultUrgentThemes(),
		Names: map[string]string{"s1": "中关村街道", "d1": "海淀区"}, Now: now, Config: DefaultAssessmentConfig()})

	if r.Partial || r.Total != 10 || r.Previous.Total != 8 || r.Label != "2026-11-27" {
		t.Errorf("head: partial %v total %d previous %d label %s", r.Partial, r.Total, r.Previous.Total, r.Label)
	}
	if want := kcs("u2", 6, "u1", 4); !reflect.DeepEqual(r.Volume.Unit, want) {
		t.Errorf("units by volume = %v, want %v", r.Volume.Unit, want)
	}
	if len(r.Series) != 24 || r.Series[2].Count != 7 || !r.Series[2].At.Equal(rbj(2026, 11, 26, 14, 0)) || r.Series[23].Count != 0 {
		t.Errorf("series = %v", r.Series)
	}
	pct := func(f float64) *float64 { return &f }
	wantRise := []Mover{{Key: "heating.cold", Count: 6, Base: 2, Change: 4, Pct: pct(2)}, {Key: "water", Count: 1, Change: 1}}
	wantFall := []Mover{{Key: "noise.living", Count: 3, Base: 5, Change: -2, Pct: pct(-0.4)}, {Key: "gas", Base: 1, Change: -1, Pct: pct(-1)}}
	if got := r.Movers.Category.Previous; !reflect.DeepEqual(got.Rise, wantRise) || !reflect.DeepEqual(got.Fall, wantFall) {
		t.Errorf("category movers = %+v, want rise %+v fall %+v", got, wantRise, wantFall)
	}
	if got := r.Movers.Unit.LastYear.Rise; len(got) != 2 || got[0].Key != "u2" || got[0].Pct != nil {
		t.Errorf("units against an empty last year = %+v", got)
	}
	wantHealth := DispatchHealth{Dispatched: 8, Returns: 1, ExtensionsRequested: 2, ExtensionsApproved: 1, Overdue: 2, Supervised: 3, Reopened: 1}
	if r.Dispatch != wantHealth {
		t.Errorf("dispatch = %+v, want %+v", r.Dispatch, wantHealth)
	}
	// 3/4, 2/4, (1 + 0.9×2)/4 = 0.7; score 10×0.75 + 50×0.5 + 40×0.7 = 60.5.
	wantRates := ReportRates{Callbacks: 5, Valid: 4, ResponseRate: 0.75, ResolutionRate: 0.5, SatisfactionRate: 0.7, Score: 60.5}
	if r.Rates != wantRates {
		t.Errorf("rates = %+v, want %+v", r.Rates, wantRates)
	}
	wantUrgent := []UrgentItem{
		{Theme: "threat", ID: "2", Time: rbj(2026, 11, 27, 8, 0), Place: "朝阳区某路1号", Summary: "他扬言 要跳楼", Category: "noise.living"},
		{Theme: "heating", ID: "1", Time: rbj(2026, 11, 26, 13, 0), Place: "中关村街道", Summary: "暖气不热", Category: "heating.cold"},
		{Theme: "water", ID: "3", Time: rbj(2026, 11, 27, 9, 0), Place: "海淀区", Summary: "停水", Category: "water.outage"},
	}
	if !reflect.DeepEqual(r.Urgent, wantUrgent) {
		t.Errorf("urgent = %+v\nwant %+v", r.Urgent, wantUrgent)
	}
	// Before the period ends the report is partial; weekly has no brief.
	w := BuildReport(ReportInput{Period: ReportPeriod(ReportWeekly, now), Urgent: urgent, Themes: DefaultUrgentThemes(), Now: now})
	if !w.Partial || len(w.Urgent) != 0 || w.Rates != (ReportRates{}) || len(w.Series) != 7 {
		t.Errorf("weekly: partial %v urgent %v rates %+v series %d", w.Partial, w.Urgent, w.Rates, len(w.Series))
	}
}

func kcs(pairs ...any) []KeyCount {
	var out []KeyCount
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, KeyCount{Key: pairs[i].(string), Count: pairs[i+1].(int)})
	}
	return out
}

// memReports is a ReporterStore whose counts are empty and whose reports
// live in a map.
type memReports struct {
	stored map[string]StoredReport
	counts atomic.Int64 // the reporter counts the periods at once
}

func (m *memReports) ReportCounts(context.Context, ReportQuery) (ReportCounts, error) {
	m.counts.Add(1)
	return ReportCounts{}, nil
}
func (m *memReports) FindUrgentTickets(context.Context, UrgentQuery) ([]UrgentTicket, error) {
	return nil, nil
}
func (m *memReports) SaveReport(_ context.Context, r *StoredReport) error {
	m.stored[string(r.Kind)+r.From.UTC().String()] = *r
	return nil
}
func (m *memReports) FindReport(_ context.Context, k ReportKind, from time.Time) (*StoredReport, error) {
	r, ok := m.stored[string(k)+from.UTC().String()]
	if !ok {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "no report")
	}
	return &r, nil
}
func (m *memReports) FindReports(context.Context, ReportKind, int) ([]StoredReport, error) {
	return nil, nil
}
func (m *memReports) FindUnits(context.Context, UnitFilter) ([]*Unit, error) { return nil, nil }
func (m *memReports) FindCategories(context.Context) ([]*Category, error)    { return nil, nil }

func TestGenerateDue(t *testing.T) {
	now := rbj(2026, 12, 1, 9, 0) // a Tuesday
	st := &memReports{stored: map[string]StoredReport{}}
	r := NewReporter(st, nil, hotline.ClockFunc(func() time.Time { return now }), nil)
	got, err := r.GenerateDue(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{rbj(2026, 11, 29, 12, 0), rbj(2026, 11, 23, 0, 0), rbj(2026, 11, 1, 0, 0)}
	if len(got) != 3 || len(st.stored) != 3 {
		t.Fatalf("generated %v (stored %d), want daily, weekly, monthly", got, len(st.stored))
	}
	for i, p := range got {
		if !p.From.Equal(want[i]) {
			t.Errorf("%s from %v, want %v", p.Kind, p.From, want[i])
		}
	}
	// Nothing new is due: a second run generates nothing.
	if again, err := r.GenerateDue(t.Context()); err != nil || len(again) != 0 {
		t.Errorf("second run generated %v, %v", again, err)
	}
	if next := r.NextRun(now); !next.Equal(rbj(2026, 12, 1, 12, 5)) {
		t.Errorf("next run %v, want 12:05 today", next)
	}
}
