package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// runSummary checks SummarizeTickets over the six tickets of seedTickets.
func runSummary(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	seedTickets(t, s)
	held := []ticketing.State{ticketing.StateDispatched, ticketing.StateInProgress}
	at := t0.Add(4 * time.Hour)
	type row = ticketing.TicketCount
	cases := []struct {
		name  string
		f     ticketing.TicketFilter
		group ticketing.SummaryGroup
		want  []row
	}{
		{"held by unit", ticketing.TicketFilter{States: held, OverdueAt: at}, ticketing.GroupUnit, []row{
			{Key: "u1", Total: 1, Red: 1, Overdue: 1, Supervised: 1},
			{Key: "u2", Total: 1, Yellow: 1},
			{Key: "u3", Total: 1, Overdue: 1},
		}},
		{"all by district", ticketing.TicketFilter{OverdueAt: at}, ticketing.GroupDistrict, []row{
			{Key: "", Total: 2, Overdue: 1},
			{Key: "d1", Total: 2, Red: 1, Overdue: 1, Supervised: 1},
			{Key: "d2", Total: 2, Yellow: 1, Red: 1},
		}},
		{"street within a district", ticketing.TicketFilter{District: "d1", OverdueAt: at}, ticketing.GroupStreet, []row{
			{Key: "s1", Total: 1, Red: 1, Overdue: 1, Supervised: 1},
			{Key: "s3", Total: 1},
		}},
		{"visible to u1 by category", ticketing.TicketFilter{Visible: "u1", OverdueAt: at}, ticketing.GroupCategory, []row{
			{Key: "noise", Total: 1, Red: 1},
			{Key: "road", Total: 2, Red: 1, Overdue: 2, Supervised: 1},
		}},
		{"no overdue time counts none", ticketing.TicketFilter{States: held}, ticketing.GroupUnit, []row{
			{Key: "u1", Total: 1, Red: 1, Supervised: 1},
			{Key: "u2", Total: 1, Yellow: 1},
			{Key: "u3", Total: 1},
		}},
		{"overdue filter", ticketing.TicketFilter{Overdue: true, OverdueAt: at}, ticketing.GroupUnit, []row{
			{Key: "u1", Total: 1, Red: 1, Overdue: 1, Supervised: 1},
			{Key: "u3", Total: 1, Overdue: 1},
		}},
		{"light filter", ticketing.TicketFilter{Light: ticketing.LightRed, OverdueAt: at}, ticketing.GroupUnit, []row{
			{Key: "u1", Total: 2, Red: 2, Overdue: 1, Supervised: 1},
		}},
		{"nothing", ticketing.TicketFilter{Unit: "nobody", OverdueAt: at}, ticketing.GroupUnit, nil},
	}
	for _, c := range cases {
		got, err := s.SummarizeTickets(ctx(t), c.f, c.group)
		must(t, err, c.name)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
	_, err := s.SummarizeTickets(ctx(t), ticketing.TicketFilter{}, "colour")
	wantCode(t, err, hotline.EINVALID, "unknown group")
}
