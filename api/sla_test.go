package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// slaTickets is the fake ticket service with a real ticketing.Service's
// deadline rules behind it, over an in-memory settings store.
type slaTickets struct {
	*fakeTickets
	svc *ticketing.Service
}

var _ SLAEditor = slaTickets{}

func (s slaTickets) SLASettings() ticketing.SLASettings { return s.svc.SLASettings() }

func (s slaTickets) UpdateSLA(ctx context.Context, a hotline.Actor, in ticketing.SLASettings) (ticketing.SLASettings, error) {
	return s.svc.UpdateSLA(ctx, a, in)
}

// slaStore keeps the settings in memory; fail makes saving fail.
type slaStore struct {
	ticketing.Store
	saved *ticketing.SLASettings
	saves int
	fail  error
}

func (m *slaStore) FindSLASettings(context.Context) (*ticketing.SLASettings, error) {
	return m.saved, nil
}

func (m *slaStore) SaveSLASettings(_ context.Context, s *ticketing.SLASettings) error {
	if m.fail != nil {
		return m.fail
	}
	m.saves++
	m.saved = s
	return nil
}

// RescheduleChecks has no tickets to move: the API's tests hold none.
func (m *slaStore) RescheduleChecks(context.Context, time.Time) (int64, error) { return 0, nil }

func newSLAEnv(t *testing.T) (*env, *slaStore) {
	t.Helper()
	e := &env{t: t, tickets: &fakeTickets{}, accounts: &fakeAccounts{}, logs: &bytes.Buffer{}}
	mem := &slaStore{}
	cfg := ticketing.DefaultConfig()
	cfg.SLA.Calendar = ticketing.NewCalendar([]time.Time{time.Date(2026, 10, 1, 0, 0, 0, 0, ticketing.Beijing)}, nil)
	svc := ticketing.NewService(cfg, mem, hotline.ClockFunc(func() time.Time { return testNow }), nil, nil)
	acfg := Config{MaxBodyBytes: 64 << 10, Clock: hotline.ClockFunc(func() time.Time { return testNow }), Location: time.UTC}
	e.srv = newServer(acfg, slaTickets{e.tickets, svc}, adminAccounts{e.accounts}, slog.New(slog.NewTextHandler(e.logs, nil)))
	return e, mem
}

// slaBody is GET's answer with edit applied, as a PUT body.
func slaBody(t *testing.T, e *env, edit func(m map[string]any)) string {
	t.Helper()
	var m map[string]any
	decodeBody(t, e.request("GET", "/api/v1/sla", "", "Authorization", "Bearer admin"), 200, &m)
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func tier(m map[string]any, urgency string) map[string]any {
	for _, x := range m["tiers"].([]any) {
		if x := x.(map[string]any); x["urgency"] == urgency {
			return x
		}
	}
	return nil
}

func TestPutSLARoundTrip(t *testing.T) {
	e, mem := newSLAEnv(t)
	body := slaBody(t, e, func(m map[string]any) {
		tier(m, "ordinary")["reply"] = 3 * 86400
		m["holidays"] = append(m["holidays"].([]any), "2026-10-02")
		m["working_days"].(map[string]any)["reply"] = true
	})
	var out slaJSON
	decodeBody(t, e.request("PUT", "/api/v1/sla", body, "Authorization", "Bearer admin"), 200, &out)
	if out.Tiers[2].Urgency != "ordinary" || out.Tiers[2].Reply != 3*86400 || !out.Working.Reply || len(out.Holidays) != 2 {
		t.Fatalf("answer %+v", out)
	}
	if out.UpdatedBy != "admin" || out.Updated == nil || !out.Updated.Equal(testNow) || len(out.History) != 1 ||
		strings.Join(out.History[0].Changes, "; ") != "tiers.ordinary.reply: 7d → 3d; working_days.reply: false → true; holidays: +2026-10-02" {
		t.Fatalf("audit %+v %v %+v", out.UpdatedBy, out.Updated, out.History)
	}
	if mem.saves != 1 || mem.saved.Deadlines[ticketing.UrgencyOrdinary].Reply != 72*time.Hour {
		t.Fatalf("stored %d times: %+v", mem.saves, mem.saved)
	}
	// GET reflects it; PUT of GET's answer (audit fields included) is accepted and changes nothing.
	var again slaJSON
	decodeBody(t, e.request("GET", "/api/v1/sla", ""), 200, &again)
	if again.Tiers[2].Reply != 3*86400 || len(again.Holidays) != 2 || len(again.History) != 1 {
		t.Fatalf("GET after PUT %+v", again)
	}
	b, _ := json.Marshal(again)
	decodeBody(t, e.request("PUT", "/api/v1/sla", string(b), "Authorization", "Bearer admin"), 200, &out)
	if mem.saves != 1 || len(out.History) != 1 {
		t.Errorf("an unchanged PUT stored %d times, history %d", mem.saves, len(out.History))
	}
}

func TestPutSLAOnlyAdmin(t *testing.T) {
	e, mem := newSLAEnv(t)
	body := slaBody(t, e, func(m map[string]any) { tier(m, "ordinary")["reply"] = 3 * 86400 })
	// An agent (token "good") is refused.
	if ej := apiError(t, e.request("PUT", "/api/v1/sla", body), 403); !strings.Contains(ej.Message, "admin") {
		t.Errorf("agent: %+v", ej)
	}
	// No bearer token: a browser's cross-site request carries none (the
	// session lives in sessionStorage, never in a cookie), so it is refused.
	apiError(t, e.request("PUT", "/api/v1/sla", body, "Authorization", ""), 401)
	// A cross-site form can only send a "simple" content type: refused.
	apiError(t, e.request("PUT", "/api/v1/sla", body, "Authorization", "Bearer admin", "Content-Type", "text/plain"), 415)
	if mem.saves != 0 {
		t.Fatalf("a refused PUT was stored")
	}
}

func TestPutSLANamesTheField(t *testing.T) {
	cases := []struct {
		name, field string
		edit        func(m map[string]any)
	}{
		{"reply shorter than contact", "tiers.ordinary.reply", func(m map[string]any) { tier(m, "ordinary")["reply"] = 3600 }},
		{"zero accept", "tiers.emergency.accept", func(m map[string]any) { tier(m, "emergency")["accept"] = 0 }},
		{"over a year", "tiers.complex.reply", func(m map[string]any) { tier(m, "complex")["reply"] = 400 * 86400 }},
		{"huge number", "tiers.complex.reply", func(m map[string]any) { tier(m, "complex")["reply"] = int64(1) << 60 }},
		{"huge negative number", "tiers.complex.accept", func(m map[string]any) { tier(m, "complex")["accept"] = -(int64(1) << 62) }},
		{"missing tier", "tiers.utility", func(m map[string]any) {
			var keep []any
			for _, x := range m["tiers"].([]any) {
				if x.(map[string]any)["urgency"] != "utility" {
					keep = append(keep, x)
				}
			}
			m["tiers"] = keep
		}},
		{"unknown tier", "tiers[0].urgency", func(m map[string]any) { m["tiers"].([]any)[0].(map[string]any)["urgency"] = "urgent" }},
		{"warn at 1.5", "warn_at", func(m map[string]any) { m["warn_at"] = 1.5 }},
		{"bad day", "holidays", func(m map[string]any) { m["holidays"] = []string{"2026-02-30"} }},
		{"no holidays list", "holidays", func(m map[string]any) { delete(m, "holidays") }},
		{"workday and holiday", "workdays", func(m map[string]any) { m["workdays"] = []string{"2026-10-03"}; m["holidays"] = []string{"2026-10-03"} }},
		{"no working days", "working_days", func(m map[string]any) { delete(m, "working_days") }},
		{"unknown field", "colour", func(m map[string]any) { m["colour"] = "red" }},
		{"a string for a number", "warn_at", func(m map[string]any) { m["warn_at"] = "80%" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, mem := newSLAEnv(t)
			ej := apiError(t, e.request("PUT", "/api/v1/sla", slaBody(t, e, c.edit), "Authorization", "Bearer admin"), 400)
			if ej.Fields[c.field] == "" {
				t.Errorf("fields %v, want a problem with %s", ej.Fields, c.field)
			}
			if mem.saves != 0 {
				t.Error("bad rules were stored")
			}
			var out slaJSON
			decodeBody(t, e.request("GET", "/api/v1/sla", ""), 200, &out)
			if out.Tiers[2].Reply != 7*86400 || out.WarnAt != 0.8 || len(out.Holidays) != 1 || out.History != nil {
				t.Errorf("bad rules were applied: %+v", out)
			}
		})
	}
}

func TestPutSLAStoreFails(t *testing.T) {
	e, mem := newSLAEnv(t)
	mem.fail = errors.New("disk full")
	body := slaBody(t, e, func(m map[string]any) { tier(m, "ordinary")["reply"] = 3 * 86400 })
	apiError(t, e.request("PUT", "/api/v1/sla", body, "Authorization", "Bearer admin"), 500)
	var out slaJSON
	decodeBody(t, e.request("GET", "/api/v1/sla", ""), 200, &out)
	if out.Tiers[2].Reply != 7*86400 {
		t.Errorf("rules that were not stored were applied: %+v", out.Tiers[2])
	}
}

// FuzzPutSLA sends arbitrary bodies as the admin: the answer is 200 with
// the rules or a 4xx error naming what is wrong, never a 5xx.
func FuzzPutSLA(f *testing.F) {
	var good bytes.Buffer
	_ = json.NewEncoder(&good).Encode(toSLAJSON(ticketing.SLASettings{Deadlines: ticketing.DefaultSLA().Deadlines, WarnAt: 0.8}))
	for _, s := range []string{
		good.String(), `{}`, `null`, `[]`, `{"tiers":[]}`, `{"tiers":[{"urgency":"ordinary","accept":-9223372036,"contact":1,"reply":1}]}`,
		`{"warn_at":1e999}`, `{"holidays":["2026-02-30"],"workdays":null}`, `{"tiers":[{"urgency":"ordinary"},{"urgency":"ordinary"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, _ := newSLAEnv(t)
		w := e.request("PUT", "/api/v1/sla", string(data), "Authorization", "Bearer admin")
		if w.Code >= 500 || (w.Code != 200 && w.Code/100 != 4) {
			t.Fatalf("PUT %q: %d %s", data, w.Code, w.Body)
		}
	})
}
