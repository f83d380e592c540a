package forecast

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// fakeStore serves generated calls and per-month ticket counts.
type fakeStore struct {
	countCalls func(f hotline.CallFilter, step time.Duration) ([]int, error)
	summarize  func(f ticketing.TicketFilter) []ticketing.TicketCount
}

func (s fakeStore) CountCalls(_ context.Context, f hotline.CallFilter, step time.Duration) ([]int, error) {
	return s.countCalls(f, step)
}

func (s fakeStore) SummarizeTickets(_ context.Context, f ticketing.TicketFilter, _ ticketing.SummaryGroup) ([]ticketing.TicketCount, error) {
	return s.summarize(f), nil
}

func TestServicePlan(t *testing.T) {
	cal := genCalendar()
	now := date(2025, 9, 29).Add(14*time.Hour + 7*time.Minute)
	var asked hotline.CallFilter
	reads := 0
	store := fakeStore{countCalls: func(f hotline.CallFilter, step time.Duration) ([]int, error) {
		asked = f
		reads++
		noisy := genNoisy(genMean(cal, f.From, slotsBetween(f.From, f.To)), 5)
		out := make([]int, len(noisy.Counts))
		for i, c := range noisy.Counts {
			out[i] = int(c)
		}
		return out, nil
	}}
	svc := NewService(store, Config{Calendar: cal}, hotline.ClockFunc(func() time.Time { return now }))
	p, err := svc.Plan(t.Context(), PlanInput{Days: 2, HistoryWeeks: 20, BacktestWeeks: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !asked.To.Equal(date(2025, 9, 29)) || !asked.From.Equal(date(2025, 5, 12)) || asked.Direction != "inbound" {
		t.Errorf("read calls %+v, want inbound from 2025-05-12 to 2025-09-29", asked)
	}
	if !p.From.Equal(date(2025, 9, 29)) || len(p.Forecast.Counts) != 96 || len(p.Staffing) != 96 ||
		len(p.LastWeek.Counts) != SlotsPerWeek || p.Backtest == nil || len(p.Backtest.Weeks) != 2 {
		t.Fatalf("plan from %v: %d forecast, %d staffing, %d last week, backtest %+v", p.From, len(p.Forecast.Counts), len(p.Staffing), len(p.LastWeek.Counts), p.Backtest)
	}
	r := p.Report(cal)
	if len(r.Daily) != 2 || r.Daily[0].DayType != "mon" || r.Daily[0].PeakAgents == 0 || r.Standard.Target != 0.8 {
		t.Errorf("report daily %+v standard %+v", r.Daily, r.Standard)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Error(err)
	}
	// The history is read once a day: a shorter one comes from the cache,
	// the next day's is read again.
	if _, err := svc.Plan(t.Context(), PlanInput{HistoryWeeks: 10}); err != nil || reads != 1 {
		t.Errorf("second plan: %v, %d reads of the store, want 1", err, reads)
	}
	now = now.Add(24 * time.Hour)
	if _, err := svc.Plan(t.Context(), PlanInput{HistoryWeeks: 10}); err != nil || reads != 2 || !asked.To.Equal(date(2025, 9, 30)) {
		t.Errorf("next day: %v, %d reads up to %v, want 2 up to 2025-09-30", err, reads, asked.To)
	}
	for _, bad := range []PlanInput{{Days: 29}, {HistoryWeeks: 2}, {Staffing: Staffing{Target: 2}}} {
		if _, err := svc.Plan(t.Context(), bad); hotline.ErrorCode(err) != hotline.EINVALID {
			t.Errorf("%+v: %v, want EINVALID", bad, err)
		}
	}
}

func TestServicePrePlans(t *testing.T) {
	now := date(2026, 5, 10)
	months := 0
	store := fakeStore{summarize: func(f ticketing.TicketFilter) []ticketing.TicketCount {
		months++
		n := 5
		if m := f.From.Month(); m >= time.November || m <= time.March {
			n = 30
		}
		return []ticketing.TicketCount{{Key: "heating", Total: n}, {Key: "road", Total: 12}, {Key: "", Total: 99}}
	}}
	svc := NewService(store, Config{}, hotline.ClockFunc(func() time.Time { return now }))
	r, err := svc.PrePlans(t.Context(), 24, PrePlanConfig{})
	if err != nil {
		t.Fatal(err)
	}
	// May 2024 to April 2026 holds one complete heating year, Apr 2025 to
	// Mar 2026 (the one ending Mar 2025 starts before the data): 30 ÷ 5.
	if months != 24 || !r.From.Equal(date(2024, 5, 1)) || len(r.Plans) != 1 || r.Plans[0].Category != "heating" || r.Plans[0].Factor != 6 {
		t.Errorf("%d months from %v: %+v", months, r.From, r.Plans)
	}
	if _, err := svc.PrePlans(t.Context(), 6, PrePlanConfig{}); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("6 months: %v, want EINVALID", err)
	}
}

// TestPlanDegenerate: a store without calls, and a centre closed on
// Sundays, give finite plans (JSON cannot carry NaN).
func TestPlanDegenerate(t *testing.T) {
	start := date(2025, 6, 2)
	empty := Series{Start: start, Counts: make([]float64, 5*SlotsPerWeek)}
	closed := genNoisy(genMean(nil, start, 5*SlotsPerWeek), 9)
	for i := range closed.Counts {
		if TypeOf(nil, closed.At(i)) == Sunday {
			closed.Counts[i] = 0
		}
	}
	for name, hist := range map[string]Series{"empty": empty, "closed on Sundays": closed} {
		p, err := NewPlan(hist, Config{}, PlanInput{Staffing: Staffing{Shrinkage: 0.3}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := json.Marshal(p.Report(nil)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		sunday := slotsBetween(p.From, date(2025, 7, 13)) + 20
		if name == "closed on Sundays" && (p.Forecast.Counts[sunday] != 0 || p.Forecast.Counts[sunday-SlotsPerDay] == 0) {
			t.Errorf("%s: Sunday 10:00 %.1f calls, Saturday %.1f", name, p.Forecast.Counts[sunday], p.Forecast.Counts[sunday-SlotsPerDay])
		}
	}
}
