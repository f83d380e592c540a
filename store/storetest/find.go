package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

func runFindTickets(t *testing.T, open func(t *testing.T) Store) {
	seeded := func(test func(*testing.T, Store, seeded)) func(*testing.T) {
		return func(t *testing.T) {
			s := open(t)
			test(t, s, seedTickets(t, s))
		}
	}
	t.Run("Filters", seeded(testFilters))
	t.Run("Sorts", seeded(testSorts))
	t.Run("Paging", seeded(testPaging))
	t.Run("Ties", func(t *testing.T) { testTies(t, open(t)) })
}

// seeded maps a letter to the id the store gave that ticket.
type seeded map[string]hotline.TicketID

func (m seeded) ids(names string) []hotline.TicketID {
	out := []hotline.TicketID{}
	for _, r := range names {
		out = append(out, m[string(r)])
	}
	return out
}

// seedTickets creates six tickets a…f, a minute apart, that differ in
// every filtered field.
func seedTickets(t *testing.T, s Store) seeded {
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	specs := []struct {
		name string
		mod  func(tk *ticketing.Ticket)
	}{
		{"a", func(tk *ticketing.Ticket) {
			tk.State, tk.Unit, tk.CopyUnit, tk.Category = ticketing.StateDispatched, "u1", "d1", "road"
			tk.District, tk.Street, tk.Urgency, tk.Type = "d1", "s1", ticketing.UrgencyOrdinary, ticketing.TypeComplaint
			tk.Channel, tk.CallerNumber, tk.ContactNumber = ticketing.ChannelPhone, "13800000001", "13900000001"
			tk.Supervised, tk.ReplyDue, tk.ReplyLight = true, h(1), ticketing.LightRed
			tk.Title, tk.Content, tk.Address = "照明问题", "小区楼下路灯不亮", "朝阳区建外街道"
		}},
		{"b", func(tk *ticketing.Ticket) {
			tk.State, tk.Unit, tk.Category = ticketing.StateInProgress, "u2", "water"
			tk.District, tk.Street, tk.Urgency, tk.Type = "d2", "s2", ticketing.UrgencyUtility, ticketing.TypeHelp
			tk.Channel, tk.CallerNumber, tk.ContactNumber = ticketing.ChannelWeb, "13800000002", "13800000001"
			tk.ReplyDue, tk.ReplyLight = h(5), ticketing.LightYellow
			tk.Title, tk.Content = "停水", "家里停水三天"
		}},
		{"c", func(tk *ticketing.Ticket) {
			tk.State, tk.Category = ticketing.StatePendingDispatch, "road.lamp"
			tk.District, tk.Street, tk.Urgency, tk.Type = "d1", "s3", ticketing.UrgencyEmergency, ticketing.TypeConsult
			tk.Channel, tk.ReplyLight = ticketing.ChannelApp, ticketing.LightGreen
			tk.Title, tk.Content = "噪音", "夜间施工噪音扰民"
		}},
		{"d", func(tk *ticketing.Ticket) {
			tk.State, tk.Unit, tk.Category = ticketing.StateReplied, "u1", "noise"
			tk.District, tk.Urgency, tk.Type = "d2", ticketing.UrgencyComplex, ticketing.TypeReport
			tk.Channel, tk.ReplyDue, tk.ReplyLight = ticketing.ChannelOpen311, t0.Add(30*time.Minute), ticketing.LightRed
		}},
		{"e", func(tk *ticketing.Ticket) {
			tk.State, tk.Unit, tk.CopyUnit, tk.Category = ticketing.StateDispatched, "u3", "u1", "road"
			tk.Urgency, tk.Type, tk.Channel = ticketing.UrgencyEmergency, ticketing.TypeSuggestion, ticketing.ChannelSMS
			tk.ReplyDue, tk.ReplyLight = h(3), ticketing.LightGreen
		}},
		{"f", func(tk *ticketing.Ticket) {
			tk.State, tk.Unit, tk.Urgency = ticketing.StateClosed, "u2", ticketing.UrgencyOrdinary
			tk.Type, tk.Channel, tk.ReplyDue = ticketing.TypePraise, ticketing.ChannelEmail, h(2)
		}},
	}
	m := seeded{}
	for i, sp := range specs {
		tk := &ticketing.Ticket{Created: t0.Add(time.Duration(i) * time.Minute), Title: "其他", Content: "其他事项"}
		sp.mod(tk)
		m[sp.name] = create(t, s, tk).ID
	}
	return m
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

func testFilters(t *testing.T, s Store, m seeded) {
	with := ticketing.StateDispatched
	cases := []struct {
		name string
		f    ticketing.TicketFilter
		want string
	}{
		{"none", ticketing.TicketFilter{}, "abcdef"},
		{"state", ticketing.TicketFilter{States: []ticketing.State{with}}, "ae"},
		{"states", ticketing.TicketFilter{States: []ticketing.State{with, ticketing.StateInProgress}}, "abe"},
		{"unit", ticketing.TicketFilter{Unit: "u1"}, "ad"},
		{"visible", ticketing.TicketFilter{Visible: "u1"}, "ade"},
		{"unit and state", ticketing.TicketFilter{Unit: "u1", States: []ticketing.State{with}}, "a"},
		{"category exact", ticketing.TicketFilter{Category: "road"}, "ae"},
		{"district", ticketing.TicketFilter{District: "d1"}, "ac"},
		{"street", ticketing.TicketFilter{Street: "s1"}, "a"},
		{"urgency", ticketing.TicketFilter{Urgency: ticketing.UrgencyEmergency}, "ce"},
		{"type", ticketing.TicketFilter{Type: ticketing.TypeComplaint}, "a"},
		{"channel", ticketing.TicketFilter{Channel: ticketing.ChannelWeb}, "b"},
		{"phone caller or contact", ticketing.TicketFilter{Phone: "13800000001"}, "ab"},
		{"phone contact", ticketing.TicketFilter{Phone: "13900000001"}, "a"},
		{"supervised", ticketing.TicketFilter{Supervised: yes()}, "a"},
		{"not supervised", ticketing.TicketFilter{Supervised: no()}, "bcdef"},
		{"overdue", ticketing.TicketFilter{Overdue: true, OverdueAt: t0.Add(4 * time.Hour)}, "ae"},
		{"overdue early", ticketing.TicketFilter{Overdue: true, OverdueAt: t0.Add(2 * time.Hour)}, "a"},
		{"light", ticketing.TicketFilter{Light: ticketing.LightRed}, "ad"},
		{"from to", ticketing.TicketFilter{From: t0.Add(time.Minute), To: t0.Add(3 * time.Minute)}, "bc"},
		{"from", ticketing.TicketFilter{From: t0.Add(4 * time.Minute)}, "ef"},
		{"to", ticketing.TicketFilter{To: t0.Add(time.Minute)}, "a"},
		{"query word", ticketing.TicketFilter{Query: "路灯"}, "a"},
		{"query phrase", ticketing.TicketFilter{Query: "路灯不亮"}, "a"},
		{"query absent", ticketing.TicketFilter{Query: "路灯坏了"}, ""},
		{"query content", ticketing.TicketFilter{Query: "停水"}, "b"},
		{"query title", ticketing.TicketFilter{Query: "照明"}, "a"},
		{"query address", ticketing.TicketFilter{Query: "建外"}, "a"},
		{"query and filter", ticketing.TicketFilter{Query: "其他", Unit: "u2"}, "f"},
	}
	for _, c := range cases {
		got, err := s.FindTickets(ctx(t), c.f)
		must(t, err, c.name)
		g, w := sorted(ids(got)), sorted(m.ids(c.want))
		if !equalIDs(g, w) {
			t.Errorf("%s: got %v, want %v (%s)", c.name, g, w, c.want)
		}
	}
}

func testSorts(t *testing.T, s Store, m seeded) {
	cases := []struct {
		sort string
		want string
	}{
		{"", "fedcba"},
		{ticketing.SortCreatedDesc, "fedcba"},
		{ticketing.SortDeadline, "dafebc"}, // c has no ReplyDue: last
		{ticketing.SortDispatch, "cebafd"},
	}
	for _, c := range cases {
		got, err := s.FindTickets(ctx(t), ticketing.TicketFilter{Sort: c.sort})
		must(t, err, "sort "+c.sort)
		if g, w := ids(got), m.ids(c.want); !equalIDs(g, w) {
			t.Errorf("sort %q: got %v, want %v (%s)", c.sort, g, w, c.want)
		}
	}
	// A unit's queue: open with the unit, by deadline.
	open := []ticketing.State{ticketing.StateDispatched, ticketing.StateInProgress}
	got, err := s.FindTickets(ctx(t), ticketing.TicketFilter{States: open, Sort: ticketing.SortDeadline})
	must(t, err, "queue")
	if g, w := ids(got), m.ids("aeb"); !equalIDs(g, w) {
		t.Errorf("queue: got %v, want %v", g, w)
	}
}

func testPaging(t *testing.T, s Store, m seeded) {
	pages := []struct {
		limit, offset int
		want          string
	}{
		{2, 0, "fe"}, {2, 2, "dc"}, {2, 4, "ba"}, {2, 6, ""}, {4, 3, "cba"}, {0, 0, "fedcba"},
	}
	for _, p := range pages {
		got, err := s.FindTickets(ctx(t), ticketing.TicketFilter{Limit: p.limit, Offset: p.offset})
		must(t, err, "page")
		if g, w := ids(got), m.ids(p.want); !equalIDs(g, w) {
			t.Errorf("limit %d offset %d: got %v, want %v", p.limit, p.offset, g, w)
		}
	}
}

// testTies checks the tie-breakers: equal sort keys order by id (descending
// for the default sort, ascending otherwise).
func testTies(t *testing.T, s Store) {
	var made []hotline.TicketID
	for range 3 {
		tk := newTicket(t0)
		tk.ReplyDue = t0.Add(time.Hour)
		made = append(made, create(t, s, tk).ID)
	}
	desc := slices.Clone(made)
	slices.Reverse(desc)
	for sort, want := range map[string][]hotline.TicketID{
		"": desc, ticketing.SortDeadline: made, ticketing.SortDispatch: made,
	} {
		got, err := s.FindTickets(ctx(t), ticketing.TicketFilter{Sort: sort})
		must(t, err, fmt.Sprintf("sort %q", sort))
		if g := ids(got); !equalIDs(g, want) {
			t.Errorf("ties in sort %q: got %v, want %v", sort, g, want)
		}
	}
}
