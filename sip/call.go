package sip

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo/sip"

	"github.com/cityhotline/hotline/media"
)

// Direction says who placed a call.
type Direction string

// Directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

func (d Direction) String() string { return string(d) }

// EndReason says why a call ended. It is a closed set, used as a metric label.
type EndReason string

// End reasons.
const (
	EndRemoteHangup   EndReason = "remote_hangup"   // the far end sent BYE
	EndLocalHangup    EndReason = "local_hangup"    // we sent BYE (Hangup, handler returned)
	EndCancelled      EndReason = "cancelled"       // CANCEL before answer (487)
	EndRejected       EndReason = "rejected"        // we refused before answer (603)
	EndBusy           EndReason = "busy"            // 486 either way
	EndNoAnswer       EndReason = "no_answer"       // 480/408, or we gave up ringing
	EndMediaTimeout   EndReason = "media_timeout"   // no RTP for Config.MediaTimeout
	EndSessionExpired EndReason = "session_expired" // RFC 4028 refresh missing or failed
	EndFailed         EndReason = "failed"          // any other error
	EndShutdown       EndReason = "shutdown"        // the server stopped
)

func (r EndReason) String() string { return string(r) }

// ParseEndReason is the inverse of String.
func ParseEndReason(s string) (EndReason, error) {
	switch r := EndReason(s); r {
	case EndRemoteHangup, EndLocalHangup, EndCancelled, EndRejected, EndBusy,
		EndNoAnswer, EndMediaTimeout, EndSessionExpired, EndFailed, EndShutdown:
		return r, nil
	}
	return "", fmt.Errorf("unknown end reason %q", s)
}

// rejectStatus is the final response sent when Hangup ends an unanswered call.
func (r EndReason) rejectStatus() (int, string) {
	switch r {
	case EndBusy:
		return sip.StatusBusyHere, "Busy Here"
	case EndRejected:
		return sip.StatusGlobalDecline, "Decline"
	case EndShutdown, EndFailed:
		return sip.StatusServiceUnavailable, "Service Unavailable"
	}
	return sip.StatusTemporarilyUnavailable, "Temporarily Unavailable"
}

// dialog is what a Call needs from diago's inbound and outbound sessions.
type dialog interface {
	Context() context.Context
	Hangup(ctx context.Context) error
	ReInvite(ctx context.Context) error
}

// Call is one SIP call, inbound or outbound. Its methods are safe to use from
// several goroutines. Done is closed exactly once, when the dialog ends for
// whatever reason; EndReason and SIPCause are final after that.
type Call struct {
	id        string
	dir       Direction
	sipCallID string
	from, to  string
	trunk     string
	log       *slog.Logger
	srv       *Server

	in  *diago.DialogServerSession // inbound only
	dlg dialog
	st  *sessionTimer // nil when RFC 4028 is not in use

	ctx    context.Context // ends with the call
	cancel context.CancelFunc
	done   chan struct{}
	bye    sync.WaitGroup // a BYE we are sending

	mu         sync.Mutex
	leg        *media.TrunkLeg
	answered   bool
	ended      bool
	reason     EndReason
	cause      int
	rx         media.RTPStats // the far end's packets, once the media ended
	held       bool
	early      []rune // SIP INFO digits that came before the media
	arrived    time.Time
	answeredAt time.Time
	endedAt    time.Time
}

func newCallID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// newCall makes a call whose logger carries call_id, sip_call_id, direction
// and attrs. The attributes are formatted once here, in one With: a handler's
// WithAttrs copies and pre-formats them even when nothing is logged.
func newCall(srv *Server, dir Direction, sipCallID string, attrs ...any) *Call {
	c := &Call{
		id:        newCallID(),
		dir:       dir,
		sipCallID: sipCallID,
		srv:       srv,
		done:      make(chan struct{}),
		arrived:   srv.now(),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.log = srv.log.With(append([]any{"call_id", c.id, "sip_call_id", sipCallID, "direction", string(dir)}, attrs...)...)
	return c
}

// ID is our call id (a UUID), the key of CDRs and recordings.
func (c *Call) ID() string { return c.id }

// SIPCallID is the Call-ID header of the dialog.
func (c *Call) SIPCallID() string { return c.sipCallID }

// Direction says whether the carrier called us or we dialled.
func (c *Call) Direction() Direction { return c.dir }

// From is the caller's number (from P-Asserted-Identity or From, per trunk).
func (c *Call) From() string { return c.from }

// To is the called number (the Request-URI user of an inbound call).
func (c *Call) To() string { return c.to }

// Trunk names the trunk an inbound call came from ("" for outbound).
func (c *Call) Trunk() string { return c.trunk }

// Logger is the per-call logger (it carries call_id).
func (c *Call) Logger() *slog.Logger { return c.log }

// Context ends when the call ends.
func (c *Call) Context() context.Context { return c.ctx }

// Done is closed when the dialog ends, from either side.
func (c *Call) Done() <-chan struct{} { return c.done }

// Times returns arrival (INVITE received or sent), answer and end times; zero
// when not reached.
func (c *Call) Times() (arrived, answered, ended time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.arrived, c.answeredAt, c.endedAt
}

// EndReason says why the call ended ("" while it lasts).
func (c *Call) EndReason() EndReason {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason
}

// SIPCause is the final status of the INVITE: 200 when answered, otherwise
// the failure we sent or received (487 cancelled, 486 busy, ...).
func (c *Call) SIPCause() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cause
}

// RTPStats counts the RTP packets the far end sent and those lost on the
// way, for the whole call; zero until the call has ended (Done).
func (c *Call) RTPStats() media.RTPStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rx
}

// Held reports whether the far end has the call on hold.
func (c *Call) Held() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.held
}

// Media is the call's audio, nil until answered.
func (c *Call) Media() *media.TrunkLeg {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.leg
}

// Ringing sends 180 Ringing on an inbound call.
func (c *Call) Ringing() error {
	if c.in == nil {
		return errors.New("ringing: not an inbound call")
	}
	if err := c.in.Ringing(); err != nil {
		return fmt.Errorf("call %s: 180 ringing: %w", c.id, err)
	}
	return nil
}

// Hangup ends the call: BYE when answered, otherwise a final response chosen
// by reason (486 busy, 603 rejected, 503 shutdown, 480 otherwise). It returns
// once the request is sent; Done follows.
func (c *Call) Hangup(ctx context.Context, reason EndReason) error {
	c.mu.Lock()
	if c.ended || c.reason != "" {
		c.mu.Unlock()
		return nil
	}
	c.reason = reason
	answered := c.answered
	c.mu.Unlock()
	if answered || c.in == nil {
		// The call is over for us now; the BYE transaction may take longer
		// (retransmissions to a dead peer) and is awaited by serveInbound.
		c.bye.Add(1)
		defer c.bye.Done()
		c.finish(reason, 0)
		// finish ended the call's own context, which callers often pass here.
		byeCtx, cancel := byeContext(ctx)
		defer cancel()
		if err := c.dlg.Hangup(byeCtx); err != nil {
			return fmt.Errorf("call %s: bye: %w", c.id, err)
		}
		return nil
	}
	code, text := reason.rejectStatus()
	c.setCause(code)
	err := c.in.Respond(code, text, nil)
	c.finish(reason, code)
	if err != nil {
		return fmt.Errorf("call %s: reject %d: %w", c.id, code, err)
	}
	return nil
}

// byeContext keeps ctx's deadline (10 s when none) but not its cancellation,
// since finish has just cancelled the call context callers usually pass.
func byeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	base := context.WithoutCancel(ctx)
	if dl, ok := ctx.Deadline(); ok {
		return context.WithDeadline(base, dl)
	}
	return context.WithTimeout(base, 10*time.Second)
}

func (c *Call) setCause(code int) {
	c.mu.Lock()
	if c.cause == 0 {
		c.cause = code
	}
	c.mu.Unlock()
}

// watch closes Done when the dialog's context ends, working out why. It
// runs finish in context.AfterFunc's goroutine, started only when the dialog
// ends, rather than parking a goroutine per call for the call's whole life;
// finish also ends c.ctx, which stops the AfterFunc if it has not run (a
// call we ended ourselves).
func (c *Call) watch() {
	dctx := c.dlg.Context()
	stop := context.AfterFunc(dctx, func() {
		reason, cause := EndRemoteHangup, 0
		if errors.Is(context.Cause(dctx), sip.ErrTransactionCanceled) {
			reason, cause = EndCancelled, sip.StatusRequestTerminated
		}
		c.finish(reason, cause)
	})
	context.AfterFunc(c.ctx, func() { stop() })
}

// finish records the end once, stops media and timers and closes Done.
func (c *Call) finish(reason EndReason, cause int) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended = true
	if c.reason == "" {
		c.reason = reason
	}
	if c.cause == 0 {
		c.cause = cause
	}
	if c.cause == 0 && !c.answered {
		c.cause = sip.StatusRequestTerminated
	}
	c.endedAt = c.srv.now()
	leg := c.leg
	c.mu.Unlock()
	if c.st != nil {
		c.st.stop()
	}
	var rx media.RTPStats
	if leg != nil {
		leg.Stop()
		rx = leg.RTPStats()
		c.srv.metrics.RTPReceived(rx.Received, rx.Lost)
		c.mu.Lock()
		c.rx = rx
		c.mu.Unlock()
	}
	c.cancel()
	close(c.done)
	c.log.Info("call ended", "reason", string(c.EndReason()), "sip_cause", c.SIPCause(),
		"rtp_received", rx.Received, "rtp_lost", rx.Lost)
}

// endFromMedia is the media-timeout path: send BYE with the reason set.
func (c *Call) endWith(reason EndReason) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Hangup(ctx, reason); err != nil {
		c.log.Warn("hangup", "reason", string(reason), "error", err)
	}
}

// attachMedia wraps diago's answered media in our trunk leg and starts it.
func (c *Call) attachMedia(dm *diago.DialogMedia) error {
	leg, err := media.NewTrunkLeg(dm, media.TrunkOptions{
		Logger:       c.log,
		MediaTimeout: c.srv.mediaTimeout(),
		OnTimeout:    func() { go c.endWith(EndMediaTimeout) },
		SocketBuffer: c.srv.cfg.SocketBuffer,
		Inband:       c.srv.inband(),
		Clock:        c.srv.clock,
	})
	if err != nil {
		return err
	}
	c.mu.Lock()
	if c.ended { // hung up (shutdown, Hangup) while the 200 was on its way
		c.mu.Unlock()
		leg.Stop()
		ctx, cancel := byeContext(context.Background())
		defer cancel()
		return errors.Join(errors.New("call ended while answering"), c.dlg.Hangup(ctx))
	}
	c.leg, c.answered, c.answeredAt = leg, true, c.srv.now()
	c.cause = sip.StatusOK
	for _, d := range c.early {
		leg.PushDigit(d) // never blocks
	}
	c.early = nil
	// Started before the lock is released: finish, which may run as soon as
	// the dialog ends, reads c.leg under the lock and stops it.
	leg.Start(c.ctx)
	c.mu.Unlock()
	return nil
}

// setHeld records the far end's hold state from a re-INVITE offer.
func (c *Call) setHeld(held bool) {
	c.mu.Lock()
	changed := c.held != held
	c.held = held
	leg := c.leg
	c.mu.Unlock()
	if leg != nil {
		leg.SetHeld(held)
	}
	if changed {
		c.log.Info("hold state", "held", held)
		if c.srv.onHold != nil {
			c.srv.onHold(c, held)
		}
	}
}

// pushDigit delivers a SIP INFO digit; digits that arrive before the media
// is attached (INFO racing our ACK handling) are kept for it.
func (c *Call) pushDigit(d rune) {
	c.mu.Lock()
	leg := c.leg
	if leg == nil {
		c.early = append(c.early, d)
	}
	c.mu.Unlock()
	if leg != nil {
		leg.PushDigit(d)
	}
}
