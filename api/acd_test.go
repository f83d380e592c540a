package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/agent"
)

// fakeQueueEvents is a QueueEvents over a fixed log; it records the filter
// it was asked for and selects by From and To only.
type fakeQueueEvents struct {
	calls  int
	filter agent.EventFilter
	events []agent.Event
}

func (f *fakeQueueEvents) FindQueueEvents(_ context.Context, flt agent.EventFilter) ([]agent.Event, error) {
	f.calls++
	f.filter = flt
	var out []agent.Event
	for _, e := range f.events {
		if !e.At.Before(flt.From) && e.At.Before(flt.To) {
			out = append(out, e)
		}
	}
	return out, nil
}

// bj is a time on 2026-11-27 in Beijing; testNow is 18:00 there.
func bj(hour, min, sec int) time.Time { return time.Date(2026, 11, 27, hour, min, sec, 0, beijingZone) }

// sampleQueueLog: agent a1, ready since before 09:00, answers c1 in queue q
// after 10 s (5 min talk, 30 s wrap-up); c2 abandons q after 3 s; at 10:05
// a1 answers c3 in queue policy after 20 s (1 min talk, no wrap-up).
func sampleQueueLog() []agent.Event {
	return []agent.Event{
		{At: bj(8, 50, 0), Kind: agent.EventLogin, Agent: "a1", Reason: "login", State: agent.StateNotReady},
		{At: bj(8, 55, 0), Kind: agent.EventUnpause, Agent: "a1", State: agent.StateReady},
		{At: bj(9, 10, 0), Kind: agent.EventEnter, Queue: "q", Call: "c1"},
		{At: bj(9, 10, 5), Kind: agent.EventOffer, Queue: "q", Call: "c1", Agent: "a1", Wait: 5 * time.Second, State: agent.StateOffered},
		{At: bj(9, 10, 10), Kind: agent.EventConnect, Queue: "q", Call: "c1", Agent: "a1", Wait: 10 * time.Second, State: agent.StateOnCall},
		{At: bj(9, 15, 10), Kind: agent.EventCompleteAgent, Queue: "q", Call: "c1", Agent: "a1", Wait: 10 * time.Second, Talk: 5 * time.Minute, State: agent.StateWrapUp},
		{At: bj(9, 15, 40), Kind: agent.EventWrapUpEnd, Queue: "q", Call: "c1", Agent: "a1", Reason: "timeout", WrapUp: 30 * time.Second, State: agent.StateReady},
		{At: bj(9, 20, 0), Kind: agent.EventEnter, Queue: "q", Call: "c2"},
		{At: bj(9, 20, 3), Kind: agent.EventAbandon, Queue: "q", Call: "c2", Wait: 3 * time.Second},
		{At: bj(10, 5, 0), Kind: agent.EventEnter, Queue: "policy", Call: "c3"},
		{At: bj(10, 5, 20), Kind: agent.EventConnect, Queue: "policy", Call: "c3", Agent: "a1", Wait: 20 * time.Second, State: agent.StateOnCall},
		{At: bj(10, 6, 20), Kind: agent.EventCompleteCaller, Queue: "policy", Call: "c3", Agent: "a1", Talk: time.Minute, State: agent.StateReady},
	}
}

// newKPIEnv is an env whose API serves the KPIs of log to a supervisor,
// with dates read in Beijing time.
func newKPIEnv(t *testing.T, log []agent.Event) (*env, *fakeQueueEvents) {
	e := newEnv(t)
	fq := &fakeQueueEvents{events: log}
	e.srv.cfg.QueueLog = fq
	e.srv.cfg.Location = beijingZone
	e.srv.accounts = asRole{e.accounts, hotline.RoleSupervisor}
	return e, fq
}

type kpiReport struct {
	From     string           `json:"from"`
	To       string           `json:"to"`
	Queue    string           `json:"queue"`
	Interval string           `json:"interval"`
	SLMS     int64            `json:"service_level_threshold_ms"`
	KPIs     kpiJSON          `json:"kpis"`
	Rows     []map[string]any `json:"rows"`
}

func getReport(t *testing.T, e *env, query string) kpiReport {
	t.Helper()
	var out kpiReport
	decodeBody(t, e.request("GET", "/api/v1/acd/kpis?"+query, ""), http.StatusOK, &out)
	return out
}

// rowKPI reads the KPI fields of a row.
func rowKPI(t *testing.T, row map[string]any) kpiJSON {
	t.Helper()
	n := func(name string) float64 {
		v, ok := row[name].(float64)
		if !ok {
			t.Fatalf("row %v: %s missing", row, name)
		}
		return v
	}
	return kpiJSON{
		ServiceLevel: n("service_level"), ASAMS: int64(n("asa_ms")), AbandonRate: n("abandon_rate"),
		AHTMS: int64(n("aht_ms")), Occupancy: n("occupancy"), Offered: int(n("offered")), Answered: int(n("answered")),
		Abandoned: int(n("abandoned")), AbandonedShort: int(n("abandoned_short")),
		AnsweredWithinSL: int(n("answered_within_sl")), Handled: int(n("handled")),
		Overflowed: int(n("overflowed")), Rejected: int(n("rejected")),
	}
}

func TestKPIsHourly(t *testing.T) {
	e, fq := newKPIEnv(t, sampleQueueLog())
	out := getReport(t, e, "from=2026-11-27T09:00:00%2B08:00&to=2026-11-27T11:00:00%2B08:00&interval=hour")

	if !fq.filter.From.Equal(bj(9, 0, 0).Add(-24*time.Hour)) || !fq.filter.To.Equal(bj(11, 0, 0)) || fq.filter.Queue != "" {
		t.Errorf("asked the store for %+v: want [09:00 the day before, 11:00), every queue", fq.filter)
	}
	if out.From != "2026-11-27T09:00:00+08:00" || out.To != "2026-11-27T11:00:00+08:00" || out.Interval != "hour" || out.SLMS != 15000 {
		t.Errorf("report head %+v", out)
	}
	// 09:00–10:00: c1 answered in 10 s, c2 abandoned after 3 s. a1 was
	// ready from 08:55 (before the window): busy 330 s of 3600.
	first := kpiJSON{ServiceLevel: 0.5, ASAMS: 10000, AbandonRate: 0.5, AHTMS: 330000, Occupancy: round6(330.0 / 3600),
		Offered: 2, Answered: 1, Abandoned: 1, AbandonedShort: 1, AnsweredWithinSL: 1, Handled: 1}
	// 10:00–11:00: c3 answered after 20 s, beyond the 15 s threshold.
	second := kpiJSON{ASAMS: 20000, AHTMS: 60000, Occupancy: round6(60.0 / 3600), Offered: 1, Answered: 1, Handled: 1}
	if len(out.Rows) != 2 {
		t.Fatalf("%d rows, want 2: %v", len(out.Rows), out.Rows)
	}
	for i, want := range []kpiJSON{first, second} {
		row := out.Rows[i]
		from, to := bj(9+i, 0, 0).Format(time.RFC3339), bj(10+i, 0, 0).Format(time.RFC3339)
		if row["from"] != from || row["to"] != to {
			t.Errorf("row %d spans %v–%v, want %s–%s", i, row["from"], row["to"], from, to)
		}
		if got := rowKPI(t, row); got != want {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
	whole := kpiJSON{ServiceLevel: round6(1.0 / 3), ASAMS: 15000, AbandonRate: round6(1.0 / 3), AHTMS: 195000,
		Occupancy: round6(390.0 / 7200), Offered: 3, Answered: 2, Abandoned: 1, AbandonedShort: 1, AnsweredWithinSL: 1, Handled: 2}
	if out.KPIs != whole {
		t.Errorf("window:\n got %+v\nwant %+v", out.KPIs, whole)
	}

	// One queue: its calls only; a1 worked it, so a1's time still counts.
	out = getReport(t, e, "from=2026-11-27T09:00:00%2B08:00&to=2026-11-27T11:00:00%2B08:00&queue=q")
	q := kpiJSON{ServiceLevel: 0.5, ASAMS: 10000, AbandonRate: 0.5, AHTMS: 330000, Occupancy: round6(390.0 / 7200),
		Offered: 2, Answered: 1, Abandoned: 1, AbandonedShort: 1, AnsweredWithinSL: 1, Handled: 1}
	if out.KPIs != q || out.Queue != "q" || len(out.Rows) != 0 {
		t.Errorf("queue q: %+v\nwant kpis %+v and no rows", out, q)
	}
}

func TestKPIsDaily(t *testing.T) {
	e, _ := newKPIEnv(t, sampleQueueLog())
	out := getReport(t, e, "from=2026-11-26&to=2026-11-27&interval=day")
	// Two days: the 26th is empty; the 27th ends now (18:00), not at midnight.
	if out.From != "2026-11-26T00:00:00+08:00" || out.To != "2026-11-27T18:00:00+08:00" || len(out.Rows) != 2 {
		t.Fatalf("report %+v", out)
	}
	if got := rowKPI(t, out.Rows[0]); got != (kpiJSON{}) {
		t.Errorf("the 26th: %+v, want zeros", got)
	}
	if out.Rows[1]["from"] != "2026-11-27T00:00:00+08:00" || out.Rows[1]["to"] != "2026-11-27T18:00:00+08:00" {
		t.Errorf("the 27th spans %v–%v", out.Rows[1]["from"], out.Rows[1]["to"])
	}
	if got := rowKPI(t, out.Rows[1]); got.Offered != 3 || got.Answered != 2 || got != out.KPIs {
		t.Errorf("the 27th: %+v, want the window's %+v", got, out.KPIs)
	}
}

func TestKPIsDefaults(t *testing.T) {
	e, fq := newKPIEnv(t, sampleQueueLog())
	out := getReport(t, e, "")
	if out.From != "2026-11-27T00:00:00+08:00" || out.To != "2026-11-27T18:00:00+08:00" || out.Interval != "" {
		t.Errorf("window %s – %s, want today so far", out.From, out.To)
	}
	if !fq.filter.To.Equal(testNow) {
		t.Errorf("asked the store up to %v, want now", fq.filter.To)
	}
	if out.KPIs.Offered != 3 || out.Rows == nil || len(out.Rows) != 0 {
		t.Errorf("today: %+v", out)
	}
}

func TestKPIsEmptyWindow(t *testing.T) {
	e, fq := newKPIEnv(t, nil)
	out := getReport(t, e, "from=2026-11-27T09:00:00%2B08:00&to=2026-11-27T12:00:00%2B08:00&interval=hour")
	if out.KPIs != (kpiJSON{}) || len(out.Rows) != 3 {
		t.Fatalf("no events: %+v", out)
	}
	for i, row := range out.Rows {
		if got := rowKPI(t, row); got != (kpiJSON{}) {
			t.Errorf("row %d: %+v", i, got)
		}
	}
	// A window that has not begun: nothing to read.
	fq.calls = 0
	out = getReport(t, e, "from=2026-11-28&interval=day")
	if out.KPIs != (kpiJSON{}) || len(out.Rows) != 0 || fq.calls != 0 {
		t.Errorf("future window: %+v, store asked %d times", out, fq.calls)
	}
}

func TestKPIsBadQuery(t *testing.T) {
	cases := []struct{ query, field string }{
		{"from=2026-13-01", "from"},
		{"from=yesterday", "from"},
		{"to=27/11/2026", "to"},
		{"from=2026-11-27&to=2026-11-26", "to"},
		{"from=2026-11-27T10:00:00Z&to=2026-11-27T10:00:00Z", "to"},
		{"from=2026-11-01&to=2026-11-20", "to"}, // more than 7 days
		{"from=2026-11-01", "from"},             // more than 7 days before now
		{"interval=week", "interval"},
		{"queue=" + strings.Repeat("q", 65), "queue"},
		{"limit=10", "limit"},
	}
	for _, c := range cases {
		e, fq := newKPIEnv(t, sampleQueueLog())
		body := apiError(t, e.request("GET", "/api/v1/acd/kpis?"+c.query, ""), http.StatusBadRequest)
		if body.Fields[c.field] == "" {
			t.Errorf("%s: fields %v, want %s named", c.query, body.Fields, c.field)
		}
		if fq.calls != 0 {
			t.Errorf("%s: the store was asked", c.query)
		}
	}
}

func TestKPIsRoles(t *testing.T) {
	for _, role := range []hotline.Role{hotline.RoleAdmin, hotline.RoleSupervisor, hotline.RoleAnalyst} {
		e, _ := newKPIEnv(t, sampleQueueLog())
		e.srv.accounts = asRole{e.accounts, role}
		if w := e.request("GET", "/api/v1/acd/kpis", ""); w.Code != http.StatusOK {
			t.Errorf("%s: %d %s", role, w.Code, w.Body)
		}
	}
	for _, role := range []hotline.Role{hotline.RoleAgent, hotline.RoleDispatcher, hotline.RoleUnit} {
		e, fq := newKPIEnv(t, sampleQueueLog())
		e.srv.accounts = asRole{e.accounts, role}
		apiError(t, e.request("GET", "/api/v1/acd/kpis?interval=week", ""), http.StatusForbidden)
		if fq.calls != 0 {
			t.Errorf("%s: the store was asked", role)
		}
	}
}

func TestKPIsNotEnabled(t *testing.T) {
	e := newEnv(t)
	e.srv.accounts = asRole{e.accounts, hotline.RoleAdmin}
	body := apiError(t, e.request("GET", "/api/v1/acd/kpis?"+url.Values{"interval": {"hour"}}.Encode(), ""), http.StatusNotFound)
	if !strings.Contains(body.Message, "the queue log is not enabled") {
		t.Errorf("message %q", body.Message)
	}
}
