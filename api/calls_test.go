package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
)

// fakeCalls is a Calls that records the filter and id it was asked for.
type fakeCalls struct {
	calls   int
	filter  hotline.CallFilter
	records []*hotline.CallRecord
}

func (f *fakeCalls) FindCalls(_ context.Context, flt hotline.CallFilter) ([]*hotline.CallRecord, error) {
	f.calls++
	f.filter = flt
	return f.records, nil
}

func (f *fakeCalls) FindCallByID(_ context.Context, id hotline.CallID) (*hotline.CallRecord, error) {
	f.calls++
	for _, c := range f.records {
		if c.ID == id {
			return c, nil
		}
	}
	return nil, hotline.Errorf(hotline.ENOTFOUND, "call %s not found", id)
}

// asRole authenticates every token as a user with role.
type asRole struct {
	*fakeAccounts
	role hotline.Role
}

func (a asRole) Authenticate(context.Context, string) (*account.User, error) {
	u := *testUser
	u.Role = a.role
	if a.role == hotline.RoleUnit {
		u.Unit = "jianwai"
	}
	return &u, nil
}

var beijingZone = time.FixedZone("CST", 8*60*60)

func sampleCall() *hotline.CallRecord {
	arrived := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	return &hotline.CallRecord{
		ID: "c-0001", SIPCallID: "a84b4c76e66710@carrier", Direction: "inbound", Caller: "13800138000",
		Callee: "12345", Trunk: "unicom-1", Arrived: arrived, Answered: arrived.Add(2 * time.Second),
		Ended: arrived.Add(90*time.Second + 250*time.Millisecond), IVRPath: []string{"greeting", "menu", "complaint"},
		Digits: "1", Queue: "complaints", Agent: "u1", Ticket: "20261127000042", EndReason: "remote_hangup",
		SIPCause: 200, Recording: "c-0001.wav", RTPReceived: 4512, RTPLost: 3,
	}
}

// newCallsEnv is an env whose API serves call records from a fake, with
// dates read in Beijing time.
func newCallsEnv(t *testing.T, records ...*hotline.CallRecord) (*env, *fakeCalls) {
	e := newEnv(t)
	fc := &fakeCalls{records: records}
	e.srv.cfg.Calls = fc
	e.srv.cfg.Location = beijingZone
	return e, fc
}

func TestCallsNotEnabled(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/api/v1/calls", "/api/v1/calls/c-0001"} {
		body := apiError(t, e.request("GET", path, ""), http.StatusNotFound)
		if !strings.Contains(body.Message, "call records are not enabled") {
			t.Errorf("%s: message %q", path, body.Message)
		}
	}
}

func TestListCallsFilter(t *testing.T) {
	e, fc := newCallsEnv(t, sampleCall(), &hotline.CallRecord{ID: "c-0002", Direction: "inbound", Arrived: testNow})
	w := e.request("GET", "/api/v1/calls?from=2026-11-27&to=2026-11-28&caller=13800138000&queue=complaints"+
		"&direction=inbound&end_reason=remote_hangup&limit=2&offset=4", "")
	var out struct {
		Calls      []map[string]any `json:"calls"`
		Limit      int              `json:"limit"`
		Offset     int              `json:"offset"`
		NextOffset *int             `json:"next_offset"`
	}
	decodeBody(t, w, http.StatusOK, &out)
	want := hotline.CallFilter{
		From:   time.Date(2026, 11, 26, 16, 0, 0, 0, time.UTC), // Beijing midnight
		To:     time.Date(2026, 11, 28, 16, 0, 0, 0, time.UTC), // the end of the 28th
		Caller: "13800138000", Queue: "complaints", Direction: "inbound", EndReason: "remote_hangup",
		Limit: 2, Offset: 4,
	}
	got := fc.filter
	if !got.From.Equal(want.From) || !got.To.Equal(want.To) {
		t.Errorf("window [%v, %v), want [%v, %v)", got.From, got.To, want.From, want.To)
	}
	got.From, got.To, want.From, want.To = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if got != want {
		t.Errorf("filter %+v, want %+v", got, want)
	}
	if len(out.Calls) != 2 || out.Limit != 2 || out.Offset != 4 || out.NextOffset == nil || *out.NextOffset != 6 {
		t.Fatalf("page: %d calls, limit %d, offset %d, next %v", len(out.Calls), out.Limit, out.Offset, out.NextOffset)
	}
	if out.Calls[0]["id"] != "c-0001" || out.Calls[1]["id"] != "c-0002" {
		t.Errorf("order: %v, %v", out.Calls[0]["id"], out.Calls[1]["id"])
	}
}

func TestListCallsDefaultsAndRFC3339(t *testing.T) {
	e, fc := newCallsEnv(t, sampleCall())
	w := e.request("GET", "/api/v1/calls?from=2026-11-27T08:30:00%2B08:00", "")
	var out map[string]any
	decodeBody(t, w, http.StatusOK, &out)
	if fc.filter.Limit != hotline.CallPageDefault || fc.filter.Offset != 0 || !fc.filter.To.IsZero() {
		t.Errorf("filter %+v, want the default page and no upper bound", fc.filter)
	}
	if !fc.filter.From.Equal(time.Date(2026, 11, 27, 0, 30, 0, 0, time.UTC)) {
		t.Errorf("from %v", fc.filter.From)
	}
	if _, ok := out["next_offset"]; ok {
		t.Errorf("next_offset on a partial page: %v", out)
	}
}

func TestCallJSON(t *testing.T) {
	unanswered := &hotline.CallRecord{ID: "c-0002", Direction: "inbound", Caller: "13900000000",
		Arrived: time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC), EndReason: "cancelled", SIPCause: 487}
	e, _ := newCallsEnv(t, sampleCall(), unanswered)

	var full map[string]any
	decodeBody(t, e.request("GET", "/api/v1/calls/c-0001", ""), http.StatusOK, &full)
	want := map[string]any{
		"id": "c-0001", "sip_call_id": "a84b4c76e66710@carrier", "direction": "inbound", "caller": "13800138000",
		"callee": "12345", "trunk": "unicom-1", "arrived": "2026-11-27T02:00:00Z", "answered": "2026-11-27T02:00:02Z",
		"ended": "2026-11-27T02:01:30Z", "duration_seconds": 90.25, "ivr_path": []any{"greeting", "menu", "complaint"},
		"digits": "1", "queue": "complaints", "agent": "u1", "ticket": "20261127000042", "end_reason": "remote_hangup",
		"sip_cause": float64(200), "recording": "c-0001.wav", "rtp_received": float64(4512), "rtp_lost": float64(3),
	}
	if a, b := jsonText(t, full), jsonText(t, want); a != b {
		t.Errorf("call JSON\n got %s\nwant %s", a, b)
	}

	var bare map[string]any
	decodeBody(t, e.request("GET", "/api/v1/calls/c-0002", ""), http.StatusOK, &bare)
	for _, absent := range []string{"answered", "ended"} {
		if _, ok := bare[absent]; ok {
			t.Errorf("zero %s is present: %v", absent, bare[absent])
		}
	}
	if bare["duration_seconds"] != float64(0) || jsonText(t, bare["ivr_path"]) != "[]" || bare["sip_cause"] != float64(487) {
		t.Errorf("unanswered call: %v", bare)
	}
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGetCallUnknown(t *testing.T) {
	e, _ := newCallsEnv(t, sampleCall())
	body := apiError(t, e.request("GET", "/api/v1/calls/c-9999", ""), http.StatusNotFound)
	if body.Code != hotline.ENOTFOUND || !strings.Contains(body.Message, "c-9999") {
		t.Errorf("error %+v", body)
	}
}

func TestListCallsBadQuery(t *testing.T) {
	cases := map[string]string{
		"limit=0":            "limit",
		"limit=501":          "limit",
		"limit=ten":          "limit",
		"offset=-1":          "offset",
		"direction=sideways": "direction",
		"from=yesterday":     "from",
		"to=2026-13-01":      "to",
		"from=2026-11-28&to=2026-11-27T00:00:00Z": "to",
		"end_reason=DROP%20TABLE":                 "end_reason",
		"state=closed":                            "state",
	}
	for q, field := range cases {
		e, fc := newCallsEnv(t, sampleCall())
		body := apiError(t, e.request("GET", "/api/v1/calls?"+q, ""), http.StatusBadRequest)
		if body.Code != hotline.EINVALID || body.Fields[field] == "" {
			t.Errorf("%s: error %+v, want the field %s named", q, body, field)
		}
		if fc.calls != 0 {
			t.Errorf("%s: the store was asked", q)
		}
	}
}

func TestCallsRoles(t *testing.T) {
	for _, role := range []hotline.Role{hotline.RoleAdmin, hotline.RoleSupervisor, hotline.RoleAgent, hotline.RoleDispatcher} {
		e, _ := newCallsEnv(t, sampleCall())
		e.srv.accounts = asRole{e.accounts, role}
		for _, path := range []string{"/api/v1/calls", "/api/v1/calls/c-0001"} {
			if w := e.request("GET", path, ""); w.Code != http.StatusOK {
				t.Errorf("%s GET %s: %d %s", role, path, w.Code, w.Body)
			}
		}
	}
	for _, role := range []hotline.Role{hotline.RoleUnit, hotline.RoleAnalyst} {
		e, fc := newCallsEnv(t, sampleCall())
		e.srv.accounts = asRole{e.accounts, role}
		for _, path := range []string{"/api/v1/calls", "/api/v1/calls/c-0001", "/api/v1/calls?limit=nonsense"} {
			body := apiError(t, e.request("GET", path, ""), http.StatusForbidden)
			if strings.Contains(body.Message, "13800138000") {
				t.Errorf("%s GET %s: the refusal leaks the number: %s", role, path, body.Message)
			}
		}
		if fc.calls != 0 {
			t.Errorf("%s: the store was asked %d times", role, fc.calls)
		}
	}
}

func TestCallsInOpenAPI(t *testing.T) {
	e := newEnv(t)
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	decodeBody(t, e.request("GET", "/api/v1/openapi.json", ""), http.StatusOK, &doc)
	for _, path := range []string{"/api/v1/calls", "/api/v1/calls/{id}"} {
		if _, ok := doc.Paths[path]["get"]; !ok {
			t.Errorf("GET %s is not documented", path)
		}
	}
	list := string(doc.Paths["/api/v1/calls"]["get"])
	for _, p := range callParams {
		if !strings.Contains(list, `"name": "`+p+`"`) {
			t.Errorf("query parameter %s is not documented", p)
		}
	}
	call := string(doc.Components.Schemas["Call"])
	for _, f := range []string{"sip_call_id", "ivr_path", "duration_seconds", "end_reason", "sip_cause", "recording"} {
		if !strings.Contains(call, `"`+f+`"`) {
			t.Errorf("schema Call lacks %s", f)
		}
	}
}
