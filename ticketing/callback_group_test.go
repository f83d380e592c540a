package ticketing

import (
	"slices"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

func TestGroupByContactNumber(t *testing.T) {
	items := []DueTicket{
		{"T-A2", "138-0013-8000", bjs("2026-09-15 14:00:00")},
		{"T-B1", "13900139000", bjs("2026-09-15 09:30:00")},
		{"T-A1", "13800138000", bjs("2026-09-15 10:00:00")},
		{"T-A3", "+86 13800138000", bjs("2026-09-15 16:45:00")},
		{"T-A4", "13800138000", bjs("2026-09-18 10:00:00")}, // three days later: its own call
	}
	got := Group(items, 24*time.Hour)
	want := []Callback{
		{Tickets: []hotline.TicketID{"T-B1"}, ContactNumber: "13900139000", Due: bjs("2026-09-15 09:30:00"), State: CallbackPending},
		{Tickets: []hotline.TicketID{"T-A1", "T-A2", "T-A3"}, ContactNumber: "13800138000", Due: bjs("2026-09-15 16:45:00"), State: CallbackPending},
		{Tickets: []hotline.TicketID{"T-A4"}, ContactNumber: "13800138000", Due: bjs("2026-09-18 10:00:00"), State: CallbackPending},
	}
	assertCallbacks(t, got, want)
	// The order of the input does not matter.
	slices.Reverse(items)
	assertCallbacks(t, Group(items, 24*time.Hour), want)
}

func TestGroupSpan(t *testing.T) {
	items := []DueTicket{
		{"T1", "13800138000", bjs("2026-09-15 10:00:00")},
		{"T2", "13800138000", bjs("2026-09-15 12:00:00")}, // exactly span after T1: joins
		{"T3", "13800138000", bjs("2026-09-15 12:00:01")}, // past the span: next call
		{"T3", "13800138000", bjs("2026-09-15 12:00:01")}, // a duplicate is asked about once
	}
	got := Group(items, 2*time.Hour)
	assertCallbacks(t, got, []Callback{
		{Tickets: []hotline.TicketID{"T1", "T2"}, ContactNumber: "13800138000", Due: bjs("2026-09-15 12:00:00"), State: CallbackPending},
		{Tickets: []hotline.TicketID{"T3"}, ContactNumber: "13800138000", Due: bjs("2026-09-15 12:00:01"), State: CallbackPending},
	})
	if got := Group(nil, time.Hour); len(got) != 0 {
		t.Errorf("Group(nil) = %v", got)
	}
	if got := Group([]DueTicket{{"T9", "", bjs("2026-09-15 10:00:00")}}, time.Hour); len(got) != 0 {
		t.Errorf("a ticket without a number was grouped: %v", got)
	}
}

func TestGroupPlan(t *testing.T) {
	cal := callbackCalendar()
	p := DefaultCallbackPolicy()
	mk := func(id hotline.TicketID, number string, replied string) *Ticket {
		return &Ticket{ID: id, ContactNumber: number, Unit: "u1", State: StateReplied, RepliedAt: bjs(replied)}
	}
	secret := mk("T-S", "13800138000", "2026-09-14 11:00:00")
	secret.Confidential = true
	cbs, skipped := Plan([]*Ticket{
		mk("T-1", "13800138000", "2026-09-14 10:00:00"),
		mk("T-2", "13800138000", "2026-09-14 21:00:00"), // due 09-16 09:00, within a day of T-1
		secret,
		mk("T-3", "13900139000", "2026-09-30 10:00:00"), // due after National Day
	}, p, cal)
	assertCallbacks(t, cbs, []Callback{
		{Tickets: []hotline.TicketID{"T-1", "T-2"}, ContactNumber: "13800138000", Due: bjs("2026-09-16 09:00:00"), State: CallbackPending},
		{Tickets: []hotline.TicketID{"T-3"}, ContactNumber: "13900139000", Due: bjs("2026-10-08 09:00:00"), State: CallbackPending},
	})
	if len(skipped) != 1 || skipped[0] != (SkippedTicket{"T-S", "confidential"}) {
		t.Errorf("skipped = %v", skipped)
	}
}

func assertCallbacks(t *testing.T, got, want []Callback) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d callbacks %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !slices.Equal(g.Tickets, w.Tickets) || g.ContactNumber != w.ContactNumber || !g.Due.Equal(w.Due) || g.State != w.State {
			t.Errorf("callback %d = %v %s %s %s, want %v %s %s %s", i,
				g.Tickets, g.ContactNumber, g.Due.In(Beijing), g.State, w.Tickets, w.ContactNumber, w.Due.In(Beijing), w.State)
		}
	}
}

func TestPick(t *testing.T) {
	cal := callbackCalendar()
	p := DefaultCallbackPolicy()
	now := bjs("2026-09-15 10:00:00")
	cb := func(id int64, due string, s CallbackState) Callback {
		return Callback{ID: id, Due: bjs(due), State: s}
	}
	due := []Callback{
		cb(1, "2026-09-15 09:30:00", CallbackPending),
		cb(2, "2026-09-14 09:00:00", CallbackPaused), // oldest, but paused: never
		cb(3, "2026-09-15 09:00:00", CallbackPending),
		cb(4, "2026-09-15 10:00:01", CallbackPending), // not yet due
		cb(5, "2026-09-15 09:00:00", CallbackPending), // ties with 3: lower id first
		cb(6, "2026-09-14 12:00:00", CallbackCalling),
		cb(7, "2026-09-15 10:00:00", CallbackPending), // due exactly now
		cb(8, "2026-09-14 12:00:00", CallbackDone),
	}
	for _, tc := range []struct {
		name         string
		now          time.Time
		max, running int
		want         []int64
	}{
		{"free lines, oldest first", now, 3, 0, []int64{3, 5, 1}},
		{"one line busy", now, 3, 1, []int64{3, 5}},
		{"all lines busy", now, 3, 3, nil},
		{"more running than allowed", now, 3, 5, nil},
		{"cap above the due count", bjs("2026-09-15 11:00:00"), 10, 0, []int64{3, 5, 1, 7, 4}},
		{"before the window", bjs("2026-09-16 08:59:59"), 3, 0, nil},
		{"after the window", bjs("2026-09-15 20:00:00"), 3, 0, nil},
		{"on a holiday", bjs("2026-10-02 10:00:00"), 3, 0, nil},
	} {
		p.MaxConcurrent = tc.max
		var ids []int64
		for _, c := range Pick(due, tc.now, tc.running, p, cal) {
			ids = append(ids, c.ID)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("%s: Pick = %v, want %v", tc.name, ids, tc.want)
		}
	}
}
