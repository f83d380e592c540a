package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

func TestStrictDecodingNeverReachesTheService(t *testing.T) {
	cases := []struct {
		name, body, contentType string
		status                  int
		field                   string // expected in fields
	}{
		{"unknown field", `{"title":"x","colour":"red"}`, "application/json", 400, "colour"},
		{"lat as string", `{"title":"x","lat":"39.9"}`, "application/json", 400, "lat"},
		{"confidential as string", `{"confidential":"yes"}`, "application/json", 400, "confidential"},
		{"malformed", `{"title":"x",`, "application/json", 400, ""},
		{"syntax error", `{"title" "x"}`, "application/json", 400, ""},
		{"trailing data", `{"title":"x"} {"title":"y"}`, "application/json", 400, ""},
		{"trailing garbage", `{"title":"x"}]`, "application/json", 400, ""},
		{"array body", `[{"title":"x"}]`, "application/json", 400, ""},
		{"empty body", ``, "application/json", 400, ""},
		{"oversized", `{"content":"` + strings.Repeat("路", 400) + `"}`, "application/json", 413, ""},
		{"form content type", `title=x`, "application/x-www-form-urlencoded", 415, ""},
		{"no content type", `{"title":"x"}`, "", 415, ""},
		{"text/plain", `{"title":"x"}`, "text/plain", 415, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.tickets.IntakeFn = func(hotline.Actor, ticketing.IntakeInput, ticketing.IdemKey) (*ticketing.Ticket, bool, error) {
				return sampleTicket(), false, nil
			}
			w := e.request("POST", "/api/v1/tickets", c.body, "Content-Type", c.contentType)
			got := apiError(t, w, c.status)
			if c.field != "" && got.Fields[c.field] == "" {
				t.Errorf("fields = %v, want %q named", got.Fields, c.field)
			}
			if e.tickets.calls != 0 {
				t.Errorf("service called %d times", e.tickets.calls)
			}
		})
	}
}

func TestDecodeAcceptsJSONVariants(t *testing.T) {
	e := newEnv(t)
	var got ticketing.IntakeInput
	e.tickets.IntakeFn = func(_ hotline.Actor, in ticketing.IntakeInput, _ ticketing.IdemKey) (*ticketing.Ticket, bool, error) {
		got = in
		return sampleTicket(), false, nil
	}
	body := `{"title":"路灯不亮","lat":39.9,"lng":116.4,"confidential":true}` + "\n"
	w := e.request("POST", "/api/v1/tickets", body, "Content-Type", "application/json; charset=utf-8")
	if w.Code != http.StatusCreated {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	if got.Title != "路灯不亮" || got.Lat == nil || *got.Lat != 39.9 || got.Lng == nil || !got.Confidential {
		t.Errorf("decoded %+v", got)
	}
}

func TestDecodeStrictMessages(t *testing.T) {
	var in ticketing.ActionInput
	err := decodeStrict([]byte(`{"days":"three"}`), &in)
	e, ok := err.(*hotline.Error)
	if !ok || e.Code != hotline.EINVALID || !strings.Contains(e.Fields["days"], "number") {
		t.Fatalf("err = %#v", err)
	}
	if err := decodeStrict([]byte(`{"days":3,"reason":"rain"}`), &in); err != nil || in.Days != 3 || in.Reason != "rain" {
		t.Fatalf("err = %v, in = %+v", err, in)
	}
}
