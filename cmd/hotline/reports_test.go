package main

import (
	"context"
	"testing"
	"time"

	"github.com/cityhotline/hotline/agent"
	"github.com/cityhotline/hotline/ticketing"
)

func TestKPISum(t *testing.T) {
	var s kpiSum
	// Day 1: 4 answered at ASA 10 s, 1 abandoned of 5 offered, 3 within SL,
	// 4 handled at AHT 300 s, occupancy 0.5.
	s.add(agent.KPI{Offered: 5, Answered: 4, Abandoned: 1, AnsweredWithinSL: 3, Handled: 4,
		ASA: 10 * time.Second, AHT: 300 * time.Second, Occupancy: 0.5})
	// Day 2: 1 answered at 40 s, none abandoned, 1 handled at 600 s, occupancy 1.
	s.add(agent.KPI{Offered: 1, Answered: 1, AnsweredWithinSL: 0, Handled: 1,
		ASA: 40 * time.Second, AHT: 600 * time.Second, Occupancy: 1})
	got := s.kpis()
	// ASA (4×10 + 40)/5 = 16 s; AHT (4×300 + 600)/5 = 360 s; SL 3/6;
	// abandon 1/6; occupancy (4×0.5 + 1)/5 = 0.6.
	want := ticketing.CallKPIs{Offered: 6, Answered: 5, Abandoned: 1, AnsweredWithinSL: 3,
		ServiceLevel: 0.5, ASAMS: 16000, AbandonRate: 1.0 / 6, AHTMS: 360000, Occupancy: 0.6}
	if got != want {
		t.Errorf("kpis = %+v\nwant %+v", got, want)
	}
	if (&kpiSum{}).kpis() != (ticketing.CallKPIs{}) {
		t.Error("empty sum is not zero")
	}
}

// dayLog answers each FindQueueEvents with one answered call in the window.
type dayLog struct{ windows int }

func (d *dayLog) FindQueueEvents(_ context.Context, f agent.EventFilter) ([]agent.Event, error) {
	d.windows++
	at := f.To.Add(-time.Hour)
	return []agent.Event{
		{At: at, Kind: agent.EventEnter, Queue: "q", Call: "c"},
		{At: at.Add(5 * time.Second), Kind: agent.EventConnect, Queue: "q", Call: "c", Wait: 5 * time.Second},
	}, nil
}

func TestQueueKPIsByDay(t *testing.T) {
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, ticketing.Beijing)
	log := &dayLog{}
	k, err := queueKPIs{log}.CallKPIs(t.Context(), from, from.AddDate(0, 0, 3).Add(6*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if log.windows != 4 || k.Offered != 4 || k.Answered != 4 || k.ASAMS != 5000 || k.ServiceLevel != 1 {
		t.Errorf("%d windows, kpis %+v; want 4 days of one call answered in 5 s", log.windows, k)
	}
}
