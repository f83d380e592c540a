package api

import (
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/ticketing"
)

func (e *env) open311(method, path, form string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(form))
	if method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	w := httptest.NewRecorder()
	e.srv.mux.ServeHTTP(w, req)
	return w
}

func open311Err(t *testing.T, w *httptest.ResponseRecorder, status int) string {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d, want %d; %s", w.Code, status, w.Body)
	}
	var errs []open311Error
	if err := json.Unmarshal(w.Body.Bytes(), &errs); err != nil || len(errs) != 1 || errs[0].Code != status {
		t.Fatalf("not an Open311 error: %s (%v)", w.Body, err)
	}
	return errs[0].Description
}

func testCategories() ([]*ticketing.Category, error) {
	return []*ticketing.Category{
		{ID: "01", Name: "城市管理"},
		{ID: "0101", Name: "路灯", Parent: "01", Keywords: []string{"路灯", "照明"}},
		{ID: "0102", Name: "井盖", Parent: "01", Disabled: true},
	}, nil
}

func TestOpen311Services(t *testing.T) {
	e := newEnv(t)
	e.tickets.CategoriesFn = testCategories
	var got []serviceJSON
	decodeBody(t, e.open311("GET", "/open311/v2/services.json", ""), 200, &got)
	want := serviceJSON{ServiceCode: "0101", ServiceName: "路灯", Description: "路灯", Type: "realtime", Keywords: "路灯,照明", Group: "城市管理"}
	if len(got) != 1 || got[0] != want {
		t.Errorf("services = %+v", got)
	}
	var def serviceDefinitionJSON
	decodeBody(t, e.open311("GET", "/open311/v2/services/0101.json", ""), 200, &def)
	if def.ServiceCode != "0101" || def.Attributes == nil {
		t.Errorf("definition = %+v", def)
	}
	open311Err(t, e.open311("GET", "/open311/v2/services/01.json", ""), 404)
	open311Err(t, e.open311("GET", "/open311/v2/services/0101", ""), 404)
	if d := open311Err(t, e.open311("GET", "/open311/v2/services/0101.xml", ""), 400); d != "format not supported, use .json" {
		t.Errorf("xml = %q", d)
	}
	open311Err(t, e.open311("GET", "/open311/v2/services.xml", ""), 400)
	open311Err(t, e.open311("GET", "/open311/v2/requests.xml", ""), 400)
	open311Err(t, e.open311("GET", "/open311/v2/nothing.json", ""), 404)
}

func keyFake(e *env) {
	e.accounts.AuthenticateAPIKeyFn = func(key string) (*account.APIKey, error) {
		if key != "k1" {
			return nil, hotline.Errorf(hotline.EUNAUTH, "bad key")
		}
		return &account.APIKey{Name: "city app", User: "admin"}, nil
	}
}

func TestOpen311PostNeedsKey(t *testing.T) {
	e := newEnv(t)
	keyFake(e)
	open311Err(t, e.open311("POST", "/open311/v2/requests.json", "service_code=0101&lat=39.9&long=116.4&phone=139"), 401)
	open311Err(t, e.open311("POST", "/open311/v2/requests.json", "api_key=bad&service_code=0101&lat=39.9&long=116.4&phone=139"), 403)
	if e.tickets.calls != 0 {
		t.Error("service called without a valid key")
	}
}

func TestOpen311Post(t *testing.T) {
	e := newEnv(t)
	keyFake(e)
	var got ticketing.IntakeInput
	var who hotline.Actor
	e.tickets.IntakeFn = func(a hotline.Actor, in ticketing.IntakeInput, _ ticketing.IdemKey) (*ticketing.Ticket, bool, error) {
		got, who = in, a
		return sampleTicket(), false, nil
	}
	form := url.Values{"api_key": {"k1"}, "service_code": {"0101"}, "lat": {"39.91"}, "long": {"116.45"},
		"description": {"小区门口的路灯坏了三天了\n晚上很黑"}, "first_name": {"Wei"}, "last_name": {"Wang"},
		"email": {"w@example.org"}, "attribute[type]": {"help"}, "account_id": {"acc-7"}}
	w := e.open311("POST", "/open311/v2/requests.json", form.Encode())
	var created []open311Created
	decodeBody(t, w, http.StatusCreated, &created)
	if len(created) != 1 || created[0].ServiceRequestID != "20261127000042" || created[0].AccountID != "acc-7" {
		t.Errorf("created = %+v", created)
	}
	if got.Channel != "open311" || got.Type != "help" || got.Category != "0101" || got.ContactNumber != "w@example.org" ||
		got.Lat == nil || *got.Lat != 39.91 || *got.Lng != 116.45 || got.Title != "" || got.Content != "小区门口的路灯坏了三天了\n晚上很黑" || got.CitizenName != "Wei Wang" {
		t.Errorf("intake = %+v", got)
	}
	if who.Role != hotline.RoleAgent || !strings.Contains(who.Name, "city app") {
		t.Errorf("actor = %+v", who)
	}
	form.Set("phone", "13900139000")
	form.Del("attribute[type]")
	e.open311("POST", "/open311/v2/requests.json", form.Encode())
	if got.ContactNumber != "13900139000" || got.CallerNumber != "13900139000" || got.Type != "complaint" {
		t.Errorf("with phone: %+v", got)
	}
}

func TestOpen311PostInvalid(t *testing.T) {
	for _, c := range []struct{ form, mention string }{
		{"api_key=k1&service_code=0101&lat=39.9&long=116.4", "phone"},
		{"api_key=k1&service_code=0101&phone=139", "address_string"},
		{"api_key=k1&service_code=0101&lat=north&long=116.4&phone=139", "lat"},
		{"api_key=k1&lat=39.9&long=116.4&phone=139", "service_code"},
		{"api_key=k1&service_code=0101&lat=39.9&long=116.4&phone=139&x=%zz", "malformed"},
	} {
		e := newEnv(t)
		keyFake(e)
		d := open311Err(t, e.open311("POST", "/open311/v2/requests.json", c.form), 400)
		if !strings.Contains(d, c.mention) {
			t.Errorf("%s: description %q does not mention %q", c.form, d, c.mention)
		}
		if e.tickets.calls != 0 {
			t.Errorf("%s: service called", c.form)
		}
	}
}

func TestOpen311PostDomainErrorUsesOpen311Names(t *testing.T) {
	e := newEnv(t)
	keyFake(e)
	e.tickets.IntakeFn = func(hotline.Actor, ticketing.IntakeInput, ticketing.IdemKey) (*ticketing.Ticket, bool, error) {
		return nil, false, hotline.Errorf(hotline.EINVALID, "invalid request").WithField("category", "not a leaf category")
	}
	d := open311Err(t, e.open311("POST", "/open311/v2/requests.json", "api_key=k1&service_code=01&address_string=x&phone=1"), 400)
	if !strings.Contains(d, "service_code: not a leaf category") {
		t.Errorf("description = %q", d)
	}
}

func TestOpen311PostTransport(t *testing.T) {
	e := newEnv(t)
	keyFake(e)
	req := httptest.NewRequest("POST", "/open311/v2/requests.json", strings.NewReader(`{"api_key":"k1"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	e.srv.mux.ServeHTTP(w, req)
	open311Err(t, w, 415)
	big := "api_key=k1&description=" + strings.Repeat("a", 2000)
	open311Err(t, e.open311("POST", "/open311/v2/requests.json", big), 413)
}

func TestOpen311Requests(t *testing.T) {
	e := newEnv(t)
	e.tickets.CategoriesFn = testCategories
	e.tickets.UnitFn = func(id hotline.UnitID) (*ticketing.Unit, error) {
		return &ticketing.Unit{ID: id, Name: "建外街道办事处"}, nil
	}
	secret := sampleTicket()
	secret.ID, secret.Confidential, secret.Lat, secret.Lng = "20261127000043", true, 39.9, 116.4
	closed := sampleTicket()
	closed.ID, closed.State, closed.Outcome, closed.Lat, closed.Lng = "20261127000044", ticketing.StateClosed, ticketing.OutcomeResolved, 39.9, 116.4
	var gotFilter ticketing.TicketFilter
	var gotActor hotline.Actor
	e.tickets.TicketsFn = func(a hotline.Actor, f ticketing.TicketFilter) ([]*ticketing.Ticket, error) {
		gotFilter, gotActor = f, a
		return []*ticketing.Ticket{sampleTicket(), secret, closed}, nil
	}
	w := e.open311("GET", "/open311/v2/requests.json?status=open&service_code=0101", "")
	var got []open311RequestJSON
	decodeBody(t, w, 200, &got)
	if gotActor != open311Reader || gotFilter.Category != "0101" || !gotFilter.From.Equal(testNow.Add(-90*24*time.Hour)) ||
		len(gotFilter.States) != 5 || gotFilter.Limit != open311Limit {
		t.Errorf("filter = %+v, actor %+v", gotFilter, gotActor)
	}
	body := w.Body.String()
	for _, private := range []string{"13800138000", "13900139000", "王先生"} {
		if strings.Contains(body, private) {
			t.Errorf("Open311 leaks %q: %s", private, body)
		}
	}
	if len(got) != 3 {
		t.Fatalf("got %d requests", len(got))
	}
	open := got[0]
	if open.Status != "open" || open.ServiceName != "路灯" || open.AgencyResponsible != "建外街道办事处" ||
		open.Description != "小区门口路灯不亮" || open.ExpectedDatetime != "2026-12-04T10:00:00Z" || open.Lat != nil {
		t.Errorf("open = %+v", open)
	}
	if s := got[1]; s.Description != "" || s.Address != "" || s.Lat != nil || s.Long != nil {
		t.Errorf("confidential request shows private details: %+v", s)
	}
	if c := got[2]; c.Status != "closed" || c.StatusNotes != "closed: resolved" || c.Lat == nil || *c.Long != 116.4 {
		t.Errorf("closed = %+v", c)
	}
	decodeBody(t, e.open311("GET", "/open311/v2/requests.json?status=closed&start_date=2026-11-01T00:00:00Z", ""), 200, &got)
	if len(gotFilter.States) != 2 || !gotFilter.From.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("closed filter = %+v", gotFilter)
	}
	open311Err(t, e.open311("GET", "/open311/v2/requests.json?status=pending", ""), 400)
	open311Err(t, e.open311("GET", "/open311/v2/requests.json?end_date=soon", ""), 400)
}

func TestOpen311RequestByID(t *testing.T) {
	e := newEnv(t)
	e.tickets.CategoriesFn = testCategories
	e.tickets.UnitFn = func(id hotline.UnitID) (*ticketing.Unit, error) {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "no unit")
	}
	var asked []hotline.TicketID
	e.tickets.TicketFn = func(a hotline.Actor, id hotline.TicketID) (*ticketing.Ticket, error) {
		asked = append(asked, id)
		if a != open311Reader {
			t.Errorf("actor = %+v", a)
		}
		if id != "20261127000042" {
			return nil, hotline.Errorf(hotline.ENOTFOUND, "no ticket %s", id)
		}
		return sampleTicket(), nil
	}
	var got []open311RequestJSON
	decodeBody(t, e.open311("GET", "/open311/v2/requests/20261127000042.json", ""), 200, &got)
	if len(got) != 1 || got[0].ServiceRequestID != "20261127000042" || got[0].AgencyResponsible != "jianwai" {
		t.Errorf("got %+v", got)
	}
	open311Err(t, e.open311("GET", "/open311/v2/requests/1.json", ""), 404)
	decodeBody(t, e.open311("GET", "/open311/v2/requests.json?service_request_id=20261127000042,1", ""), 200, &got)
	if len(got) != 1 || len(asked) != 4 {
		t.Errorf("by ids: %+v, asked %v", got, asked)
	}
}

func TestOpen311PostMultipart(t *testing.T) {
	e := newEnv(t)
	keyFake(e)
	var got ticketing.IntakeInput
	e.tickets.IntakeFn = func(_ hotline.Actor, in ticketing.IntakeInput, _ ticketing.IdemKey) (*ticketing.Ticket, bool, error) {
		got = in
		return sampleTicket(), false, nil
	}
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"api_key": "k1", "service_code": "0101", "address_string": "建外街道", "phone": "13900139000", "description": "路灯不亮"} {
		_ = mw.WriteField(k, v)
	}
	_ = mw.Close()
	req := httptest.NewRequest("POST", "/open311/v2/requests.json", strings.NewReader(buf.String()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	w := httptest.NewRecorder()
	e.srv.mux.ServeHTTP(w, req)
	if w.Code != http.StatusCreated || got.Address != "建外街道" || got.Content != "路灯不亮" {
		t.Errorf("multipart = %d %s, intake %+v", w.Code, w.Body, got)
	}
}
