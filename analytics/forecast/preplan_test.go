package forecast

import (
	"slices"
	"testing"
	"time"
)

// TestFindPrePlans: 27 months from April 2024 hold two complete heating
// years (Apr 2024–Mar 2025, Apr 2025–Mar 2026) and one complete summer
// year (Sep 2024–Aug 2025). A flat category and one that rose only in the
// first winter are not plans.
func TestFindPrePlans(t *testing.T) {
	const n = 27 // April 2024 to June 2026
	month := func(i int) time.Month { return time.Month((3+i)%12 + 1) }
	heating, flat, summer, once := make([]int, n), make([]int, n), make([]int, n), make([]int, n)
	for i := range n {
		m := month(i)
		flat[i] = 30
		heating[i], summer[i], once[i] = 10, 10, 10
		if m >= time.November || m <= time.March {
			heating[i] = 40 // 4× the rest
			if i < 12 {
				once[i] = 40 // only the first winter rises
			}
		}
		if m >= time.June && m <= time.August {
			summer[i] = 25 // 2.5× the rest
		}
	}
	got := FindPrePlans(MonthlyCounts{Start: date(2024, 4, 1), Counts: map[string][]int{
		"heating": heating, "roads": flat, "flood": summer, "once": once}}, PrePlanConfig{})
	if len(got) != 2 {
		t.Fatalf("got %d plans, want heating and flood: %+v", len(got), got)
	}
	h, f := got[0], got[1]
	if h.Category != "heating" || h.Season != "winter" || h.Factor != 4 || len(h.Years) != 2 {
		t.Errorf("first plan %+v", h)
	}
	// Winter 2024: Nov 2024–Mar 2025 = 5 × 40; Apr–Oct 2024 = 7 × 10.
	if y := h.Years[0]; y.Year != 2024 || y.Season != 200 || y.Rest != 70 || y.Factor != 4 {
		t.Errorf("winter 2024 evidence %+v", y)
	}
	if !slices.Equal(h.Act, []time.Month{time.August, time.September, time.October}) {
		t.Errorf("act in %v", h.Act)
	}
	// Summer 2025 (Sep 2024–Aug 2025): 3 × 25 over 9 × 10.
	if f.Category != "flood" || f.Season != "summer" || f.Factor != 2.5 || len(f.Years) != 1 || f.Years[0].Year != 2025 {
		t.Errorf("second plan %+v", f)
	}
}
