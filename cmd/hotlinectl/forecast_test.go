package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline/analytics/forecast"
	"github.com/cityhotline/hotline/ticketing"
)

// writeForecastCSVs writes three weeks of July 2025 (no holidays) in both
// input shapes: on workdays 2 calls in every half hour from 08:00 to
// 18:00, on weekends 1.
func writeForecastCSVs(t *testing.T) (perCall, counted string) {
	dir := t.TempDir()
	var calls, rows strings.Builder
	calls.WriteString("id,arrived,queue\n")
	rows.WriteString("slot,calls\n")
	day0 := time.Date(2025, 7, 7, 0, 0, 0, 0, ticketing.Beijing)
	for d := range 21 {
		day := day0.AddDate(0, 0, d)
		k := 2
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			k = 1
		}
		for s := 16; s < 36; s++ {
			at := day.Add(time.Duration(s) * forecast.Slot)
			for i := range k {
				fmt.Fprintf(&calls, "c%d-%d-%d,%s,general\n", d, s, i, at.Add(time.Duration(i)*time.Minute).Format("2006-01-02 15:04:05"))
			}
			fmt.Fprintf(&rows, "%s,%d\n", at.Format(time.RFC3339), k)
		}
	}
	perCall, counted = filepath.Join(dir, "calls.csv"), filepath.Join(dir, "counts.csv")
	if err := os.WriteFile(perCall, []byte(calls.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(counted, []byte(rows.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return perCall, counted
}

func TestForecastCommand(t *testing.T) {
	perCall, counted := writeForecastCSVs(t)
	var a, b bytes.Buffer
	if err := runForecast(t.Context(), []string{"--csv", perCall, "--time", "arrived", "--aht", "180s"}, &a); err != nil {
		t.Fatal(err)
	}
	if err := runForecast(t.Context(), []string{"--csv", counted, "--time", "slot", "--count", "calls", "--aht", "180s"}, &b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Error("per-call and pre-counted input give different reports")
	}
	var r forecast.Report
	if err := json.Unmarshal(a.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.From != "2025-07-28T00:00:00+08:00" || r.Days != 14 || len(r.Slots) != 14*48 || len(r.LastWeek) != 7*48 {
		t.Fatalf("from %s, %d days, %d slots, %d last week", r.From, r.Days, len(r.Slots), len(r.LastWeek))
	}
	// A regular history is forecast exactly: Monday 09:00 has 2 calls,
	// Saturday 2 August 09:00 has 1, and 03:00 none.
	for _, c := range []struct {
		slot  int
		calls float64
	}{{18, 2}, {5*48 + 18, 1}, {6, 0}} {
		if got := r.Slots[c.slot].Calls; math.Abs(got-c.calls) > 0.01 {
			t.Errorf("slot %s: %.3f calls, want %v", r.Slots[c.slot].Start, got, c.calls)
		}
	}
	// 2 calls × 180 s ÷ 1800 s = 0.2 Erlang: one agent answers 80 % in 15 s.
	if s := r.Slots[18]; s.Agents != 1 || s.Scheduled != 2 {
		t.Errorf("Monday 09:00 staffing %+v, want 1 agent, 2 scheduled (shrinkage 0.3)", s)
	}
	if r.Backtest == nil || len(r.Backtest.Weeks) != 1 || r.Backtest.Model.MAPE > 1e-6 {
		t.Errorf("backtest %+v: want one week forecast exactly", r.Backtest)
	}
	if r.Daily[0].DayType != "mon" || r.Daily[0].Calls != 40 {
		t.Errorf("first day %+v", r.Daily[0])
	}
}

func TestForecastCommandErrors(t *testing.T) {
	perCall, _ := writeForecastCSVs(t)
	forecastStderr = &bytes.Buffer{}
	for _, args := range [][]string{
		{"--time", "arrived"},
		{"--csv", perCall, "--time", "nope"},
		{"--csv", perCall, "--time", "arrived", "--days", "40"},
		{"--csv", perCall, "--time", "queue"},
	} {
		if err := runForecast(t.Context(), args, &bytes.Buffer{}); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// TestForecastCommandCalendar: with a calendar that makes Friday 1 August
// 2025 a holiday, that day is forecast as one.
func TestForecastCommandCalendar(t *testing.T) {
	perCall, _ := writeForecastCSVs(t)
	cal := filepath.Join(t.TempDir(), "cal.yaml")
	if err := os.WriteFile(cal, []byte("holidays:\n  - 2025-08-01\nworkdays: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runForecast(t.Context(), []string{"--csv", perCall, "--time", "arrived", "--calendar", cal, "--days", "7"}, &out); err != nil {
		t.Fatal(err)
	}
	var r forecast.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	// No holiday in the history: a holiday is forecast like a Sunday (20 calls).
	if d := r.Daily[4]; d.Date != "2025-08-01" || d.DayType != "holiday" || math.Abs(d.Calls-20) > 0.1 {
		t.Errorf("Friday 1 August: %+v, want a holiday of 20 calls", d)
	}
	if err := runForecast(t.Context(), []string{"--csv", perCall, "--time", "arrived", "--calendar", perCall}, &bytes.Buffer{}); err == nil {
		t.Error("a CSV as the calendar: no error")
	}
}
