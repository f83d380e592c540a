package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/api/deskproto"
)

// Desk is the softphone side of the call orchestration: it attaches an
// authenticated person's WebSocket and carries out the client messages of
// docs/softphone.md.
type Desk interface {
	// Attach connects u's WebSocket, c. Its first message to c is the
	// welcome (docs/softphone.md).
	Attach(ctx context.Context, u *account.User, c DeskClient) (DeskSession, error)
}

// DeskClient is the browser end of one WebSocket, as the desk sees it.
type DeskClient = deskproto.Client

// DeskSession is one attached WebSocket.
type DeskSession interface {
	// Handle carries out one client message; a *hotline.Error refuses it.
	Handle(ctx context.Context, m *deskproto.Message) error
	// Detach says the WebSocket is gone; the session may be resumed by a
	// later Attach within the grace period.
	Detach()
}

// Desk WebSocket limits.
const (
	deskAuthTimeout  = 5 * time.Second
	deskPingEvery    = 20 * time.Second
	deskPongWait     = 45 * time.Second
	deskWriteTimeout = 10 * time.Second
	deskMaxMessage   = 64 << 10 // an SDP offer is a few KiB
	deskSendQueue    = 256
)

// WebSocket close codes of the desk protocol.
const (
	closeUnauthorized = 4401
	closeReplaced     = 4409
	closeSlowConsumer = 4408
)

var deskUpgrader = websocket.Upgrader{
	ReadBufferSize:  4096,
	WriteBufferSize: 4096,
	// The desk is served by this binary; a page from another origin may not
	// drive an agent's phone.
	CheckOrigin: sameOrigin,
}

// sameOrigin accepts requests without Origin (non-browser clients) and
// browsers whose Origin host is the request's host.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	for _, scheme := range []string{"http://", "https://"} {
		if origin == scheme+r.Host {
			return true
		}
	}
	return false
}

// deskWS upgrades to the desk WebSocket: the first frame authenticates, then
// every frame is one client message.
func (s *server) deskWS(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Desk == nil {
		s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "the agent desk is not enabled on this server"))
		return
	}
	dc := upgradeSocket(w, r, s.log, "desk", deskMaxMessage, deskSendQueue)
	if dc == nil {
		return // the upgrader has answered with an HTTP error
	}
	defer dc.close(websocket.CloseNormalClosure, "")
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()

	u, authID, err := s.deskAuth(ctx, dc.conn)
	if err != nil {
		dc.refuse(authID, err, closeUnauthorized, "unauthorized")
		return
	}
	dc.log = s.log.With("agent_id", string(u.ID), "user", u.Username)
	defer dc.startWriter()()

	sess, err := s.cfg.Desk.Attach(ctx, u, dc)
	if err != nil {
		dc.Send(deskError(authID, err))
		return
	}
	defer sess.Detach()
	if authID != 0 {
		dc.Send(deskproto.Ack{Type: deskproto.TypeAck, ID: authID})
	}
	dc.log.Info("desk connected")
	s.deskRead(ctx, dc, sess)
	dc.log.Info("desk disconnected")
}

// deskAuth reads the first frame, which must be auth with a valid token.
func (s *server) deskAuth(ctx context.Context, conn *websocket.Conn) (*account.User, int64, error) {
	_ = conn.SetReadDeadline(time.Now().Add(deskAuthTimeout))
	_, frame, err := conn.ReadMessage()
	if err != nil {
		return nil, 0, hotline.Errorf(hotline.EUNAUTH, "no auth message within %s", deskAuthTimeout)
	}
	m, err := decodeDeskMessage(frame)
	if err != nil {
		return nil, 0, err
	}
	if m.Type != deskproto.TypeAuth {
		return nil, m.ID, hotline.Errorf(hotline.EUNAUTH, "the first message must be auth").WithField("type", "must be auth")
	}
	if m.Token == "" {
		return nil, m.ID, hotline.Errorf(hotline.EUNAUTH, "auth needs a token").WithField("token", "required")
	}
	u, err := s.accounts.Authenticate(ctx, m.Token)
	if err != nil {
		return nil, m.ID, hotline.Errorf(hotline.EUNAUTH, "invalid or expired token").WithField("token", "invalid or expired")
	}
	return u, m.ID, nil
}

// deskRead handles client frames until the connection ends.
func (s *server) deskRead(ctx context.Context, dc *deskConn, sess DeskSession) {
	dc.readLoop(func(frame []byte) {
		m, err := decodeDeskMessage(frame)
		if err != nil {
			dc.Send(deskError(0, err))
			return
		}
		if m.Type == deskproto.TypeAuth {
			dc.Send(deskError(m.ID, hotline.Errorf(hotline.EINVALID, "already authenticated").WithField("type", "auth only once")))
			return
		}
		err = sess.Handle(ctx, m)
		switch {
		case err != nil:
			if hotline.ErrorCode(err) == hotline.EINTERNAL {
				dc.log.Error("desk message failed", "type", m.Type, "call_id", m.Call, "err", err)
			}
			dc.Send(deskError(m.ID, err))
		case m.ID != 0:
			dc.Send(deskproto.Ack{Type: deskproto.TypeAck, ID: m.ID})
		}
	})
}

// decodeDeskMessage decodes one frame strictly.
func decodeDeskMessage(frame []byte) (*deskproto.Message, error) {
	dec := json.NewDecoder(bytes.NewReader(frame))
	dec.DisallowUnknownFields()
	var m deskproto.Message
	if err := dec.Decode(&m); err != nil {
		e := hotline.Errorf(hotline.EINVALID, "malformed message: %v", err)
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			e.WithField(ute.Field, "wrong type")
		}
		return nil, e
	}
	if dec.More() {
		return nil, hotline.Errorf(hotline.EINVALID, "one JSON object per message")
	}
	if m.Type == "" {
		return nil, hotline.Errorf(hotline.EINVALID, "message without type").WithField("type", "required")
	}
	return &m, nil
}

// deskError turns err into the protocol's error message; internal details
// stay in the log.
func deskError(id int64, err error) deskproto.Error {
	ej := toErrorJSON(err)
	out := deskproto.Error{Type: deskproto.TypeError, ID: id, Code: ej.Code, Message: ej.Message}
	for f := range ej.Fields {
		if out.Field == "" || f < out.Field {
			out.Field = f
		}
	}
	if out.Field != "" {
		out.Message = fmt.Sprintf("%s (%s: %s)", out.Message, out.Field, ej.Fields[out.Field])
	}
	return out
}

// deskConn is one WebSocket — the desk's, and the live events' too: a
// bounded outbox drained by one writer, a reader that keeps the read
// deadline moving.
type deskConn struct {
	conn   *websocket.Conn
	kind   string // "desk", "live events": for the log
	out    chan []byte
	log    *slog.Logger
	mu     sync.Mutex
	done   bool
	closed chan struct{}
	code   int
	reason string
}

// upgradeSocket upgrades r to a WebSocket whose client frames are at most
// limit bytes and whose outbox holds queue frames. nil: the upgrader has
// answered with an HTTP error.
func upgradeSocket(w http.ResponseWriter, r *http.Request, log *slog.Logger, kind string, limit int64, queue int) *deskConn {
	conn, err := deskUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return nil
	}
	conn.SetReadLimit(limit)
	return &deskConn{conn: conn, kind: kind, out: make(chan []byte, queue), closed: make(chan struct{}), log: log}
}

// refuse answers a failed auth with its error and closes the socket with
// code (before the writer runs).
func (c *deskConn) refuse(id int64, err error, code int, reason string) {
	c.writeNow(deskError(id, err))
	c.closeWith(code, reason)
}

// startWriter runs the writer; the function it answers closes the
// connection and waits for the writer to end.
func (c *deskConn) startWriter() (stop func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the writer: owned by the handler, ends when c closes
		defer wg.Done()
		c.writeLoop()
	}()
	return func() {
		c.close(websocket.CloseNormalClosure, "")
		wg.Wait()
	}
}

// readLoop hands every client frame to handle until the connection ends
// or closes; frames and pongs keep the read deadline moving.
func (c *deskConn) readLoop(handle func(frame []byte)) {
	conn := c.conn
	_ = conn.SetReadDeadline(time.Now().Add(deskPongWait))
	conn.SetPongHandler(func(string) error {
		return conn.SetReadDeadline(time.Now().Add(deskPongWait))
	})
	for {
		_, frame, err := conn.ReadMessage()
		if err != nil {
			return
		}
		_ = conn.SetReadDeadline(time.Now().Add(deskPongWait))
		handle(frame)
		select {
		case <-c.closed:
			return
		default:
		}
	}
}

// Send queues a message; a full queue closes the connection (the browser
// reconnects and the session resumes).
func (c *deskConn) Send(msg any) {
	b, err := json.Marshal(msg)
	if err != nil {
		c.log.Error("encode "+c.kind+" message", "err", err)
		return
	}
	c.offer(b)
}

// offer queues an encoded frame without blocking. A full outbox closes the
// connection as too slow (the client reconnects) and reports false.
func (c *deskConn) offer(b []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return false
	}
	select {
	case c.out <- b:
		return true
	default:
		c.log.Warn(c.kind + " client too slow: disconnecting")
		c.shut(closeSlowConsumer, "too slow")
		return false
	}
}

// writeNow writes one message synchronously (before the writer runs).
func (c *deskConn) writeNow(msg any) {
	b, err := json.Marshal(msg)
	if err != nil {
		return
	}
	_ = c.conn.SetWriteDeadline(time.Now().Add(deskWriteTimeout))
	_ = c.conn.WriteMessage(websocket.TextMessage, b)
}

// closeWith sends a close frame synchronously (before the writer runs).
func (c *deskConn) closeWith(code int, reason string) {
	_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
}

func (c *deskConn) close(code int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.shut(code, reason)
}

// shut marks the connection closing; c.mu is held.
func (c *deskConn) shut(code int, reason string) {
	if c.done {
		return
	}
	c.done, c.code, c.reason = true, code, reason
	close(c.closed)
}

// writeLoop writes queued messages and pings until the connection closes,
// then sends the close frame and closes the socket (which ends the reader).
func (c *deskConn) writeLoop() {
	ping := time.NewTicker(deskPingEvery)
	defer ping.Stop()
	defer c.conn.Close()
	for {
		select {
		case b := <-c.out:
			_ = c.conn.SetWriteDeadline(time.Now().Add(deskWriteTimeout))
			if err := c.conn.WriteMessage(websocket.TextMessage, b); err != nil {
				c.close(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-ping.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(deskWriteTimeout)); err != nil {
				c.close(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-c.closed:
			// Flush what is queued (the last error, call_ended), then close.
			for {
				select {
				case b := <-c.out:
					_ = c.conn.SetWriteDeadline(time.Now().Add(deskWriteTimeout))
					if c.conn.WriteMessage(websocket.TextMessage, b) != nil {
						return
					}
					continue
				default:
				}
				break
			}
			if c.code != websocket.CloseAbnormalClosure {
				_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(c.code, c.reason), time.Now().Add(time.Second))
			}
			return
		}
	}
}

// Replace closes the connection because another one took over the session.
func (c *deskConn) Replace() { c.close(closeReplaced, "replaced by a newer connection") }
