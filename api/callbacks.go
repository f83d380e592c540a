package api

import (
	"context"
	"maps"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// CallbackDesk is the people's side of the satisfaction callbacks
// (ticketing.CallbackDesk): the supervisors' control of the robot and the
// callback agents' manual answers. Set Config.Callbacks to serve
// /api/v1/callbacks and /api/v1/tickets/{id}/callback…; nil answers 404.
type CallbackDesk interface {
	Callbacks(ctx context.Context, a hotline.Actor, f ticketing.CallbackFilter) ([]*ticketing.Callback, error)
	TicketCallbacks(ctx context.Context, a hotline.Actor, id hotline.TicketID) ([]*ticketing.Callback, []*ticketing.CallbackRecord, error)
	Switch(ctx context.Context, a hotline.Actor) (ticketing.CallbackSwitch, error)
	SetPaused(ctx context.Context, a hotline.Actor, paused bool, reason string) (ticketing.CallbackSwitch, error)
	Control(ctx context.Context, a hotline.Actor, id hotline.TicketID, op ticketing.CallbackOp, reason string) (*ticketing.Callback, error)
	EnterAnswers(ctx context.Context, a hotline.Actor, id hotline.TicketID, in ticketing.ManualAnswers) (*ticketing.ManualResult, error)
}

var _ CallbackDesk = (*ticketing.CallbackDesk)(nil)

// callbackRoutes registers the callback routes.
func (s *server) callbackRoutes() {
	s.handle("GET /api/v1/callbacks", s.authed(s.listCallbacks))
	s.handle("GET /api/v1/callbacks/scheduler", s.authed(s.getCallbackSwitch))
	s.handle("POST /api/v1/callbacks/scheduler/pause", s.authed(s.setCallbackSwitch(true)))
	s.handle("POST /api/v1/callbacks/scheduler/resume", s.authed(s.setCallbackSwitch(false)))
	s.handle("GET /api/v1/tickets/{id}/callback", s.authed(s.ticketCallbacks))
	for _, op := range ticketing.CallbackOps {
		s.handle("POST /api/v1/tickets/{id}/callback/"+string(op), s.authed(s.controlCallback(op)))
	}
	s.handle("POST /api/v1/tickets/{id}/callback/answers", s.authed(s.enterAnswers))
}

// Paging of callback lists.
const (
	defaultCallbackLimit = 50
	maxCallbackLimit     = 500
)

var callbackParams = []string{"state", "from", "to", "unit", "ticket", "limit", "offset"}

func init() {
	id := pathParam("id", "ticket number")
	reason := "{\"reason\": \"…\"} or an empty body"
	maps.Copy(operations, map[string]operation{
		"GET /api/v1/callbacks": {summary: "Scheduled satisfaction callbacks (回访), by due time; supervisor or admin",
			tag: "callbacks", status: 200, result: "CallbackList", params: []param{
				query("state", "repeatable or comma-separated: pending, calling, done, unreachable, skipped, paused"),
				query("from", "due at or after: RFC 3339 or YYYY-MM-DD (Beijing time)"),
				query("to", "due before: RFC 3339, or YYYY-MM-DD meaning the end of that day"),
				query("unit", "asking about a ticket this unit holds"), query("ticket", "asking about this ticket"),
				query("limit", "1-500, default 50"), query("offset", "default 0")}},
		"GET /api/v1/callbacks/scheduler": {summary: "Whether a supervisor paused the callback robot, since when, by whom and why; supervisor or admin",
			tag: "callbacks", status: 200, result: "CallbackSwitch"},
		"POST /api/v1/callbacks/scheduler/pause": {summary: "Pause the callback robot: no call starts until resumed (calls in progress finish); kept across restarts; supervisor or admin. Body: " + reason,
			tag: "callbacks", body: "CallbackReason", status: 200, result: "CallbackSwitch"},
		"POST /api/v1/callbacks/scheduler/resume": {summary: "Resume the callback robot; due callbacks are called at the next pass inside the calling window; supervisor or admin. Body: " + reason,
			tag: "callbacks", body: "CallbackReason", status: 200, result: "CallbackSwitch"},
		"GET /api/v1/tickets/{id}/callback": {summary: "A ticket's scheduled callbacks (attempts and outcome) and answer records (the robot's and those entered by hand); whoever may read the ticket; units without the citizen's number",
			tag: "callbacks", status: 200, result: "TicketCallbacks", params: []param{id}},
		"POST /api/v1/tickets/{id}/callback/pause": {summary: "Hold the ticket's pending callback (split off the citizen's other tickets, which keep their call); audited; supervisor or admin. Body: " + reason,
			tag: "callbacks", body: "CallbackReason", status: 200, result: "Callback", params: []param{id}},
		"POST /api/v1/tickets/{id}/callback/resume": {summary: "Release the ticket's held callback; its due time stands; audited; supervisor or admin. Body: " + reason,
			tag: "callbacks", body: "CallbackReason", status: 200, result: "Callback", params: []param{id}},
		"POST /api/v1/tickets/{id}/callback/skip": {summary: "End the ticket's pending or held callback without calling; reason required; audited; supervisor or admin",
			tag: "callbacks", body: "CallbackReason", status: 200, result: "Callback", params: []param{id}},
		"POST /api/v1/tickets/{id}/callback/rerun": {summary: "Call the ticket's citizen again from the first attempt at the next calling moment, when its last callback is finished (or it has none) and it may be called; audited; supervisor or admin. Body: " + reason,
			tag: "callbacks", body: "CallbackReason", status: 200, result: "Callback", params: []param{id}},
		"POST /api/v1/tickets/{id}/callback/answers": {summary: "Enter the answers of a callback made by a person (人工回访): same validity rules and effects as the robot's (unresolved or dissatisfied reopens); audited with who entered them; agent, supervisor or admin",
			tag: "callbacks", body: "ManualAnswers", status: 201, result: "ManualAnswersResult", params: []param{id}},
	})
}

// callbackDesk returns the desk, or ENOTFOUND when it is not served.
func (s *server) callbackDesk() (CallbackDesk, error) {
	if s.cfg.Callbacks == nil {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "satisfaction callbacks are not enabled")
	}
	return s.cfg.Callbacks, nil
}

type callbackAttemptJSON struct {
	Started string `json:"started"`
	Ended   string `json:"ended,omitempty"`
	Result  string `json:"result,omitempty"`
}

type callbackJSON struct {
	ID            int64                 `json:"id"`
	Tickets       []hotline.TicketID    `json:"tickets"`
	ContactNumber string                `json:"contact_number,omitempty"`
	State         string                `json:"state"`
	Due           string                `json:"due,omitempty"`
	Planned       string                `json:"planned,omitempty"`
	Attempts      int                   `json:"attempts"`
	LastResult    string                `json:"last_result,omitempty"`
	Reason        string                `json:"reason,omitempty"`
	History       []callbackAttemptJSON `json:"history"`
	Version       int                   `json:"version"`
}

func toCallbackJSON(cb *ticketing.Callback) callbackJSON {
	out := callbackJSON{ID: cb.ID, Tickets: cb.Tickets, ContactNumber: cb.ContactNumber, State: string(cb.State),
		Due: stamp(cb.Due), Planned: stamp(cb.Planned), Attempts: cb.Attempts, LastResult: string(cb.LastResult),
		Reason: cb.Reason, History: []callbackAttemptJSON{}, Version: cb.Version}
	if out.Tickets == nil {
		out.Tickets = []hotline.TicketID{}
	}
	for _, a := range cb.History {
		out.History = append(out.History, callbackAttemptJSON{Started: stamp(a.Started), Ended: stamp(a.Ended), Result: string(a.Result)})
	}
	return out
}

func toCallbacksJSON(cbs []*ticketing.Callback) []callbackJSON {
	out := make([]callbackJSON, 0, len(cbs))
	for _, cb := range cbs {
		out = append(out, toCallbackJSON(cb))
	}
	return out
}

type callbackListJSON struct {
	Callbacks  []callbackJSON `json:"callbacks"`
	Limit      int            `json:"limit"`
	Offset     int            `json:"offset"`
	NextOffset *int           `json:"next_offset,omitempty"`
}

// callbackFilter reads GET /api/v1/callbacks's query.
func (s *server) callbackFilter(q url.Values) (ticketing.CallbackFilter, error) {
	var v hotline.Invalid
	checkParams(&v, q, callbackParams...)
	f := ticketing.CallbackFilter{Unit: hotline.UnitID(q.Get("unit")), Ticket: hotline.TicketID(q.Get("ticket"))}
	for _, value := range q["state"] {
		for _, name := range strings.Split(value, ",") {
			st, err := ticketing.ParseCallbackState(strings.TrimSpace(name))
			if err != nil {
				v.Add("state", "must be pending, calling, done, unreachable, skipped or paused")
				continue
			}
			f.States = append(f.States, st)
		}
	}
	f.From = s.timeParam(&v, q, "from", false)
	f.To = s.timeParam(&v, q, "to", true)
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		v.Add("to", "must be after from")
	}
	f.Limit = intParam(&v, q, "limit", defaultCallbackLimit, 1, maxCallbackLimit)
	f.Offset = intParam(&v, q, "offset", 0, 0, math.MaxInt32)
	return f, v.Err("invalid query")
}

func (s *server) listCallbacks(w http.ResponseWriter, r *http.Request) {
	desk, err := s.callbackDesk()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.callbackFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cbs, err := desk.Callbacks(r.Context(), actor(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := callbackListJSON{Callbacks: toCallbacksJSON(cbs), Limit: f.Limit, Offset: f.Offset}
	if len(cbs) >= f.Limit {
		next := f.Offset + len(cbs)
		out.NextOffset = &next
	}
	writeJSON(w, http.StatusOK, out)
}

type callbackSwitchJSON struct {
	Paused bool           `json:"paused"`
	Since  string         `json:"since,omitempty"`
	By     hotline.UserID `json:"by,omitempty"`
	ByName string         `json:"by_name,omitempty"`
	Reason string         `json:"reason,omitempty"`
}

func toSwitchJSON(sw ticketing.CallbackSwitch) callbackSwitchJSON {
	return callbackSwitchJSON{Paused: sw.Paused, Since: stamp(sw.Since), By: sw.By, ByName: sw.ByName, Reason: sw.Reason}
}

func (s *server) getCallbackSwitch(w http.ResponseWriter, r *http.Request) {
	desk, err := s.callbackDesk()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := noParams(r); err != nil {
		s.fail(w, r, err)
		return
	}
	sw, err := desk.Switch(r.Context(), actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toSwitchJSON(sw))
}

// noParams refuses a query on a route that takes none.
func noParams(r *http.Request) error {
	var v hotline.Invalid
	checkParams(&v, r.URL.Query())
	return v.Err("invalid query")
}

// reasonInput is the optional body of the control routes.
type reasonInput struct {
	Reason string `json:"reason"`
}

func (s *server) setCallbackSwitch(paused bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		desk, err := s.callbackDesk()
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var in reasonInput
		if _, err := s.decodeRequest(w, r, &in, true); err != nil {
			s.fail(w, r, err)
			return
		}
		sw, err := desk.SetPaused(r.Context(), actor(r), paused, in.Reason)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toSwitchJSON(sw))
	}
}

func (s *server) controlCallback(op ticketing.CallbackOp) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		desk, err := s.callbackDesk()
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var in reasonInput
		if _, err := s.decodeRequest(w, r, &in, true); err != nil {
			s.fail(w, r, err)
			return
		}
		cb, err := desk.Control(r.Context(), actor(r), hotline.TicketID(r.PathValue("id")), op, in.Reason)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toCallbackJSON(cb))
	}
}

// answerRecordJSON is one callback record. Answers not given are null.
type answerRecordJSON struct {
	ID           int64            `json:"id"`
	Callback     int64            `json:"callback"`
	Ticket       hotline.TicketID `json:"ticket"`
	Unit         hotline.UnitID   `json:"unit"`
	Tier         string           `json:"tier"`
	CalledAt     string           `json:"called_at"`
	Reached      bool             `json:"reached"`
	Contacted    *bool            `json:"contacted"`
	Resolved     *bool            `json:"resolved"`
	Satisfaction *string          `json:"satisfaction"`
	Manual       bool             `json:"manual"`
	By           hotline.UserID   `json:"by,omitempty"`
	Recording    string           `json:"recording,omitempty"`
	Excluded     bool             `json:"excluded"`
	Valid        bool             `json:"valid"`
}

// satisfactionNames maps the API's satisfaction answers to the domain's.
var satisfactionNames = map[string]ticketing.Satisfaction{
	"satisfied": ticketing.Satisfied, "basic": ticketing.BasicallySatisfied, "dissatisfied": ticketing.Dissatisfied,
}

func yesNoJSON(a ticketing.YesNo) *bool {
	if !a.Clear() {
		return nil
	}
	b := a == ticketing.AnswerYes
	return &b
}

func satisfactionJSON(s ticketing.Satisfaction) *string {
	for name, v := range satisfactionNames {
		if v == s {
			return &name
		}
	}
	return nil
}

func toAnswerRecordJSON(rec *ticketing.CallbackRecord) answerRecordJSON {
	ans := rec.Answers()
	return answerRecordJSON{ID: rec.ID, Callback: rec.Callback, Ticket: rec.Ticket, Unit: rec.Unit, Tier: string(rec.Tier),
		CalledAt: stamp(rec.CalledAt), Reached: rec.Reached, Contacted: yesNoJSON(rec.Contacted), Resolved: yesNoJSON(rec.Resolved),
		Satisfaction: satisfactionJSON(rec.Satisfaction), Manual: rec.Manual, By: rec.By, Recording: rec.Recording,
		Excluded: rec.Excluded, Valid: ans.Valid()}
}

type ticketCallbacksJSON struct {
	Callbacks []callbackJSON     `json:"callbacks"`
	Answers   []answerRecordJSON `json:"answers"`
}

func (s *server) ticketCallbacks(w http.ResponseWriter, r *http.Request) {
	desk, err := s.callbackDesk()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := noParams(r); err != nil {
		s.fail(w, r, err)
		return
	}
	cbs, recs, err := desk.TicketCallbacks(r.Context(), actor(r), hotline.TicketID(r.PathValue("id")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := ticketCallbacksJSON{Callbacks: toCallbacksJSON(cbs), Answers: make([]answerRecordJSON, 0, len(recs))}
	for _, rec := range recs {
		out.Answers = append(out.Answers, toAnswerRecordJSON(rec))
	}
	writeJSON(w, http.StatusOK, out)
}

// manualAnswersInput is POST /api/v1/tickets/{id}/callback/answers's body.
// contacted, resolved and satisfaction left out (or null) were not
// answered; reached defaults to true.
type manualAnswersInput struct {
	Reached      *bool   `json:"reached"`
	Contacted    *bool   `json:"contacted"`
	Resolved     *bool   `json:"resolved"`
	Satisfaction *string `json:"satisfaction"`
	Note         string  `json:"note"`
	CalledAt     string  `json:"called_at"`
}

// domain checks the API-level forms and returns the domain's input.
func (in manualAnswersInput) domain() (ticketing.ManualAnswers, error) {
	var v hotline.Invalid
	out := ticketing.ManualAnswers{Reached: in.Reached == nil || *in.Reached, Note: in.Note,
		Contacted: yesNoOf(in.Contacted), Resolved: yesNoOf(in.Resolved)}
	if in.Satisfaction != nil {
		sat, ok := satisfactionNames[*in.Satisfaction]
		if !ok {
			v.Add("satisfaction", "must be satisfied, basic or dissatisfied (or null: not answered)")
		}
		out.Satisfaction = sat
	}
	if in.CalledAt != "" {
		t, err := time.Parse(time.RFC3339, in.CalledAt)
		if err != nil {
			v.Add("called_at", "must be an RFC 3339 time")
		}
		out.CalledAt = t
	}
	return out, v.Err("invalid callback answers")
}

func yesNoOf(b *bool) ticketing.YesNo {
	switch {
	case b == nil:
		return ticketing.AnswerUnknown
	case *b:
		return ticketing.AnswerYes
	}
	return ticketing.AnswerNo
}

type manualResultJSON struct {
	Record   answerRecordJSON `json:"record"`
	Reopened bool             `json:"reopened"`
}

func (s *server) enterAnswers(w http.ResponseWriter, r *http.Request) {
	desk, err := s.callbackDesk()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in manualAnswersInput
	if _, err := s.decodeRequest(w, r, &in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	answers, err := in.domain()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := desk.EnterAnswers(r.Context(), actor(r), hotline.TicketID(r.PathValue("id")), answers)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, manualResultJSON{Record: toAnswerRecordJSON(res.Record), Reopened: res.Reopened})
}

func callbackSchemas() map[string]any {
	nullable := func(typ, desc string) map[string]any {
		return map[string]any{"type": []string{typ, "null"}, "description": desc}
	}
	attempt := object(map[string]any{"started": stamp3, "ended": stamp3,
		"result": str("answered, no_answer, busy, unreachable, failed or hung_up")}, "started")
	return map[string]any{
		"CallbackAttempt": attempt,
		"Callback": object(map[string]any{
			"id": integer, "tickets": strs, "contact_number": str("the citizen's number (not shown to units)"),
			"state":    str("pending, calling, done, unreachable, skipped or paused"),
			"due":      map[string]any{"type": "string", "format": "date-time", "description": "earliest start of the next attempt"},
			"planned":  map[string]any{"type": "string", "format": "date-time", "description": "when the round was planned"},
			"attempts": integer, "last_result": str(""), "reason": str("why it was skipped"),
			"history": arrayOf("CallbackAttempt"), "version": integer},
			"id", "tickets", "state", "attempts", "history", "version"),
		"CallbackList": object(map[string]any{"callbacks": arrayOf("Callback"), "limit": integer, "offset": integer,
			"next_offset": map[string]any{"type": "integer", "description": "present when the page was full"}}, "callbacks", "limit", "offset"),
		"CallbackSwitch": object(map[string]any{"paused": boolean, "since": stamp3, "by": str("user id"), "by_name": str(""),
			"reason": str("")}, "paused"),
		"CallbackReason": object(map[string]any{"reason": str("at most 2000 characters; required to skip")}),
		"CallbackRecord": object(map[string]any{
			"id": integer, "callback": map[string]any{"type": "integer", "description": "the scheduled callback; 0 for answers entered by hand"},
			"ticket": str(""), "unit": str("the unit assessed"), "tier": str(""), "called_at": stamp3,
			"reached":      boolean,
			"contacted":    nullable("boolean", "did the unit contact you; null: not answered"),
			"resolved":     nullable("boolean", "is the problem resolved; null: not answered"),
			"satisfaction": nullable("string", "satisfied, basic or dissatisfied; null: not answered"),
			"manual":       boolean, "by": str("who entered it"), "recording": str(""),
			"excluded": boolean, "valid": map[string]any{"type": "boolean", "description": "有效回访: reached, all three answered, not excluded"}},
			"id", "callback", "ticket", "unit", "tier", "called_at", "reached", "contacted", "resolved", "satisfaction", "manual", "excluded", "valid"),
		"TicketCallbacks": object(map[string]any{"callbacks": arrayOf("Callback"), "answers": arrayOf("CallbackRecord")}, "callbacks", "answers"),
		"ManualAnswers": object(map[string]any{
			"reached":      map[string]any{"type": "boolean", "description": "the citizen was reached; default true; when false no answer may be given"},
			"contacted":    nullable("boolean", "did the unit contact you (是/否)"),
			"resolved":     nullable("boolean", "is the problem resolved (是/否)"),
			"satisfaction": nullable("string", "satisfied (满意), basic (基本满意) or dissatisfied (不满意)"),
			"note":         str("at most 2000 characters"),
			"called_at":    map[string]any{"type": "string", "format": "date-time", "description": "when the call was made; default now; not in the future nor before the reply"}}),
		"ManualAnswersResult": object(map[string]any{"record": ref("CallbackRecord"), "reopened": boolean}, "record", "reopened"),
	}
}
