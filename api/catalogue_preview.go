package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// RulePreviewer is the side of the ticketing service that shows what a
// catalogue rule routes; the API serves GET /api/v1/catalogue/{id}/tickets
// and POST /api/v1/catalogue/preview when its Tickets also implement it
// (ticketing.Service does), and answers 404 otherwise.
type RulePreviewer interface {
	RuleTickets(ctx context.Context, a hotline.Actor, id int64, limit int) (*ticketing.Rule, []ticketing.RuleMatch, error)
	PreviewRule(ctx context.Context, a hotline.Actor, r *ticketing.Rule, limit int) ([]ticketing.RuleMatch, error)
}

type ruleMatchJSON struct {
	ID         hotline.TicketID   `json:"id"`
	Created    string             `json:"created,omitempty"`
	Title      string             `json:"title"`
	Category   hotline.CategoryID `json:"category"`
	District   hotline.UnitID     `json:"district"`
	Street     hotline.UnitID     `json:"street"`
	State      string             `json:"state"`
	Unit       hotline.UnitID     `json:"unit"`
	RoutedUnit hotline.UnitID     `json:"routed_unit"`
	Rule       int64              `json:"rule"`
	Routes     bool               `json:"routes"`
}

type ruleMatchesJSON struct {
	Rule    *ruleJSON       `json:"rule,omitempty"`
	Tickets []ruleMatchJSON `json:"tickets"`
	Scanned int             `json:"scanned"`
}

func toRuleMatches(ms []ticketing.RuleMatch) []ruleMatchJSON {
	out := make([]ruleMatchJSON, 0, len(ms))
	for _, m := range ms {
		t := m.Ticket
		out = append(out, ruleMatchJSON{ID: t.ID, Created: stamp(t.Created), Title: t.Title, Category: t.Category,
			District: t.District, Street: t.Street, State: string(t.State), Unit: t.Unit,
			RoutedUnit: m.Unit, Rule: m.Rule, Routes: m.Routes})
	}
	return out
}

func (s *server) rulePreviewer(w http.ResponseWriter, r *http.Request) (RulePreviewer, bool) {
	p, ok := s.tickets.(RulePreviewer)
	if !ok {
		s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "catalogue previews are not enabled"))
	}
	return p, ok
}

// previewLimit reads the optional limit parameter (1–200, default 50).
func previewLimit(q url.Values) (int, error) {
	var v hotline.Invalid
	checkParams(&v, q, "limit")
	n := intParam(&v, q, "limit", 50, 1, maxLimit)
	return n, v.Err("invalid query")
}

// ruleTickets answers GET /api/v1/catalogue/{id}/tickets: the recent
// orders a stored rule covers, and whether it is the rule that routes them.
func (s *server) ruleTickets(w http.ResponseWriter, r *http.Request) {
	p, ok := s.rulePreviewer(w, r)
	if !ok {
		return
	}
	id, err := ruleID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	limit, err := previewLimit(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rule, ms, err := p.RuleTickets(r.Context(), actor(r), id, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rj := toRuleJSON(rule)
	writeJSON(w, http.StatusOK, ruleMatchesJSON{Rule: &rj, Tickets: toRuleMatches(ms), Scanned: ticketing.PreviewScan})
}

// previewRule answers POST /api/v1/catalogue/preview: what an edited (or
// new, id 0) rule would route, before it is saved. Nothing is stored.
func (s *server) previewRule(w http.ResponseWriter, r *http.Request) {
	p, ok := s.rulePreviewer(w, r)
	if !ok {
		return
	}
	limit, err := previewLimit(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in ruleJSON
	if _, err := s.decodeRequest(w, r, &in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	ms, err := p.PreviewRule(r.Context(), actor(r), in.rule(), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ruleMatchesJSON{Tickets: toRuleMatches(ms), Scanned: ticketing.PreviewScan})
}
