package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// ComplaintCounter counts a period's complaints per street (the 治理类 list).
type ComplaintCounter interface {
	ComplaintCounts(ctx context.Context, from, to time.Time) (map[hotline.UnitID]int, error)
}

func runComplaints(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	cc, ok := s.(ComplaintCounter)
	if !ok {
		t.Fatal("the store does not implement ComplaintCounts")
	}
	nov := time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC) // 1 November, Beijing
	dec := time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)
	add := func(at time.Time, typ ticketing.RequestType, street hotline.UnitID) {
		tk := newTicket(at)
		tk.Type, tk.Street = typ, street
		create(t, s, tk)
	}
	add(nov, ticketing.TypeComplaint, "s1")                        // first instant: counts
	add(nov.Add(48*time.Hour), ticketing.TypeComplaint, "s1")      // counts
	add(nov.Add(72*time.Hour), ticketing.TypeComplaint, "s2")      // counts
	add(nov.Add(72*time.Hour), ticketing.TypeHelp, "s2")           // not a complaint
	add(nov.Add(72*time.Hour), ticketing.TypeComplaint, "")        // no street
	add(nov.Add(-time.Microsecond), ticketing.TypeComplaint, "s1") // October
	add(dec, ticketing.TypeComplaint, "s2")                        // December
	got, err := cc.ComplaintCounts(ctx(t), nov, dec)
	must(t, err, "complaint counts")
	if len(got) != 2 || got["s1"] != 2 || got["s2"] != 1 {
		t.Fatalf("complaint counts = %v, want s1:2 s2:1", got)
	}
}
