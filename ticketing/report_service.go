package ticketing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cityhotline/hotline"
)

// CallFigures gives the call centre's KPIs over a window; cmd wires it to
// the stored queue log and agent.ComputeKPISeries.
type CallFigures interface {
	CallKPIs(ctx context.Context, from, to time.Time) (CallKPIs, error)
}

// ReporterStore is what the reporter reads and writes.
type ReporterStore interface {
	ReportStore
	FindUnits(ctx context.Context, f UnitFilter) ([]*Unit, error)
	FindCategories(ctx context.Context) ([]*Category, error)
}

// UrgentLimit caps the daily brief.
const UrgentLimit = 500

// Reporter generates, stores and reads reports.
type Reporter struct {
	store  ReporterStore
	calls  CallFigures // may be nil
	clock  hotline.Clock
	log    *slog.Logger
	themes []UrgentTheme
}

// NewReporter returns a reporter. calls and log may be nil; nil clock is
// the system clock.
func NewReporter(st ReporterStore, calls CallFigures, clock hotline.Clock, log *slog.Logger) *Reporter {
	if clock == nil {
		clock = hotline.SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Reporter{store: st, calls: calls, clock: clock, log: log, themes: DefaultUrgentThemes()}
}

func (r *Reporter) now() time.Time { return r.clock.Now().UTC().Truncate(time.Microsecond) }

// canReadReports lets the centre's analysts, supervisors and the admin read.
func canReadReports(a hotline.Actor) error {
	switch a.Role {
	case hotline.RoleAdmin, hotline.RoleSupervisor, hotline.RoleAnalyst:
		return nil
	}
	return hotline.Errorf(hotline.EFORBIDDEN, "role %s may not read reports", a.Role)
}

// Report returns the kind's report for a Beijing date: the stored one, or
// one generated now (and stored when its period has ended). A period that
// has not begun is EINVALID naming date.
func (r *Reporter) Report(ctx context.Context, a hotline.Actor, kind ReportKind, day time.Time) (*Report, error) {
	if err := canReadReports(a); err != nil {
		return nil, err
	}
	if _, err := ParseReportKind(string(kind)); err != nil {
		return nil, err
	}
	p := ReportPeriod(kind, day)
	if !p.From.Before(r.now()) {
		return nil, hotline.Errorf(hotline.EINVALID, "the %s has not begun", p).WithField("date", "must not be in the future")
	}
	stored, err := r.store.FindReport(ctx, kind, p.From)
	switch {
	case err == nil:
		return decodeReport(stored)
	case hotline.ErrorCode(err) != hotline.ENOTFOUND:
		return nil, fmt.Errorf("find report %s: %w", p, err)
	}
	return r.Generate(ctx, p)
}

// decodeReport reads a stored body.
func decodeReport(s *StoredReport) (*Report, error) {
	var rep Report
	if err := json.Unmarshal(s.Body, &rep); err != nil {
		return nil, fmt.Errorf("decode report %s %s: %w", s.Kind, s.From, err)
	}
	return &rep, nil
}

// List returns the stored reports of kind ("" for all), newest first.
func (r *Reporter) List(ctx context.Context, a hotline.Actor, kind ReportKind, limit int) ([]StoredReport, error) {
	if err := canReadReports(a); err != nil {
		return nil, err
	}
	if kind != "" {
		if _, err := ParseReportKind(string(kind)); err != nil {
			return nil, err
		}
	}
	out, err := r.store.FindReports(ctx, kind, limit)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	return out, nil
}

// Generate computes the report of p and stores it when p has ended.
func (r *Reporter) Generate(ctx context.Context, p Period) (*Report, error) {
	now := r.now()
	in, err := r.input(ctx, p, now)
	if err != nil {
		return nil, err
	}
	rep := BuildReport(in)
	if rep.Partial {
		return rep, nil
	}
	body, err := json.Marshal(rep)
	if err != nil {
		return nil, fmt.Errorf("encode report %s: %w", p, err)
	}
	err = r.store.SaveReport(ctx, &StoredReport{Kind: p.Kind, From: p.From, To: p.To, GeneratedAt: now, Body: body})
	if err != nil {
		return nil, fmt.Errorf("save report %s: %w", p, err)
	}
	r.log.Info("report generated", "kind", p.Kind, "period", p.Label(), "total", rep.Total, "took", r.clock.Now().Sub(now))
	return rep, nil
}

// input gathers the counts of p and its comparison periods, the brief,
// the call KPIs and the names, all at once (each is its own store query).
func (r *Reporter) input(ctx context.Context, p Period, now time.Time) (ReportInput, error) {
	in := ReportInput{Period: p, Themes: r.themes, Now: now, Config: DefaultAssessmentConfig()}
	counts := func(dst *ReportCounts, q ReportQuery, of Period) func() error {
		return func() (err error) {
			if *dst, err = r.store.ReportCounts(ctx, q); err != nil {
				return fmt.Errorf("count %s: %w", of, err)
			}
			return nil
		}
	}
	prev, year := p.Previous(), p.LastYear()
	steps := []func() error{
		counts(&in.Current, ReportQuery{From: p.From, To: p.To, Detail: true, Step: p.Step(), Now: now}, p),
		counts(&in.Previous, ReportQuery{From: prev.From, To: prev.To}, prev),
		counts(&in.LastYear, ReportQuery{From: year.From, To: year.To}, year),
		func() (err error) { in.Names, err = r.names(ctx); return err },
	}
	if p.Kind == ReportDaily {
		steps = append(steps, func() (err error) {
			if in.Urgent, err = r.store.FindUrgentTickets(ctx, UrgentQueryOf(p, r.themes, UrgentLimit)); err != nil {
				return fmt.Errorf("urgent tickets of %s: %w", p, err)
			}
			return nil
		})
	}
	if r.calls != nil {
		steps = append(steps, func() error { return r.callKPIs(ctx, p, now, &in) })
	}
	return in, together(steps)
}

// callKPIs reads the call centre's KPIs of p up to now.
func (r *Reporter) callKPIs(ctx context.Context, p Period, now time.Time, in *ReportInput) error {
	end := p.To
	if now.Before(end) {
		end = now
	}
	k, err := r.calls.CallKPIs(ctx, p.From, end)
	if err != nil {
		return fmt.Errorf("call KPIs of %s: %w", p, err)
	}
	in.Calls = &k
	return nil
}

// together runs steps at once and waits for all of them.
func together(steps []func() error) error {
	errs := make([]error, len(steps))
	var wg sync.WaitGroup
	for i, f := range steps {
		wg.Go(func() { errs[i] = f() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// names maps unit and category ids to names.
func (r *Reporter) names(ctx context.Context) (map[string]string, error) {
	units, err := r.store.FindUnits(ctx, UnitFilter{})
	if err != nil {
		return nil, fmt.Errorf("report names: %w", err)
	}
	cats, err := r.store.FindCategories(ctx)
	if err != nil {
		return nil, fmt.Errorf("report names: %w", err)
	}
	out := make(map[string]string, len(units)+len(cats))
	for _, u := range units {
		out[string(u.ID)] = u.Name
	}
	for _, c := range cats {
		out[string(c.ID)] = c.Name
	}
	return out, nil
}

// GenerateDue generates, for each kind, the newest period's report that is
// due by now and not yet stored (the schedule, and its catch-up after the
// server was down). It returns the periods generated.
func (r *Reporter) GenerateDue(ctx context.Context) ([]Period, error) {
	var done []Period
	for _, kind := range ReportKinds {
		p := LatestDue(kind, r.clock.Now())
		_, err := r.store.FindReport(ctx, kind, p.From)
		if err == nil {
			continue
		}
		if hotline.ErrorCode(err) != hotline.ENOTFOUND {
			return done, fmt.Errorf("find report %s: %w", p, err)
		}
		if _, err := r.Generate(ctx, p); err != nil {
			return done, err
		}
		done = append(done, p)
	}
	return done, nil
}

// NextRun is when the next scheduled report falls due after now.
func (r *Reporter) NextRun(now time.Time) time.Time {
	var next time.Time
	for _, kind := range ReportKinds {
		if at := NextDue(kind, now).DueAt(); next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next
}
