package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

func (s *server) createTicket(w http.ResponseWriter, r *http.Request) {
	var in ticketing.IntakeInput
	raw, err := s.decodeRequest(w, r, &in, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var idem ticketing.IdemKey
	if key := strings.TrimSpace(r.Header.Get("Idempotency-Key")); key != "" {
		sum := sha256.Sum256(raw)
		idem = ticketing.IdemKey{Key: key, Hash: hex.EncodeToString(sum[:])}
	}
	t, replay, err := s.tickets.Intake(r.Context(), actor(r), in, idem)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/tickets/"+url.PathEscape(string(t.ID)))
	status := http.StatusCreated
	if replay {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	writeJSON(w, status, toTicketJSON(t))
}

type ticketListJSON struct {
	Tickets    []ticketJSON `json:"tickets"`
	Limit      int          `json:"limit"`
	Offset     int          `json:"offset"`
	NextOffset *int         `json:"next_offset,omitempty"`
}

func (s *server) listTickets(w http.ResponseWriter, r *http.Request) {
	f, err := s.ticketFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ts, err := s.tickets.Tickets(r.Context(), actor(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := ticketListJSON{Tickets: toTicketsJSON(ts), Limit: f.Limit, Offset: f.Offset}
	if len(ts) >= f.Limit {
		next := f.Offset + len(ts)
		out.NextOffset = &next
	}
	writeJSON(w, http.StatusOK, out)
}

type ticketWithHistory struct {
	ticketJSON
	History []eventJSON `json:"history"`
}

func (s *server) getTicket(w http.ResponseWriter, r *http.Request) {
	id := hotline.TicketID(r.PathValue("id"))
	t, err := s.tickets.Ticket(r.Context(), actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	evs, err := s.tickets.History(r.Context(), actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ticketWithHistory{ticketJSON: toTicketJSON(t), History: toEventsJSON(evs)})
}

func (s *server) ticketAccesses(w http.ResponseWriter, r *http.Request) {
	as, err := s.tickets.Accesses(r.Context(), actor(r), hotline.TicketID(r.PathValue("id")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"accesses": toAccessesJSON(as)})
}

func (s *server) act(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	if !slices.Contains(lifecycleActions(), action) {
		s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "unknown action %q; the actions are %s",
			action, strings.Join(lifecycleActions(), ", ")))
		return
	}
	var in ticketing.ActionInput
	if _, err := s.decodeRequest(w, r, &in, true); err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.tickets.Act(r.Context(), actor(r), hotline.TicketID(r.PathValue("id")), action, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toTicketJSON(t))
}

func (s *server) suggest(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var v hotline.Invalid
	checkParams(&v, q, "category", "address", "lat", "lng")
	lat, lng := floatParam(&v, q, "lat"), floatParam(&v, q, "lng")
	if err := v.Err("invalid query"); err != nil {
		s.fail(w, r, err)
		return
	}
	sg, err := s.tickets.Suggest(r.Context(), hotline.CategoryID(q.Get("category")), q.Get("address"), lat, lng)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, suggestionJSON{
		District: sg.District, Street: sg.Street, Unit: sg.Unit, CopyUnit: sg.CopyUnit,
		Rule: sg.Rule, Urgency: string(sg.Urgency), Reason: sg.Reason,
	})
}

func (s *server) resolveArea(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var v hotline.Invalid
	checkParams(&v, q, "address", "lat", "lng")
	lat, lng := floatParam(&v, q, "lat"), floatParam(&v, q, "lng")
	if err := v.Err("invalid query"); err != nil {
		s.fail(w, r, err)
		return
	}
	a := s.tickets.ResolveArea(r.Context(), q.Get("address"), lat, lng)
	writeJSON(w, http.StatusOK, areaJSON{District: a.District, Street: a.Street, Method: a.Method})
}
