package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// fakeClaimer is a Tickets that also serves claims, recording what it was
// asked.
type fakeClaimer struct {
	*fakeTickets
	actor   hotline.Actor
	ticket  hotline.TicketID
	in      ticketing.ClaimInput
	filter  ticketing.ClaimFilter
	id      int64
	approve bool
	ruling  ticketing.RulingInput
	claim   *ticketing.Claim
	list    []*ticketing.Claim
	err     error
	calls   int
}

func (f *fakeClaimer) FileClaim(_ context.Context, a hotline.Actor, id hotline.TicketID, in ticketing.ClaimInput) (*ticketing.Claim, error) {
	f.calls++
	f.actor, f.ticket, f.in = a, id, in
	return f.claim, f.err
}

func (f *fakeClaimer) Claims(_ context.Context, a hotline.Actor, flt ticketing.ClaimFilter) ([]*ticketing.Claim, error) {
	f.calls++
	f.actor, f.filter = a, flt
	return f.list, f.err
}

func (f *fakeClaimer) RuleClaim(_ context.Context, a hotline.Actor, id int64, approve bool, in ticketing.RulingInput) (*ticketing.Claim, error) {
	f.calls++
	f.actor, f.id, f.approve, f.ruling = a, id, approve, in
	return f.claim, f.err
}

func newClaimEnv(t *testing.T, role hotline.Role) (*env, *fakeClaimer) {
	e := newEnv(t)
	e.tickets.UnitsFn = func(ticketing.UnitFilter) ([]*ticketing.Unit, error) {
		return []*ticketing.Unit{{ID: "jianwai", Name: "建外街道"}}, nil
	}
	fc := &fakeClaimer{fakeTickets: e.tickets, claim: sampleClaim()}
	e.srv = newServer(e.srv.cfg, fc, asRole{e.accounts, role}, slog.New(slog.DiscardHandler))
	return e, fc
}

func sampleClaim() *ticketing.Claim {
	return &ticketing.Claim{ID: 7, Ticket: "20261127000001", Unit: "jianwai", Kind: ticketing.ClaimAppeal,
		State: ticketing.ClaimPending, Reason: "已解决", Evidence: "回执", Callback: 12,
		Month: ticketing.Month{Year: 2026, Month: time.November}, FiledBy: "u1", FiledByName: "建外",
		Filed: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC), Version: 1}
}

func TestFileClaim(t *testing.T) {
	e, fc := newClaimEnv(t, hotline.RoleUnit)
	w := e.request("POST", "/api/v1/tickets/20261127000001/claims", `{"kind":"appeal","reason":"已解决","evidence":"回执","callback":12}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if fc.ticket != "20261127000001" || fc.in != (ticketing.ClaimInput{Kind: "appeal", Reason: "已解决", Evidence: "回执", Callback: 12}) ||
		fc.actor.Role != hotline.RoleUnit || fc.actor.Unit != "jianwai" {
		t.Errorf("asked %s %+v as %+v", fc.ticket, fc.in, fc.actor)
	}
	want := `{"id":7,"ticket":"20261127000001","unit":"jianwai","unit_name":"建外街道","kind":"appeal","state":"pending",` +
		`"reason":"已解决","evidence":"回执","callback":12,"month":"2026-11","filed_by":"u1","filed_by_name":"建外",` +
		`"filed":"2026-11-27T02:00:00Z","note":"","version":1}` + "\n"
	if got := w.Body.String(); got != want {
		t.Errorf("body\n%s\nwant\n%s", got, want)
	}
}

func TestFileClaimStrictBody(t *testing.T) {
	cases := map[string]struct {
		body, ct string
		status   int
		field    string
	}{
		"unknown field": {`{"kind":"appeal","reason":"x","bogus":1}`, "application/json", 400, "bogus"},
		"wrong type":    {`{"kind":"appeal","reason":"x","callback":"12"}`, "application/json", 400, "callback"},
		"empty body":    {``, "application/json", 400, ""},
		"not json":      {`kind=appeal`, "application/x-www-form-urlencoded", 415, ""},
	}
	for name, tc := range cases {
		e, fc := newClaimEnv(t, hotline.RoleUnit)
		w := e.request("POST", "/api/v1/tickets/20261127000001/claims", tc.body, "Content-Type", tc.ct)
		body := apiError(t, w, tc.status)
		if tc.field != "" && body.Fields[tc.field] == "" {
			t.Errorf("%s: %+v does not name %s", name, body, tc.field)
		}
		if fc.calls != 0 {
			t.Errorf("%s reached the service", name)
		}
	}
}

func TestClaimServiceErrors(t *testing.T) {
	e, fc := newClaimEnv(t, hotline.RoleUnit)
	fc.err = hotline.Errorf(hotline.EINVALID, "invalid claim").WithField("reason", "required")
	body := apiError(t, e.request("POST", "/api/v1/tickets/20261127000001/claims", `{"kind":"appeal"}`), http.StatusBadRequest)
	if body.Fields["reason"] != "required" {
		t.Errorf("field errors %+v", body)
	}
	fc.err = hotline.Errorf(hotline.ECONFLICT, "ticket already has a pending appeal claim")
	apiError(t, e.request("POST", "/api/v1/tickets/20261127000001/claims", `{"kind":"appeal","reason":"x"}`), http.StatusConflict)
	fc.err = hotline.Errorf(hotline.EFORBIDDEN, "a supervisor may not file claims")
	apiError(t, e.request("POST", "/api/v1/claims/7/approve", ``), http.StatusForbidden)
}

func TestListClaims(t *testing.T) {
	e, fc := newClaimEnv(t, hotline.RoleSupervisor)
	ruled := sampleClaim()
	ruled.ID, ruled.State, ruled.RuledBy, ruled.RuledByName, ruled.Note = 8, ticketing.ClaimApproved, "sup1", "赵", "属实"
	ruled.Ruled = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	fc.list = []*ticketing.Claim{sampleClaim(), ruled}
	var out struct {
		Claims     []map[string]any `json:"claims"`
		Limit      int              `json:"limit"`
		Offset     int              `json:"offset"`
		NextOffset *int             `json:"next_offset"`
	}
	decodeBody(t, e.request("GET", "/api/v1/claims?state=pending&unit=jianwai&month=2026-11&kind=appeal&ticket=T1&limit=2&offset=4", ""), http.StatusOK, &out)
	want := ticketing.ClaimFilter{State: ticketing.ClaimPending, Kind: ticketing.ClaimAppeal, Unit: "jianwai", Ticket: "T1",
		Month: ticketing.Month{Year: 2026, Month: time.November}, Limit: 2, Offset: 4}
	if fc.filter != want {
		t.Errorf("filter %+v, want %+v", fc.filter, want)
	}
	if len(out.Claims) != 2 || out.Limit != 2 || out.Offset != 4 || out.NextOffset == nil || *out.NextOffset != 6 {
		t.Fatalf("page %+v", out)
	}
	if out.Claims[1]["ruled"] != "2026-11-27T03:00:00Z" || out.Claims[1]["note"] != "属实" || out.Claims[1]["unit_name"] != "建外街道" {
		t.Errorf("ruled claim %v", out.Claims[1])
	}
	if _, ok := out.Claims[0]["ruled"]; ok {
		t.Errorf("pending claim has a ruling time: %v", out.Claims[0])
	}

	fc.list = nil
	w := e.request("GET", "/api/v1/claims", "")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Body.String(), `{"claims":[],"limit":50,"offset":0}`) {
		t.Errorf("empty list: %d %s", w.Code, w.Body)
	}
}

func TestListClaimsBadQuery(t *testing.T) {
	cases := map[string]string{
		"?state=open":    "state",
		"?kind=other":    "kind",
		"?month=2026-13": "month",
		"?limit=0":       "limit",
		"?offset=-1":     "offset",
		"?sort=filed":    "sort",
	}
	for query, field := range cases {
		e, fc := newClaimEnv(t, hotline.RoleSupervisor)
		body := apiError(t, e.request("GET", "/api/v1/claims"+query, ""), http.StatusBadRequest)
		if body.Fields[field] == "" {
			t.Errorf("%s: %+v does not name %s", query, body, field)
		}
		if fc.calls != 0 {
			t.Errorf("%s reached the service", query)
		}
	}
}

func TestRuleClaim(t *testing.T) {
	e, fc := newClaimEnv(t, hotline.RoleSupervisor)
	fc.claim.State = ticketing.ClaimApproved
	var out claimJSON
	decodeBody(t, e.request("POST", "/api/v1/claims/7/approve", `{"note":"属实","version":1}`), http.StatusOK, &out)
	if fc.id != 7 || !fc.approve || fc.ruling != (ticketing.RulingInput{Note: "属实", Version: 1}) || fc.actor.Role != hotline.RoleSupervisor {
		t.Errorf("asked %d approve=%v %+v as %+v", fc.id, fc.approve, fc.ruling, fc.actor)
	}
	if out.State != "approved" || out.ID != 7 {
		t.Errorf("answer %+v", out)
	}
	// An empty body is an approval without a note; reject goes through too.
	decodeBody(t, e.request("POST", "/api/v1/claims/7/approve", ``), http.StatusOK, &out)
	decodeBody(t, e.request("POST", "/api/v1/claims/7/reject", `{"note":"证据不足"}`), http.StatusOK, &out)
	if fc.approve || fc.ruling.Note != "证据不足" {
		t.Errorf("reject asked approve=%v %+v", fc.approve, fc.ruling)
	}
	calls := fc.calls
	apiError(t, e.request("POST", "/api/v1/claims/abc/approve", ``), http.StatusNotFound)
	apiError(t, e.request("POST", "/api/v1/claims/0/reject", ``), http.StatusNotFound)
	apiError(t, e.request("POST", "/api/v1/claims/7/reject", `{"reason":"x"}`), http.StatusBadRequest)
	apiError(t, e.request("GET", "/api/v1/claims/7/approve", ``), http.StatusMethodNotAllowed)
	if fc.calls != calls {
		t.Errorf("bad requests reached the service")
	}
}

func TestClaimsNotEnabled(t *testing.T) {
	e := newEnv(t)
	body := apiError(t, e.request("GET", "/api/v1/claims", ""), http.StatusNotFound)
	if !strings.Contains(body.Message, "claims are not enabled") {
		t.Errorf("message %q", body.Message)
	}
}
