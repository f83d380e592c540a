package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/ticketing"
)

// eventsAccounts knows one token per kind of person.
type eventsAccounts struct{ *fakeAccounts }

var eventUsers = map[string]*account.User{
	"jianwai":  {ID: "u-jw", Username: "jw", Name: "建外", Role: hotline.RoleUnit, Unit: "jianwai"},
	"zgc":      {ID: "u-zgc", Username: "zgc", Name: "中关村", Role: hotline.RoleUnit, Unit: "zhongguancun"},
	"chaoyang": {ID: "u-cy", Username: "cy", Name: "朝阳", Role: hotline.RoleUnit, Unit: "chaoyang"},
	"disp":     {ID: "u-d", Username: "d", Name: "派单", Role: hotline.RoleDispatcher},
	"analyst":  {ID: "u-a", Username: "a", Name: "分析", Role: hotline.RoleAnalyst},
	"nounit":   {ID: "u-n", Username: "n", Name: "无单位", Role: hotline.RoleUnit},
}

func (eventsAccounts) Authenticate(_ context.Context, token string) (*account.User, error) {
	if u, ok := eventUsers[token]; ok {
		return u, nil
	}
	return nil, hotline.Errorf(hotline.EUNAUTH, "invalid or expired token")
}

// eventsServer serves the API with hub on a real listener and returns the
// socket's URL.
func eventsServer(t *testing.T, hub *Events) string {
	t.Helper()
	e := newEnv(t)
	e.srv.accounts = eventsAccounts{e.accounts}
	e.srv.cfg.Events = hub
	ts := httptest.NewServer(e.srv.mux)
	t.Cleanup(ts.Close)
	return "ws" + strings.TrimPrefix(ts.URL, "http") + "/api/v1/events/ws"
}

// startHub runs a hub whose tickets are all copied to chaoyang.
func startHub(t *testing.T, inbox int) *Events {
	t.Helper()
	hub := NewEvents(EventsConfig{Inbox: inbox, Log: slog.New(slog.DiscardHandler),
		Find: func(_ context.Context, id hotline.TicketID) (*ticketing.Ticket, error) {
			return &ticketing.Ticket{ID: id, CopyUnit: "chaoyang"}, nil
		}})
	if err := hub.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hub.Stop)
	return hub
}

// listenEvents connects as the person behind token and reads the welcome.
func listenEvents(t *testing.T, url, token string) *websocket.Conn {
	t.Helper()
	c := dialDesk(t, url, nil)
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"type":"auth","id":1,"token":"`+token+`"}`)); err != nil {
		t.Fatal(err)
	}
	if m := readFrame(t, c); m["type"] != "welcome" {
		t.Fatalf("%s: welcome %v", token, m)
	}
	if m := readFrame(t, c); m["type"] != "ack" || m["id"] != 1.0 {
		t.Fatalf("%s: auth ack %v", token, m)
	}
	return c
}

// waitSubscribers waits until n sockets have subscribed (the welcome is sent
// just before the subscription).
func waitSubscribers(t *testing.T, hub *Events, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(hub.snapshot()) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscribers, want %d", len(hub.snapshot()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func dispatched(id hotline.TicketID, unit hotline.UnitID) hotline.Event {
	return hotline.Event{Type: "ticket.dispatch", Time: testNow, Ticket: id, Unit: unit,
		Data: map[string]string{"action": "dispatch", "from": "pending_dispatch", "to": "dispatched"}}
}

func TestEventsGoToThoseWhoMaySeeTheTicket(t *testing.T) {
	hub := startHub(t, 0)
	url := eventsServer(t, hub)
	jw, zgc, cy, disp := listenEvents(t, url, "jianwai"), listenEvents(t, url, "zgc"), listenEvents(t, url, "chaoyang"), listenEvents(t, url, "disp")
	waitSubscribers(t, hub, 4)

	hub.Publish(dispatched("T1", "jianwai")) // held by jianwai, copied to chaoyang
	hub.Publish(hotline.Event{Type: "call.started", Ticket: "T0"})
	hub.Publish(dispatched("T2", "zhongguancun"))

	want := map[string]any{"type": "ticket", "id": "T1", "event": "dispatched", "unit": "jianwai", "state": "dispatched", "at": "2026-11-27T10:00:00Z"}
	for name, c := range map[string]*websocket.Conn{"holder": jw, "copy": cy, "dispatcher": disp} {
		got := readFrame(t, c)
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v (%v)", name, k, got[k], v, got)
			}
		}
	}
	// The other street hears only of its own ticket: T2 comes first.
	if got := readFrame(t, zgc); got["id"] != "T2" {
		t.Errorf("another unit heard of %v", got)
	}
	if got := readFrame(t, disp); got["id"] != "T2" {
		t.Errorf("dispatcher's second frame %v", got)
	}
	// A client frame after auth is refused, the socket stays.
	if err := jw.WriteMessage(websocket.TextMessage, []byte(`{"type":"answer","id":5}`)); err != nil {
		t.Fatal(err)
	}
	if got := readFrame(t, jw); got["type"] != "error" || got["id"] != 5.0 || got["code"] != "invalid" {
		t.Errorf("client frame answered %v", got)
	}
	hub.Publish(hotline.Event{Type: "sla.red", Time: testNow, Ticket: "T1", Unit: "jianwai", Data: map[string]string{"clock": "reply"}})
	if got := readFrame(t, jw); got["event"] != "red" || got["clock"] != "reply" || got["state"] != nil {
		t.Errorf("sla frame %v", got)
	}
}

func TestEventNames(t *testing.T) {
	for _, tt := range []struct {
		e          hotline.Event
		name, stat string
	}{
		{hotline.Event{Type: "ticket.created", Unit: "soe.heating", Data: map[string]string{"outcome": "dispatch"}}, "dispatched", "dispatched"},
		{hotline.Event{Type: "ticket.created", Data: map[string]string{"outcome": "dispatch"}}, "created", "pending_dispatch"},
		{hotline.Event{Type: "ticket.created", Data: map[string]string{"outcome": "answered"}}, "created", ""},
		{hotline.Event{Type: "ticket.return", Data: map[string]string{"to": "returned"}}, "returned", "returned"},
		{hotline.Event{Type: "ticket.reopen", Data: map[string]string{"to": "dispatched"}}, "reopened", "dispatched"},
		{hotline.Event{Type: "ticket.urge", Data: map[string]string{"to": "in_progress"}}, "urged", "in_progress"},
		{hotline.Event{Type: "ticket.approve_return", Data: map[string]string{"to": "pending_dispatch"}}, "return_approved", "pending_dispatch"},
		{hotline.Event{Type: "sla.yellow"}, "yellow", ""},
		{hotline.Event{Type: "ticket.dance"}, "", ""},
		{hotline.Event{Type: "call.ended"}, "", ""},
	} {
		if got := eventName(tt.e); got != tt.name {
			t.Errorf("%s: name %q, want %q", tt.e.Type, got, tt.name)
		}
		if got := eventState(tt.e); got != tt.stat {
			t.Errorf("%s: state %q, want %q", tt.e.Type, got, tt.stat)
		}
	}
	for _, action := range ticketing.Actions() {
		if eventNames[action] == "" {
			t.Errorf("action %q has no event name", action)
		}
	}
}

func TestEventsAuth(t *testing.T) {
	url := eventsServer(t, startHub(t, 0))
	for _, tt := range []struct {
		name, frame string
		close       int
	}{
		{"bad token", `{"type":"auth","id":1,"token":"nope"}`, closeUnauthorized},
		{"no token", `{"type":"auth","id":1}`, closeUnauthorized},
		{"not auth first", `{"type":"answer","id":1}`, closeUnauthorized},
		{"garbage", `{{{`, closeUnauthorized},
		{"analyst", `{"type":"auth","id":1,"token":"analyst"}`, closeForbidden},
		{"unit account without a unit", `{"type":"auth","id":1,"token":"nounit"}`, closeForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := dialDesk(t, url, nil)
			if err := c.WriteMessage(websocket.TextMessage, []byte(tt.frame)); err != nil {
				t.Fatal(err)
			}
			if m := readFrame(t, c); m["type"] != "error" {
				t.Fatalf("answer %v", m)
			}
			if _, _, err := c.ReadMessage(); !websocket.IsCloseError(err, tt.close) {
				t.Fatalf("after refusal: %v, want close %d", err, tt.close)
			}
		})
	}
	_, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {"http://evil.example"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin upgrade: err %v, resp %v", err, resp)
	}
}

func TestEventsDisabled(t *testing.T) {
	e := newEnv(t)
	w := e.request("GET", "/api/v1/events/ws", "")
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "not enabled") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

// Publish never waits: a hub that is not keeping up drops and counts.
func TestEventsPublishNeverBlocks(t *testing.T) {
	hub := NewEvents(EventsConfig{Inbox: 4}) // not started: nothing drains the inbox
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 10 {
			hub.Publish(dispatched(hotline.TicketID(fmt.Sprint(i)), "jianwai"))
		}
		hub.Publish(hotline.Event{Type: "call.started"}) // not forwarded: not counted either
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked")
	}
	if got := hub.Dropped(); got != 6 {
		t.Fatalf("dropped %d, want 6", got)
	}
	hub.Stop() // never started: harmless
	hub.Stop()
}

// A client that does not read is cut off (4408) without slowing the hub or
// the others, and what it missed is counted.
func TestEventsSlowClientIsDisconnected(t *testing.T) {
	hub := startHub(t, 1<<16)
	url := eventsServer(t, hub)
	slow := listenEvents(t, url, "jianwai")
	waitSubscribers(t, hub, 1)

	deadline := time.Now().Add(20 * time.Second)
	n := 0
	for hub.slow.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("after %d events the unread client is still fed", n)
		}
		start := time.Now()
		for range 2000 {
			hub.Publish(dispatched(hotline.TicketID(fmt.Sprintf("T%06d", n)), "jianwai"))
			n++
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("publishing 2000 events took %v", d)
		}
		for len(hub.in) > 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	t.Logf("the unread client was cut off after %d events; %d dropped", n, hub.Dropped())
	// It reads what was sent before the cut, then the close frame.
	_ = slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	frames := 0
	for {
		_, b, err := slow.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, closeSlowConsumer) {
				t.Fatalf("after %d frames: %v, want close %d", frames, err, closeSlowConsumer)
			}
			break
		}
		var m ticketEventJSON
		if json.Unmarshal(b, &m) != nil || m.Type != "ticket" {
			t.Fatalf("frame %s", b)
		}
		frames++
	}
	if frames >= n {
		t.Errorf("read %d frames of %d: nothing was dropped", frames, n)
	}
	// Its subscription ends with the connection; a new one is served.
	waitSubscribers(t, hub, 0)
	again := listenEvents(t, url, "jianwai")
	waitSubscribers(t, hub, 1)
	hub.Publish(dispatched("NEW", "jianwai"))
	if got := readFrame(t, again); got["id"] != "NEW" {
		t.Errorf("after reconnecting: %v", got)
	}
}

// The outbox bound at the level of one connection, without sockets.
func TestEventsOfferClosesAFullOutbox(t *testing.T) {
	dc := &deskConn{out: make(chan []byte, 2), closed: make(chan struct{}), log: slog.New(slog.DiscardHandler)}
	hub := NewEvents(EventsConfig{})
	defer hub.subscribe(&eventsClient{conn: dc, unit: "jianwai"})()
	for i := range 3 {
		hub.deliver(context.Background(), dispatched(hotline.TicketID(fmt.Sprint(i)), "jianwai"))
	}
	select {
	case <-dc.closed:
	default:
		t.Fatal("a full outbox did not close the connection")
	}
	if dc.code != closeSlowConsumer || len(dc.out) != 2 || hub.Dropped() != 1 {
		t.Fatalf("code %d, queued %d, dropped %d", dc.code, len(dc.out), hub.Dropped())
	}
	hub.deliver(context.Background(), dispatched("4", "jianwai")) // closed: counted, not queued
	if len(dc.out) != 2 || hub.Dropped() != 2 {
		t.Fatalf("after close: queued %d, dropped %d", len(dc.out), hub.Dropped())
	}
}
