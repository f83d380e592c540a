package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

func TestCreateTicket(t *testing.T) {
	e := newEnv(t)
	var gotIdem ticketing.IdemKey
	var gotIn ticketing.IntakeInput
	e.tickets.IntakeFn = func(_ hotline.Actor, in ticketing.IntakeInput, idem ticketing.IdemKey) (*ticketing.Ticket, bool, error) {
		gotIn, gotIdem = in, idem
		return sampleTicket(), false, nil
	}
	body := `{"channel":"phone","contact_number":"13900139000","title":"路灯不亮","category":"0101"}`
	w := e.request("POST", "/api/v1/tickets", body)
	var got ticketJSON
	decodeBody(t, w, http.StatusCreated, &got)
	if loc := w.Header().Get("Location"); loc != "/api/v1/tickets/20261127000042" {
		t.Errorf("Location = %q", loc)
	}
	if got.ID != "20261127000042" || got.State != "dispatched" {
		t.Errorf("ticket = %+v", got)
	}
	if gotIn.Category != "0101" || gotIn.ContactNumber != "13900139000" {
		t.Errorf("input = %+v", gotIn)
	}
	if gotIdem != (ticketing.IdemKey{}) {
		t.Errorf("idem without header = %+v", gotIdem)
	}
}

func TestCreateTicketIdempotency(t *testing.T) {
	e := newEnv(t)
	var gotIdem ticketing.IdemKey
	replay := false
	e.tickets.IntakeFn = func(_ hotline.Actor, _ ticketing.IntakeInput, idem ticketing.IdemKey) (*ticketing.Ticket, bool, error) {
		gotIdem = idem
		return sampleTicket(), replay, nil
	}
	body := `{"title":"路灯不亮"}`
	first := e.request("POST", "/api/v1/tickets", body, "Idempotency-Key", "k-1")
	sum := sha256.Sum256([]byte(body))
	if gotIdem.Key != "k-1" || gotIdem.Hash != hex.EncodeToString(sum[:]) {
		t.Fatalf("idem = %+v", gotIdem)
	}
	if first.Code != http.StatusCreated {
		t.Fatalf("first = %d", first.Code)
	}
	replay = true
	second := e.request("POST", "/api/v1/tickets", body, "Idempotency-Key", "k-1")
	if second.Code != http.StatusOK || second.Body.String() != first.Body.String() {
		t.Errorf("replay = %d %s, want 200 with %s", second.Code, second.Body, first.Body)
	}
}

func TestTicketJSONShape(t *testing.T) {
	tk := sampleTicket()
	raw, _ := json.Marshal(toTicketJSON(tk))
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, absent := range []string{"lat", "lng", "pending_extension", "accepted_at", "closed_at", "paused_at"} {
		if _, ok := m[absent]; ok {
			t.Errorf("%s present: %s", absent, raw)
		}
	}
	if m["created"] != "2026-11-27T10:00:00Z" || m["version"] != 3.0 || m["copy_unit"] != "chaoyang" {
		t.Errorf("fields wrong: %s", raw)
	}
	dl := m["deadlines"].(map[string]any)
	if dl["accept"] != "2026-11-27T12:00:00Z" || dl["reply"] != "2026-12-04T10:00:00Z" {
		t.Errorf("deadlines = %v", dl)
	}
	tk.Lat, tk.Lng, tk.PendingExtension, tk.ExtensionReason = 39.9, 116.4, 5, "needs parts"
	raw, _ = json.Marshal(toTicketJSON(tk))
	if !strings.Contains(string(raw), `"lat":39.9,"lng":116.4`) || !strings.Contains(string(raw), `"pending_extension":{"days":5,"reason":"needs parts"}`) {
		t.Errorf("position/extension missing: %s", raw)
	}
}

func TestGetTicketWithHistory(t *testing.T) {
	e := newEnv(t)
	e.tickets.TicketFn = func(_ hotline.Actor, id hotline.TicketID) (*ticketing.Ticket, error) {
		if id != "20261127000042" {
			return nil, hotline.Errorf(hotline.ENOTFOUND, "no ticket")
		}
		return sampleTicket(), nil
	}
	e.tickets.HistoryFn = func(hotline.Actor, hotline.TicketID) ([]ticketing.Event, error) {
		return []ticketing.Event{{Seq: 1, Time: testNow, Actor: testUser.Actor(), Action: "intake", To: ticketing.StateDispatched,
			Diff: map[string]ticketing.Change{"unit": {From: "", To: "jianwai"}}}}, nil
	}
	var got struct {
		ID      string      `json:"id"`
		History []eventJSON `json:"history"`
	}
	decodeBody(t, e.request("GET", "/api/v1/tickets/20261127000042", ""), http.StatusOK, &got)
	if got.ID != "20261127000042" || len(got.History) != 1 {
		t.Fatalf("got %+v", got)
	}
	h := got.History[0]
	if h.Action != "intake" || h.Actor.ID != "u1" || h.To != "dispatched" || h.Diff["unit"].To != "jianwai" {
		t.Errorf("event = %+v", h)
	}
	apiError(t, e.request("GET", "/api/v1/tickets/nope", ""), http.StatusNotFound)
}

func TestAccesses(t *testing.T) {
	e := newEnv(t)
	e.tickets.AccessesFn = func(_ hotline.Actor, id hotline.TicketID) ([]ticketing.Access, error) {
		return []ticketing.Access{{Ticket: id, Time: testNow, Actor: testUser.Actor(), Field: "contact"}}, nil
	}
	var got struct{ Accesses []accessJSON }
	decodeBody(t, e.request("GET", "/api/v1/tickets/1/accesses", ""), http.StatusOK, &got)
	if len(got.Accesses) != 1 || got.Accesses[0].Field != "contact" || got.Accesses[0].Actor.Name != "Li Na" {
		t.Errorf("accesses = %+v", got)
	}
}

func TestAct(t *testing.T) {
	e := newEnv(t)
	var gotAction string
	var gotIn ticketing.ActionInput
	e.tickets.ActFn = func(_ hotline.Actor, id hotline.TicketID, action string, in ticketing.ActionInput) (*ticketing.Ticket, error) {
		gotAction, gotIn = action, in
		tk := sampleTicket()
		tk.State = ticketing.StateReplied
		return tk, nil
	}
	w := e.request("POST", "/api/v1/tickets/20261127000042/reply", `{"outcome":"resolved","content":"已修复","version":3}`)
	var got ticketJSON
	decodeBody(t, w, http.StatusOK, &got)
	if gotAction != "reply" || gotIn.Outcome != "resolved" || gotIn.Content != "已修复" || gotIn.Version != 3 || got.State != "replied" {
		t.Errorf("action %q in %+v -> %+v", gotAction, gotIn, got.State)
	}
	// An empty body is an empty input.
	w = e.request("POST", "/api/v1/tickets/20261127000042/accept", "")
	if w.Code != http.StatusOK || gotAction != "accept" || gotIn != (ticketing.ActionInput{}) {
		t.Errorf("accept with no body: %d %s %+v", w.Code, gotAction, gotIn)
	}
}

func TestActUnknownAction(t *testing.T) {
	e := newEnv(t)
	got := apiError(t, e.request("POST", "/api/v1/tickets/20261127000042/teleport", `{}`), http.StatusNotFound)
	if !strings.Contains(got.Message, "teleport") || !strings.Contains(got.Message, "approve_extension") {
		t.Errorf("message = %q", got.Message)
	}
	if e.tickets.calls != 0 {
		t.Error("service called for an unknown action")
	}
}

func TestActStrictBody(t *testing.T) {
	e := newEnv(t)
	got := apiError(t, e.request("POST", "/api/v1/tickets/1/extend", `{"days":"5"}`), http.StatusBadRequest)
	if got.Fields["days"] == "" {
		t.Errorf("fields = %v", got.Fields)
	}
	if e.tickets.calls != 0 {
		t.Error("service called")
	}
}

func TestListTicketsQuery(t *testing.T) {
	e := newEnv(t)
	var got ticketing.TicketFilter
	e.tickets.TicketsFn = func(_ hotline.Actor, f ticketing.TicketFilter) ([]*ticketing.Ticket, error) {
		got = f
		return []*ticketing.Ticket{sampleTicket(), sampleTicket()}, nil
	}
	q := "?state=dispatched,in_progress&state=returned&unit=jianwai&category=0101&district=chaoyang&street=jianwai" +
		"&urgency=utility&type=help&channel=web&phone=139&supervised=false&overdue=true&light=red" +
		"&from=2026-11-01&to=2026-11-26T08:00:00%2B08:00&q=%E8%B7%AF%E7%81%AF&sort=deadline&limit=2&offset=4"
	var body ticketListJSON
	decodeBody(t, e.request("GET", "/api/v1/tickets"+q, ""), http.StatusOK, &body)
	no := false
	want := ticketing.TicketFilter{
		States: []ticketing.State{"dispatched", "in_progress", "returned"}, Unit: "jianwai", Category: "0101",
		District: "chaoyang", Street: "jianwai", Urgency: "utility", Type: "help", Channel: "web", Phone: "139",
		Supervised: &no, Overdue: true, Light: "red", From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		To: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), Query: "路灯", Sort: "deadline", Limit: 2, Offset: 4,
	}
	if !got.To.Equal(want.To) {
		t.Errorf("to = %v, want %v", got.To, want.To)
	}
	got.To = want.To
	if !reflect.DeepEqual(got, want) {
		t.Errorf("filter = %+v\nwant     %+v", got, want)
	}
	if body.Limit != 2 || body.Offset != 4 || body.NextOffset == nil || *body.NextOffset != 6 || len(body.Tickets) != 2 {
		t.Errorf("page = limit %d offset %d next %v len %d", body.Limit, body.Offset, body.NextOffset, len(body.Tickets))
	}
}

func TestListTicketsDefaults(t *testing.T) {
	e := newEnv(t)
	var got ticketing.TicketFilter
	e.tickets.TicketsFn = func(_ hotline.Actor, f ticketing.TicketFilter) ([]*ticketing.Ticket, error) {
		got = f
		return []*ticketing.Ticket{sampleTicket()}, nil
	}
	w := e.request("GET", "/api/v1/tickets?to=2026-11-26", "")
	if got.Limit != 50 || got.Offset != 0 || got.Supervised != nil || got.Sort != "" {
		t.Errorf("defaults = %+v", got)
	}
	if !got.To.Equal(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("a date as upper bound must mean the end of that day: %v", got.To)
	}
	if strings.Contains(w.Body.String(), "next_offset") {
		t.Errorf("next_offset on a short page: %s", w.Body)
	}
}

func TestListTicketsBadParams(t *testing.T) {
	for _, c := range []struct{ query, field string }{
		{"state=open", "state"}, {"state=dispatched,bogus", "state"}, {"urgency=high", "urgency"},
		{"type=rant", "type"}, {"channel=fax", "channel"}, {"light=blue", "light"},
		{"supervised=yes", "supervised"}, {"overdue=1", "overdue"}, {"from=yesterday", "from"},
		{"to=2026-13-01", "to"}, {"sort=random", "sort"}, {"limit=0", "limit"}, {"limit=201", "limit"},
		{"limit=ten", "limit"}, {"offset=-1", "offset"}, {"colour=red", "colour"},
	} {
		e := newEnv(t)
		got := apiError(t, e.request("GET", "/api/v1/tickets?"+c.query, ""), http.StatusBadRequest)
		if got.Fields[c.field] == "" {
			t.Errorf("%s: fields = %v, want %q", c.query, got.Fields, c.field)
		}
		if e.tickets.calls != 0 {
			t.Errorf("%s: service called", c.query)
		}
	}
}

func TestSuggestAndResolve(t *testing.T) {
	e := newEnv(t)
	e.tickets.SuggestFn = func(c hotline.CategoryID, addr string, lat, lng float64) (*ticketing.Suggestion, error) {
		if c != "0101" || addr != "建外街道" || lat != 39.9 || lng != 116.45 {
			t.Errorf("suggest(%q, %q, %v, %v)", c, addr, lat, lng)
		}
		return &ticketing.Suggestion{District: "chaoyang", Street: "jianwai", Unit: "jianwai", CopyUnit: "chaoyang", Rule: 7, Urgency: "ordinary"}, nil
	}
	var sg suggestionJSON
	decodeBody(t, e.request("GET", "/api/v1/suggest?category=0101&address=%E5%BB%BA%E5%A4%96%E8%A1%97%E9%81%93&lat=39.9&lng=116.45", ""), 200, &sg)
	if sg.Unit != "jianwai" || sg.Rule != 7 || sg.CopyUnit != "chaoyang" {
		t.Errorf("suggestion = %+v", sg)
	}
	got := apiError(t, e.request("GET", "/api/v1/suggest?category=0101&lat=north", ""), 400)
	if got.Fields["lat"] == "" {
		t.Errorf("fields = %v", got.Fields)
	}
	e.tickets.ResolveAreaFn = func(addr string, lat, lng float64) ticketing.Area {
		return ticketing.Area{District: "chaoyang", Street: "jianwai", Method: "address"}
	}
	var area areaJSON
	decodeBody(t, e.request("GET", "/api/v1/areas/resolve?address=x", ""), 200, &area)
	if area.Method != "address" || area.Street != "jianwai" {
		t.Errorf("area = %+v", area)
	}
	got = apiError(t, e.request("GET", "/api/v1/areas/resolve?lng=NaN", ""), 400)
	if got.Fields["lng"] == "" {
		t.Errorf("fields = %v", got.Fields)
	}
}
