package api

import (
	"encoding/json"
	"net/http"
	"strings"
)

// The OpenAPI 3.1 document is written by hand here, one entry per
// registered pattern; a test keeps the two in step.

type param struct{ name, in, desc string }

type operation struct {
	summary string
	tag     string
	public  bool   // no bearer token
	body    string // request schema; "" for none; "form:" prefix for Open311 forms, "audio:" for a WAV body
	status  int    // success status
	result  string // response schema; "" for none
	csv     bool   // the success response may also be text/csv (format=csv)
	xlsx    bool   // the success response may also be an XLSX workbook (format=xlsx)
	params  []param
}

func pathParam(name, desc string) param { return param{name, "path", desc} }
func query(name, desc string) param     { return param{name, "query", desc} }

var ticketQuery = []param{
	query("state", "repeatable or comma-separated: pending_dispatch, dispatched, returned, in_progress, replied, closed, archived"),
	query("unit", "held by this unit"), query("category", "category id"), query("district", "district unit id"),
	query("street", "street/town unit id"), query("urgency", "emergency, utility, ordinary, complex"),
	query("type", "consult, help, complaint, report, suggestion, praise"),
	query("channel", "phone, web, app, open311, sms, email"), query("phone", "caller or contact number equals"),
	query("supervised", "true or false"), query("overdue", "true: reply deadline passed, not replied"),
	query("light", "reply light: green, yellow, red"), query("from", "created at or after: RFC 3339 or YYYY-MM-DD"),
	query("to", "created before: RFC 3339, or YYYY-MM-DD meaning the end of that day"),
	query("q", "free text over title, content and address"), query("sort", "created (default), deadline, dispatch"),
	query("limit", "1-200, default 50"), query("offset", "default 0"),
}

var callQuery = []param{
	query("from", "arrived at or after: RFC 3339 or YYYY-MM-DD"),
	query("to", "arrived before: RFC 3339, or YYYY-MM-DD meaning the end of that day"),
	query("caller", "calling number equals"), query("queue", "queue equals"),
	query("direction", "inbound or outbound"), query("end_reason", "e.g. remote_hangup, cancelled, media_timeout"),
	query("limit", "1-500, default 50"), query("offset", "default 0"),
}

var assessmentDocQuery = []param{
	query("month", "required: YYYY-MM (Beijing time), not after the current month"),
	query("tier", "street, district, district_dept, city_dept or enterprise; default: every one of them"),
	query("format", "json (default); csv: a UTF-8 attachment with a BOM and a Chinese and English header row; "+
		"xlsx: a workbook with one sheet per tier (rates formatted as percentages) and a 治理类 sheet"),
}

var kpiDocQuery = []param{
	query("from", "RFC 3339, or YYYY-MM-DD in Beijing time; default: today's midnight"),
	query("to", "RFC 3339, or YYYY-MM-DD meaning the end of that day; default and latest: now; at most 7 days after from"),
	query("queue", "one queue; default: every queue"),
	query("interval", "hour or day (Beijing time): also one row per interval"),
}

var operations = map[string]operation{
	"POST /api/v1/login":       {summary: "Log in: a bearer token for the other routes", tag: "auth", public: true, body: "Login", status: 200, result: "LoginResult"},
	"GET /api/v1/openapi.json": {summary: "This document", tag: "auth", public: true, status: 200, result: "Any"},
	"POST /api/v1/logout":      {summary: "End the session of the bearer token", tag: "auth", status: 204},
	"GET /api/v1/me":           {summary: "The authenticated user", tag: "auth", status: 200, result: "User"},

	"POST /api/v1/tickets": {summary: "File a request (intake). Idempotency-Key header optional: a replay answers 200 with the same ticket",
		tag: "tickets", body: "IntakeInput", status: 201, result: "Ticket",
		params: []param{{"Idempotency-Key", "header", "client-chosen key; the same key with another body is a conflict"}}},
	"GET /api/v1/tickets":      {summary: "List tickets", tag: "tickets", status: 200, result: "TicketList", params: ticketQuery},
	"GET /api/v1/tickets/{id}": {summary: "One ticket with its history", tag: "tickets", status: 200, result: "TicketWithHistory", params: []param{pathParam("id", "ticket number")}},
	"GET /api/v1/tickets/{id}/accesses": {summary: "Who read the citizen's contact number", tag: "tickets", status: 200, result: "AccessList",
		params: []param{pathParam("id", "ticket number")}},
	"POST /api/v1/tickets/{id}/{action}": {summary: "A lifecycle action; the body may be empty", tag: "tickets", body: "ActionInput", status: 200, result: "Ticket",
		params: []param{pathParam("id", "ticket number"), pathParam("action", "dispatch, accept, contact, note, reply, return, approve_return, reject_return, extend, approve_extension, deny_extension, supervise, urge, merge, reopen, close, archive, pause, resume")}},
	"GET /api/v1/suggest": {summary: "What the dispatch catalogue proposes", tag: "tickets", status: 200, result: "Suggestion",
		params: []param{query("category", "leaf category id"), query("address", "free-text address"), query("lat", "latitude"), query("lng", "longitude")}},
	"GET /api/v1/areas/resolve": {summary: "The district and street of an address or position", tag: "tickets", status: 200, result: "Area",
		params: []param{query("address", "free-text address"), query("lat", "latitude"), query("lng", "longitude")}},

	"GET /api/v1/units": {summary: "List units", tag: "reference", status: 200, result: "UnitList",
		params: []param{query("tier", "district, street, district_dept, city_dept, enterprise, centre"), query("parent", "parent unit id"), query("kind", "district department kind")}},
	"POST /api/v1/units":       {summary: "Create a unit", tag: "reference", body: "Unit", status: 201, result: "Unit"},
	"GET /api/v1/units/{id}":   {summary: "One unit", tag: "reference", status: 200, result: "Unit", params: []param{pathParam("id", "unit id")}},
	"PATCH /api/v1/units/{id}": {summary: "Change some fields of a unit", tag: "reference", body: "UnitPatch", status: 200, result: "Unit", params: []param{pathParam("id", "unit id")}},
	"GET /api/v1/categories":   {summary: "The category taxonomy", tag: "reference", status: 200, result: "CategoryList"},
	"POST /api/v1/categories":  {summary: "Create a category", tag: "reference", body: "Category", status: 201, result: "Category"},
	"PATCH /api/v1/categories/{id}": {summary: "Change some fields of a category", tag: "reference", body: "CategoryPatch", status: 200, result: "Category",
		params: []param{pathParam("id", "category id")}},
	"GET /api/v1/catalogue":           {summary: "The dispatch catalogue", tag: "reference", status: 200, result: "RuleList"},
	"POST /api/v1/catalogue":          {summary: "Add a catalogue rule", tag: "reference", body: "Rule", status: 201, result: "Rule"},
	"PUT /api/v1/catalogue/{id}":      {summary: "Replace a catalogue rule", tag: "reference", body: "Rule", status: 200, result: "Rule", params: []param{pathParam("id", "rule id")}},
	"DELETE /api/v1/catalogue/{id}":   {summary: "Delete a catalogue rule", tag: "reference", status: 204, params: []param{pathParam("id", "rule id")}},
	"GET /api/v1/kb":                  {summary: "Search the knowledge base", tag: "knowledge", status: 200, result: "ArticleList", params: []param{query("q", "search text"), query("limit", "1-100, default 20")}},
	"GET /api/v1/kb/{id}":             {summary: "One article", tag: "knowledge", status: 200, result: "Article", params: []param{pathParam("id", "article id")}},
	"POST /api/v1/kb":                 {summary: "Create an article", tag: "knowledge", body: "Article", status: 201, result: "Article"},
	"PUT /api/v1/kb/{id}":             {summary: "Replace an article; version is the version read", tag: "knowledge", body: "Article", status: 200, result: "Article", params: []param{pathParam("id", "article id")}},
	"GET /api/v1/users":               {summary: "List accounts", tag: "accounts", status: 200, result: "UserList"},
	"POST /api/v1/users":              {summary: "Create an account", tag: "accounts", body: "UserInput", status: 201, result: "User"},
	"PATCH /api/v1/users/{id}":        {summary: "Change an account", tag: "accounts", body: "UserPatch", status: 200, result: "User", params: []param{pathParam("id", "user id")}},
	"POST /api/v1/apikeys":            {summary: "Create an Open311 API key; the key is shown once", tag: "accounts", body: "APIKeyInput", status: 201, result: "APIKey"},
	"GET /api/v1/calls":               {summary: "List call records (CDRs), newest first; centre roles only", tag: "calls", status: 200, result: "CallList", params: callQuery},
	"GET /api/v1/calls/{id}":          {summary: "One call record; centre roles only", tag: "calls", status: 200, result: "Call", params: []param{pathParam("id", "call id")}},
	"GET /api/v1/assessment":          {summary: "The month's three-rate assessment and ranking per unit; unit staff see their own unit's rows only; agents 403", tag: "assessment", status: 200, result: "Assessment", csv: true, xlsx: true, params: assessmentDocQuery},
	"GET /api/v1/acd/kpis":            {summary: "Queue KPIs (service level, ASA, abandon rate, AHT, occupancy) from the stored queue log, for a window and per hour or day; admin, supervisor and analyst only", tag: "acd", status: 200, result: "KPIReport", params: kpiDocQuery},
	"GET /api/v1/desk/ws":             {summary: "The agent desk WebSocket (docs/softphone.md): upgrade, then authenticate with the first message", tag: "desk", public: true, status: 101, result: "Any"},
	"GET /api/v1/events/ws":           {summary: "Live ticket events (docs/api.md): upgrade, authenticate with the first message, then receive a frame per event on the tickets you may see", tag: "events", public: true, status: 101, result: "Any"},
	"GET /open311/v2/services.json":   {summary: "Open311: the services (leaf categories)", tag: "open311", public: true, status: 200, result: "Open311Services"},
	"GET /open311/v2/services/{code}": {summary: "Open311: a service definition", tag: "open311", public: true, status: 200, result: "Open311ServiceDefinition", params: []param{pathParam("code", "service code followed by .json, e.g. 0101.json")}},
	"POST /open311/v2/requests.json":  {summary: "Open311: file a service request (form-encoded, api_key required)", tag: "open311", public: true, body: "form:Open311Post", status: 201, result: "Open311Created"},
	"GET /open311/v2/requests.json":   {summary: "Open311: service requests (default: the last 90 days)", tag: "open311", public: true, status: 200, result: "Open311Requests", params: []param{query("service_request_id", "comma-separated ids"), query("service_code", "service code"), query("start_date", "RFC 3339"), query("end_date", "RFC 3339"), query("status", "open or closed")}},
	"GET /open311/v2/requests/{id}":   {summary: "Open311: one service request", tag: "open311", public: true, status: 200, result: "Open311Requests", params: []param{pathParam("id", "service_request_id followed by .json")}},
}

// openAPIDocument builds the document for the registered patterns.
func (s *server) openAPIDocument() []byte {
	paths := map[string]map[string]any{}
	for _, pattern := range s.patterns {
		method, path, _ := strings.Cut(pattern, " ")
		op, ok := operations[pattern]
		if !ok {
			op = operation{summary: "undocumented", status: 200}
		}
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(method)] = op.document(strings.HasPrefix(path, "/open311/"))
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "hotline API", "version": "1",
			"description": "The 12345 citizen hotline: work orders, reference data, accounts, and Open311 GeoReport v2."},
		"paths": paths,
		"components": map[string]any{
			"schemas":         schemas(),
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
		"security": []any{map[string]any{"bearer": []string{}}},
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil { // only plain maps and strings above: cannot happen
		return []byte(`{}`)
	}
	return data
}

func (op operation) document(open311 bool) map[string]any {
	out := map[string]any{"summary": op.summary, "tags": []string{op.tag}}
	if op.public {
		out["security"] = []any{}
	}
	var ps []any
	for _, p := range op.params {
		ps = append(ps, map[string]any{"name": p.name, "in": p.in, "description": p.desc,
			"required": p.in == "path", "schema": map[string]any{"type": "string"}})
	}
	if ps != nil {
		out["parameters"] = ps
	}
	if name, ok := strings.CutPrefix(op.body, "form:"); ok {
		out["requestBody"] = body("application/x-www-form-urlencoded", name)
	} else if name, ok := strings.CutPrefix(op.body, "audio:"); ok {
		out["requestBody"] = body("audio/wav", name)
	} else if op.body != "" {
		out["requestBody"] = body("application/json", op.body)
	}
	out["responses"] = op.responses(open311)
	return out
}

func body(mediaType, schema string) map[string]any {
	return map[string]any{"required": true, "content": map[string]any{mediaType: map[string]any{"schema": ref(schema)}}}
}

func (op operation) responses(open311 bool) map[string]any {
	ok := map[string]any{"description": http.StatusText(op.status)}
	if op.result != "" {
		content := map[string]any{"application/json": map[string]any{"schema": ref(op.result)}}
		if op.csv {
			content["text/csv"] = map[string]any{"schema": str("UTF-8 with a BOM; header row 单位 unit, …")}
		}
		if op.xlsx {
			content[xlsxContentType] = map[string]any{"schema": str("an Office Open XML workbook")}
		}
		ok["content"] = content
	}
	errSchema := "Error"
	if open311 {
		errSchema = "Open311Errors"
	}
	failure := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": ref(errSchema)}}}
	return map[string]any{itoa(op.status): ok, "default": failure}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func (s *server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(s.doc)
}
