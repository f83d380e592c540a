package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/api/deskproto"
)

// fakeDesk records what the transport hands it.
type fakeDesk struct {
	mu       sync.Mutex
	user     *account.User
	client   DeskClient
	handled  []deskproto.Message
	detached chan struct{}
}

func (f *fakeDesk) Attach(_ context.Context, u *account.User, c DeskClient) (DeskSession, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.user, f.client = u, c
	c.Send(deskproto.Welcome{Type: deskproto.TypeWelcome, Agent: deskproto.Agent{ID: string(u.ID), Name: u.Name}})
	return fakeDeskSession{f}, nil
}

type fakeDeskSession struct{ f *fakeDesk }

func (s fakeDeskSession) Handle(_ context.Context, m *deskproto.Message) error {
	s.f.mu.Lock()
	s.f.handled = append(s.f.handled, *m)
	s.f.mu.Unlock()
	switch m.Type {
	case "answer":
		if m.Call == "gone" {
			return hotline.Errorf(hotline.ECONFLICT, "the offer is gone").WithField("call", "no longer offered")
		}
		return nil
	case "hangup":
		return errors.New("bridge exploded at 0xdeadbeef")
	}
	return hotline.Errorf(hotline.EINVALID, "unknown message type %q", m.Type).WithField("type", "unknown")
}

func (s fakeDeskSession) Detach() { close(s.f.detached) }

func deskServer(t *testing.T) (*fakeDesk, string, *env) {
	t.Helper()
	e := newEnv(t)
	fd := &fakeDesk{detached: make(chan struct{})}
	e.srv.cfg.Desk = fd
	ts := httptest.NewServer(e.srv.mux)
	t.Cleanup(ts.Close)
	return fd, "ws" + strings.TrimPrefix(ts.URL, "http") + "/api/v1/desk/ws", e
}

func dialDesk(t *testing.T, url string, hdr http.Header) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(url, hdr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	return c
}

func readFrame(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	_, b, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("frame %s: %v", b, err)
	}
	return m
}

func TestDeskWebSocket(t *testing.T) {
	fd, url, e := deskServer(t)
	c := dialDesk(t, url, nil)
	send := func(s string) {
		t.Helper()
		if err := c.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	send(`{"type":"auth","id":1,"token":"good"}`)
	if m := readFrame(t, c); m["type"] != "welcome" || m["agent"].(map[string]any)["id"] != string(testUser.ID) {
		t.Fatalf("welcome %v", m)
	}
	if m := readFrame(t, c); m["type"] != "ack" || m["id"] != 1.0 {
		t.Fatalf("auth ack %v", m)
	}

	tests := []struct {
		frame string
		want  map[string]any
	}{
		{`{"type":"answer","id":2,"call":"c-1"}`, map[string]any{"type": "ack", "id": 2.0}},
		{`{"type":"answer","id":3,"call":"gone"}`, map[string]any{"type": "error", "id": 3.0, "code": "conflict", "field": "call"}},
		{`{"type":"answer","id":4,"call":"c-1","colour":"red"}`, map[string]any{"type": "error", "code": "invalid"}},
		{`{"type":"answer","id":5,"on":"yes"}`, map[string]any{"type": "error", "code": "invalid", "field": "on"}},
		{`not json`, map[string]any{"type": "error", "code": "invalid"}},
		{`{"id":6}`, map[string]any{"type": "error", "code": "invalid", "field": "type"}},
		{`{"type":"auth","id":7,"token":"good"}`, map[string]any{"type": "error", "id": 7.0, "code": "invalid"}},
		{`{"type":"dance","id":8}`, map[string]any{"type": "error", "id": 8.0, "code": "invalid", "field": "type"}},
		{`{"type":"hangup","id":9,"call":"c-1"}`, map[string]any{"type": "error", "id": 9.0, "code": "internal", "message": "internal error"}},
	}
	for _, tt := range tests {
		send(tt.frame)
		got := readFrame(t, c)
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%s → %v; %s = %v, want %v", tt.frame, got, k, got[k], v)
			}
		}
	}
	if !strings.Contains(e.logs.String(), "0xdeadbeef") {
		t.Error("the internal error's detail is not in the log")
	}
	fd.mu.Lock()
	n := len(fd.handled)
	fd.mu.Unlock()
	if n != 4 { // c-1, gone, dance, hangup; malformed frames never reach the desk
		t.Errorf("desk handled %d messages, want 4", n)
	}

	// Server messages pass through; the connection's end detaches.
	fd.client.Send(deskproto.Offer{Type: deskproto.TypeOffer, Call: "c-2", Caller: "13800138000"})
	if m := readFrame(t, c); m["type"] != "offer" || m["caller"] != "13800138000" {
		t.Fatalf("offer %v", m)
	}
	fd.client.Replace()
	if _, _, err := c.ReadMessage(); !websocket.IsCloseError(err, closeReplaced) {
		t.Fatalf("after Replace: %v, want close %d", err, closeReplaced)
	}
	select {
	case <-fd.detached:
	case <-time.After(5 * time.Second):
		t.Fatal("session not detached after the connection closed")
	}
}

func TestDeskWebSocketAuth(t *testing.T) {
	for _, tt := range []struct{ name, frame string }{
		{"bad token", `{"type":"auth","id":1,"token":"nope"}`},
		{"no token", `{"type":"auth","id":1}`},
		{"not auth first", `{"type":"answer","id":1,"call":"c-1"}`},
		{"garbage", `{{{`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fd, url, _ := deskServer(t)
			c := dialDesk(t, url, nil)
			if err := c.WriteMessage(websocket.TextMessage, []byte(tt.frame)); err != nil {
				t.Fatal(err)
			}
			m := readFrame(t, c)
			if m["type"] != "error" || (m["code"] != "unauthorized" && m["code"] != "invalid") {
				t.Fatalf("answer %v", m)
			}
			if _, _, err := c.ReadMessage(); !websocket.IsCloseError(err, closeUnauthorized) {
				t.Fatalf("after refusal: %v, want close %d", err, closeUnauthorized)
			}
			if fd.user != nil {
				t.Fatal("desk attached an unauthenticated connection")
			}
		})
	}
}

func TestDeskWebSocketRefusesOtherOrigins(t *testing.T) {
	_, url, _ := deskServer(t)
	_, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {"http://evil.example"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin upgrade: err %v, resp %v", err, resp)
	}
}

func TestDeskWebSocketDisabled(t *testing.T) {
	e := newEnv(t)
	w := e.request("GET", "/api/v1/desk/ws", "")
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "not enabled") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}
