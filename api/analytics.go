package api

import (
	"context"
	"maps"
	"net/http"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/analytics/hotspot"
	"github.com/cityhotline/hotline/analytics/insight"
)

// Analytics finds likely duplicates of a ticket and hot spots over the
// stored tickets; insight.Service does. Set Config.Analytics to serve
// /api/v1/tickets/{id}/similar and /api/v1/hotspots.
type Analytics interface {
	Similar(ctx context.Context, id hotline.TicketID, days int) ([]insight.Similar, error)
	Hotspots(ctx context.Context, days, top int) (*hotspot.Result, error)
}

var _ Analytics = (*insight.Service)(nil)

// analyticsRoutes registers the duplicate and hot-spot routes.
func (s *server) analyticsRoutes() {
	s.handle("GET /api/v1/tickets/{id}/similar", s.authed(s.getSimilar))
	s.handle("GET /api/v1/hotspots", s.authed(s.getHotspots))
}

func init() {
	maps.Copy(operations, map[string]operation{
		"GET /api/v1/tickets/{id}/similar": {summary: "Likely duplicates (并单 candidates) of a ticket: open, unmerged tickets of its street " +
			"(or district) created within `days` of it, scored on text, address, category and time, best first; " +
			"dispatcher, agent, supervisor and admin only",
			tag: "analytics", status: 200, result: "SimilarList", params: []param{pathParam("id", "ticket number"),
				query("days", "1-90, default 30")}},
		"GET /api/v1/hotspots": {summary: "Hot spots: clusters of the tickets created in the last `days` by place and matter, " +
			"ranked by heat, with early warnings; analyst, supervisor and admin only",
			tag: "analytics", status: 200, result: "Hotspots", params: []param{
				query("days", "1-90, default 7"), query("top", "1-100, default 20")}},
	})
}

// analytics returns the analytics service when the actor's role is one of roles.
func (s *server) analytics(r *http.Request, what string, roles ...hotline.Role) (Analytics, error) {
	if s.cfg.Analytics == nil {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "%s are not enabled", what)
	}
	a := actor(r)
	for _, role := range roles {
		if a.Role == role {
			return s.cfg.Analytics, nil
		}
	}
	return nil, hotline.Errorf(hotline.EFORBIDDEN, "role %s may not read %s", a.Role, what)
}

func (s *server) getSimilar(w http.ResponseWriter, r *http.Request) {
	an, err := s.analytics(r, "similar tickets", hotline.RoleAdmin, hotline.RoleSupervisor, hotline.RoleDispatcher, hotline.RoleAgent)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	var bad hotline.Invalid
	checkParams(&bad, q, "days")
	days := intParam(&bad, q, "days", 30, 1, 90)
	if err := bad.Err("invalid query"); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := an.Similar(r.Context(), hotline.TicketID(r.PathValue("id")), days)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *server) getHotspots(w http.ResponseWriter, r *http.Request) {
	an, err := s.analytics(r, "hot spots", hotline.RoleAdmin, hotline.RoleSupervisor, hotline.RoleAnalyst)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	var bad hotline.Invalid
	checkParams(&bad, q, "days", "top")
	days := intParam(&bad, q, "days", 7, 1, 90)
	top := intParam(&bad, q, "top", 20, 1, 100)
	if err := bad.Err("invalid query"); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := an.Hotspots(r.Context(), days, top)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// analyticsSchemas are the shapes of the duplicate and hot-spot routes.
func analyticsSchemas() map[string]any {
	reason := object(map[string]any{"same_address": boolean, "same_street": boolean, "same_district": boolean,
		"same_category": boolean, "text_similarity": number, "hours_apart": number},
		"same_address", "same_street", "same_district", "same_category", "text_similarity", "hours_apart")
	alert := object(map[string]any{"latest": integer, "mean": number, "sd": number, "threshold": number, "reason": str("")},
		"latest", "mean", "sd", "threshold", "reason")
	strings := map[string]any{"type": "array", "items": str("")}
	cluster := object(map[string]any{"id": str("hs- and the ticket number of its first member"), "heat": number,
		"size": integer, "citizens": integer, "support": integer, "growth": number, "first": stamp3, "last": stamp3,
		"place": strings, "description": str("the member closest to the centroid, shortened"),
		"representative": str("its ticket number"), "keywords": strings, "members": strings,
		"periods": map[string]any{"type": "array", "items": integer, "description": "tickets per period, oldest first"},
		"alert":   alert}, "id", "heat", "size", "citizens", "support", "growth", "first", "last", "place",
		"description", "representative", "keywords", "members", "periods")
	return map[string]any{
		"SimilarList": map[string]any{"type": "array", "items": object(map[string]any{
			"ticket": str("ticket number"), "title": str(""), "address": str(""), "created": stamp3,
			"state": str("ticket state"), "score": number, "reason": reason},
			"ticket", "title", "address", "created", "state", "score", "reason")},
		"HotspotCluster": cluster,
		"Hotspots": object(map[string]any{"from": stamp3, "to": stamp3, "period_seconds": integer, "messages": integer,
			"clusters": map[string]any{"type": "array", "items": ref("HotspotCluster")},
			"alerts":   map[string]any{"type": "array", "items": ref("HotspotCluster")}},
			"from", "to", "period_seconds", "messages", "clusters", "alerts"),
	}
}
