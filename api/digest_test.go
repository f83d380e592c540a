package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// digestTickets adds the digest side to the fake service.
type digestTickets struct {
	*fakeTickets
	fn func(hotline.Actor, hotline.UnitID) (*ticketing.Digest, error)
}

func (d digestTickets) Digest(_ context.Context, a hotline.Actor, u hotline.UnitID) (*ticketing.Digest, error) {
	return d.fn(a, u)
}

func sampleDigest(u hotline.UnitID) *ticketing.Digest {
	due := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	return &ticketing.Digest{Unit: u, Day: time.Date(2026, 11, 27, 0, 0, 0, 0, ticketing.Beijing), Generated: testNow, Open: 3,
		Overdue:  []ticketing.DigestItem{{Ticket: "20261120000001", Title: "暖气不热", State: ticketing.StateInProgress, Clock: "reply", Due: due, Light: ticketing.LightRed}},
		DueToday: []ticketing.DigestItem{{Ticket: "20261126000002", Title: "路灯不亮", State: ticketing.StateDispatched, Clock: "accept", Due: due.Add(5 * time.Hour)}},
		Arrived:  []ticketing.DigestItem{{Ticket: "20261127000003", State: ticketing.StateDispatched}}, PendingReturns: 1}
}

func TestDigestRoute(t *testing.T) {
	e := newEnv(t)
	if rec := e.request(http.MethodGet, "/api/v1/digest", ""); rec.Code != http.StatusNotFound {
		t.Fatalf("without a digester: %d %s", rec.Code, rec.Body)
	}
	var asked hotline.UnitID
	e.srv.tickets = digestTickets{e.tickets, func(_ hotline.Actor, u hotline.UnitID) (*ticketing.Digest, error) {
		asked = u
		if u == "other" {
			return nil, hotline.Errorf(hotline.EFORBIDDEN, "a unit reads only its own digest").WithField("unit", "not your unit")
		}
		return sampleDigest("jianwai"), nil
	}}
	e.tickets.UnitsFn = func(ticketing.UnitFilter) ([]*ticketing.Unit, error) {
		return []*ticketing.Unit{{ID: "jianwai", Name: "建外街道"}}, nil
	}
	rec := e.request(http.MethodGet, "/api/v1/digest?unit=jianwai", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("digest: %d %s", rec.Code, rec.Body)
	}
	var got digestJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if asked != "jianwai" || got.UnitName != "建外街道" || got.Day != "2026-11-27" || got.Open != 3 || got.PendingReturns != 1 ||
		len(got.Overdue) != 1 || got.Overdue[0].Due != "2026-11-27T09:00:00Z" || got.Overdue[0].Light != "red" ||
		len(got.DueToday) != 1 || got.DueToday[0].Clock != "accept" || got.DueTomorrow == nil || len(got.Arrived) != 1 {
		t.Errorf("digest %+v", got)
	}
	rec = e.request(http.MethodGet, "/api/v1/digest?unit=other", "")
	if rec.Code != http.StatusForbidden {
		t.Errorf("another unit: %d %s", rec.Code, rec.Body)
	}
	rec = e.request(http.MethodGet, "/api/v1/digest?units=jianwai", "")
	if rec.Code != http.StatusBadRequest {
		t.Errorf("unknown parameter: %d %s", rec.Code, rec.Body)
	}
	var bad struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &bad)
	if _, ok := bad.Error.Fields["units"]; !ok {
		t.Errorf("the 400 does not name the parameter: %s", rec.Body)
	}
}

func TestNextDigest(t *testing.T) {
	at := 8*time.Hour + 30*time.Minute
	bj := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, ticketing.Beijing) }
	for _, tt := range []struct{ now, want time.Time }{
		{bj(27, 7, 0), bj(27, 8, 30)},
		{bj(27, 8, 30), bj(27, 8, 30)},
		{bj(27, 8, 31), bj(28, 8, 30)},
		{bj(27, 23, 59), bj(28, 8, 30)},
		{time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC), bj(28, 8, 30)}, // 09:00 Beijing
	} {
		if got := nextDigest(tt.now, at); !got.Equal(tt.want) {
			t.Errorf("nextDigest(%s) = %s, want %s", tt.now.In(ticketing.Beijing), got.In(ticketing.Beijing), tt.want)
		}
	}
}

func TestMorningDigestPushGoesToEachUnitOnly(t *testing.T) {
	hub := NewEvents(EventsConfig{Log: slog.New(slog.DiscardHandler),
		Digest: func(_ context.Context, u hotline.UnitID) (*ticketing.Digest, error) { return sampleDigest(u), nil }})
	if err := hub.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hub.Stop)
	url := eventsServer(t, hub)
	jw, zgc, disp := listenEvents(t, url, "jianwai"), listenEvents(t, url, "zgc"), listenEvents(t, url, "disp")
	waitSubscribers(t, hub, 3)

	if n := hub.pushDigests(context.Background()); n != 2 {
		t.Fatalf("%d digest frames, want 2 (one per unit person)", n)
	}
	for unit, c := range map[string]*websocket.Conn{"jianwai": jw, "zhongguancun": zgc} {
		got := readFrame(t, c)
		want := map[string]any{"type": "digest", "unit": unit, "day": "2026-11-27", "open": 3.0, "overdue": 1.0,
			"due_today": 1.0, "due_tomorrow": 0.0, "arrived": 1.0}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v (%v)", unit, k, got[k], v, got)
			}
		}
	}
	// The centre gets no digest: its next frame is the next ticket event.
	hub.Publish(dispatched("T9", "jianwai"))
	if got := readFrame(t, disp); got["type"] != "ticket" || got["id"] != "T9" {
		t.Errorf("dispatcher heard %v", got)
	}
}
