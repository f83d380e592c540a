package api

import "maps"

// supervisionRoutes registers the routes behind the supervision console
// and the admin pages: ticket summaries, catalogue previews, the deadline
// rules and the IVR prompt upload.
func (s *server) supervisionRoutes() {
	s.handle("GET /api/v1/tickets/summary", s.authed(s.getSummary))
	s.handle("GET /api/v1/catalogue/{id}/tickets", s.authed(s.ruleTickets))
	s.handle("POST /api/v1/catalogue/preview", s.authed(s.previewRule))
	s.handle("GET /api/v1/sla", s.authed(s.getSLA))
	s.handle("PUT /api/v1/sla", s.authed(s.putSLA))
	s.handle("GET /api/v1/prompts", s.authed(s.listPrompts))
	s.handle("POST /api/v1/prompts/{lang}/{name}", s.authed(s.uploadPrompt))
}

// summaryQuery is group and the ticket list's filters less summaryOnly.
var summaryQuery = func() []param {
	out := []param{query("group", "required: unit, district, street or category")}
	for _, p := range ticketQuery {
		if !contains(summaryOnly, p.name) {
			out = append(out, p)
		}
	}
	return out
}()

func init() {
	maps.Copy(operations, map[string]operation{
		"GET /api/v1/tickets/summary": {summary: "Count open orders (default: dispatched, in progress) by unit, district, street or category: total, yellow, red, overdue, supervised; the ticket filters narrow it. Centre and analysts: every ticket; units: their own",
			tag: "tickets", status: 200, result: "TicketSummary", params: summaryQuery},
		"GET /api/v1/catalogue/{id}/tickets": {summary: "The recent orders a catalogue rule covers (newest first, of the last 1000 in its area), with the unit the catalogue names today and whether this rule routes them; centre roles",
			tag: "reference", status: 200, result: "RuleMatches", params: []param{pathParam("id", "rule id"), query("limit", "1-200, default 50")}},
		"POST /api/v1/catalogue/preview": {summary: "What an edited rule (its id) or a new one (id 0) would route, before saving; nothing is stored; admin",
			tag: "reference", body: "Rule", status: 200, result: "RuleMatches", params: []param{query("limit", "1-200, default 50")}},
		"GET /api/v1/sla": {summary: "The deadline tiers (seconds from dispatch), which clocks count working days, the warning fraction and the holiday/调休 calendar, from the configuration or, once edited, the admin's stored rules (with who changed them and the history of changes)",
			tag: "reference", status: 200, result: "SLA"},
		"PUT /api/v1/sla": {summary: "Replace the deadline tiers, working-day switches, warning fraction and calendar (GET's shape; the audit fields are ignored); every tier required, accept ≤ contact ≤ reply, each clock 1 s – 365 days, warn_at in (0, 1), days YYYY-MM-DD (adjusted working days on weekends, never also holidays, at most 1000 each). Applies to clocks started afterwards; running deadlines keep theirs. Stored and audited; admin",
			tag: "reference", body: "SLA", status: 200, result: "SLA"},
		"GET /api/v1/prompts": {summary: "The IVR's prompt names per language and which have an uploaded recording; admin",
			tag: "ivr", status: 200, result: "PromptList"},
		"POST /api/v1/prompts/{lang}/{name}": {summary: "Upload a prompt recording: the body is an 8 kHz mono 16-bit PCM WAV (Content-Type audio/wav) of at most 60 s; admin",
			tag: "ivr", body: "audio:WAV", status: 200, result: "Prompt",
			params: []param{pathParam("lang", "zh or en"), pathParam("name", "a prompt name, e.g. greeting")}},
	})
}

func supervisionSchemas() map[string]any {
	count := map[string]any{"type": "object", "properties": map[string]any{
		"key": str("unit, district, street or category id; empty: not resolved"), "name": str(""),
		"total": integer, "yellow": integer, "red": integer, "overdue": integer, "supervised": integer}}
	return map[string]any{
		"TicketCount": count,
		"TicketSummary": object(map[string]any{"group": str(""), "rows": arrayOf("TicketCount"), "totals": ref("TicketCount")},
			"group", "rows", "totals"),
		"RuleMatch": object(map[string]any{"id": str("ticket number"), "created": stamp3, "title": str(""), "category": str(""),
			"district": str(""), "street": str(""), "state": str(""), "unit": str("the unit holding it"),
			"routed_unit": str("the unit the catalogue names today"), "rule": integer, "routes": boolean}),
		"RuleMatches": object(map[string]any{"rule": ref("Rule"), "tickets": arrayOf("RuleMatch"), "scanned": integer}, "tickets", "scanned"),
		"SLA": object(map[string]any{
			"tiers": map[string]any{"type": "array", "items": object(map[string]any{"urgency": str(""),
				"accept": integer, "contact": integer, "reply": integer})},
			"working_days": object(map[string]any{"accept": boolean, "contact": boolean, "reply": boolean}),
			"warn_at":      number, "holidays": strs, "workdays": strs,
			"updated": stamp3, "updated_by": str("who changed the rules last (absent: the configuration's)"), "updated_by_name": str(""),
			"history": map[string]any{"type": "array", "description": "changes, newest first (at most 50); read-only", "items": object(map[string]any{
				"at": stamp3, "by": str(""), "by_name": str(""), "changes": strs})}},
			"tiers", "working_days", "warn_at", "holidays", "workdays"),
		"Prompt": object(map[string]any{"lang": str(""), "name": str(""), "uploaded": boolean, "updated": stamp3,
			"bytes": integer, "seconds": number}),
		"WAV":        map[string]any{"type": "string", "contentMediaType": "audio/wav", "description": "8 kHz mono 16-bit PCM, at most 60 s"},
		"PromptList": object(map[string]any{"prompts": arrayOf("Prompt"), "live": boolean}, "prompts", "live"),
	}
}
