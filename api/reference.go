package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

func (s *server) listUnits(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var v hotline.Invalid
	checkParams(&v, q, "tier", "parent", "kind")
	f := ticketing.UnitFilter{Parent: hotline.UnitID(q.Get("parent")), Kind: q.Get("kind")}
	f.Tier = enumParam(&v, q, "tier", ticketing.ParseTier)
	if err := v.Err("invalid query"); err != nil {
		s.fail(w, r, err)
		return
	}
	us, err := s.tickets.Units(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]unitJSON, 0, len(us))
	for _, u := range us {
		out = append(out, toUnitJSON(u))
	}
	writeJSON(w, http.StatusOK, map[string]any{"units": out})
}

func (s *server) createUnit(w http.ResponseWriter, r *http.Request) {
	var in unitJSON
	if _, err := s.decodeRequest(w, r, &in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	u := in.unit()
	if err := s.tickets.CreateUnit(r.Context(), actor(r), u); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/units/"+url.PathEscape(string(u.ID)))
	writeJSON(w, http.StatusCreated, toUnitJSON(u))
}

func (s *server) getUnit(w http.ResponseWriter, r *http.Request) {
	u, err := s.tickets.Unit(r.Context(), hotline.UnitID(r.PathValue("id")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toUnitJSON(u))
}

func (s *server) patchUnit(w http.ResponseWriter, r *http.Request) {
	var p unitPatch
	if _, err := s.decodeRequest(w, r, &p, false); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.tickets.Unit(r.Context(), hotline.UnitID(r.PathValue("id")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.apply(u)
	if err := s.tickets.UpdateUnit(r.Context(), actor(r), u); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toUnitJSON(u))
}

func (s *server) listCategories(w http.ResponseWriter, r *http.Request) {
	cs, err := s.tickets.Categories(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]categoryJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, toCategoryJSON(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"categories": out})
}

func (s *server) createCategory(w http.ResponseWriter, r *http.Request) {
	var in categoryJSON
	if _, err := s.decodeRequest(w, r, &in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	c := in.category()
	if err := s.tickets.CreateCategory(r.Context(), actor(r), c); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toCategoryJSON(c))
}

func (s *server) patchCategory(w http.ResponseWriter, r *http.Request) {
	var p categoryPatch
	if _, err := s.decodeRequest(w, r, &p, false); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.category(r, hotline.CategoryID(r.PathValue("id")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.apply(c)
	if err := s.tickets.UpdateCategory(r.Context(), actor(r), c); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toCategoryJSON(c))
}

// category finds one category; the service lists them all.
func (s *server) category(r *http.Request, id hotline.CategoryID) (*ticketing.Category, error) {
	cs, err := s.tickets.Categories(r.Context())
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.ID == id {
			return c, nil
		}
	}
	return nil, hotline.Errorf(hotline.ENOTFOUND, "no category %q", id)
}

func (s *server) listRules(w http.ResponseWriter, r *http.Request) {
	rs, err := s.tickets.Rules(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]ruleJSON, 0, len(rs))
	for _, rule := range rs {
		out = append(out, toRuleJSON(rule))
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": out})
}

func (s *server) createRule(w http.ResponseWriter, r *http.Request) {
	var in ruleJSON
	if _, err := s.decodeRequest(w, r, &in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	rule := in.rule()
	rule.ID = 0 // assigned by the store
	if err := s.tickets.CreateRule(r.Context(), actor(r), rule); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/catalogue/"+strconv.FormatInt(rule.ID, 10))
	writeJSON(w, http.StatusCreated, toRuleJSON(rule))
}

func (s *server) putRule(w http.ResponseWriter, r *http.Request) {
	id, err := ruleID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in ruleJSON
	if _, err := s.decodeRequest(w, r, &in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.ID != 0 && in.ID != id {
		s.fail(w, r, hotline.Errorf(hotline.EINVALID, "body id %d differs from path id %d", in.ID, id).WithField("id", "must match the path"))
		return
	}
	rule := in.rule()
	rule.ID = id
	if err := s.tickets.UpdateRule(r.Context(), actor(r), rule); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toRuleJSON(rule))
}

func (s *server) deleteRule(w http.ResponseWriter, r *http.Request) {
	id, err := ruleID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.tickets.DeleteRule(r.Context(), actor(r), id); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ruleID parses a catalogue rule's path id; a non-number names no rule.
func ruleID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, hotline.Errorf(hotline.ENOTFOUND, "no catalogue rule %q", r.PathValue("id"))
	}
	return id, nil
}
