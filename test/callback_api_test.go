package test

import (
	"encoding/json"
	"strings"
	"testing"
)

// The supervisors' control of the callbacks and the callback agents'
// manual answers through the real server's HTTP API, on both stores: the
// scheduler-wide pause survives a restart; one ticket's callback is
// re-run, held, released; answers entered by hand reopen a dissatisfied
// ticket; every step is in the ticket's history.

func TestCallbackControlAPISQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary; skipped with -short")
	}
	callbackControl(t, t.TempDir(), "")
}

func TestCallbackControlAPIPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary; skipped with -short")
	}
	callbackControl(t, t.TempDir(), postgresSchema(t))
}

type callbackJSON struct {
	ID      int      `json:"id"`
	Tickets []string `json:"tickets"`
	State   string   `json:"state"`
	Reason  string   `json:"reason"`
}

type switchJSON struct {
	Paused bool   `json:"paused"`
	By     string `json:"by"`
	Reason string `json:"reason"`
}

func callbackControl(t *testing.T, dataDir, dbURL string) {
	srv := startServer(t, dataDir, dbURL)
	admin := login(t, srv)
	for _, u := range []map[string]string{
		{"username": "sup1", "name": "值班长", "role": "supervisor"},
		{"username": "agent1", "name": "回访员", "role": "agent"},
		{"username": "jw1", "name": "建外", "role": "unit", "unit": "110105-001"},
	} {
		u["password"] = pw
		admin.must(t, "POST", "/api/v1/users", u, nil, 201)
	}
	sup, agent, jw := admin.as(t, "sup1", pw), admin.as(t, "agent1", pw), admin.as(t, "jw1", pw)

	// A replied ticket (no outbound trunk: the robot is off, the desk works).
	var tk ticketJSON
	agent.must(t, "POST", "/api/v1/tickets", map[string]any{"type": "help", "category": "sanitation.streetlight",
		"content": "小区门口路灯不亮", "address": "北京市朝阳区建外街道光华路12号", "contact_number": "13800138002"}, &tk, 201)
	admin.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/dispatch", map[string]any{}, &tk, 200)
	jw.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/accept", nil, nil, 200)
	jw.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/reply", map[string]any{"outcome": "resolved", "content": "已修复"}, nil, 200)

	// The scheduler-wide pause.
	var sw switchJSON
	sup.must(t, "GET", "/api/v1/callbacks/scheduler", nil, &sw, 200)
	if sw.Paused {
		t.Fatalf("paused from the start: %+v", sw)
	}
	agent.must(t, "POST", "/api/v1/callbacks/scheduler/pause", nil, nil, 403)
	sup.must(t, "POST", "/api/v1/callbacks/scheduler/pause", map[string]string{"reason": "线路检修"}, &sw, 200)
	if !sw.Paused || sw.Reason != "线路检修" || sw.By == "" {
		t.Fatalf("after pause: %+v", sw)
	}

	// One ticket's callback: re-run (it has none yet), hold, release.
	var cb callbackJSON
	sup.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/callback/rerun", map[string]string{"reason": "市民来电要求回访"}, &cb, 200)
	if cb.State != "pending" || len(cb.Tickets) != 1 || cb.Tickets[0] != tk.ID {
		t.Fatalf("rerun: %+v", cb)
	}
	sup.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/callback/pause", nil, &cb, 200)
	if cb.State != "paused" {
		t.Fatalf("pause: %+v", cb)
	}
	var list struct {
		Callbacks []callbackJSON `json:"callbacks"`
	}
	admin.must(t, "GET", "/api/v1/callbacks?state=paused&unit=110105-001", nil, &list, 200)
	if len(list.Callbacks) != 1 || list.Callbacks[0].ID != cb.ID {
		t.Fatalf("paused callbacks of 建外: %+v", list)
	}
	agent.must(t, "GET", "/api/v1/callbacks", nil, nil, 403)
	sup.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/callback/resume", nil, &cb, 200)
	if cb.State != "pending" {
		t.Fatalf("resume: %+v", cb)
	}
	if status, body := sup.raw(t, "POST", "/api/v1/tickets/"+tk.ID+"/callback/skip", "application/json", `{}`); status != 400 ||
		!strings.Contains(body, `"reason"`) {
		t.Fatalf("skip without a reason: %d %s", status, body)
	}
	if status, body := agent.raw(t, "POST", "/api/v1/tickets/"+tk.ID+"/callback/answers", "application/json",
		`{"contacted":true,"satisfaction":"happy","mood":"ok"}`); status != 400 || !strings.Contains(body, `"mood"`) {
		t.Fatalf("answers with an unknown field: %d %s", status, body)
	}
	if status, body := agent.raw(t, "POST", "/api/v1/tickets/"+tk.ID+"/callback/answers", "application/json",
		`{"contacted":true,"satisfaction":"happy"}`); status != 400 || !strings.Contains(body, `"satisfaction"`) {
		t.Fatalf("answers with a bad satisfaction: %d %s", status, body)
	}

	// A callback agent called by hand: dissatisfied reopens the ticket.
	var res struct {
		Record struct {
			Manual bool   `json:"manual"`
			By     string `json:"by"`
			Valid  bool   `json:"valid"`
		} `json:"record"`
		Reopened bool `json:"reopened"`
	}
	agent.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/callback/answers", map[string]any{"contacted": true, "resolved": false,
		"satisfaction": "dissatisfied", "note": "路灯仍不亮"}, &res, 201)
	if !res.Record.Manual || res.Record.By == "" || !res.Record.Valid || !res.Reopened {
		t.Fatalf("manual answers: %+v", res)
	}
	var mine struct {
		Callbacks []callbackJSON `json:"callbacks"`
		Answers   []struct {
			Satisfaction *string `json:"satisfaction"`
			Manual       bool    `json:"manual"`
		} `json:"answers"`
	}
	jw.must(t, "GET", "/api/v1/tickets/"+tk.ID+"/callback", nil, &mine, 200)
	if len(mine.Answers) != 1 || !mine.Answers[0].Manual || mine.Answers[0].Satisfaction == nil || *mine.Answers[0].Satisfaction != "dissatisfied" ||
		len(mine.Callbacks) != 1 || mine.Callbacks[0].State != "skipped" || !strings.HasPrefix(mine.Callbacks[0].Reason, "answered by hand") {
		t.Fatalf("the unit's view of the ticket's callbacks: %+v", mine)
	}
	admin.must(t, "GET", "/api/v1/tickets/"+tk.ID, nil, &tk, 200)
	var actions []string
	for _, e := range tk.History {
		actions = append(actions, e.Action)
	}
	want := "intake,dispatch,accept,reply,callback_rerun,callback_pause,callback_resume,callback_answers,reopen"
	if strings.Join(actions, ",") != want || tk.State != "dispatched" || tk.Unit != "110105-001" {
		t.Fatalf("history %v, state %s; want %s", actions, tk.State, want)
	}

	// The pause is kept across a restart.
	if code := srv.terminate(); code != 0 {
		t.Fatalf("server exit code %d", code)
	}
	srv = startServer(t, dataDir, dbURL)
	sup = login(t, srv).as(t, "sup1", pw)
	sup.must(t, "GET", "/api/v1/callbacks/scheduler", nil, &sw, 200)
	if !sw.Paused || sw.Reason != "线路检修" {
		t.Fatalf("after a restart: %+v", sw)
	}
	sup.must(t, "POST", "/api/v1/callbacks/scheduler/resume", map[string]string{}, &sw, 200)
	if sw.Paused {
		t.Fatalf("after resume: %+v", sw)
	}
	var doc map[string]any
	sup.must(t, "GET", "/api/v1/openapi.json", nil, &doc, 200)
	if b, _ := json.Marshal(doc["paths"]); !strings.Contains(string(b), "/api/v1/tickets/{id}/callback/answers") {
		t.Error("the OpenAPI document lacks the callback routes")
	}
}
