package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/api/deskproto"
	"github.com/cityhotline/hotline/ticketing"
)

// Events is the live-notification hub behind GET /api/v1/events/ws
// (docs/api.md, "Live events"): it receives the ticketing service's domain
// events as a hotline.Publisher and pushes one small frame per ticket event
// to every connected person allowed to see that ticket — a unit's staff for
// the tickets their unit holds or is copied on, the centre's roles for all.
//
// Publish never blocks: the hub's inbox is bounded, and an event that finds
// it full is dropped and counted. A client whose outbox is full is
// disconnected as too slow (close 4408) and the message counted; the page
// reconnects and reloads its list. The frames carry no personal data (ids,
// states, units, times), so they need no masking.
type Events struct {
	log  *slog.Logger
	find func(context.Context, hotline.TicketID) (*ticketing.Ticket, error)
	in   chan hotline.Event

	digest   func(context.Context, hotline.UnitID) (*ticketing.Digest, error)
	digestAt time.Duration

	dropped atomic.Uint64 // events dropped at the inbox
	slow    atomic.Uint64 // frames not delivered to a slow client

	mu      sync.Mutex
	clients map[*eventsClient]struct{}

	runMu  sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// EventsConfig configures the hub.
type EventsConfig struct {
	// Find reads a ticket as stored (no access rules): the hub uses it to
	// learn which unit is copied on a ticket. nil: only the holding unit
	// (and the centre) hear about a ticket.
	Find func(context.Context, hotline.TicketID) (*ticketing.Ticket, error)
	// Inbox bounds the events waiting for the hub; default 4096.
	Inbox int
	Log   *slog.Logger
	// Digest computes a unit's digest for the morning push; nil: no push.
	Digest func(context.Context, hotline.UnitID) (*ticketing.Digest, error)
	// DigestAt is the push's Beijing wall-clock time after midnight;
	// default 08:30.
	DigestAt time.Duration
}

// Events WebSocket limits.
const (
	eventsSendQueue  = 64
	eventsMaxMessage = 4 << 10
	closeForbidden   = 4403
)

// eventsClient is one connected person and what they may hear.
type eventsClient struct {
	conn *deskConn
	all  bool           // the centre: every ticket
	unit hotline.UnitID // a unit's staff: tickets it holds or is copied on
}

// NewEvents returns a hub; Start runs it.
func NewEvents(cfg EventsConfig) *Events {
	if cfg.Inbox <= 0 {
		cfg.Inbox = 4096
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.DigestAt <= 0 || cfg.DigestAt >= 24*time.Hour {
		cfg.DigestAt = 8*time.Hour + 30*time.Minute
	}
	return &Events{log: cfg.Log, find: cfg.Find, in: make(chan hotline.Event, cfg.Inbox),
		digest: cfg.Digest, digestAt: cfg.DigestAt, clients: map[*eventsClient]struct{}{}}
}

// Publish hands an event to the hub without blocking.
func (h *Events) Publish(e hotline.Event) {
	if eventName(e) == "" {
		return
	}
	select {
	case h.in <- e:
	default:
		if h.dropped.Add(1)%1000 == 1 {
			h.log.Warn("live events: inbox full, event dropped", "type", e.Type, "ticket_id", e.Ticket, "dropped", h.dropped.Load())
		}
	}
}

// Dropped counts what the hub could not deliver: events dropped at its
// inbox plus frames not sent to slow clients.
func (h *Events) Dropped() uint64 { return h.dropped.Load() + h.slow.Load() }

// Start runs the hub until ctx ends or Stop.
func (h *Events) Start(ctx context.Context) error {
	h.runMu.Lock()
	defer h.runMu.Unlock()
	if h.done != nil {
		return nil
	}
	ctx, h.cancel = context.WithCancel(ctx)
	h.done = make(chan struct{})
	go h.run(ctx, h.done)
	return nil
}

// Stop ends the hub and waits for it; connected clients are closed.
// Stopping twice is harmless.
func (h *Events) Stop() {
	h.runMu.Lock()
	cancel, done := h.cancel, h.done
	h.runMu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		c.conn.close(websocket.CloseGoingAway, "server stopping")
	}
}

func (h *Events) run(ctx context.Context, done chan struct{}) {
	defer close(done)
	digest, stop := h.digestTimer()
	defer func() { stop() }()
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-h.in:
			h.deliver(ctx, e)
		case <-digest:
			n := h.pushDigests(ctx)
			h.log.Info("live events: morning digests pushed", "frames", n)
			stop()
			digest, stop = h.digestTimer()
		}
	}
}

// ticketEventJSON is the one frame the hub sends.
type ticketEventJSON struct {
	Type  string           `json:"type"` // "ticket"
	ID    hotline.TicketID `json:"id"`
	Event string           `json:"event"`
	Unit  hotline.UnitID   `json:"unit"`
	State string           `json:"state,omitempty"`
	Clock string           `json:"clock,omitempty"` // sla events: accept, contact or reply
	At    string           `json:"at"`
}

// deliver sends e to everyone allowed to see its ticket.
func (h *Events) deliver(ctx context.Context, e hotline.Event) {
	clients := h.snapshot()
	if len(clients) == 0 {
		return
	}
	frame, err := json.Marshal(ticketEventJSON{Type: "ticket", ID: e.Ticket, Event: eventName(e), Unit: e.Unit,
		State: eventState(e), Clock: e.Data["clock"], At: stamp(e.Time.UTC())})
	if err != nil {
		h.log.Error("live events: encode", "err", err)
		return
	}
	copyUnit, looked := hotline.UnitID(""), false
	for _, c := range clients {
		if !c.all && c.unit != e.Unit {
			if !looked {
				copyUnit, looked = h.copyUnit(ctx, e.Ticket), true
			}
			if copyUnit == "" || c.unit != copyUnit {
				continue
			}
		}
		if !c.conn.offer(frame) {
			h.slow.Add(1)
		}
	}
}

// copyUnit returns the unit copied on a ticket, "" when none or unknown.
func (h *Events) copyUnit(ctx context.Context, id hotline.TicketID) hotline.UnitID {
	if h.find == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	t, err := h.find(ctx, id)
	if err != nil {
		h.log.Warn("live events: find ticket", "ticket_id", id, "err", err)
		return ""
	}
	return t.CopyUnit
}

func (h *Events) snapshot() []*eventsClient {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*eventsClient, 0, len(h.clients))
	for c := range h.clients {
		out = append(out, c)
	}
	return out
}

func (h *Events) subscribe(c *eventsClient) (unsubscribe func()) {
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		delete(h.clients, c)
		h.mu.Unlock()
	}
}

// eventNames maps lifecycle actions to the words clients see.
var eventNames = map[string]string{
	"dispatch": "dispatched", "accept": "accepted", "contact": "contacted", "note": "noted",
	"reply": "replied", "return": "returned", "approve_return": "return_approved",
	"reject_return": "return_rejected", "extend": "extension_requested",
	"approve_extension": "extension_approved", "deny_extension": "extension_denied",
	"supervise": "supervised", "urge": "urged", "merge": "merged", "reopen": "reopened",
	"close": "closed", "archive": "archived", "pause": "paused", "resume": "resumed",
}

// eventName is the frame's "event" for a domain event, "" for events the
// hub does not forward. A request dispatched on intake is "dispatched".
func eventName(e hotline.Event) string {
	kind, rest, _ := strings.Cut(e.Type, ".")
	switch kind {
	case "ticket":
		if rest == "created" {
			if e.Unit != "" {
				return "dispatched"
			}
			return "created"
		}
		return eventNames[rest]
	case "sla":
		if rest == "yellow" || rest == "red" {
			return rest
		}
	}
	return ""
}

// eventState is the ticket's state after the event, when the event says.
func eventState(e hotline.Event) string {
	if to := e.Data["to"]; to != "" {
		return to
	}
	if e.Type == "ticket.created" && e.Data["outcome"] == string(ticketing.TriageDispatch) {
		if e.Unit != "" {
			return string(ticketing.StateDispatched)
		}
		return string(ticketing.StatePendingDispatch)
	}
	return ""
}

// eventsWelcome answers a good auth on the events socket.
type eventsWelcome struct {
	Type  string          `json:"type"` // "welcome"
	User  deskproto.Agent `json:"user"`
	Unit  hotline.UnitID  `json:"unit,omitempty"`
	Scope string          `json:"scope"` // "all" (the centre) or "unit"
}

// eventsWS upgrades to the live-events WebSocket: the first frame
// authenticates (as on the desk socket), then the server only sends.
func (s *server) eventsWS(w http.ResponseWriter, r *http.Request) {
	hub := s.cfg.Events
	if hub == nil {
		s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "live events are not enabled on this server"))
		return
	}
	dc := upgradeSocket(w, r, s.log, "live events", eventsMaxMessage, eventsSendQueue)
	if dc == nil {
		return // the upgrader has answered with an HTTP error
	}
	defer dc.close(websocket.CloseNormalClosure, "")
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()

	u, authID, err := s.deskAuth(ctx, dc.conn)
	if err == nil {
		err = mayHearEvents(u)
	}
	if err != nil {
		code := closeUnauthorized
		if hotline.ErrorCode(err) == hotline.EFORBIDDEN {
			code = closeForbidden
		}
		dc.refuse(authID, err, code, hotline.ErrorCode(err))
		return
	}
	dc.log = s.log.With("user", u.Username, "unit", string(u.Unit))
	defer dc.startWriter()()

	c := &eventsClient{conn: dc, all: u.Role.Centre(), unit: u.Unit}
	welcome := eventsWelcome{Type: deskproto.TypeWelcome, User: deskproto.Agent{ID: string(u.ID), Name: u.Name, Role: string(u.Role)}, Scope: "all"}
	if !c.all {
		welcome.Unit, welcome.Scope = u.Unit, "unit"
	}
	dc.Send(welcome)
	if authID != 0 {
		dc.Send(deskproto.Ack{Type: deskproto.TypeAck, ID: authID})
	}
	defer hub.subscribe(c)()
	eventsRead(dc)
}

// mayHearEvents allows those who may read tickets: the centre, and unit
// staff attached to a unit.
func mayHearEvents(u *account.User) error {
	switch {
	case u.Role.Centre():
		return nil
	case u.Role == hotline.RoleUnit && u.Unit != "":
		return nil
	case u.Role == hotline.RoleUnit:
		return hotline.Errorf(hotline.EFORBIDDEN, "this account is not attached to a unit")
	}
	return hotline.Errorf(hotline.EFORBIDDEN, "a %s sees no tickets", u.Role)
}

// eventsRead keeps the connection's read side going (pongs, the close
// frame) and refuses whatever the client sends.
func eventsRead(dc *deskConn) {
	dc.readLoop(func(frame []byte) {
		var id int64
		m, err := decodeDeskMessage(frame)
		if err == nil {
			id = m.ID
			err = hotline.Errorf(hotline.EINVALID, "the events socket takes no messages after auth").WithField("type", "nothing to send")
		}
		dc.Send(deskError(id, err))
	})
}
