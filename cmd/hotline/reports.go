package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/agent"
	"github.com/cityhotline/hotline/ticketing"
)

// ReportsConfig is the report schedule (日报告 12:05, 周分析 Monday 08:00,
// 月通报 the 1st 08:00, Beijing time).
type ReportsConfig struct {
	Enabled bool `yaml:"enabled"` // generate on schedule; the API serves reports on demand either way
}

// queueLog is the read side of the stored queue log.
type queueLog interface {
	FindQueueEvents(ctx context.Context, f agent.EventFilter) ([]agent.Event, error)
}

// queueKPIs computes a report's call-centre KPIs from the stored queue log
// with agent.ComputeKPISeries, as GET /api/v1/acd/kpis does, one Beijing
// day at a time so that a month's log is never in memory at once.
type queueKPIs struct{ log queueLog }

// kpiLookback is how far before each day the log is read for the agents'
// states at its start (as the API's KPI route does).
const kpiLookback = 24 * time.Hour

// CallKPIs adds up the KPIs of each day of [from, to): counts are summed,
// ASA weighted by answered calls and AHT by handled ones (both exact), the
// rates recomputed from the sums; occupancy is the mean of the days'
// occupancies weighted by handled calls (exact for a single day).
func (q queueKPIs) CallKPIs(ctx context.Context, from, to time.Time) (ticketing.CallKPIs, error) {
	var sum kpiSum
	for day := from; day.Before(to); {
		next := day.Add(24 * time.Hour)
		if next.After(to) {
			next = to
		}
		events, err := q.log.FindQueueEvents(ctx, agent.EventFilter{From: day.Add(-kpiLookback), To: next})
		if err != nil {
			return ticketing.CallKPIs{}, fmt.Errorf("queue log %s: %w", day, err)
		}
		sum.add(agent.ComputeKPISeries(events, "", agent.DefaultServiceLevel, []time.Time{day, next})[0])
		day = next
	}
	return sum.kpis(), nil
}

// kpiSum accumulates daily KPIs.
type kpiSum struct {
	offered, answered, abandoned, withinSL, handled int
	wait, handle                                    time.Duration
	occupancy                                       float64 // Σ occupancy × handled
}

func (s *kpiSum) add(k agent.KPI) {
	s.offered += k.Offered
	s.answered += k.Answered
	s.abandoned += k.Abandoned
	s.withinSL += k.AnsweredWithinSL
	s.handled += k.Handled
	s.wait += k.ASA * time.Duration(k.Answered)
	s.handle += k.AHT * time.Duration(k.Handled)
	s.occupancy += k.Occupancy * float64(k.Handled)
}

func (s *kpiSum) kpis() ticketing.CallKPIs {
	k := ticketing.CallKPIs{Offered: s.offered, Answered: s.answered, Abandoned: s.abandoned, AnsweredWithinSL: s.withinSL}
	if n := s.answered + s.abandoned; n > 0 {
		k.ServiceLevel = float64(s.withinSL) / float64(n)
	}
	if s.offered > 0 {
		k.AbandonRate = float64(s.abandoned) / float64(s.offered)
	}
	if s.answered > 0 {
		k.ASAMS = (s.wait / time.Duration(s.answered)).Milliseconds()
	}
	if s.handled > 0 {
		k.AHTMS = (s.handle / time.Duration(s.handled)).Milliseconds()
		k.Occupancy = s.occupancy / float64(s.handled)
	}
	return k
}

// reportSchedule generates the due reports: once at start (catching up on
// the newest period of each kind) and then at each due time.
type reportSchedule struct {
	rep   *ticketing.Reporter
	clock hotline.Clock
	log   *slog.Logger

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// Start runs the schedule until ctx ends or Stop.
func (s *reportSchedule) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done != nil {
		return fmt.Errorf("report schedule already started")
	}
	ctx, s.cancel = context.WithCancel(ctx)
	s.done = make(chan struct{})
	go s.loop(ctx)
	return nil
}

// Stop ends the schedule and waits for it; it may be called more than once.
func (s *reportSchedule) Stop() {
	s.mu.Lock()
	cancel, done := s.cancel, s.done
	s.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

func (s *reportSchedule) loop(ctx context.Context) {
	defer close(s.done)
	for {
		periods, err := s.rep.GenerateDue(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("scheduled reports", "err", err)
		}
		for _, p := range periods {
			s.log.Info("scheduled report", "kind", p.Kind, "period", p.Label())
		}
		now := s.clock.Now()
		wait := s.rep.NextRun(now).Sub(now)
		if err != nil {
			wait = min(wait, 5*time.Minute) // retry a failed run
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
