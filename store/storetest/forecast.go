package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// CallCounter is what a backend provides for the forecasts: call records
// counted per step of arrival time. What the suite pins down:
//
//   - From and To are required (From before To) and step at least a
//     second, else EINVALID; the answer has ⌈(To − From) ÷ step⌉ buckets,
//     bucket i counting arrivals in [From + i·step, From + (i+1)·step),
//     never past To.
//   - The other CallFilter fields filter as in FindCalls; paging is ignored.
type CallCounter interface {
	CallStore
	CountCalls(ctx context.Context, f hotline.CallFilter, step time.Duration) ([]int, error)
}

func runCountCalls(t *testing.T, open func(t *testing.T) Store) {
	s, ok := open(t).(CallCounter)
	if !ok {
		t.Fatal("the store does not implement CountCalls")
	}
	base := time.Date(2026, 11, 27, 9, 0, 0, 0, beijing)
	for i, c := range []struct {
		at  time.Duration
		dir string
	}{
		{-time.Microsecond, "inbound"},                 // before the window
		{0, "inbound"},                                 // bucket 0
		{30*time.Minute - time.Microsecond, "inbound"}, // still bucket 0
		{5 * time.Minute, "outbound"},                  // bucket 0 without the direction filter
		{30 * time.Minute, "inbound"},                  // bucket 1
		{2*time.Hour + 400, "inbound"},                 // bucket 4 (sub-microsecond remainder)
		{2*time.Hour + 10*time.Minute, "inbound"},      // at To: outside
	} {
		call := fullCall(hotline.CallID("count-" + string(rune('a'+i))))
		call.Arrived, call.Direction = base.Add(c.at), c.dir
		must(t, s.CreateCall(ctx(t), call), "create call")
	}
	noArrival := fullCall("count-none")
	noArrival.Arrived = time.Time{}
	must(t, s.CreateCall(ctx(t), noArrival), "create call without arrival")

	f := hotline.CallFilter{From: base, To: base.Add(2*time.Hour + 10*time.Minute), Direction: "inbound", Limit: 1}
	got, err := s.CountCalls(ctx(t), f, 30*time.Minute)
	must(t, err, "count inbound")
	if want := []int{2, 1, 0, 0, 1}; !slices.Equal(got, want) {
		t.Errorf("inbound per half hour = %v, want %v", got, want)
	}
	f.Direction = ""
	got, err = s.CountCalls(ctx(t), f, time.Hour)
	must(t, err, "count all")
	if want := []int{4, 0, 1}; !slices.Equal(got, want) {
		t.Errorf("all per hour = %v, want %v", got, want)
	}
	_, err = s.CountCalls(ctx(t), hotline.CallFilter{To: base}, time.Hour)
	wantCode(t, err, hotline.EINVALID, "no from")
	_, err = s.CountCalls(ctx(t), f, 0)
	wantCode(t, err, hotline.EINVALID, "zero step")
}
