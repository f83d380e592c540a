package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	sipgosip "github.com/emiago/sipgo/sip"
)

// peer is one source address of the fleet: a sipgo user agent listening on
// -sip-port there (for the server's BYEs), its client and dialog cache.
type peer struct {
	ip      netip.Addr
	port    int
	ua      *sipgo.UserAgent
	srv     *sipgo.Server
	cli     *sipgo.Client
	dialogs *sipgo.DialogClientCache
	closeLn func() error
	done    chan struct{} // closed when the listener's serve loop returns
}

func newPeer(o callsOptions, ip netip.Addr, log *slog.Logger) (*peer, error) {
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("hotline-load"), sipgo.WithUserAgentHostname(ip.String()))
	if err != nil {
		return nil, fmt.Errorf("sip user agent on %s: %w", ip, err)
	}
	p := &peer{ip: ip, port: o.sipPort, ua: ua, done: make(chan struct{})}
	if err := p.listen(o.transport, log); err != nil {
		_ = ua.Close()
		return nil, err
	}
	addr := netip.AddrPortFrom(ip, uint16(p.port)).String()
	opts := []sipgo.ClientOption{sipgo.WithClientLogger(log), sipgo.WithClientAddr(addr)}
	if o.transport == "udp" {
		opts = append(opts, sipgo.WithClientConnectionAddr(addr)) // send from the listening socket
	}
	if p.cli, err = sipgo.NewClient(ua, opts...); err != nil {
		p.close()
		return nil, fmt.Errorf("sip client on %s: %w", addr, err)
	}
	contact := sipgosip.ContactHeader{Address: sipgosip.Uri{Scheme: "sip", User: "load", Host: ip.String(), Port: p.port}}
	if o.transport == "tcp" {
		contact.Address.UriParams = sipgosip.NewParams()
		contact.Address.UriParams.Add("transport", "tcp")
	}
	p.dialogs = sipgo.NewDialogClientCache(p.cli, contact)
	return p, nil
}

// listen binds -sip-port (0: any) on the peer's address and serves in-dialog
// requests from the server: BYE ends the call, OPTIONS and INFO get 200.
func (p *peer) listen(transport string, log *slog.Logger) error {
	srv, err := sipgo.NewServer(p.ua, sipgo.WithServerLogger(log))
	if err != nil {
		return fmt.Errorf("sip server on %s: %w", p.ip, err)
	}
	p.srv = srv
	srv.OnBye(p.onBye)
	srv.OnOptions(respond(200, "OK"))
	srv.OnInfo(respond(200, "OK"))
	srv.OnInvite(respond(488, "Not Acceptable Here")) // no re-INVITEs: we ask for no session timer
	srv.OnAck(func(*sipgosip.Request, sipgosip.ServerTransaction) {})
	addr := net.JoinHostPort(p.ip.String(), strconv.Itoa(p.port))
	var serve func() error
	if transport == "tcp" {
		ln, err := net.Listen("tcp4", addr)
		if err != nil {
			return fmt.Errorf("listen sip tcp %s: %w", addr, err)
		}
		p.port = ln.Addr().(*net.TCPAddr).Port
		p.closeLn, serve = ln.Close, func() error { return srv.ServeTCP(ln) }
	} else {
		conn, err := net.ListenPacket("udp4", addr)
		if err != nil {
			return fmt.Errorf("listen sip udp %s: %w", addr, err)
		}
		p.port = conn.LocalAddr().(*net.UDPAddr).Port
		reading := &firstRead{PacketConn: conn, reading: make(chan struct{})}
		p.closeLn, serve = conn.Close, func() error { return srv.ServeUDP(reading) }
		defer func() { <-reading.reading }()
	}
	go func() {
		defer close(p.done)
		_ = serve() // returns when closeLn closes the socket
	}()
	return nil
}

// firstRead tells when sipgo first reads its UDP listener: by then it has
// registered the socket, and requests sent from this address reuse it.
type firstRead struct {
	net.PacketConn
	once    sync.Once
	reading chan struct{}
}

func (c *firstRead) ReadFrom(b []byte) (int, net.Addr, error) {
	c.once.Do(func() { close(c.reading) })
	return c.PacketConn.ReadFrom(b)
}

func respond(code int, reason string) sipgo.RequestHandler {
	return func(req *sipgosip.Request, tx sipgosip.ServerTransaction) {
		_ = tx.Respond(sipgosip.NewResponseFromRequest(req, code, reason, nil))
	}
}

func (p *peer) onBye(req *sipgosip.Request, tx sipgosip.ServerTransaction) {
	if err := p.dialogs.ReadBye(req, tx); err != nil {
		_ = tx.Respond(sipgosip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
	}
}

// close stops the listener and the user agent and waits for the serve loop.
func (p *peer) close() {
	if p.closeLn != nil {
		_ = p.closeLn()
		<-p.done
	}
	_ = p.ua.Close()
}

// callResult is the outcome of one call.
type callResult struct {
	status    string // "200", "486", "timeout", "transport", "bad_sdp", "local" …
	setup     time.Duration
	remoteBye bool // the server hung up before -hold ran out
	byeFailed bool
	rx        rxStats
}

// caller places calls from one peer.
type caller struct {
	o      callsOptions
	pool   *portPool
	frames *frames
	log    *slog.Logger
}

// call places one call from p and returns what happened.
func (c *caller) call(ctx context.Context, p *peer) callResult {
	conn, port, err := listenRTP(c.pool, p.ip)
	if err != nil {
		c.log.Warn("rtp port", "err", err)
		return callResult{status: "local"}
	}
	defer c.pool.put(port)
	recv := &rtpReceiver{conn: conn}
	var wg sync.WaitGroup
	wg.Go(recv.run)
	res := c.dialog(ctx, p, conn, port)
	_ = conn.Close() // ends recv.run
	wg.Wait()
	res.rx = recv.stats()
	return res
}

// dialog runs INVITE → 200 → ACK, the media for -hold, then BYE.
func (c *caller) dialog(ctx context.Context, p *peer, conn *net.UDPConn, port int) callResult {
	offer := sdpOffer(p.ip, port, rand.Uint64()>>1)
	ct := sipgosip.NewHeader("Content-Type", "application/sdp")
	inviteCtx, early := c.answerDeadline(ctx)
	defer early.stop()
	start := time.Now()
	dlg, err := p.dialogs.Invite(inviteCtx, c.o.uri, offer, ct)
	if err != nil {
		c.log.Debug("invite", "err", err)
		return callResult{status: "transport"}
	}
	defer func() { _ = dlg.Close() }()
	log := c.log.With("call_id", callID(dlg))
	err = dlg.WaitAnswer(inviteCtx, sipgo.AnswerOptions{OnResponse: early.onResponse})
	setup := time.Since(start)
	if err != nil {
		log.Debug("no answer", "err", err)
		return callResult{status: answerFailure(inviteCtx, err), setup: setup}
	}
	if err := dlg.Ack(ctx); err != nil {
		log.Debug("ack", "err", err)
	}
	res := callResult{status: "200", setup: setup}
	ans, err := parseAnswer(dlg.InviteResponse.Body())
	if err != nil {
		log.Warn("answer sdp", "err", err)
		res.status = "bad_sdp"
	}
	res.remoteBye = c.media(ctx, dlg, conn, ans, err == nil)
	if !res.remoteBye {
		res.byeFailed = bye(dlg, log)
	}
	return res
}

func callID(dlg *sipgo.DialogClientSession) string {
	if h := dlg.InviteRequest.CallID(); h != nil {
		return h.Value()
	}
	return ""
}

// answerWait ends the wait for an answer after -answer-timeout. sipgo can
// only CANCEL an INVITE that got a provisional response; without one it would
// wait for Timer B (32 s), so then the wait is abandoned at once instead.
type answerWait struct {
	provisional atomic.Bool
	timer       *time.Timer
	cancel      context.CancelCauseFunc
}

func (c *caller) answerDeadline(ctx context.Context) (context.Context, *answerWait) {
	ctx, cancel := context.WithCancelCause(ctx)
	w := &answerWait{cancel: cancel}
	w.timer = time.AfterFunc(c.o.timeout, func() {
		if w.provisional.Load() {
			cancel(errNoAnswer) // WaitAnswer sends CANCEL
		} else {
			cancel(sipgo.WaitAnswerForceCancelErr)
		}
	})
	return ctx, w
}

func (w *answerWait) onResponse(res *sipgosip.Response) error {
	if res.IsProvisional() {
		w.provisional.Store(true)
	}
	return nil
}

// stop releases the wait's context; call it when the dialog is over.
func (w *answerWait) stop() {
	w.timer.Stop()
	w.cancel(nil)
}

// answerFailure names a failed INVITE: the final status, "timeout", or
// "transport".
func answerFailure(ctx context.Context, err error) string {
	var de *sipgo.ErrDialogResponse
	switch {
	case errors.As(err, &de):
		return strconv.Itoa(de.Res.StatusCode)
	case ctx.Err() != nil:
		return "timeout"
	default:
		return "transport"
	}
}

// media sends our audio (and digits) for -hold while the receiver listens.
// It reports whether the server hung up first.
func (c *caller) media(ctx context.Context, dlg *sipgo.DialogClientSession, conn *net.UDPConn, ans sdpAnswer, send bool) bool {
	holdCtx, cancel := context.WithTimeout(ctx, c.o.hold)
	defer cancel()
	var wg sync.WaitGroup
	if send {
		s := newRTPSender(conn, ans.remote, ans.pt, ans.evPT, c.frames)
		digitsAt := time.Now().Add(c.o.digitDelay)
		wg.Go(func() { s.run(holdCtx, c.o.digits, digitsAt) })
	}
	remote := false
	select {
	case <-holdCtx.Done():
	case <-dlg.Context().Done():
		remote = true
	}
	cancel()
	wg.Wait()
	return remote
}

// bye hangs up; it reports true when the BYE got no 2xx. It has its own
// deadline so that an interrupted run still hangs up its calls.
func bye(dlg *sipgo.DialogClientSession, log *slog.Logger) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := dlg.Bye(ctx); err != nil {
		log.Debug("bye", "err", err)
		return true
	}
	return false
}
