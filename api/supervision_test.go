package api

import (
	"bytes"
	"context"
	"encoding/binary"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/ticketing"
)

// supTickets adds the optional sides (summary, previews, SLA) to the fake.
type supTickets struct {
	*fakeTickets
	SummaryFn     func(hotline.Actor, ticketing.TicketFilter, ticketing.SummaryGroup) ([]ticketing.TicketCount, error)
	RuleTicketsFn func(hotline.Actor, int64, int) (*ticketing.Rule, []ticketing.RuleMatch, error)
	PreviewRuleFn func(hotline.Actor, *ticketing.Rule, int) ([]ticketing.RuleMatch, error)
}

func (f *supTickets) Summary(_ context.Context, a hotline.Actor, flt ticketing.TicketFilter, by ticketing.SummaryGroup) ([]ticketing.TicketCount, error) {
	return f.SummaryFn(a, flt, by)
}

func (f *supTickets) RuleTickets(_ context.Context, a hotline.Actor, id int64, limit int) (*ticketing.Rule, []ticketing.RuleMatch, error) {
	return f.RuleTicketsFn(a, id, limit)
}

func (f *supTickets) PreviewRule(_ context.Context, a hotline.Actor, r *ticketing.Rule, limit int) ([]ticketing.RuleMatch, error) {
	return f.PreviewRuleFn(a, r, limit)
}

func (f *supTickets) SLA() ticketing.SLAConfig {
	c := ticketing.DefaultSLA()
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, ticketing.Beijing)
	c.Calendar = ticketing.NewCalendar([]time.Time{day}, []time.Time{day.AddDate(0, 0, -4)})
	c.Working[2] = true
	return c
}

// adminAccounts also knows the token "admin".
type adminAccounts struct{ *fakeAccounts }

var testAdmin = &account.User{ID: "admin", Username: "admin", Name: "Admin", Role: hotline.RoleAdmin}

func (f adminAccounts) Authenticate(ctx context.Context, token string) (*account.User, error) {
	if token == "admin" {
		return testAdmin, nil
	}
	return f.fakeAccounts.Authenticate(ctx, token)
}

// fakePrompts keeps uploads in memory.
type fakePrompts struct{ saved map[string][]byte }

func (p *fakePrompts) ListPrompts(context.Context) ([]Prompt, error) {
	var out []Prompt
	for _, lang := range PromptLangs {
		for _, name := range []string{"greeting", "main-menu"} {
			b, ok := p.saved[lang+"/"+name]
			out = append(out, Prompt{Lang: lang, Name: name, Uploaded: ok, Bytes: int64(len(b))})
		}
	}
	return out, nil
}

func (p *fakePrompts) SavePrompt(_ context.Context, lang, name string, wav []byte) (Prompt, error) {
	p.saved[lang+"/"+name] = wav
	return Prompt{Lang: lang, Name: name, Uploaded: true, Updated: testNow, Bytes: int64(len(wav))}, nil
}

func (p *fakePrompts) Live() bool { return true }

func newSupEnv(t *testing.T) (*env, *supTickets, *fakePrompts) {
	t.Helper()
	e := &env{t: t, tickets: &fakeTickets{}, accounts: &fakeAccounts{}, logs: &bytes.Buffer{}}
	st := &supTickets{fakeTickets: e.tickets}
	fp := &fakePrompts{saved: map[string][]byte{}}
	cfg := Config{MaxBodyBytes: 1024, Clock: hotline.ClockFunc(func() time.Time { return testNow }), Location: time.UTC, Prompts: fp}
	e.srv = newServer(cfg, st, adminAccounts{e.accounts}, slog.New(slog.NewTextHandler(e.logs, nil)))
	return e, st, fp
}

func TestSummary(t *testing.T) {
	e, st, _ := newSupEnv(t)
	e.tickets.UnitsFn = func(ticketing.UnitFilter) ([]*ticketing.Unit, error) {
		return []*ticketing.Unit{{ID: "110105", Name: "朝阳区"}}, nil
	}
	var got ticketing.TicketFilter
	st.SummaryFn = func(a hotline.Actor, f ticketing.TicketFilter, by ticketing.SummaryGroup) ([]ticketing.TicketCount, error) {
		got = f
		if by != ticketing.GroupDistrict {
			t.Errorf("group %q", by)
		}
		return []ticketing.TicketCount{{Key: "110105", Total: 3, Red: 2, Overdue: 2, Supervised: 1}, {Key: "", Total: 1, Yellow: 1}}, nil
	}
	var out summaryJSON
	decodeBody(t, e.request("GET", "/api/v1/tickets/summary?group=district&urgency=utility&supervised=true", ""), 200, &out)
	if got.Urgency != ticketing.UrgencyUtility || got.Supervised == nil || !*got.Supervised {
		t.Errorf("filter %+v", got)
	}
	if len(out.Rows) != 2 || out.Rows[0].Name != "朝阳区" || out.Totals.Total != 4 || out.Totals.Overdue != 2 || out.Totals.Yellow != 1 {
		t.Errorf("summary %+v", out)
	}
	ej := apiError(t, e.request("GET", "/api/v1/tickets/summary?sort=deadline&light=blue", ""), 400)
	if ej.Fields["group"] == "" || ej.Fields["sort"] == "" || ej.Fields["light"] == "" {
		t.Errorf("fields %v", ej.Fields)
	}
	base := newEnv(t)
	if ej := apiError(t, base.request("GET", "/api/v1/tickets/summary?group=unit", ""), 404); !strings.Contains(ej.Message, "not enabled") {
		t.Errorf("without a summarizer: %+v", ej)
	}
}

func TestRuleTicketsAndPreview(t *testing.T) {
	e, st, _ := newSupEnv(t)
	match := []ticketing.RuleMatch{{Ticket: sampleTicket(), Unit: "jianwai", Rule: 7, Routes: true}}
	st.RuleTicketsFn = func(a hotline.Actor, id int64, limit int) (*ticketing.Rule, []ticketing.RuleMatch, error) {
		if id != 7 || limit != 5 {
			t.Errorf("id %d limit %d", id, limit)
		}
		return &ticketing.Rule{ID: 7, Category: "0101", Target: ticketing.TargetStreet}, match, nil
	}
	var out ruleMatchesJSON
	decodeBody(t, e.request("GET", "/api/v1/catalogue/7/tickets?limit=5", ""), 200, &out)
	if out.Rule == nil || out.Rule.ID != 7 || len(out.Tickets) != 1 || !out.Tickets[0].Routes || out.Tickets[0].RoutedUnit != "jianwai" || out.Scanned != ticketing.PreviewScan {
		t.Errorf("rule tickets %+v", out)
	}
	apiError(t, e.request("GET", "/api/v1/catalogue/7/tickets?limit=0", ""), 400)
	apiError(t, e.request("GET", "/api/v1/catalogue/x/tickets", ""), 404)

	var previewed *ticketing.Rule
	st.PreviewRuleFn = func(a hotline.Actor, r *ticketing.Rule, limit int) ([]ticketing.RuleMatch, error) {
		previewed = r
		return match, nil
	}
	var pv ruleMatchesJSON
	decodeBody(t, e.request("POST", "/api/v1/catalogue/preview", `{"id": 7, "category": "0101", "area": "110105", "target": "unit", "unit": "110105"}`), 200, &pv)
	if previewed == nil || previewed.ID != 7 || previewed.Unit != "110105" || pv.Rule != nil || len(pv.Tickets) != 1 {
		t.Errorf("preview of %+v: %+v", previewed, pv)
	}
	if ej := apiError(t, e.request("POST", "/api/v1/catalogue/preview", `{"colour": 1}`), 400); ej.Fields["colour"] == "" {
		t.Errorf("strict decoding: %+v", ej)
	}
}

func TestSLA(t *testing.T) {
	e, _, _ := newSupEnv(t)
	var out slaJSON
	decodeBody(t, e.request("GET", "/api/v1/sla", ""), 200, &out)
	if len(out.Tiers) != 4 || out.Tiers[0].Urgency != "emergency" || out.Tiers[0].Accept != 900 || out.Tiers[2].Reply != 7*86400 {
		t.Errorf("tiers %+v", out.Tiers)
	}
	if !out.Working.Reply || out.Working.Accept || out.WarnAt != 0.8 {
		t.Errorf("working %+v warn %v", out.Working, out.WarnAt)
	}
	if len(out.Holidays) != 1 || out.Holidays[0] != "2026-10-01" || len(out.Workdays) != 1 || out.Workdays[0] != "2026-09-27" {
		t.Errorf("calendar %v %v", out.Holidays, out.Workdays)
	}
	apiError(t, newEnv(t).request("GET", "/api/v1/sla", ""), 404)
}

// wav builds a WAV file's bytes.
func wav(rate, channels, bits int, seconds float64) []byte {
	n := int(float64(rate)*seconds) * channels * bits / 8
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	le(uint32(36 + n))
	b.WriteString("WAVEfmt ")
	le(uint32(16))
	le(uint16(1))
	le(uint16(channels))
	le(uint32(rate))
	le(uint32(rate * channels * bits / 8))
	le(uint16(channels * bits / 8))
	le(uint16(bits))
	b.WriteString("LIST")
	le(uint32(3)) // an odd chunk, padded
	b.WriteString("abc\x00")
	b.WriteString("data")
	le(uint32(n))
	b.Write(make([]byte, n))
	return b.Bytes()
}

func (e *env) upload(path, token, ctype string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", ctype)
	w := httptest.NewRecorder()
	e.srv.mux.ServeHTTP(w, req)
	return w
}

func TestPromptUpload(t *testing.T) {
	e, _, fp := newSupEnv(t)
	good := wav(8000, 1, 16, 2.5)
	var p promptJSON
	decodeBody(t, e.upload("/api/v1/prompts/zh/greeting", "admin", "audio/wav", good), 200, &p)
	if !p.Uploaded || p.Seconds != 2.5 || p.Bytes != int64(len(good)) || !bytes.Equal(fp.saved["zh/greeting"], good) {
		t.Errorf("upload answered %+v", p)
	}
	var list promptListJSON
	w := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/v1/prompts", nil)
	req.Header.Set("Authorization", "Bearer admin")
	e.srv.mux.ServeHTTP(w, req)
	decodeBody(t, w, 200, &list)
	if len(list.Prompts) != 4 || !list.Prompts[0].Uploaded || !list.Live {
		t.Errorf("list %+v", list)
	}

	for _, tc := range []struct {
		name, path, token, ctype string
		body                     []byte
		status                   int
		field                    string
	}{
		{"not the admin", "/api/v1/prompts/zh/greeting", "good", "audio/wav", good, 403, ""},
		{"language", "/api/v1/prompts/fr/greeting", "admin", "audio/wav", good, 400, "lang"},
		{"unknown name", "/api/v1/prompts/zh/..%2Fetc", "admin", "audio/wav", good, 400, "name"},
		{"not a prompt", "/api/v1/prompts/en/welcome", "admin", "audio/wav", good, 400, "name"},
		{"content type", "/api/v1/prompts/zh/greeting", "admin", "application/json", good, 415, ""},
		{"stereo 44.1 kHz", "/api/v1/prompts/zh/greeting", "admin", "audio/wav", wav(44100, 2, 16, 0.5), 400, "file"},
		{"8-bit", "/api/v1/prompts/zh/greeting", "admin", "audio/x-wav", wav(8000, 1, 8, 1), 400, "file"},
		{"not a wav", "/api/v1/prompts/zh/greeting", "admin", "audio/wav", []byte("ID3 an mp3"), 400, "file"},
		{"cut short", "/api/v1/prompts/zh/greeting", "admin", "audio/wav", good[:len(good)-10], 400, "file"},
		{"empty", "/api/v1/prompts/zh/greeting", "admin", "audio/wav", wav(8000, 1, 16, 0), 400, "file"},
		{"61 s", "/api/v1/prompts/zh/greeting", "admin", "audio/wav", wav(8000, 1, 16, 61), 413, "file"},
	} {
		delete(fp.saved, "zh/greeting")
		ej := apiError(t, e.upload(tc.path, tc.token, tc.ctype, tc.body), tc.status)
		if tc.field != "" && ej.Fields[tc.field] == "" {
			t.Errorf("%s: no message for %s: %+v", tc.name, tc.field, ej)
		}
		if len(fp.saved) != 0 {
			t.Errorf("%s: something was saved", tc.name)
		}
	}
	// Exactly a minute is allowed.
	decodeBody(t, e.upload("/api/v1/prompts/en/main-menu", "admin", "audio/wav", wav(8000, 1, 16, 60)), 200, &p)
	apiError(t, newEnv(t).request("GET", "/api/v1/prompts", ""), 404)
}

func FuzzCheckPromptWAV(f *testing.F) {
	f.Add(wav(8000, 1, 16, 0.01))
	f.Add(wav(16000, 2, 16, 0.01))
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEdata\xff\xff\xff\x7f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := checkPromptWAV(b)
		if err == nil && (d <= 0 || d > MaxPromptLength) {
			t.Fatalf("accepted a prompt of %v", d)
		}
	})
}

// The API takes its credentials from the Authorization header only: a
// cookie, whatever it holds, authenticates nothing, so a page of another
// origin cannot make a signed-in browser act (no CSRF on the JSON API).
func TestCookiesAuthenticateNothing(t *testing.T) {
	e := newEnv(t)
	for _, route := range []string{"GET /api/v1/me", "GET /api/v1/users", "POST /api/v1/users"} {
		method, path, _ := strings.Cut(route, " ")
		req := httptest.NewRequest(method, path, strings.NewReader(`{"username":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		for _, name := range []string{"token", "session", "hotline.session", "Authorization"} {
			req.AddCookie(&http.Cookie{Name: name, Value: "good"})
		}
		w := httptest.NewRecorder()
		e.srv.mux.ServeHTTP(w, req)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s with cookies only: %d", route, w.Code)
		}
	}
	if e.accounts.calls != 0 {
		t.Errorf("a cookie reached the account service")
	}
}
