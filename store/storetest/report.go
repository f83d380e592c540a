package storetest

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// reportStore is the part of a store that reports read.
type reportStore interface {
	ticketing.ReportStore
	ticketing.CallbackStore
}

// reportFrom is the start of the fixture's daily period: 2026-11-26 12:00
// in Beijing; the period runs to noon the next day.
var reportFrom = time.Date(2026, 11, 26, 12, 0, 0, 0, beijing)

// reportTicket is one ticket of the report fixture.
type reportTicket struct {
	at                time.Duration // after reportFrom
	channel           ticketing.Channel
	typ               ticketing.RequestType
	category          hotline.CategoryID
	district, unit    hotline.UnitID
	title, content    string
	replyDue, replied time.Duration // after reportFrom; 0: none
	events            map[string]time.Duration
}

// reportFixture: five tickets in the period, two the day before, one just
// after. Hand-counted results are in runReport.
var reportFixture = []reportTicket{
	{at: 0, channel: "phone", typ: "complaint", category: "heating.cold", district: "d1", unit: "u1",
		title: "暖气不热", replyDue: 2 * time.Hour,
		events: map[string]time.Duration{"dispatch": time.Hour, "return": 2 * time.Hour}},
	{at: 30 * time.Minute, channel: "web", typ: "help", category: "water", district: "d1", unit: "u2",
		title: "停水", replyDue: 10 * time.Hour, replied: 5 * time.Hour,
		events: map[string]time.Duration{"dispatch": time.Hour, "extend": 3 * time.Hour, "approve_extension": 4 * time.Hour}},
	{at: 5*time.Hour + 10*time.Minute, channel: "phone", typ: "help", category: "ecology.water", district: "d2",
		title: "河道有异味"},
	{at: 23*time.Hour + 59*time.Minute, channel: "phone", typ: "complaint", category: "noise.living", district: "d2", unit: "u1",
		title: "噪音", content: "邻居扬言要跳楼",
		events: map[string]time.Duration{"supervise": 23*time.Hour + 59*time.Minute + 30*time.Second, "reopen": 24 * time.Hour}},
	{at: 6 * time.Hour, channel: "app", typ: "suggestion", category: "fire", unit: "u2",
		title: "消防通道堵塞", replyDue: 7 * time.Hour, replied: 8 * time.Hour,
		events: map[string]time.Duration{"dispatch": 6*time.Hour + time.Minute}},
	// Outside: the previous day (two) and the next instant after the period.
	{at: -time.Microsecond, channel: "phone", typ: "help", category: "heating.cold", district: "d1", unit: "u1", title: "暖气不热"},
	{at: -20 * time.Hour, channel: "phone", typ: "help", category: "water", district: "d1", unit: "u2", title: "停水"},
	{at: 24 * time.Hour, channel: "phone", typ: "help", category: "fire", district: "d1", title: "消防"},
}

// seedReport creates the fixture's tickets, events and callbacks.
func seedReport(t *testing.T, s Store, rs reportStore) []hotline.TicketID {
	var ids []hotline.TicketID
	for _, f := range reportFixture {
		tk := newTicket(reportFrom.Add(f.at))
		tk.Channel, tk.Type, tk.Category = f.channel, f.typ, f.category
		tk.District, tk.Unit, tk.Title, tk.Content = f.district, f.unit, f.title, f.content
		if f.replyDue != 0 {
			tk.ReplyDue = reportFrom.Add(f.replyDue)
		}
		if f.replied != 0 {
			tk.RepliedAt = reportFrom.Add(f.replied)
		}
		if at, ok := f.events["dispatch"]; ok {
			tk.DispatchedAt = reportFrom.Add(at)
		}
		create(t, s, tk)
		var evs []ticketing.Event
		for _, action := range slices.Sorted(maps.Keys(f.events)) {
			evs = append(evs, ticketing.Event{Time: reportFrom.Add(f.events[action]), Action: action, From: tk.State, To: tk.State})
		}
		if len(evs) > 0 {
			must(t, s.UpdateTicket(ctx(t), tk, tk.Version, evs), "add events")
		}
		ids = append(ids, tk.ID)
	}
	answers := []struct {
		ticket   int
		at       time.Duration
		reached  bool
		resolved ticketing.YesNo
		sat      ticketing.Satisfaction
	}{
		{0, 3 * time.Hour, true, ticketing.AnswerYes, ticketing.Satisfied},
		{1, 4 * time.Hour, true, ticketing.AnswerNo, ticketing.BasicallySatisfied},
		{3, 5 * time.Hour, false, "", ""},
		{6, -time.Hour, true, ticketing.AnswerYes, ticketing.Satisfied}, // the day before
	}
	for i, a := range answers {
		r := &ticketing.CallbackRecord{Callback: int64(i + 1), Ticket: ids[a.ticket], Unit: "u1", Tier: ticketing.TierStreet,
			CalledAt: reportFrom.Add(a.at), Reached: a.reached, Resolved: a.resolved, Satisfaction: a.sat}
		if a.reached {
			r.Contacted = ticketing.AnswerYes
		}
		must(t, rs.RecordAnswers(ctx(t), r), "record answers")
	}
	return ids
}

func runReport(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	rs, ok := s.(reportStore)
	if !ok {
		t.Fatal("the store does not implement ticketing.ReportStore")
	}
	ids := seedReport(t, s, rs)
	to := reportFrom.Add(24 * time.Hour)
	got, err := rs.ReportCounts(ctx(t), ticketing.ReportQuery{From: reportFrom, To: to, Detail: true, Step: time.Hour, Now: to})
	must(t, err, "report counts")
	series := make([]int, 24)
	series[0], series[5], series[6], series[23] = 2, 1, 1, 1
	want := ticketing.ReportCounts{
		Total:      5,
		Category:   kcs("ecology.water", 1, "fire", 1, "heating.cold", 1, "noise.living", 1, "water", 1),
		District:   kcs("", 1, "d1", 2, "d2", 2),
		Unit:       kcs("", 1, "u1", 2, "u2", 2),
		Channel:    kcs("app", 1, "phone", 3, "web", 1),
		Type:       kcs("complaint", 2, "help", 2, "suggestion", 1),
		Series:     series,
		Overdue:    2, // the first (unreplied, due at 14:00) and the fire ticket (replied an hour late)
		Dispatched: 3, // the three with a dispatch time: the first, the water and the fire ticket
		Actions:    map[string]int{"return": 1, "extend": 1, "approve_extension": 1, "supervise": 1},
		Callbacks:  ticketing.UnitScore{Callbacks: 3, Valid: 2, Contacted: 2, Resolved: 1, Satisfied: 1, Basically: 1},
	}
	sortCounts(&got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("report counts:\n got %+v\nwant %+v", got, want)
	}

	prev, err := rs.ReportCounts(ctx(t), ticketing.ReportQuery{From: reportFrom.Add(-24 * time.Hour), To: reportFrom})
	must(t, err, "previous counts")
	sortCounts(&prev)
	wantPrev := ticketing.ReportCounts{Total: 2, Category: kcs("heating.cold", 1, "water", 1),
		District: kcs("d1", 2), Unit: kcs("u1", 1, "u2", 1)}
	if !reflect.DeepEqual(prev, wantPrev) {
		t.Errorf("previous counts:\n got %+v\nwant %+v", prev, wantPrev)
	}
	empty, err := rs.ReportCounts(ctx(t), ticketing.ReportQuery{From: to.AddDate(1, 0, 0), To: to.AddDate(1, 0, 1)})
	must(t, err, "empty counts")
	if !reflect.DeepEqual(empty, ticketing.ReportCounts{}) {
		t.Errorf("empty period: got %+v, want zero", empty)
	}
	runUrgent(t, rs, ids)
	runStoredReports(t, rs)
}

// sortCounts orders the groups by key (the contract) and drops empty maps.
func sortCounts(c *ticketing.ReportCounts) {
	for _, g := range []*[]ticketing.KeyCount{&c.Category, &c.District, &c.Unit, &c.Channel, &c.Type} {
		if !slices.IsSortedFunc(*g, func(a, b ticketing.KeyCount) int { return strings.Compare(a.Key, b.Key) }) {
			*g = nil // fails the comparison: groups must come ordered by key
		}
	}
	if len(c.Actions) == 0 {
		c.Actions = nil
	}
}

// runUrgent checks FindUrgentTickets: categories match themselves and
// below (water, not ecology.water), keywords the title or content.
func runUrgent(t *testing.T, rs reportStore, ids []hotline.TicketID) {
	q := ticketing.UrgentQuery{From: reportFrom, To: reportFrom.Add(24 * time.Hour),
		Categories: []hotline.CategoryID{"heating", "water", "fire"}, Keywords: []string{"扬言", "自焚"}}
	got, err := rs.FindUrgentTickets(ctx(t), q)
	must(t, err, "urgent tickets")
	var gotIDs []hotline.TicketID
	for _, u := range got {
		gotIDs = append(gotIDs, u.ID)
	}
	if want := []hotline.TicketID{ids[0], ids[1], ids[4], ids[3]}; !slices.Equal(gotIDs, want) {
		t.Fatalf("urgent tickets = %v, want %v", gotIDs, want)
	}
	u := got[3]
	if u.Content != "邻居扬言要跳楼" || u.Title != "噪音" || u.District != "d2" || u.Category != "noise.living" ||
		!u.Created.Equal(reportFrom.Add(23*time.Hour+59*time.Minute)) || u.Created.Location() != time.UTC {
		t.Errorf("urgent ticket = %+v", u)
	}
	q.Limit = 2
	got, err = rs.FindUrgentTickets(ctx(t), q)
	must(t, err, "urgent tickets, limited")
	if len(got) != 2 || got[1].ID != ids[1] {
		t.Errorf("limited urgent tickets = %+v, want the first two", got)
	}
}

// runStoredReports checks SaveReport, FindReport and FindReports.
func runStoredReports(t *testing.T, rs reportStore) {
	day := ticketing.StoredReport{Kind: ticketing.ReportDaily, From: reportFrom, To: reportFrom.Add(24 * time.Hour),
		GeneratedAt: t0, Body: []byte(`{"total": 4}`)}
	week := ticketing.StoredReport{Kind: ticketing.ReportWeekly, From: reportFrom.Add(-60 * time.Hour),
		To: reportFrom.Add(108 * time.Hour), GeneratedAt: t0, Body: []byte(`{"total": 9}`)}
	must(t, rs.SaveReport(ctx(t), &day), "save daily")
	must(t, rs.SaveReport(ctx(t), &week), "save weekly")
	day.Body, day.GeneratedAt = []byte(`{"total": 5}`), t0.Add(time.Hour)
	must(t, rs.SaveReport(ctx(t), &day), "save daily again")

	got, err := rs.FindReport(ctx(t), ticketing.ReportDaily, reportFrom)
	must(t, err, "find daily")
	var body map[string]int
	must(t, json.Unmarshal(got.Body, &body), "decode body")
	if body["total"] != 5 || !got.GeneratedAt.Equal(micro(t0.Add(time.Hour))) || !got.To.Equal(day.To) ||
		got.Kind != ticketing.ReportDaily || got.From.Location() != time.UTC {
		t.Errorf("found %+v body %s, want the second daily save", got, got.Body)
	}
	_, err = rs.FindReport(ctx(t), ticketing.ReportMonthly, reportFrom)
	wantCode(t, err, hotline.ENOTFOUND, "missing report")

	list, err := rs.FindReports(ctx(t), "", 0)
	must(t, err, "list reports")
	if len(list) != 2 || list[0].Kind != ticketing.ReportDaily || list[1].Kind != ticketing.ReportWeekly || list[0].Body != nil {
		t.Errorf("reports = %+v, want daily then weekly, without bodies", list)
	}
	list, err = rs.FindReports(ctx(t), ticketing.ReportWeekly, 1)
	must(t, err, "list weekly")
	if len(list) != 1 || !list[0].From.Equal(week.From) {
		t.Errorf("weekly reports = %+v", list)
	}
}

// kcs builds groups from key, count pairs.
func kcs(pairs ...any) []ticketing.KeyCount {
	var out []ticketing.KeyCount
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, ticketing.KeyCount{Key: pairs[i].(string), Count: pairs[i+1].(int)})
	}
	return out
}
