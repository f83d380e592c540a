package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

func TestErrorMapping(t *testing.T) {
	cases := []struct {
		err    error
		status int
		code   string
	}{
		{hotline.Errorf(hotline.EINVALID, "bad").WithField("title", "is required"), 400, "invalid"},
		{hotline.Errorf(hotline.EUNAUTH, "who"), 401, "unauthorized"},
		{hotline.Errorf(hotline.EFORBIDDEN, "no"), 403, "forbidden"},
		{hotline.Errorf(hotline.ENOTFOUND, "gone"), 404, "not_found"},
		{hotline.Errorf(hotline.ECONFLICT, "changed"), 409, "conflict"},
		{fmt.Errorf("find ticket: %w", hotline.Errorf(hotline.ENOTFOUND, "wrapped")), 404, "not_found"},
		{hotline.Errorf(hotline.EINTERNAL, "disk on fire"), 500, "internal"},
		{errors.New("pq: connection refused to 10.0.0.5"), 500, "internal"},
	}
	for _, c := range cases {
		e := newEnv(t)
		e.tickets.TicketFn = func(hotline.Actor, hotline.TicketID) (*ticketing.Ticket, error) { return nil, c.err }
		got := apiError(t, e.request("GET", "/api/v1/tickets/20261127000042", ""), c.status)
		if got.Code != c.code {
			t.Errorf("%v: code = %q, want %q", c.err, got.Code, c.code)
		}
		if c.status == 500 {
			if got.Message != "internal error" {
				t.Errorf("%v: internal message leaked: %q", c.err, got.Message)
			}
			if !strings.Contains(e.logs.String(), "ticket_id=20261127000042") || !strings.Contains(e.logs.String(), c.err.Error()) {
				t.Errorf("%v: log = %q", c.err, e.logs)
			}
		} else if e.logs.Len() != 0 {
			t.Errorf("%v: logged a client error: %q", c.err, e.logs)
		}
	}
}

func TestErrorFields(t *testing.T) {
	e := newEnv(t)
	e.tickets.IntakeFn = func(hotline.Actor, ticketing.IntakeInput, ticketing.IdemKey) (*ticketing.Ticket, bool, error) {
		return nil, false, hotline.Errorf(hotline.EINVALID, "invalid request").WithField("contact_number", "is required")
	}
	got := apiError(t, e.request("POST", "/api/v1/tickets", `{"title":"x"}`), 400)
	if got.Message != "invalid request" || got.Fields["contact_number"] != "is required" {
		t.Errorf("error = %+v", got)
	}
}

func TestConflictCarriesCurrentTicket(t *testing.T) {
	e := newEnv(t)
	stored := sampleTicket()
	stored.Version = 9
	stored.ContactNumber, stored.CallerNumber = "139****9000", "138****8000" // the domain masks for the actor
	e.tickets.ActFn = func(hotline.Actor, hotline.TicketID, string, ticketing.ActionInput) (*ticketing.Ticket, error) {
		return nil, &hotline.Error{Code: hotline.ECONFLICT, Message: "ticket changed", Current: stored}
	}
	w := e.request("POST", "/api/v1/tickets/20261127000042/accept", `{"version":3}`)
	got := apiError(t, w, 409)
	if got.Current == nil || got.Current.Version != 9 || got.Current.ID != stored.ID || got.Current.ContactNumber != "139****9000" {
		t.Fatalf("current = %+v", got.Current)
	}

	// A conflict without a ticket goes out without one.
	e.tickets.ActFn = func(hotline.Actor, hotline.TicketID, string, ticketing.ActionInput) (*ticketing.Ticket, error) {
		return nil, hotline.Errorf(hotline.ECONFLICT, "idempotency key reused")
	}
	if got := apiError(t, e.request("POST", "/api/v1/tickets/20261127000042/accept", `{}`), 409); got.Current != nil {
		t.Fatalf("current = %+v, want none", got.Current)
	}
}

func TestConflictWithoutTicketHasNoCurrent(t *testing.T) {
	e := newEnv(t)
	e.tickets.CreateUnitFn = func(hotline.Actor, *ticketing.Unit) error {
		return &hotline.Error{Code: hotline.ECONFLICT, Message: "unit exists", Current: &ticketing.Unit{ID: "x"}}
	}
	w := e.request("POST", "/api/v1/units", `{"id":"x","name":"X","tier":"street"}`)
	apiError(t, w, 409)
	if strings.Contains(w.Body.String(), "current") {
		t.Errorf("body = %s", w.Body)
	}
}

func TestUnknownRouteIsJSON404(t *testing.T) {
	e := newEnv(t)
	got := apiError(t, e.request("GET", "/api/v1/nope", ""), http.StatusNotFound)
	if got.Code != hotline.ENOTFOUND {
		t.Errorf("code = %q", got.Code)
	}
}

func TestWrongMethodIs405(t *testing.T) {
	e := newEnv(t)
	w := e.request("DELETE", "/api/v1/tickets", "")
	if got := apiError(t, w, http.StatusMethodNotAllowed); got.Code != "method_not_allowed" {
		t.Errorf("code = %q", got.Code)
	}
	if allow := w.Header().Get("Allow"); allow != "POST, GET" {
		t.Errorf("Allow = %q", allow)
	}
	w = e.request("PUT", "/api/v1/tickets/1/accesses", "")
	if allow := w.Header().Get("Allow"); w.Code != 405 || allow != "GET" {
		t.Errorf("PUT accesses = %d, Allow %q", w.Code, allow)
	}
	w = e.request("DELETE", "/open311/v2/requests.json", "")
	if allow := w.Header().Get("Allow"); w.Code != 405 || allow != "POST, GET" {
		t.Errorf("DELETE requests.json = %d, Allow %q", w.Code, allow)
	}
}
