package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// fuzzDecode checks that decodeStrict never panics and that what it accepts
// survives a round trip.
func fuzzDecode[T any](t *testing.T, data []byte) {
	var v T
	err := decodeStrict(data, &v)
	if err != nil {
		if hotline.ErrorCode(err) != hotline.EINVALID {
			t.Fatalf("decode error of code %q: %v", hotline.ErrorCode(err), err)
		}
		return
	}
	again, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("re-encode %+v: %v", v, err)
	}
	var w T
	if err := decodeStrict(again, &w); err != nil {
		t.Fatalf("accepted %q but rejected its re-encoding %q: %v", data, again, err)
	}
}

func FuzzDecodeIntake(f *testing.F) {
	for _, s := range []string{
		`{"channel":"phone","contact_number":"139","title":"路灯不亮","lat":39.9,"lng":116.4}`,
		`{"lat":"39.9"}`, `{"x":1}`, `{}`, `null`, `[]`, `{"title":"a"} {}`, `{"confidential":true,"triage":"answered"}`,
		`{"title":"\u0000\ud800"}`, `{"lat":1e999}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode[ticketing.IntakeInput](t, data) })
}

func FuzzDecodeAction(f *testing.F) {
	for _, s := range []string{
		`{"outcome":"resolved","content":"已修复"}`, `{"days":5,"reason":"parts"}`, `{"days":5.5}`,
		`{"days":99999999999999999999}`, `{"into":"20261127000001","version":3}`, `{"version":-1}`, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode[ticketing.ActionInput](t, data) })
}

// FuzzOpen311Post sends arbitrary form bodies through the handler: it must
// answer a 2xx with the created list or an Open311 error list, never panic.
func FuzzOpen311Post(f *testing.F) {
	for _, s := range []string{
		"api_key=k1&service_code=0101&lat=39.9&long=116.4&phone=139&description=%E8%B7%AF%E7%81%AF",
		"api_key=k1&service_code=0101&address_string=x&email=a@b",
		"api_key=k1&lat=NaN&long=Inf&phone=1&service_code=1", "api_key=&&&=", "%zz", "api_key=k1&description=%E8",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		e := newEnv(t)
		keyFake(e)
		e.tickets.IntakeFn = func(_ hotline.Actor, in ticketing.IntakeInput, _ ticketing.IdemKey) (*ticketing.Ticket, bool, error) {
			if in.ContactNumber == "" || in.Category == "" || (in.Lat == nil && in.Address == "") {
				t.Errorf("intake reached the service without its mandatory fields: %+v", in)
			}
			return sampleTicket(), false, nil
		}
		req := httptest.NewRequest("POST", "/open311/v2/requests.json", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		e.srv.mux.ServeHTTP(w, req)
		if w.Code == http.StatusCreated {
			var ok []open311Created
			if err := json.Unmarshal(w.Body.Bytes(), &ok); err != nil || len(ok) != 1 {
				t.Fatalf("201 with body %s", w.Body)
			}
			return
		}
		var errs []open311Error
		if err := json.Unmarshal(w.Body.Bytes(), &errs); err != nil || len(errs) != 1 || errs[0].Code != w.Code {
			t.Fatalf("status %d with body %s", w.Code, w.Body)
		}
		if w.Code >= 500 {
			t.Fatalf("server error for %q: %s", body, w.Body)
		}
	})
}
