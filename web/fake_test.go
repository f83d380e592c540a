package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeBackend is a small stand-in for the hotline server: the JSON API
// routes the pages call (docs/api.md) and the desk WebSocket
// (docs/softphone.md). It does no WebRTC: an rtc_offer is acknowledged and
// answered with rtc_state connected, which is all the desk's UI needs.
// Requests are strict like the real API's: an unknown field is a 400.
type fakeBackend struct {
	t *testing.T

	mu       sync.Mutex
	conn     *websocket.Conn
	call     map[string]any      // the call in progress, restored on a resumed welcome
	state    map[string]any      // the agent's last state message
	posts    int                 // POST /api/v1/tickets requests
	fromPage chan map[string]any // every client message, in order
	tickets  chan map[string]any // every POST /api/v1/tickets body that was filed
}

const (
	fakeToken           = "tok-agent"
	fakeSupervisorToken = "tok-boss"
	fakeCaller          = "13800138000"
	fakeOldTicket       = "20261120000913"
	fakeNewTicket       = "20261127000042"
	fakeContentProblem  = "required: what the citizen asks for"
)

func newFakeBackend(t *testing.T) *fakeBackend {
	return &fakeBackend{
		t:        t,
		fromPage: make(chan map[string]any, 512),
		tickets:  make(chan map[string]any, 8),
	}
}

func (f *fakeBackend) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/login", f.login)
	mux.HandleFunc("POST /api/v1/logout", f.authed(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	mux.HandleFunc("GET /api/v1/categories", f.authed(f.categories))
	mux.HandleFunc("GET /api/v1/units", f.authed(f.units))
	mux.HandleFunc("GET /api/v1/kb", f.authed(f.kb))
	mux.HandleFunc("GET /api/v1/suggest", f.authed(f.suggest))
	mux.HandleFunc("GET /api/v1/categories/suggest", f.authed(f.classify))
	mux.HandleFunc("GET /api/v1/areas/resolve", f.authed(f.resolve))
	mux.HandleFunc("GET /api/v1/tickets", f.authed(f.listTickets))
	mux.HandleFunc("POST /api/v1/tickets", f.authed(f.createTicket))
	mux.HandleFunc("GET /api/v1/desk/ws", f.deskWS)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, code, msg string, fields map[string]string) {
	e := map[string]any{"code": code, "message": msg}
	if fields != nil {
		e["fields"] = fields
	}
	writeJSON(w, status, map[string]any{"error": e})
}

func (f *fakeBackend) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := r.Header.Get("Authorization")
		if a != "Bearer "+fakeToken && a != "Bearer "+fakeSupervisorToken {
			w.Header().Set("WWW-Authenticate", "Bearer")
			apiError(w, 401, "unauthorized", "missing bearer token", nil)
			return
		}
		h(w, r)
	}
}

// decodeStrict decodes a JSON body into v, refusing unknown fields like the
// real API.
func decodeStrict(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		apiError(w, 415, "unsupported_media_type", "want application/json, got "+ct, nil)
		return false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		apiError(w, 400, "invalid", "the request is not valid: "+err.Error(), nil)
		return false
	}
	return true
}

func (f *fakeBackend) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ Username, Password string }
	if !decodeStrict(w, r, &in) {
		return
	}
	if in.Password != "secret" {
		apiError(w, 401, "unauthorized", "wrong username or password", nil)
		return
	}
	token, role, name := fakeToken, "agent", "李娜"
	if in.Username == "boss" {
		token, role, name = fakeSupervisorToken, "supervisor", "赵班长"
	}
	writeJSON(w, 200, map[string]any{
		"token": token, "expires": time.Now().Add(8 * time.Hour).UTC().Format(time.RFC3339),
		"user": map[string]any{"id": "u17", "username": in.Username, "name": name, "role": role, "unit": "", "disabled": false},
	})
}

func (f *fakeBackend) categories(w http.ResponseWriter, r *http.Request) {
	cat := func(id, name, parent string, kw ...string) map[string]any {
		return map[string]any{"id": id, "name": name, "parent": parent, "indicator": "", "urgency": "ordinary",
			"auto_dispatch": parent != "", "keywords": append([]string{}, kw...), "disabled": false}
	}
	writeJSON(w, 200, map[string]any{"categories": []any{
		cat("01", "城市管理", ""),
		cat("0101", "路灯", "01", "路灯", "照明"),
		cat("0102", "占道经营", "01", "摆摊"),
		cat("04", "社会保障", ""),
		cat("0402", "社保卡", "04", "社保卡", "补办"),
	}})
}

// classify suggests 路灯 for any text that mentions one.
func (f *fakeBackend) classify(w http.ResponseWriter, r *http.Request) {
	list := []any{}
	if strings.Contains(r.URL.Query().Get("text"), "路灯") {
		list = append(list, map[string]any{"category": "0101", "name": "路灯", "score": 0.91},
			map[string]any{"category": "0102", "name": "占道经营", "score": 0.05})
	}
	writeJSON(w, 200, map[string]any{"suggestions": list})
}

func (f *fakeBackend) units(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{"units": []any{
		map[string]any{"id": "chaoyang", "name": "朝阳区", "tier": "district"},
		map[string]any{"id": "jianwai", "name": "建外街道", "tier": "street", "parent": "chaoyang"},
	}})
}

func (f *fakeBackend) kb(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{"articles": []any{map[string]any{
		"id": "kb-hrss-001", "title": "社保卡补办流程", "category": "0402", "keywords": []string{"社保卡", "补办"},
		"body":       "携带身份证原件到任一社保卡服务网点办理挂失和补办，当场制卡。\n也可通过“北京通”App 线上申请，邮寄到家。",
		"valid_from": "2026-01-01T00:00:00+08:00", "updated": "2026-10-09T02:00:00Z", "version": 3,
	}}})
}

func (f *fakeBackend) suggest(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("category") == "" {
		apiError(w, 400, "invalid", "invalid query", map[string]string{"category": "required"})
		return
	}
	writeJSON(w, 200, map[string]any{"district": "chaoyang", "street": "jianwai", "unit": "jianwai",
		"copy_unit": "chaoyang", "rule": 12, "urgency": "ordinary", "reason": "catalogue rule 12: 0101 → street"})
}

func (f *fakeBackend) resolve(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{"district": "chaoyang", "street": "jianwai", "method": "address"})
}

func (f *fakeBackend) listTickets(w http.ResponseWriter, r *http.Request) {
	list := []any{}
	if r.URL.Query().Get("phone") == fakeCaller {
		list = append(list, map[string]any{
			"id": fakeOldTicket, "channel": "phone", "caller_number": fakeCaller, "contact_number": fakeCaller,
			"type": "complaint", "category": "0101", "title": "路灯不亮", "content": "小区门口路灯不亮",
			"address": "朝阳区建外街道建国门外大街1号", "state": "in_progress", "unit": "jianwai",
			"created": "2026-11-20T02:00:00Z", "version": 3,
		})
	}
	writeJSON(w, 200, map[string]any{"tickets": list, "limit": 20, "offset": 0})
}

// intake mirrors ticketing.IntakeInput, so that the desk may only send
// fields that the real API knows.
type intake struct {
	Channel       string   `json:"channel"`
	CallerNumber  string   `json:"caller_number"`
	ContactNumber string   `json:"contact_number"`
	CitizenName   string   `json:"citizen_name"`
	Type          string   `json:"type"`
	Category      string   `json:"category"`
	Title         string   `json:"title"`
	Content       string   `json:"content"`
	Address       string   `json:"address"`
	Lat           *float64 `json:"lat"`
	Lng           *float64 `json:"lng"`
	Urgency       string   `json:"urgency"`
	Confidential  bool     `json:"confidential"`
	NoCallback    bool     `json:"no_callback"`
	CallID        string   `json:"call_id"`
	RecordingID   string   `json:"recording_id"`
	Triage        string   `json:"triage"`
	Reason        string   `json:"reason"`
	Handoff       string   `json:"handoff"`
	Article       string   `json:"article"`
	Unit          string   `json:"unit"`
}

func (f *fakeBackend) ticketPosts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.posts
}

func (f *fakeBackend) createTicket(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.posts++
	f.mu.Unlock()
	var raw bytes.Buffer
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if _, err := raw.ReadFrom(r.Body); err != nil {
		apiError(w, 413, "too_large", "too large", nil)
		return
	}
	var in intake
	r2 := r.Clone(r.Context())
	r2.Body = nopCloser{bytes.NewReader(raw.Bytes())}
	if !decodeStrict(w, r2, &in) {
		return
	}
	var body map[string]any
	_ = json.Unmarshal(raw.Bytes(), &body)
	body["_idempotency_key"] = r.Header.Get("Idempotency-Key")
	if in.Content == "" {
		apiError(w, 400, "invalid", "the request is not valid", map[string]string{"content": fakeContentProblem})
		return
	}
	f.tickets <- body
	w.Header().Set("Location", "/api/v1/tickets/"+fakeNewTicket)
	writeJSON(w, 201, map[string]any{
		"id": fakeNewTicket, "channel": in.Channel, "caller_number": in.CallerNumber, "contact_number": in.ContactNumber,
		"type": in.Type, "category": in.Category, "content": in.Content, "address": in.Address,
		"state": "dispatched", "triage": "dispatch", "unit": "jianwai", "copy_unit": "chaoyang",
		"call_id": in.CallID, "recording_id": in.RecordingID, "version": 1,
		"created": time.Now().UTC().Format(time.RFC3339),
	})
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// ---- the desk WebSocket

var upgrader = websocket.Upgrader{}

func (f *fakeBackend) deskWS(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var auth map[string]any
	if err := c.ReadJSON(&auth); err != nil || auth["type"] != "auth" {
		_ = c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4401, "unauthorized"))
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	f.record(auth)
	supervisor := auth["token"] == fakeSupervisorToken
	if auth["token"] != fakeToken && !supervisor {
		_ = c.WriteJSON(map[string]any{"type": "error", "id": auth["id"], "code": "unauthorized", "message": "invalid token"})
		_ = c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4401, "unauthorized"))
		return
	}
	f.mu.Lock()
	if old := f.conn; old != nil {
		_ = old.Close()
	}
	f.conn = c
	welcome := map[string]any{
		"type":        "welcome",
		"queues":      []any{map[string]any{"name": "complaints", "title": "诉求反映"}, map[string]any{"name": "policy", "title": "政策咨询"}},
		"reasons":     []string{"break", "training", "meeting", "other"},
		"ice_servers": []string{},
		"call":        nil,
		"resumed":     false,
	}
	if supervisor {
		welcome["agent"] = map[string]any{"id": "u2", "name": "赵班长", "role": "supervisor"}
		welcome["state"] = nil
	} else {
		welcome["agent"] = map[string]any{"id": "u17", "name": "李娜", "role": "agent"}
		st := f.state
		if st == nil {
			st = map[string]any{"state": "not_ready", "reason": "login", "since": now(), "calls_today": 0, "queues": []string{"complaints"}}
		}
		welcome["state"] = st
		if f.call != nil {
			welcome["call"] = f.call
			welcome["resumed"] = true
		}
	}
	f.writeLocked(welcome)
	f.writeLocked(map[string]any{"type": "ack", "id": auth["id"]})
	f.mu.Unlock()

	for {
		var m map[string]any
		if err := c.ReadJSON(&m); err != nil {
			return
		}
		f.record(m)
		f.mu.Lock()
		if id, ok := m["id"]; ok && f.conn == c {
			f.writeLocked(map[string]any{"type": "ack", "id": id})
		}
		switch m["type"] {
		case "rtc_offer":
			f.writeLocked(map[string]any{"type": "rtc_state", "connected": true})
		case "set_state":
			st := map[string]any{"type": "state", "state": m["state"], "reason": m["reason"], "since": now(), "calls_today": 0}
			if st["reason"] == nil {
				st["reason"] = ""
			}
			f.state = st
			f.writeLocked(st)
		case "wallboard":
			if m["on"] == true {
				f.writeLocked(wallboardSnapshot())
			}
		case "wrapup_done":
			st := map[string]any{"type": "state", "state": "ready", "reason": "", "since": now(), "calls_today": 1}
			f.state = st
			f.writeLocked(st)
		}
		f.mu.Unlock()
	}
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

func (f *fakeBackend) record(m map[string]any) {
	select {
	case f.fromPage <- m:
	default:
		f.t.Errorf("fake backend: too many client messages")
	}
}

// writeLocked sends a server message; f.mu is held.
func (f *fakeBackend) writeLocked(v any) {
	if f.conn == nil {
		return
	}
	_ = f.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := f.conn.WriteJSON(v); err != nil {
		f.t.Logf("fake backend: write: %v", err)
	}
}

// send sends server messages to the page; state messages are remembered
// for the next welcome.
func (f *fakeBackend) send(msgs ...map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range msgs {
		if m["type"] == "state" {
			f.state = m
		}
		f.writeLocked(m)
	}
}

// dropConn cuts the page's WebSocket without a close frame, as a network
// failure would.
func (f *fakeBackend) dropConn() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conn != nil {
		_ = f.conn.Close()
		f.conn = nil
	}
}

// setCall sets the call that a resumed welcome restores (nil: none).
func (f *fakeBackend) setCall(c map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call = c
}

// expect waits for the next client message of type typ, skipping others.
func (f *fakeBackend) expect(ctx context.Context, typ string) map[string]any {
	f.t.Helper()
	for {
		select {
		case m := <-f.fromPage:
			if m["type"] == typ {
				return m
			}
		case <-ctx.Done():
			f.t.Fatalf("fake backend: no %q message from the page: %v", typ, ctx.Err())
			return nil
		}
	}
}

// expectTicket waits for the next filed work order.
func (f *fakeBackend) expectTicket(ctx context.Context) map[string]any {
	f.t.Helper()
	select {
	case m := <-f.tickets:
		return m
	case <-ctx.Done():
		f.t.Fatalf("fake backend: no work order filed: %v", ctx.Err())
		return nil
	}
}

// wallboardSnapshot is a supervisor's picture with every level of wait.
func wallboardSnapshot() map[string]any {
	since := func(d time.Duration) string { return time.Now().Add(-d).UTC().Format(time.RFC3339) }
	return map[string]any{
		"type": "wallboard", "at": now(),
		"queues": []any{
			map[string]any{"name": "complaints", "title": "诉求反映", "waiting": 3, "longest_wait_ms": 41000, "agents_ready": 2, "agents_busy": 5, "agents_logged_in": 9},
			map[string]any{"name": "policy", "title": "政策咨询", "waiting": 2, "longest_wait_ms": 75000, "agents_ready": 0, "agents_busy": 4, "agents_logged_in": 5},
			map[string]any{"name": "utilities", "title": "水电气热", "waiting": 6, "longest_wait_ms": 131000, "agents_ready": 0, "agents_busy": 3, "agents_logged_in": 3},
			map[string]any{"name": "english", "title": "外语服务", "waiting": 0, "longest_wait_ms": 0, "agents_ready": 1, "agents_busy": 0, "agents_logged_in": 1},
		},
		"by_state": map[string]any{"ready": 3, "on_call": 8, "wrap_up": 2, "not_ready": 2, "offered": 1},
		"agents": []any{
			map[string]any{"id": "u17", "name": "李娜", "state": "on_call", "reason": "", "since": since(3*time.Minute + 12*time.Second), "call": "c-88213", "calls_today": 41},
			map[string]any{"id": "u18", "name": "王小明", "state": "ready", "reason": "", "since": since(25 * time.Second), "calls_today": 38},
			map[string]any{"id": "u19", "name": "张伟", "state": "wrap_up", "reason": "", "since": since(18 * time.Second), "call": "c-88190", "calls_today": 35},
			map[string]any{"id": "u20", "name": "刘芳", "state": "not_ready", "reason": "break", "since": since(6 * time.Minute), "calls_today": 29},
			map[string]any{"id": "u21", "name": "陈静", "state": "on_call", "reason": "", "since": since(58 * time.Second), "call": "c-88240", "calls_today": 44},
			map[string]any{"id": "u22", "name": "杨帆", "state": "offered", "reason": "", "since": since(4 * time.Second), "call": "c-88251", "calls_today": 37},
			map[string]any{"id": "u23", "name": "赵磊", "state": "not_ready", "reason": "training", "since": since(42 * time.Minute), "calls_today": 12},
		},
		"today": map[string]any{"offered": 830, "answered": 801, "abandoned": 29, "service_level": 0.91, "asa_ms": 6100,
			"abandon_rate": 0.035, "aht_ms": 212000, "occupancy": 0.78},
	}
}
