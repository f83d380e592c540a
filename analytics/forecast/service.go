package forecast

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// Store is what the service reads; both stores provide it.
type Store interface {
	// CountCalls counts the call records f selects per step from f.From to
	// f.To (both required).
	CountCalls(ctx context.Context, f hotline.CallFilter, step time.Duration) ([]int, error)
	SummarizeTickets(ctx context.Context, f ticketing.TicketFilter, group ticketing.SummaryGroup) ([]ticketing.TicketCount, error)
}

// Service forecasts from the stored calls and tickets.
type Service struct {
	store Store
	cfg   Config
	clock hotline.Clock

	// The history ends at today's midnight, so it changes once a day:
	// the last one read is kept (counting a year of calls reads every
	// call record of the year).
	mu    sync.Mutex
	cache Series
}

// NewService returns a service over store; cfg carries the calendar.
func NewService(store Store, cfg Config, clock hotline.Clock) *Service {
	if clock == nil {
		clock = hotline.SystemClock{}
	}
	return &Service{store: store, cfg: cfg, clock: clock}
}

// PlanInput is what a plan is asked for; zero fields take the defaults.
type PlanInput struct {
	Days          int // days forecast from today's midnight (Beijing); 1–28, default 14
	HistoryWeeks  int // weeks of history read; 3–156, default 53 (one heating-season start and end)
	BacktestWeeks int // weeks backtested; 1–12, default 4
	Staffing      Staffing
}

// Plan is a forecast with its evidence and the staffing it needs.
type Plan struct {
	From     time.Time // today's midnight in Beijing
	Forecast Series
	LastWeek Series // the actual calls of the 7 days before From
	Model    *Model
	Backtest *Backtest // nil when the history is too short to backtest
	Standard Staffing  // with the defaults filled in
	Staffing []SlotPlan
}

func (in PlanInput) withDefaults() (PlanInput, error) {
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	def(&in.Days, 14)
	def(&in.HistoryWeeks, 53)
	def(&in.BacktestWeeks, 4)
	in.Staffing = in.Staffing.withDefaults()
	switch {
	case in.Days < 1 || in.Days > 28:
		return in, invalid("days", "must be between 1 and 28")
	case in.HistoryWeeks < 3 || in.HistoryWeeks > 156:
		return in, invalid("history_weeks", "must be between 3 and 156")
	case in.BacktestWeeks < 1 || in.BacktestWeeks > 12:
		return in, invalid("backtest_weeks", "must be between 1 and 12")
	}
	return in, in.Staffing.Validate()
}

// Plan forecasts inbound calls per half hour from today's midnight, with
// the backtest of the last weeks and the Erlang C staffing.
func (s *Service) Plan(ctx context.Context, in PlanInput) (*Plan, error) {
	in, err := in.withDefaults()
	if err != nil {
		return nil, err
	}
	from := midnight(s.clock.Now())
	start := from.AddDate(0, 0, -7*in.HistoryWeeks)
	hist, err := s.history(ctx, start, from)
	if err != nil {
		return nil, err
	}
	return NewPlan(hist, s.cfg, in)
}

// history is the inbound calls per half hour from start to end, from the
// cache when it holds them.
func (s *Service) history(ctx context.Context, start, end time.Time) (Series, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.cache; c.End().Equal(end) && !start.Before(c.Start) {
		return Series{Start: start, Counts: c.Counts[int(start.Sub(c.Start)/Slot):]}, nil
	}
	counts, err := s.store.CountCalls(ctx, hotline.CallFilter{From: start, To: end, Direction: "inbound"}, Slot)
	if err != nil {
		return Series{}, fmt.Errorf("forecast: count calls: %w", err)
	}
	s.cache = FromInts(start, counts)
	return s.cache, nil
}

// NewPlan fits hist and forecasts in.Days from the end of its last full
// day, with the backtest of its last weeks (when it is long enough) and
// the Erlang C staffing.
func NewPlan(hist Series, cfg Config, in PlanInput) (*Plan, error) {
	in, err := in.withDefaults()
	if err != nil {
		return nil, err
	}
	m, err := Fit(hist, cfg)
	if err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	p := &Plan{From: m.End, Model: m, Standard: in.Staffing, Forecast: m.Forecast(m.End, in.Days*SlotsPerDay)}
	last := int(m.End.Sub(hist.Start) / Slot)
	p.LastWeek = Series{Start: m.End.AddDate(0, 0, -7), Counts: hist.Counts[last-SlotsPerWeek : last]}
	fullWeeks := int(m.End.Sub(nextMidnight(hist.Start)).Hours()/24) / 7
	if bw := min(in.BacktestWeeks, fullWeeks-2); bw >= 1 {
		if p.Backtest, err = RunBacktest(hist, bw, cfg); err != nil {
			return nil, fmt.Errorf("forecast: backtest: %w", err)
		}
	}
	if p.Staffing, err = in.Staffing.Plan(p.Forecast); err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	return p, nil
}

// PrePlanReport is the seasonal pre-plans found in the tickets of Months
// complete months from From.
type PrePlanReport struct {
	From   time.Time
	Months int
	Plans  []PrePlan
}

// PrePlans counts the tickets created per category in each of the last
// months complete months (12–60, default 24) and finds the seasonal risers.
func (s *Service) PrePlans(ctx context.Context, months int, cfg PrePlanConfig) (*PrePlanReport, error) {
	if months == 0 {
		months = 24
	}
	if months < 12 || months > 60 {
		return nil, invalid("months", "must be between 12 and 60")
	}
	now := s.clock.Now().In(ticketing.Beijing)
	from := time.Date(now.Year(), now.Month()-time.Month(months), 1, 0, 0, 0, 0, ticketing.Beijing)
	mc := MonthlyCounts{Start: from, Counts: map[string][]int{}}
	for i := range months {
		f := ticketing.TicketFilter{From: from.AddDate(0, i, 0), To: from.AddDate(0, i+1, 0)}
		rows, err := s.store.SummarizeTickets(ctx, f, ticketing.GroupCategory)
		if err != nil {
			return nil, fmt.Errorf("pre-plans: count tickets of %s: %w", f.From.Format("2006-01"), err)
		}
		for _, r := range rows {
			if r.Key == "" {
				continue
			}
			if mc.Counts[r.Key] == nil {
				mc.Counts[r.Key] = make([]int, months)
			}
			mc.Counts[r.Key][i] = r.Total
		}
	}
	return &PrePlanReport{From: from, Months: months, Plans: FindPrePlans(mc, cfg)}, nil
}

// Report is Plan rendered as JSON.
func (s *Service) Report(ctx context.Context, in PlanInput) (*Report, error) {
	p, err := s.Plan(ctx, in)
	if err != nil {
		return nil, err
	}
	r := p.Report(s.cfg.Calendar)
	return &r, nil
}
