package test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// The whole work-order pipeline through the real server's HTTP API, on both
// stores: Open311 and agent intake, catalogue dispatch to the owning unit,
// the unit's lifecycle, returns, access control, bad input, races.

func TestWorkOrdersSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary; skipped with -short")
	}
	workOrders(t, startServer(t, t.TempDir(), ""))
}

func TestWorkOrdersPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary; skipped with -short")
	}
	workOrders(t, startServer(t, t.TempDir(), postgresSchema(t)))
}

type ticketJSON struct {
	ID       string `json:"id"`
	State    string `json:"state"`
	Unit     string `json:"unit"`
	CopyUnit string `json:"copy_unit"`
	District string `json:"district"`
	Street   string `json:"street"`
	Urgency  string `json:"urgency"`
	Contact  string `json:"contact_number"`
	Version  int    `json:"version"`
	Deadline struct {
		Accept, Contact, Reply string
	} `json:"deadlines"`
	History []struct {
		Action string `json:"action"`
		From   string `json:"from"`
		To     string `json:"to"`
	} `json:"history"`
}

// raw sends a request and returns the status and body.
func (a *api) raw(t *testing.T, method, path, contentType, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, a.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (a *api) must(t *testing.T, method, path string, body, out any, want int) {
	t.Helper()
	b, _ := json.Marshal(body)
	if body == nil {
		b = nil
	}
	status, text := a.raw(t, method, path, "application/json", string(b))
	if status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, text)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(text), out); err != nil {
			t.Fatalf("decode %s: %v: %s", path, err, text)
		}
	}
}

func (a *api) as(t *testing.T, user, password string) *api {
	t.Helper()
	b := &api{base: a.base, http: a.http}
	var out struct {
		Token string `json:"token"`
	}
	b.must(t, "POST", "/api/v1/login", map[string]string{"username": user, "password": password}, &out, 200)
	b.token = out.Token
	return b
}

const pw = "unit-pass-123"

func workOrders(t *testing.T, srv *server) {
	admin := login(t, srv)
	for _, u := range []map[string]string{
		{"username": "agent1", "name": "话务员", "role": "agent"},
		{"username": "disp1", "name": "派单员", "role": "dispatcher"},
		{"username": "heat1", "name": "热力", "role": "unit", "unit": "soe.heating"},
		{"username": "jw1", "name": "建外", "role": "unit", "unit": "110105-001"},
		{"username": "zgc1", "name": "中关村", "role": "unit", "unit": "110108-010"},
	} {
		u["password"] = pw
		admin.must(t, "POST", "/api/v1/users", u, nil, 201)
	}
	agent, disp := admin.as(t, "agent1", pw), admin.as(t, "disp1", pw)
	heat, jw, zgc := admin.as(t, "heat1", pw), admin.as(t, "jw1", pw), admin.as(t, "zgc1", pw)

	t.Run("open311 heating lands at the heating group", func(t *testing.T) {
		var key struct {
			Key string `json:"key"`
		}
		admin.must(t, "POST", "/api/v1/apikeys", map[string]string{"name": "city app"}, &key, 201)
		for _, district := range []string{"东城区", "海淀区", "通州区", "房山区"} {
			form := url.Values{"api_key": {key.Key}, "service_code": {"heating.cold"}, "address_string": {"北京市" + district + "某小区3号楼"},
				"description": {"暖气不热，室温十五度"}, "phone": {"13900139000"}}
			status, body := admin.raw(t, "POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded", form.Encode())
			if status != 201 && status != 200 {
				t.Fatalf("open311 post: %d %s", status, body)
			}
			var created []struct {
				ID string `json:"service_request_id"`
			}
			if err := json.Unmarshal([]byte(body), &created); err != nil || len(created) != 1 {
				t.Fatalf("open311 answer %s", body)
			}
			var tk ticketJSON
			admin.must(t, "GET", "/api/v1/tickets/"+created[0].ID, nil, &tk, 200)
			if tk.Unit != "soe.heating" || tk.State != "dispatched" || tk.Urgency != "utility" || tk.Deadline.Reply == "" {
				t.Errorf("%s: heating ticket %+v", district, tk)
			}
			status, body = (&api{base: admin.base, http: admin.http}).raw(t, "GET", "/open311/v2/requests/"+created[0].ID+".json", "", "")
			if status != 200 || !strings.Contains(body, "热力") || strings.Contains(body, "13900139000") {
				t.Errorf("public view %d: %s", status, body)
			}
		}
	})

	var light ticketJSON
	t.Run("street light: dispatch, accept, contact, reply, close", func(t *testing.T) {
		agent.must(t, "POST", "/api/v1/tickets", map[string]any{"type": "help", "category": "sanitation.streetlight",
			"content": "小区门口路灯不亮", "address": "北京市朝阳区建外街道光华路12号", "contact_number": "13800138002"}, &light, 201)
		if light.State != "pending_dispatch" || light.Street != "110105-001" {
			t.Fatalf("intake %+v", light)
		}
		disp.must(t, "POST", "/api/v1/tickets/"+light.ID+"/dispatch", map[string]any{}, &light, 200)
		if light.Unit != "110105-001" || light.CopyUnit != "110105" {
			t.Fatalf("dispatch %+v", light)
		}
		if status, body := zgc.raw(t, "GET", "/api/v1/tickets/"+light.ID, "", ""); status != 404 || strings.Contains(body, "13800138002") {
			t.Fatalf("another unit sees it: %d %s", status, body)
		}
		jw.must(t, "POST", "/api/v1/tickets/"+light.ID+"/accept", map[string]any{}, nil, 200)
		jw.must(t, "POST", "/api/v1/tickets/"+light.ID+"/contact", map[string]any{"content": "已联系市民"}, nil, 200)
		jw.must(t, "POST", "/api/v1/tickets/"+light.ID+"/reply", map[string]any{"outcome": "resolved", "content": "已修复"}, nil, 200)
		disp.must(t, "POST", "/api/v1/tickets/"+light.ID+"/close", map[string]any{}, nil, 200)
		admin.must(t, "GET", "/api/v1/tickets/"+light.ID, nil, &light, 200)
		var got []string
		for _, e := range light.History {
			got = append(got, e.Action)
		}
		if strings.Join(got, ",") != "intake,dispatch,accept,contact,reply,close" || light.State != "closed" {
			t.Fatalf("history %v state %s", got, light.State)
		}
	})

	t.Run("property order: return and re-dispatch", func(t *testing.T) {
		var tk ticketJSON
		agent.must(t, "POST", "/api/v1/tickets", map[string]any{"type": "complaint", "category": "property.service",
			"content": "物业不清理楼道堆物", "address": "朝阳区建外街道永安里", "contact_number": "13800138003"}, &tk, 201)
		disp.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/dispatch", map[string]any{}, &tk, 200)
		if tk.Unit != "110105-001" {
			t.Fatalf("property order went to %s", tk.Unit)
		}
		jw.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/return", map[string]any{"reason": "该小区属中关村街道"}, nil, 200)
		disp.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/approve_return", map[string]any{"unit": "110108-010"}, &tk, 200)
		if tk.Unit != "110108-010" || tk.State != "dispatched" {
			t.Fatalf("re-dispatch %+v", tk)
		}
		zgc.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/accept", map[string]any{}, nil, 200)
		zgc.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/extend", map[string]any{"days": 3, "reason": "需协调物业公司"}, nil, 200)
		admin.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/approve_extension", map[string]any{}, nil, 200)
		status, _ := jw.raw(t, "GET", "/api/v1/tickets/"+tk.ID, "", "")
		if status != 404 {
			t.Fatalf("the returning unit still sees the order: %d", status)
		}
	})

	t.Run("bad input is refused and writes nothing", func(t *testing.T) {
		var before struct {
			Tickets []ticketJSON `json:"tickets"`
		}
		admin.must(t, "GET", "/api/v1/tickets?limit=200", nil, &before, 200)
		cases := []struct{ body, field string }{
			{`{"type":"complaint","category":"no.such","content":"x","contact_number":"13800138000"}`, "category"},
			{`{"type":"complaint","category":"heating.cold","content":"x"}`, "contact_number"},
			{`{"type":"complaint","category":"heating.cold","content":"` + strings.Repeat("长", 5000) + `","contact_number":"13800138000"}`, "content"},
			{`{"type":"complaint","category":"heating.cold","content":"x","contact_number":"13800138000","lat":"north","lng":116}`, "lat"},
			{`{"type":"complaint","category":"heating.cold","content":"x","contact_number":"13800138000","colour":"red"}`, "colour"},
			{`{"type":"complaint","category":"heating.cold","content":"x","contact_number":13800138000}`, "contact_number"},
		}
		for _, c := range cases {
			status, body := agent.raw(t, "POST", "/api/v1/tickets", "application/json", c.body)
			var e struct {
				Error struct {
					Code   string            `json:"code"`
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}
			_ = json.Unmarshal([]byte(body), &e)
			if status != 400 || e.Error.Fields[c.field] == "" {
				t.Errorf("%.60s: status %d, body %.200s; want 400 naming %s", c.body, status, body, c.field)
			}
		}
		status, body := heat.raw(t, "POST", "/api/v1/tickets/"+light.ID+"/accept", "application/json", `{}`)
		if status != 404 {
			t.Errorf("another unit's ticket: %d %s", status, body)
		}
		status, _ = jw.raw(t, "POST", "/api/v1/tickets/"+light.ID+"/accept", "application/json", `{}`)
		if status != 409 {
			t.Errorf("accepting a closed ticket: %d, want 409", status)
		}
		var after struct {
			Tickets []ticketJSON `json:"tickets"`
		}
		admin.must(t, "GET", "/api/v1/tickets?limit=200", nil, &after, 200)
		if len(after.Tickets) != len(before.Tickets) {
			t.Fatalf("bad input wrote tickets: %d → %d", len(before.Tickets), len(after.Tickets))
		}
	})

	t.Run("two units race: one wins, one gets 409 with the current state", func(t *testing.T) {
		var tk ticketJSON
		agent.must(t, "POST", "/api/v1/tickets", map[string]any{"type": "complaint", "category": "heating.cold",
			"content": "暖气不热", "address": "海淀区", "contact_number": "13800138009"}, &tk, 201)
		heat2 := heat.as(t, "heat1", pw)
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		bodies := make([]string, 2)
		for i, c := range []*api{heat, heat2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				action := []string{"accept", "return"}[i]
				statuses[i], bodies[i] = c.raw(t, "POST", "/api/v1/tickets/"+tk.ID+"/"+action, "application/json",
					fmt.Sprintf(`{"version":%d,"reason":"不属于热力"}`, tk.Version))
			}()
		}
		wg.Wait()
		ok, conflict := 0, 0
		for i, s := range statuses {
			switch s {
			case 200:
				ok++
			case 409:
				conflict++
				if !strings.Contains(bodies[i], `"current"`) {
					t.Errorf("409 without the current ticket: %s", bodies[i])
				}
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("statuses %v", statuses)
		}
	})

	t.Run("metrics and openapi", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.base+"/metrics", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), `hotline_tickets_total{outcome="dispatch",type="complaint"}`) {
			t.Errorf("metrics lack hotline_tickets_total: %.500s", b)
		}
		status, body := agent.raw(t, "GET", "/api/v1/openapi.json", "", "")
		if status != 200 || !strings.Contains(body, `"openapi"`) {
			t.Errorf("openapi: %d", status)
		}
	})
}
