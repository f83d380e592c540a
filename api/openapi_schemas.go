package api

// Schema helpers for the OpenAPI document.

func str(desc string) map[string]any {
	if desc == "" {
		return map[string]any{"type": "string"}
	}
	return map[string]any{"type": "string", "description": desc}
}

var (
	integer = map[string]any{"type": "integer"}
	number  = map[string]any{"type": "number"}
	boolean = map[string]any{"type": "boolean"}
	stamp3  = map[string]any{"type": "string", "format": "date-time"}
	strs    = map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
)

func object(props map[string]any, required ...string) map[string]any {
	o := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func list(field, item string) map[string]any {
	return object(map[string]any{field: arrayOf(item)}, field)
}

func arrayOf(item string) map[string]any {
	return map[string]any{"type": "array", "items": ref(item)}
}

func triple3(desc string) map[string]any {
	return object(map[string]any{"accept": str(desc), "contact": str(desc), "reply": str(desc)})
}

func schemas() map[string]any {
	out := map[string]any{
		"Any":   map[string]any{"type": "object"},
		"Login": object(map[string]any{"username": str(""), "password": str("")}, "username", "password"),
		"LoginResult": object(map[string]any{"token": str("bearer token"), "expires": stamp3, "user": ref("User")},
			"token", "expires", "user"),
		"Error": object(map[string]any{"error": object(map[string]any{
			"code":    map[string]any{"type": "string", "enum": []string{"invalid", "unauthorized", "forbidden", "not_found", "conflict", "too_large", "unsupported_media_type", "method_not_allowed", "internal"}},
			"message": str(""),
			"fields":  map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
			"current": ref("Ticket"),
		}, "code", "message")}, "error"),
		"IntakeInput":       intakeSchema(),
		"ActionInput":       actionSchema(),
		"Ticket":            ticketSchema(),
		"TicketWithHistory": map[string]any{"allOf": []any{ref("Ticket"), object(map[string]any{"history": arrayOf("Event")})}},
		"TicketList": object(map[string]any{"tickets": arrayOf("Ticket"), "limit": integer, "offset": integer,
			"next_offset": map[string]any{"type": "integer", "description": "present when the page was full"}}, "tickets", "limit", "offset"),
		"Actor":      object(map[string]any{"id": str(""), "name": str(""), "role": str(""), "unit": str("")}),
		"Event":      eventSchema(),
		"Access":     object(map[string]any{"time": stamp3, "actor": ref("Actor"), "field": str("")}),
		"AccessList": list("accesses", "Access"),
		"Suggestion": object(map[string]any{"district": str(""), "street": str(""), "unit": str(""), "copy_unit": str(""),
			"rule": integer, "urgency": str(""), "reason": str("")}),
		"Area": object(map[string]any{"district": str(""), "street": str(""), "method": str("address, position, or empty when unresolved")}),
	}
	for k, v := range referenceSchemas() {
		out[k] = v
	}
	for k, v := range open311Schemas() {
		out[k] = v
	}
	for k, v := range callSchemas() {
		out[k] = v
	}
	for k, v := range assessmentSchemas() {
		out[k] = v
	}
	for k, v := range kpiSchemas() {
		out[k] = v
	}
	for k, v := range supervisionSchemas() {
		out[k] = v
	}
	for k, v := range callbackSchemas() {
		out[k] = v
	}
	for k, v := range claimSchemas() {
		out[k] = v
	}
	for k, v := range apiKeySchemas() {
		out[k] = v
	}
	for k, v := range openDataSchemas() {
		out[k] = v
	}
	for k, v := range classifySchemas() {
		out[k] = v
	}
	for k, v := range forecastSchemas() {
		out[k] = v
	}
	for k, v := range analyticsSchemas() {
		out[k] = v
	}
	for k, v := range reportSchemas() {
		out[k] = v
	}
	for k, v := range digestSchemas() {
		out[k] = v
	}
	return out
}

// callSchemas are the call record (CDR) shapes of /api/v1/calls.
func callSchemas() map[string]any {
	p := map[string]any{
		"id": str(""), "sip_call_id": str("the SIP Call-ID of the trunk leg"), "direction": str("inbound or outbound"),
		"caller": str("the calling number"), "callee": str("the number called"), "trunk": str(""),
		"arrived": stamp3, "answered": map[string]any{"type": "string", "format": "date-time", "description": "absent: never answered"},
		"ended":            map[string]any{"type": "string", "format": "date-time", "description": "absent: still going"},
		"duration_seconds": map[string]any{"type": "number", "description": "arrival to end; 0 while going"},
		"ivr_path":         map[string]any{"type": "array", "items": map[string]any{"type": "string"}, "description": "IVR nodes visited, in order"},
		"digits":           str("every key pressed, in order"), "queue": str(""), "agent": str("user id"), "ticket": str("work order filed from the call"),
		"end_reason":   str("remote_hangup, local_hangup, cancelled, rejected, busy, no_answer, media_timeout, session_expired, failed, shutdown"),
		"sip_cause":    map[string]any{"type": "integer", "description": "final SIP status, 0 when none applies"},
		"recording":    str("recording id"),
		"rtp_received": map[string]any{"type": "integer", "description": "RTP packets the caller's side sent us (0 until the call ends)"},
		"rtp_lost":     map[string]any{"type": "integer", "description": "RTP packets from the caller's side lost on the way (RFC 3550 counting)"},
	}
	return map[string]any{
		"Call": object(p, "id", "direction", "caller", "callee", "duration_seconds", "ivr_path", "end_reason"),
		"CallList": object(map[string]any{"calls": arrayOf("Call"), "limit": integer, "offset": integer,
			"next_offset": map[string]any{"type": "integer", "description": "present when the page was full"}}, "calls", "limit", "offset"),
	}
}

// assessmentSchemas are the shapes of /api/v1/assessment.
func assessmentSchemas() map[string]any {
	fraction := func(desc string) map[string]any {
		return map[string]any{"type": "number", "minimum": 0, "maximum": 1, "description": desc + "; 0 when not ranked"}
	}
	p := map[string]any{
		"unit": str("unit id"), "unit_name": str(""), "tier": str("street, district, district_dept, city_dept, enterprise"),
		"valid_callbacks":   map[string]any{"type": "integer", "description": "有效回访: the denominator of the rates"},
		"response_rate":     fraction("响应率"),
		"resolution_rate":   fraction("解决率"),
		"satisfaction_rate": fraction("满意率 (基本满意 counts 0.9)"),
		"score":             map[string]any{"type": "number", "minimum": 0, "maximum": 100, "description": "composite score; 0 when not ranked"},
		"rank":              map[string]any{"type": "integer", "description": "1 = best in the tier, ties share; 0 = not ranked (no valid callback)"},
		"previous_rank":     map[string]any{"type": "integer", "description": "last month's rank; 0 = not ranked then"},
		"movement":          map[string]any{"type": "integer", "description": "previous_rank − rank; positive moved up; 0 when either is 0"},
		"class":             str("advanced (先进), improved (进步), rectify (整改), governance (治理) or empty"),
		"complaints":        map[string]any{"type": "integer", "description": "streets: complaint tickets received in the month (the 治理类 measure); 0 for other tiers"},
	}
	all := []string{"unit", "unit_name", "tier", "valid_callbacks", "response_rate", "resolution_rate",
		"satisfaction_rate", "score", "rank", "previous_rank", "movement", "class", "complaints"}
	return map[string]any{
		"AssessmentRow": object(p, all...),
		"GovernanceRow": object(map[string]any{"unit": str("street/town unit id"), "unit_name": str(""),
			"complaints": integer, "rank": map[string]any{"type": "integer", "description": "1 = most complaints; ties share"}},
			"unit", "unit_name", "complaints", "rank"),
		"Assessment": object(map[string]any{"month": str("YYYY-MM"), "assessment": arrayOf("AssessmentRow"),
			"governance": map[string]any{"type": "array", "items": ref("GovernanceRow"),
				"description": "治理类: the streets/towns with the most complaints (ten by default, ties all in)"}},
			"month", "assessment", "governance"),
	}
}

func intakeSchema() map[string]any {
	p := map[string]any{}
	for _, f := range []string{"caller_number", "citizen_name", "title", "content", "address", "urgency",
		"call_id", "recording_id", "reason", "handoff", "article", "unit"} {
		p[f] = str("")
	}
	p["channel"] = str("phone, web, app, open311, sms, email")
	p["contact_number"] = str("mandatory")
	p["type"] = str("consult, help, complaint, report, suggestion, praise")
	p["category"] = str("leaf category id")
	p["triage"] = str("dispatch (default), answered, emergency, no_dispatch")
	p["lat"], p["lng"] = number, number
	p["confidential"], p["no_callback"] = boolean, boolean
	return object(p)
}

func actionSchema() map[string]any {
	return object(map[string]any{
		"unit": str("dispatch, approve_return: the unit (empty: the catalogue's suggestion)"), "reason": str(""),
		"content": str(""), "outcome": str("reply: resolved, explained, unresolved"), "days": integer,
		"into": str("merge: the surviving ticket"), "version": map[string]any{"type": "integer", "description": "expected version; 0 does not check"},
	})
}

func ticketSchema() map[string]any {
	p := map[string]any{}
	for _, f := range []string{"id", "channel", "caller_number", "contact_number", "citizen_name", "type", "category",
		"title", "content", "address", "district", "street", "urgency", "call_id", "recording_id", "agent", "state",
		"triage", "triage_reason", "article", "merged_into", "suggested_unit", "unit", "copy_unit", "outcome",
		"reply_content", "pending_return"} {
		p[f] = str("")
	}
	for _, f := range []string{"created", "updated", "dispatched_at", "accepted_at", "contacted_at", "replied_at", "closed_at", "paused_at"} {
		p[f] = stamp3
	}
	p["lat"], p["lng"] = number, number
	p["confidential"], p["no_callback"], p["supervised"] = boolean, boolean, boolean
	p["deadlines"] = triple3("RFC 3339 time")
	p["lights"] = triple3("green, yellow, red")
	p["pending_extension"] = object(map[string]any{"days": integer, "reason": str("")})
	p["counters"] = object(map[string]any{"returns": integer, "extensions": integer, "reopens": integer, "urges": integer})
	p["version"] = integer
	return object(p, "id", "state", "version")
}

func eventSchema() map[string]any {
	change := object(map[string]any{"from": str(""), "to": str("")})
	return object(map[string]any{
		"seq": integer, "time": stamp3, "actor": ref("Actor"), "action": str(""), "from": str(""), "to": str(""),
		"reason": str(""), "diff": map[string]any{"type": "object", "additionalProperties": change},
	})
}

func referenceSchemas() map[string]any {
	unit := map[string]any{"id": str(""), "name": str(""), "tier": str("district, street, district_dept, city_dept, enterprise, centre"),
		"parent": str(""), "kind": str(""), "aliases": strs, "contact": str(""), "sample": boolean, "disabled": boolean}
	category := map[string]any{"id": str(""), "name": str(""), "parent": str(""), "indicator": str(""),
		"urgency": str(""), "auto_dispatch": boolean, "keywords": strs, "disabled": boolean}
	return map[string]any{
		"Unit":          object(unit),
		"UnitPatch":     object(without(unit, "id")),
		"UnitList":      list("units", "Unit"),
		"Category":      object(category),
		"CategoryPatch": object(without(category, "id")),
		"CategoryList":  list("categories", "Category"),
		"Rule": object(map[string]any{"id": integer, "category": str(""), "area": str(""),
			"target": str("unit, street, district, district_dept"), "unit": str(""), "kind": str(""), "priority": integer, "note": str("")}),
		"RuleList": list("rules", "Rule"),
		"Article": object(map[string]any{"id": str(""), "title": str(""), "body": str(""), "category": str(""), "keywords": strs,
			"valid_from": stamp3, "valid_to": stamp3, "updated": stamp3, "version": integer}),
		"ArticleList": list("articles", "Article"),
		"User": object(map[string]any{"id": str(""), "username": str(""), "name": str(""), "role": str(""), "unit": str(""),
			"disabled": boolean, "created": stamp3, "updated": stamp3}),
		"UserList": list("users", "User"),
		"UserInput": object(map[string]any{"username": str(""), "name": str(""),
			"role": str("admin, agent, dispatcher, supervisor, unit, analyst"), "unit": str(""), "password": str("")}),
		"UserPatch":   object(map[string]any{"name": str(""), "role": str(""), "unit": str(""), "password": str(""), "disabled": boolean}),
		"APIKeyInput": object(map[string]any{"name": str("")}, "name"),
		"APIKey":      object(map[string]any{"key": str("shown once"), "id": str("public id"), "name": str(""), "user": str(""), "created": stamp3}, "key"),
	}
}

func without(props map[string]any, drop string) map[string]any {
	out := map[string]any{}
	for k, v := range props {
		if k != drop {
			out[k] = v
		}
	}
	return out
}

func open311Schemas() map[string]any {
	service := object(map[string]any{"service_code": str(""), "service_name": str(""), "description": str(""),
		"metadata": boolean, "type": str(""), "keywords": str("comma-separated"), "group": str("")})
	request := object(map[string]any{"service_request_id": str(""), "status": str("open or closed"), "status_notes": str(""),
		"service_name": str(""), "service_code": str(""), "description": str("omitted for confidential requests"),
		"agency_responsible": str(""), "service_notice": str(""), "requested_datetime": stamp3, "updated_datetime": stamp3,
		"expected_datetime": stamp3, "address": str("omitted for confidential requests"), "lat": number, "long": number})
	post := map[string]any{}
	for _, f := range []string{"api_key", "service_code", "lat", "long", "address_string", "description", "first_name",
		"last_name", "phone", "email", "device_id", "account_id", "attribute[type]"} {
		post[f] = str("")
	}
	postSchema := object(post, "api_key", "service_code")
	postSchema["additionalProperties"] = true
	return map[string]any{
		"Open311Service":           service,
		"Open311Services":          map[string]any{"type": "array", "items": ref("Open311Service")},
		"Open311ServiceDefinition": object(map[string]any{"service_code": str(""), "attributes": map[string]any{"type": "array"}}),
		"Open311Post":              postSchema,
		"Open311Created": map[string]any{"type": "array", "items": object(map[string]any{
			"service_request_id": str(""), "service_notice": str(""), "account_id": str("")})},
		"Open311Request":  request,
		"Open311Requests": map[string]any{"type": "array", "items": ref("Open311Request")},
		"Open311Errors": map[string]any{"type": "array", "items": object(map[string]any{
			"code": integer, "description": str("")})},
	}
}
