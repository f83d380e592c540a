package api

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// fakeCallbackDesk is a CallbackDesk that records what it was asked.
type fakeCallbackDesk struct {
	calls   int
	actor   hotline.Actor
	filter  ticketing.CallbackFilter
	ticket  hotline.TicketID
	op      ticketing.CallbackOp
	reason  string
	paused  bool
	answers ticketing.ManualAnswers
	err     error

	cbs  []*ticketing.Callback
	recs []*ticketing.CallbackRecord
}

func (f *fakeCallbackDesk) Callbacks(_ context.Context, a hotline.Actor, flt ticketing.CallbackFilter) ([]*ticketing.Callback, error) {
	f.calls++
	f.actor, f.filter = a, flt
	return f.cbs, f.err
}

func (f *fakeCallbackDesk) TicketCallbacks(_ context.Context, a hotline.Actor, id hotline.TicketID) ([]*ticketing.Callback, []*ticketing.CallbackRecord, error) {
	f.calls++
	f.actor, f.ticket = a, id
	return f.cbs, f.recs, f.err
}

func (f *fakeCallbackDesk) Switch(_ context.Context, a hotline.Actor) (ticketing.CallbackSwitch, error) {
	f.calls++
	f.actor = a
	return ticketing.CallbackSwitch{Paused: true, Since: testNow, By: "sup1", ByName: "李主任", Reason: "线路检修"}, f.err
}

func (f *fakeCallbackDesk) SetPaused(_ context.Context, a hotline.Actor, paused bool, reason string) (ticketing.CallbackSwitch, error) {
	f.calls++
	f.actor, f.paused, f.reason = a, paused, reason
	return ticketing.CallbackSwitch{Paused: paused, Since: testNow, By: a.UserID, Reason: reason}, f.err
}

func (f *fakeCallbackDesk) Control(_ context.Context, a hotline.Actor, id hotline.TicketID, op ticketing.CallbackOp, reason string) (*ticketing.Callback, error) {
	f.calls++
	f.actor, f.ticket, f.op, f.reason = a, id, op, reason
	if f.err != nil {
		return nil, f.err
	}
	return sampleCallback(), nil
}

func (f *fakeCallbackDesk) EnterAnswers(_ context.Context, a hotline.Actor, id hotline.TicketID, in ticketing.ManualAnswers) (*ticketing.ManualResult, error) {
	f.calls++
	f.actor, f.ticket, f.answers = a, id, in
	if f.err != nil {
		return nil, f.err
	}
	rec := &ticketing.CallbackRecord{ID: 9, Ticket: id, Unit: "jianwai", Tier: ticketing.TierStreet, CalledAt: testNow,
		Reached: in.Reached, Contacted: in.Contacted, Resolved: in.Resolved, Satisfaction: in.Satisfaction, Manual: true, By: a.UserID}
	ans := rec.Answers()
	return &ticketing.ManualResult{Record: rec, Valid: ans.Valid(), Reopened: in.Satisfaction == ticketing.Dissatisfied}, nil
}

func sampleCallback() *ticketing.Callback {
	return &ticketing.Callback{ID: 12, Tickets: []hotline.TicketID{"20261127000042"}, ContactNumber: "13900139000",
		Due: testNow.Add(24 * time.Hour), Planned: testNow, Attempts: 1, State: ticketing.CallbackPaused,
		LastResult: ticketing.ResultBusy, Version: 4,
		History: []ticketing.CallbackAttempt{{Started: testNow, Ended: testNow.Add(20 * time.Second), Result: ticketing.ResultBusy}}}
}

func newCallbackEnv(t *testing.T) (*env, *fakeCallbackDesk) {
	t.Helper()
	e := newEnv(t)
	d := &fakeCallbackDesk{}
	cfg := e.srv.cfg
	cfg.Callbacks = d
	e.srv = newServer(cfg, e.tickets, e.accounts, slog.New(slog.NewTextHandler(e.logs, nil)))
	return e, d
}

func TestCallbacksNotEnabled(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"GET /api/v1/callbacks", "POST /api/v1/tickets/1/callback/pause", "POST /api/v1/tickets/1/callback/answers"} {
		method, path, _ := strings.Cut(p, " ")
		body := ""
		if method == "POST" {
			body = `{}`
		}
		if got := apiError(t, e.request(method, path, body), http.StatusNotFound); !strings.Contains(got.Message, "not enabled") {
			t.Errorf("%s: %+v", p, got)
		}
	}
}

func TestListCallbacks(t *testing.T) {
	e, d := newCallbackEnv(t)
	d.cbs = []*ticketing.Callback{sampleCallback()}
	w := e.request("GET", "/api/v1/callbacks?state=pending,paused&state=calling&from=2026-11-27&to=2026-11-28&unit=jianwai&ticket=20261127000042&limit=1&offset=3", "")
	var out struct {
		Callbacks []map[string]any `json:"callbacks"`
		Limit     int              `json:"limit"`
		Offset    int              `json:"offset"`
		Next      *int             `json:"next_offset"`
	}
	decodeBody(t, w, http.StatusOK, &out)
	f := d.filter
	if !slices.Equal(f.States, []ticketing.CallbackState{ticketing.CallbackPending, ticketing.CallbackPaused, ticketing.CallbackCalling}) ||
		!f.From.Equal(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)) || !f.To.Equal(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)) ||
		f.Unit != "jianwai" || f.Ticket != "20261127000042" || f.Limit != 1 || f.Offset != 3 {
		t.Errorf("filter %+v", f)
	}
	if d.actor.UserID != "u1" {
		t.Errorf("actor %+v", d.actor)
	}
	if len(out.Callbacks) != 1 || out.Limit != 1 || out.Offset != 3 || out.Next == nil || *out.Next != 4 {
		t.Fatalf("list %s", w.Body)
	}
	cb := out.Callbacks[0]
	if cb["id"] != float64(12) || cb["state"] != "paused" || cb["contact_number"] != "13900139000" ||
		cb["due"] != "2026-11-28T10:00:00Z" || cb["planned"] != "2026-11-27T10:00:00Z" || cb["attempts"] != float64(1) ||
		cb["last_result"] != "busy" || cb["version"] != float64(4) {
		t.Errorf("callback %s", w.Body)
	}
	if h := cb["history"].([]any); len(h) != 1 || h[0].(map[string]any)["result"] != "busy" {
		t.Errorf("history %v", cb["history"])
	}

	d.calls = 0
	for query, field := range map[string]string{
		"state=ringing": "state", "from=yesterday": "from", "limit=501": "limit", "offset=-1": "offset",
		"sort=due": "sort", "from=2026-11-28&to=2026-11-27": "to",
	} {
		got := apiError(t, e.request("GET", "/api/v1/callbacks?"+query, ""), http.StatusBadRequest)
		if got.Fields[field] == "" {
			t.Errorf("%s: fields %v, want %s", query, got.Fields, field)
		}
	}
	if d.calls != 0 {
		t.Errorf("a bad query reached the desk %d times", d.calls)
	}
	d.cbs = nil
	w = e.request("GET", "/api/v1/callbacks", "")
	if !strings.Contains(w.Body.String(), `"callbacks":[]`) || strings.Contains(w.Body.String(), "next_offset") || d.filter.Limit != 50 {
		t.Errorf("empty list %s (limit %d)", w.Body, d.filter.Limit)
	}
}

func TestCallbackSwitchRoutes(t *testing.T) {
	e, d := newCallbackEnv(t)
	var sw map[string]any
	decodeBody(t, e.request("GET", "/api/v1/callbacks/scheduler", ""), http.StatusOK, &sw)
	if sw["paused"] != true || sw["by"] != "sup1" || sw["by_name"] != "李主任" || sw["reason"] != "线路检修" || sw["since"] != "2026-11-27T10:00:00Z" {
		t.Errorf("switch %v", sw)
	}
	apiError(t, e.request("GET", "/api/v1/callbacks/scheduler?x=1", ""), http.StatusBadRequest)

	decodeBody(t, e.request("POST", "/api/v1/callbacks/scheduler/pause", `{"reason":"线路检修"}`), http.StatusOK, &sw)
	if !d.paused || d.reason != "线路检修" || sw["paused"] != true {
		t.Errorf("pause: desk %v %q, answer %v", d.paused, d.reason, sw)
	}
	decodeBody(t, e.request("POST", "/api/v1/callbacks/scheduler/resume", ""), http.StatusOK, &sw)
	if d.paused || d.reason != "" || sw["paused"] != false {
		t.Errorf("resume: desk %v %q, answer %v", d.paused, d.reason, sw)
	}
	calls := d.calls
	got := apiError(t, e.request("POST", "/api/v1/callbacks/scheduler/pause", `{"why":"x"}`), http.StatusBadRequest)
	if got.Fields["why"] != "unknown field" {
		t.Errorf("unknown field: %+v", got)
	}
	apiError(t, e.request("POST", "/api/v1/callbacks/scheduler/pause", `{"reason":1}`), http.StatusBadRequest)
	apiError(t, e.request("POST", "/api/v1/callbacks/scheduler/pause", `{"reason":"x"}`, "Content-Type", "text/plain"), http.StatusUnsupportedMediaType)
	if d.calls != calls {
		t.Error("a bad body reached the desk")
	}
	d.err = hotline.Errorf(hotline.EFORBIDDEN, "a agent may not control the callbacks; supervisors do")
	apiError(t, e.request("POST", "/api/v1/callbacks/scheduler/pause", ""), http.StatusForbidden)
}

func TestControlCallbackRoutes(t *testing.T) {
	e, d := newCallbackEnv(t)
	for _, op := range ticketing.CallbackOps {
		var cb map[string]any
		decodeBody(t, e.request("POST", "/api/v1/tickets/20261127000042/callback/"+string(op), `{"reason":"市民要求"}`), http.StatusOK, &cb)
		if d.op != op || d.ticket != "20261127000042" || d.reason != "市民要求" || cb["id"] != float64(12) {
			t.Errorf("%s: desk %s %s %q, answer %v", op, d.op, d.ticket, d.reason, cb)
		}
	}
	d.reason = "x"
	decodeBody(t, e.request("POST", "/api/v1/tickets/20261127000042/callback/pause", ""), http.StatusOK, &map[string]any{})
	if d.reason != "" {
		t.Errorf("empty body gave reason %q", d.reason)
	}
	apiError(t, e.request("POST", "/api/v1/tickets/20261127000042/callback/stop", "{}"), http.StatusNotFound)
	apiError(t, e.request("GET", "/api/v1/tickets/20261127000042/callback/pause", ""), http.StatusMethodNotAllowed)
	d.err = &hotline.Error{Code: hotline.ECONFLICT, Message: "cannot pause: callback 12 is calling"}
	got := apiError(t, e.request("POST", "/api/v1/tickets/20261127000042/callback/pause", ""), http.StatusConflict)
	if got.Message != "cannot pause: callback 12 is calling" {
		t.Errorf("conflict %+v", got)
	}
	d.err = hotline.Errorf(hotline.EINVALID, "invalid skip").WithField("reason", "required")
	if got := apiError(t, e.request("POST", "/api/v1/tickets/20261127000042/callback/skip", ""), http.StatusBadRequest); got.Fields["reason"] != "required" {
		t.Errorf("skip without reason %+v", got)
	}
}

func TestEnterAnswersRoute(t *testing.T) {
	e, d := newCallbackEnv(t)
	const path = "/api/v1/tickets/20261127000042/callback/answers"
	var out struct {
		Record   map[string]any `json:"record"`
		Reopened bool           `json:"reopened"`
	}
	decodeBody(t, e.request("POST", path, `{"contacted":true,"resolved":false,"satisfaction":"basic","note":"市民说还没修好"}`), http.StatusCreated, &out)
	want := ticketing.ManualAnswers{Reached: true, Contacted: ticketing.AnswerYes, Resolved: ticketing.AnswerNo,
		Satisfaction: ticketing.BasicallySatisfied, Note: "市民说还没修好"}
	if d.answers != want || d.ticket != "20261127000042" || d.actor.UserID != "u1" {
		t.Errorf("desk got %+v for %s by %s", d.answers, d.ticket, d.actor.UserID)
	}
	r := out.Record
	if r["contacted"] != true || r["resolved"] != false || r["satisfaction"] != "basic" || r["manual"] != true || r["by"] != "u1" ||
		r["valid"] != true || r["called_at"] != "2026-11-27T10:00:00Z" || r["callback"] != float64(0) || out.Reopened {
		t.Errorf("answer %+v", out)
	}

	decodeBody(t, e.request("POST", path, `{"reached":false,"note":"无人接听","called_at":"2026-11-27T17:30:00+08:00"}`), http.StatusCreated, &out)
	if d.answers.Reached || d.answers.Contacted != ticketing.AnswerUnknown || d.answers.Satisfaction != "" ||
		!d.answers.CalledAt.Equal(time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("not reached: desk got %+v", d.answers)
	}
	if out.Record["contacted"] != nil || out.Record["satisfaction"] != nil || out.Record["valid"] != false {
		t.Errorf("not reached: answer %+v", out.Record)
	}
	decodeBody(t, e.request("POST", path, `{"contacted":null,"resolved":true,"satisfaction":"dissatisfied"}`), http.StatusCreated, &out)
	if d.answers.Contacted != ticketing.AnswerUnknown || d.answers.Satisfaction != ticketing.Dissatisfied || !out.Reopened {
		t.Errorf("null answer: desk got %+v, reopened %v", d.answers, out.Reopened)
	}

	calls := d.calls
	for body, field := range map[string]string{
		`{"satisfaction":"basically"}`: "satisfaction",
		`{"satisfaction":"满意"}`:        "satisfaction",
		`{"contacted":"yes"}`:          "contacted",
		`{"resolved":1}`:               "resolved",
		`{"called_at":"yesterday"}`:    "called_at",
		`{"called_at":"2026-11-27"}`:   "called_at",
		`{"answered":true}`:            "answered",
	} {
		got := apiError(t, e.request("POST", path, body), http.StatusBadRequest)
		if got.Fields[field] == "" {
			t.Errorf("%s: %+v, want a problem with %s", body, got, field)
		}
	}
	apiError(t, e.request("POST", path, ""), http.StatusBadRequest)
	apiError(t, e.request("POST", path, `{"contacted":true} {}`), http.StatusBadRequest)
	if d.calls != calls {
		t.Errorf("bad bodies reached the desk %d times", d.calls-calls)
	}
	d.err = hotline.Errorf(hotline.EINVALID, "invalid callback answers").WithField("called_at", "must not be in the future")
	if got := apiError(t, e.request("POST", path, `{}`), http.StatusBadRequest); got.Fields["called_at"] != "must not be in the future" {
		t.Errorf("domain field error %+v", got)
	}
}

func TestTicketCallbacksRoute(t *testing.T) {
	e, d := newCallbackEnv(t)
	d.cbs = []*ticketing.Callback{sampleCallback()}
	d.recs = []*ticketing.CallbackRecord{{ID: 3, Callback: 12, Ticket: "20261127000042", Unit: "jianwai", Tier: ticketing.TierStreet,
		CalledAt: testNow, Reached: true, Contacted: ticketing.AnswerYes, Resolved: ticketing.AnswerUnknown,
		Satisfaction: ticketing.SatisfactionUnknown, Recording: "c-1.wav"}}
	var out struct {
		Callbacks []map[string]any `json:"callbacks"`
		Answers   []map[string]any `json:"answers"`
	}
	decodeBody(t, e.request("GET", "/api/v1/tickets/20261127000042/callback", ""), http.StatusOK, &out)
	if d.ticket != "20261127000042" || len(out.Callbacks) != 1 || len(out.Answers) != 1 {
		t.Fatalf("ticket callbacks %+v", out)
	}
	a := out.Answers[0]
	if a["contacted"] != true || a["resolved"] != nil || a["satisfaction"] != nil || a["valid"] != false ||
		a["recording"] != "c-1.wav" || a["manual"] != false || a["callback"] != float64(12) {
		t.Errorf("answers %v", a)
	}
	d.err = hotline.Errorf(hotline.ENOTFOUND, "ticket 20261127000042 not found")
	apiError(t, e.request("GET", "/api/v1/tickets/20261127000042/callback", ""), http.StatusNotFound)
}
