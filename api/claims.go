package api

import (
	"context"
	"maps"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// Claimer is the claims side of the ticketing service: units' unreasonable-
// request claims and assessment appeals, and supervisors' rulings. The API
// serves the claim routes when its Tickets also implement it
// (ticketing.Service does), and answers 404 otherwise.
type Claimer interface {
	FileClaim(ctx context.Context, a hotline.Actor, id hotline.TicketID, in ticketing.ClaimInput) (*ticketing.Claim, error)
	Claims(ctx context.Context, a hotline.Actor, f ticketing.ClaimFilter) ([]*ticketing.Claim, error)
	RuleClaim(ctx context.Context, a hotline.Actor, id int64, approve bool, in ticketing.RulingInput) (*ticketing.Claim, error)
}

// The ticketing service serves claims.
var _ Claimer = (*ticketing.Service)(nil)

// claimRoutes registers the claim routes.
func (s *server) claimRoutes() {
	s.handle("POST /api/v1/tickets/{id}/claims", s.authed(s.fileClaim))
	s.handle("GET /api/v1/claims", s.authed(s.listClaims))
	s.handle("POST /api/v1/claims/{id}/approve", s.authed(s.ruleClaim(true)))
	s.handle("POST /api/v1/claims/{id}/reject", s.authed(s.ruleClaim(false)))
}

var claimParams = []string{"state", "kind", "unit", "ticket", "month", "limit", "offset"}

func init() {
	maps.Copy(operations, map[string]operation{
		"POST /api/v1/tickets/{id}/claims": {summary: "File an unreasonable-request claim (不合理诉求) or an assessment appeal (考核申诉) on a ticket the unit holds; " +
			"one pending claim per ticket and kind; an appeal contests a valid callback result against the unit (callback: its record id; default the latest). Unit staff (and the admin)",
			tag: "assessment", body: "ClaimInput", status: 201, result: "Claim", params: []param{pathParam("id", "ticket number")}},
		"GET /api/v1/claims": {summary: "List claims, oldest first. Supervisors, dispatchers and the admin: all; unit staff: their own unit's",
			tag: "assessment", status: 200, result: "ClaimList", params: []param{
				query("state", "pending, approved or rejected"), query("kind", "unreasonable or appeal"),
				query("unit", "the unit that filed"), query("ticket", "ticket number"),
				query("month", "YYYY-MM: the assessment month the claim is about"),
				query("limit", "1-200, default 50"), query("offset", "default 0")}},
		"POST /api/v1/claims/{id}/approve": {summary: "Approve a pending claim: its ticket leaves the assessment at once (every month it has callbacks in); supervisor or admin",
			tag: "assessment", body: "RulingInput", status: 200, result: "Claim", params: []param{pathParam("id", "claim id")}},
		"POST /api/v1/claims/{id}/reject": {summary: "Reject (查否) a pending claim; the note is required; supervisor or admin",
			tag: "assessment", body: "RulingInput", status: 200, result: "Claim", params: []param{pathParam("id", "claim id")}},
	})
}

type claimJSON struct {
	ID          int64            `json:"id"`
	Ticket      hotline.TicketID `json:"ticket"`
	Unit        hotline.UnitID   `json:"unit"`
	UnitName    string           `json:"unit_name"`
	Kind        string           `json:"kind"`
	State       string           `json:"state"`
	Reason      string           `json:"reason"`
	Evidence    string           `json:"evidence"`
	Callback    int64            `json:"callback,omitempty"`
	Month       string           `json:"month,omitempty"`
	FiledBy     hotline.UserID   `json:"filed_by"`
	FiledByName string           `json:"filed_by_name"`
	Filed       string           `json:"filed,omitempty"`
	RuledBy     hotline.UserID   `json:"ruled_by,omitempty"`
	RuledByName string           `json:"ruled_by_name,omitempty"`
	Ruled       string           `json:"ruled,omitempty"`
	Note        string           `json:"note"`
	Version     int              `json:"version"`
}

type claimListJSON struct {
	Claims     []claimJSON `json:"claims"`
	Limit      int         `json:"limit"`
	Offset     int         `json:"offset"`
	NextOffset *int        `json:"next_offset,omitempty"`
}

func toClaimJSON(c *ticketing.Claim, names map[hotline.UnitID]string) claimJSON {
	out := claimJSON{ID: c.ID, Ticket: c.Ticket, Unit: c.Unit, UnitName: names[c.Unit], Kind: string(c.Kind),
		State: string(c.State), Reason: c.Reason, Evidence: c.Evidence, Callback: c.Callback,
		FiledBy: c.FiledBy, FiledByName: c.FiledByName, Filed: stamp(c.Filed),
		RuledBy: c.RuledBy, RuledByName: c.RuledByName, Ruled: stamp(c.Ruled), Note: c.Note, Version: c.Version}
	if c.Month != (ticketing.Month{}) {
		out.Month = c.Month.String()
	}
	return out
}

// claimer returns the service's claims side, or fails the request.
func (s *server) claimer(w http.ResponseWriter, r *http.Request) (Claimer, bool) {
	c, ok := s.tickets.(Claimer)
	if !ok {
		s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "claims are not enabled"))
	}
	return c, ok
}

// writeClaim answers with one claim and its unit's name.
func (s *server) writeClaim(w http.ResponseWriter, r *http.Request, status int, c *ticketing.Claim) {
	names, err := s.unitNames(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, status, toClaimJSON(c, names))
}

func (s *server) fileClaim(w http.ResponseWriter, r *http.Request) {
	cl, ok := s.claimer(w, r)
	if !ok {
		return
	}
	var in ticketing.ClaimInput
	if _, err := s.decodeRequest(w, r, &in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := cl.FileClaim(r.Context(), actor(r), hotline.TicketID(r.PathValue("id")), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeClaim(w, r, http.StatusCreated, c)
}

func (s *server) listClaims(w http.ResponseWriter, r *http.Request) {
	cl, ok := s.claimer(w, r)
	if !ok {
		return
	}
	f, err := claimFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := cl.Claims(r.Context(), actor(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names, err := s.unitNames(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := claimListJSON{Claims: make([]claimJSON, 0, len(list)), Limit: f.Limit, Offset: f.Offset}
	for _, c := range list {
		out.Claims = append(out.Claims, toClaimJSON(c, names))
	}
	if len(list) >= f.Limit {
		next := f.Offset + len(list)
		out.NextOffset = &next
	}
	writeJSON(w, http.StatusOK, out)
}

// claimFilter reads GET /api/v1/claims's query. Every bad value is named.
func claimFilter(q url.Values) (ticketing.ClaimFilter, error) {
	var v hotline.Invalid
	checkParams(&v, q, claimParams...)
	f := ticketing.ClaimFilter{Unit: hotline.UnitID(q.Get("unit")), Ticket: hotline.TicketID(q.Get("ticket"))}
	f.State = enumParam(&v, q, "state", ticketing.ParseClaimState)
	f.Kind = enumParam(&v, q, "kind", ticketing.ParseClaimKind)
	if m := q.Get("month"); m != "" {
		month, err := ticketing.ParseMonth(m)
		if err != nil {
			v.Add("month", "must be YYYY-MM")
		}
		f.Month = month
	}
	f.Limit = intParam(&v, q, "limit", defaultLimit, 1, maxLimit)
	f.Offset = intParam(&v, q, "offset", 0, 0, math.MaxInt32)
	return f, v.Err("invalid query")
}

// ruleClaim answers POST /api/v1/claims/{id}/approve or /reject; the body
// ({"note", "version"}) may be empty.
func (s *server) ruleClaim(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cl, ok := s.claimer(w, r)
		if !ok {
			return
		}
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "claim %q not found", r.PathValue("id")))
			return
		}
		var in ticketing.RulingInput
		if _, err := s.decodeRequest(w, r, &in, true); err != nil {
			s.fail(w, r, err)
			return
		}
		c, err := cl.RuleClaim(r.Context(), actor(r), id, approve, in)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeClaim(w, r, http.StatusOK, c)
	}
}

// claimSchemas are the shapes of the claim routes.
func claimSchemas() map[string]any {
	claim := map[string]any{
		"id": integer, "ticket": str("ticket number"), "unit": str("the unit that filed: the ticket's holder"), "unit_name": str(""),
		"kind":  str("unreasonable (不合理诉求) or appeal (考核申诉)"),
		"state": str("pending, approved or rejected"), "reason": str(""), "evidence": str(""),
		"callback": map[string]any{"type": "integer", "description": "appeals: the contested callback record"},
		"month":    str("YYYY-MM: the assessment month the claim is about"),
		"filed_by": str("user id"), "filed_by_name": str(""), "filed": stamp3,
		"ruled_by": str("user id; absent while pending"), "ruled_by_name": str(""), "ruled": stamp3,
		"note": str("the supervisor's note on the ruling"), "version": integer,
	}
	return map[string]any{
		"Claim": object(claim, "id", "ticket", "unit", "kind", "state", "reason", "version"),
		"ClaimList": object(map[string]any{"claims": arrayOf("Claim"), "limit": integer, "offset": integer,
			"next_offset": map[string]any{"type": "integer", "description": "present when the page was full"}}, "claims", "limit", "offset"),
		"ClaimInput": object(map[string]any{"kind": str("unreasonable or appeal"), "reason": str("required"),
			"evidence": str("optional"), "callback": map[string]any{"type": "integer", "description": "appeal: the contested callback record; default the latest against the unit"}},
			"kind", "reason"),
		"RulingInput": object(map[string]any{"note": str("required to reject"),
			"version": map[string]any{"type": "integer", "description": "expected version; 0 does not check"}}),
	}
}
