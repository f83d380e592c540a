package api

import (
	"context"
	"maps"
	"net/http"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// Digester is the ticketing service's daily-digest side.
type Digester interface {
	Digest(ctx context.Context, a hotline.Actor, unit hotline.UnitID) (*ticketing.Digest, error)
}

// digestRoutes registers the digest route.
func (s *server) digestRoutes() {
	s.handle("GET /api/v1/digest", s.authed(s.getDigest))
}

func init() {
	maps.Copy(operations, map[string]operation{
		"GET /api/v1/digest": {summary: "A unit's digest of what is due (每日待办): the orders it holds whose next deadline has passed, falls today or tomorrow (Beijing days), " +
			"those that arrived in the last 24 h, those under supervision, and counts of returns and extensions awaiting the centre. " +
			"Unit staff: their own unit (unit may be left out); the centre and analysts: any unit",
			tag: "tickets", status: 200, result: "Digest", params: []param{query("unit", "unit id; unit staff may leave it out")}},
	})
}

type digestItemJSON struct {
	Ticket     hotline.TicketID   `json:"ticket"`
	Title      string             `json:"title"`
	Category   hotline.CategoryID `json:"category"`
	State      string             `json:"state"`
	Clock      string             `json:"clock,omitempty"`
	Due        string             `json:"due,omitempty"`
	Light      string             `json:"light,omitempty"`
	Supervised bool               `json:"supervised"`
	Urges      int                `json:"urges"`
}

type digestJSON struct {
	Unit              hotline.UnitID   `json:"unit"`
	UnitName          string           `json:"unit_name"`
	Day               string           `json:"day"` // YYYY-MM-DD, Beijing
	Generated         string           `json:"generated"`
	Open              int              `json:"open"`
	Overdue           []digestItemJSON `json:"overdue"`
	DueToday          []digestItemJSON `json:"due_today"`
	DueTomorrow       []digestItemJSON `json:"due_tomorrow"`
	Arrived           []digestItemJSON `json:"arrived"`
	Supervised        []digestItemJSON `json:"supervised"`
	PendingReturns    int              `json:"pending_returns"`
	PendingExtensions int              `json:"pending_extensions"`
	Truncated         bool             `json:"truncated"`
}

func toDigestJSON(d *ticketing.Digest, name string) digestJSON {
	items := func(l []ticketing.DigestItem) []digestItemJSON {
		out := make([]digestItemJSON, 0, len(l))
		for _, it := range l {
			out = append(out, digestItemJSON{Ticket: it.Ticket, Title: it.Title, Category: it.Category,
				State: string(it.State), Clock: it.Clock, Due: stamp(it.Due), Light: string(it.Light),
				Supervised: it.Supervised, Urges: it.Urges})
		}
		return out
	}
	return digestJSON{Unit: d.Unit, UnitName: name, Day: d.Day.Format("2006-01-02"), Generated: stamp(d.Generated),
		Open: d.Open, Overdue: items(d.Overdue), DueToday: items(d.DueToday), DueTomorrow: items(d.DueTomorrow),
		Arrived: items(d.Arrived), Supervised: items(d.Supervised),
		PendingReturns: d.PendingReturns, PendingExtensions: d.PendingExtensions, Truncated: d.Truncated}
}

func (s *server) getDigest(w http.ResponseWriter, r *http.Request) {
	dg, ok := s.tickets.(Digester)
	if !ok {
		s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "digests are not enabled"))
		return
	}
	var v hotline.Invalid
	checkParams(&v, r.URL.Query(), "unit")
	if err := v.Err("invalid query"); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := dg.Digest(r.Context(), actor(r), hotline.UnitID(r.URL.Query().Get("unit")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names, err := s.unitNames(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toDigestJSON(d, names[d.Unit]))
}

// digestSchemas are the shapes of the digest route.
func digestSchemas() map[string]any {
	item := map[string]any{"ticket": str("ticket number"), "title": str(""), "category": str(""), "state": str(""),
		"clock": str("the running clock: accept, contact or reply"), "due": stamp3, "light": str("green, yellow or red as last swept"),
		"supervised": boolean, "urges": integer}
	return map[string]any{
		"DigestItem": object(item, "ticket", "state"),
		"Digest": object(map[string]any{"unit": str(""), "unit_name": str(""), "day": str("YYYY-MM-DD, Beijing"), "generated": stamp3,
			"open": integer, "overdue": arrayOf("DigestItem"), "due_today": arrayOf("DigestItem"), "due_tomorrow": arrayOf("DigestItem"),
			"arrived": arrayOf("DigestItem"), "supervised": arrayOf("DigestItem"),
			"pending_returns": integer, "pending_extensions": integer,
			"truncated": map[string]any{"type": "boolean", "description": "a list was cut at 100 orders"}},
			"unit", "day", "open", "overdue", "due_today", "due_tomorrow", "arrived", "supervised"),
	}
}
