package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// BulkLoader is what a backend provides for hotlinectl seed. What the
// suite pins down:
//
//   - LoadTickets writes the rows CreateTicket would: tickets loaded in bulk
//     read back through FindTicketByID, FindEvents, FindTickets (including
//     the free-text Query) and SummarizeTickets exactly as the same tickets
//     created one by one. They are numbered from their Created day after the
//     tickets of that day already stored, in the order given, and a later
//     CreateTicket on the same day takes the next number. A Version of 0
//     is stored as 1; a higher one is kept.
//   - LoadCalls stores what CreateCall would; LoadCallbacks what
//     CreateCallback and RecordAnswers would, setting the callbacks' IDs
//     and the records' Callback and ID.
type BulkLoader interface {
	LoadTickets(ctx context.Context, ts []*ticketing.Ticket, evs [][]ticketing.Event) error
	LoadCalls(ctx context.Context, cs []*hotline.CallRecord) error
	LoadCallbacks(ctx context.Context, cbs []*ticketing.Callback, recs [][]*ticketing.CallbackRecord) error
}

func runBulk(t *testing.T, open func(t *testing.T) Store) {
	t.Run("TicketsAsCreated", func(t *testing.T) { testBulkTickets(t, open(t), open(t)) })
	t.Run("Numbering", func(t *testing.T) { testBulkNumbering(t, open(t)) })
	t.Run("CallsCallbacks", func(t *testing.T) { testBulkCallsCallbacks(t, open(t)) })
}

func bulkLoader(t *testing.T, s Store) BulkLoader {
	t.Helper()
	b, ok := s.(BulkLoader)
	if !ok {
		t.Fatal("the store does not implement BulkLoader (LoadTickets, LoadCalls, LoadCallbacks)")
	}
	return b
}

// bulkTickets are tickets over two Beijing days, with text to search and
// different units, lights and supervision to summarize.
func bulkTickets() ([]*ticketing.Ticket, [][]ticketing.Event) {
	var ts []*ticketing.Ticket
	var evs [][]ticketing.Event
	texts := []string{"暖气不热室温低", "楼下施工噪音扰民", "小区停水", "路灯不亮"}
	lights := []ticketing.Light{ticketing.LightGreen, ticketing.LightYellow, ticketing.LightRed}
	for i := range 12 {
		tk := fullTicket(t0.Add(time.Duration(i) * 3 * time.Hour)) // 09:00 … next day 18:00
		tk.Content, tk.Title = texts[i%4], fmt.Sprintf("诉求%d", i)
		tk.Unit = hotline.UnitID([]string{"jianwai", "heating", "water"}[i%3])
		tk.ReplyLight, tk.Supervised = lights[i%3], i%2 == 0
		tk.Confidential, tk.NoCallback = false, false
		ts = append(ts, tk)
		evs = append(evs, []ticketing.Event{intake(tk.Created), {Time: tk.Created, Actor: hotline.System, Action: "dispatch",
			From: ticketing.StatePendingDispatch, To: ticketing.StateDispatched, Reason: "automatic dispatch",
			Diff: map[string]ticketing.Change{"unit": {To: string(tk.Unit)}}}})
	}
	return ts, evs
}

func testBulkTickets(t *testing.T, one, bulk Store) {
	created, cevs := bulkTickets()
	for i, tk := range created {
		must(t, one.CreateTicket(ctx(t), tk, cevs[i], nil), "create")
	}
	loaded, levs := bulkTickets()
	must(t, bulkLoader(t, bulk).LoadTickets(ctx(t), loaded, levs), "load tickets")
	for i := range created {
		if loaded[i].ID != created[i].ID || loaded[i].Version != 1 {
			t.Fatalf("ticket %d: loaded as %s v%d, created as %s v1", i, loaded[i].ID, loaded[i].Version, created[i].ID)
		}
		same(t, find(t, one, created[i].ID), find(t, bulk, loaded[i].ID), "loaded ticket "+string(loaded[i].ID))
		a, b := mustEvents(t, one, created[i].ID), mustEvents(t, bulk, loaded[i].ID)
		if len(a) != len(b) || len(b) != 2 || levs[i][1].Seq == 0 || levs[i][1].Ticket != loaded[i].ID {
			t.Fatalf("ticket %s: %d events created, %d loaded (%+v)", loaded[i].ID, len(a), len(b), levs[i])
		}
		for j := range a {
			a[j].Seq, b[j].Seq = 0, 0
			sameEvent(t, a[j], b[j], "loaded event")
		}
	}
	filters := []ticketing.TicketFilter{{}, {Query: "噪音"}, {Unit: "heating"}, {From: t0.Add(20 * time.Hour)}, {Sort: ticketing.SortDeadline}}
	for _, f := range filters {
		a, err := one.FindTickets(ctx(t), f)
		must(t, err, "find created")
		b, err := bulk.FindTickets(ctx(t), f)
		must(t, err, "find loaded")
		if !equalIDs(ids(a), ids(b)) || len(b) == 0 {
			t.Errorf("FindTickets(%+v): created %v, loaded %v", f, ids(a), ids(b))
		}
	}
	for _, g := range ticketing.SummaryGroups {
		f := ticketing.TicketFilter{OverdueAt: t0.Add(30 * 24 * time.Hour)}
		a, err := one.SummarizeTickets(ctx(t), f, g)
		must(t, err, "summarize created")
		b, err := bulk.SummarizeTickets(ctx(t), f, g)
		must(t, err, "summarize loaded")
		if !reflect.DeepEqual(a, b) || len(b) == 0 {
			t.Errorf("SummarizeTickets by %s: created %+v, loaded %+v", g, a, b)
		}
	}
}

func testBulkNumbering(t *testing.T, s Store) {
	first := create(t, s, newTicket(t0)) // 20261127000001
	ts := []*ticketing.Ticket{newTicket(t0.Add(time.Hour)), newTicket(t0.Add(24 * time.Hour)), newTicket(t0.Add(2 * time.Hour))}
	ts[1].Version = 7
	must(t, bulkLoader(t, s).LoadTickets(ctx(t), ts, make([][]ticketing.Event, len(ts))), "load")
	want := []hotline.TicketID{"20261127000002", "20261128000001", "20261127000003"}
	if first.ID != "20261127000001" || !equalIDs(ids(ts), want) {
		t.Fatalf("numbers %s then %v, want 20261127000001 then %v", first.ID, ids(ts), want)
	}
	if got := find(t, s, ts[1].ID); got.Version != 7 || ts[1].Version != 7 || ts[0].Version != 1 {
		t.Fatalf("versions: stored %d, set %d and %d; want 7, 7 and 1", got.Version, ts[1].Version, ts[0].Version)
	}
	after := create(t, s, newTicket(t0.Add(3*time.Hour)))
	if after.ID != "20261127000004" {
		t.Fatalf("CreateTicket after the load: %s, want 20261127000004", after.ID)
	}
}

func testBulkCallsCallbacks(t *testing.T, s Store) {
	b := bulkLoader(t, s)
	cs := []*hotline.CallRecord{fullCall("bulk-1"), fullCall("bulk-2")}
	cs[1].Arrived = cs[1].Arrived.Add(time.Minute)
	must(t, b.LoadCalls(ctx(t), cs), "load calls")
	calls, ok := s.(CallStore)
	if !ok {
		t.Fatal("the store does not implement CallStore")
	}
	for _, c := range cs {
		got, err := calls.FindCallByID(ctx(t), c.ID)
		must(t, err, "find loaded call")
		same(t, c, got, "loaded call")
	}
	cbStore, ok := s.(ticketing.CallbackStore)
	if !ok {
		t.Fatal("the store does not implement ticketing.CallbackStore")
	}
	tk := create(t, s, newTicket(t0))
	cb := fullCallback()
	cb.Tickets = []hotline.TicketID{tk.ID}
	at := bj(11, 3, 10, 0)
	recs := []*ticketing.CallbackRecord{
		{Ticket: tk.ID, Unit: "jianwai", Tier: ticketing.TierStreet, CalledAt: at, Reached: true,
			Contacted: ticketing.AnswerYes, Resolved: ticketing.AnswerNo, Satisfaction: ticketing.Dissatisfied},
		{Ticket: tk.ID, Unit: "jianwai", Tier: ticketing.TierStreet, CalledAt: at.Add(time.Hour), Reached: true,
			Contacted: ticketing.AnswerYes, Resolved: ticketing.AnswerYes, Satisfaction: ticketing.Satisfied},
	}
	must(t, b.LoadCallbacks(ctx(t), []*ticketing.Callback{cb}, [][]*ticketing.CallbackRecord{recs}), "load callbacks")
	if cb.ID == 0 || cb.Version != 1 || recs[0].Callback != cb.ID || recs[1].ID == 0 {
		t.Fatalf("ids not set: callback %d v%d, records %+v", cb.ID, cb.Version, recs)
	}
	got, err := cbStore.FindCallbackByID(ctx(t), cb.ID)
	must(t, err, "find loaded callback")
	sameCallback(t, cb, got, "loaded callback")
	answers, err := cbStore.FindAnswers(ctx(t), tk.ID)
	must(t, err, "find loaded answers")
	sameList(t, recs, answers, "loaded answers")
	// Only the later, clear record counts: resolved 1 of 1 valid.
	counts, err := cbStore.AssessmentCounts(ctx(t), ticketing.MonthOf(at), ticketing.TierStreet)
	must(t, err, "assessment counts")
	if len(counts) != 1 || counts[0].Valid != 1 || counts[0].Resolved != 1 {
		t.Fatalf("assessment over loaded answers: %+v, want one unit with 1 valid, 1 resolved", counts)
	}
}
