package main

// The citizens subcommand: the far end of the satisfaction callbacks. It
// stands where the carrier trunk would be (the server's trunk.outbound),
// answers every INVITE after -ring, plays a tone, presses -key (RFC 4733)
// every -every from -first on — the survey's questions take barge-in, so a
// citizen who keeps pressing 1 answers 是 / 是 / 满意 — and measures what
// it hears, until the server hangs up or -max-call runs out.
//
//	hotline-load citizens -listen 127.0.0.1:5090 -duration 10m -expect 100
//	hotline-load citizens -listen 127.0.0.1:5090 -setup 100 -url http://127.0.0.1:8080

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	sipgosip "github.com/emiago/sipgo/sip"
)

const citizensUsage = `  citizens answer the server's outbound (callback) calls as citizens who press -key every -every`

type citizensOptions struct {
	listen   netip.AddrPort
	ring     time.Duration
	first    time.Duration
	every    time.Duration
	key      string
	maxCall  time.Duration
	duration time.Duration
	expect   int
	rtpPorts string
	portLo   int
	portHi   int
	setup    int
	accounts surveyAccounts
}

// CitizensReport is what the citizens subcommand prints.
type CitizensReport struct {
	Command    string         `json:"command"`
	Seconds    float64        `json:"seconds"`
	Invites    int64          `json:"invites"`
	Answered   int64          `json:"answered"`
	Completed  int64          `json:"completed_by_server_bye"`
	TimedOut   int64          `json:"hung_up_by_citizen"`
	MaxUp      int64          `json:"max_calls_up_at_once"`
	KeysSent   int64          `json:"keys_sent"`
	Audible    int64          `json:"calls_with_speech_heard"`
	Errors     map[string]int `json:"errors"`
	CallLength struct {
		P50 float64 `json:"p50"`
		Max float64 `json:"max"`
	} `json:"call_seconds"`
	Audio struct {
		Packets int `json:"packets"`
		Late    int `json:"late"`
		Lost    int `json:"lost"`
	} `json:"audio_heard"`
	Stored *SurveyCheck `json:"stored,omitempty"` // with -setup
}

func parseCitizensFlags(args []string) (citizensOptions, error) {
	fs := flag.NewFlagSet("citizens", flag.ContinueOnError)
	var o citizensOptions
	listen := fs.String("listen", "127.0.0.1:5090", "SIP address to answer on (the server's trunk.outbound; loopback only)")
	fs.DurationVar(&o.ring, "ring", 500*time.Millisecond, "ringing before each answer")
	fs.DurationVar(&o.first, "first", 3*time.Second, "first key press after the answer")
	fs.DurationVar(&o.every, "every", 2*time.Second, "then one key press every this long")
	fs.StringVar(&o.key, "key", "1", "the key pressed (0-9, *, #)")
	fs.DurationVar(&o.maxCall, "max-call", 3*time.Minute, "hang up a call the server has not ended after this long")
	fs.DurationVar(&o.duration, "duration", 10*time.Minute, "stop after this long")
	fs.IntVar(&o.expect, "expect", 0, "stop once this many calls have ended (0: run for -duration)")
	fs.StringVar(&o.rtpPorts, "rtp-ports", "40000-49999", "local RTP port range")
	fs.IntVar(&o.setup, "setup", 0, "first file this many replied requests through -url (and expect as many calls), then check their stored answers")
	a := &o.accounts
	fs.StringVar(&a.url, "url", "http://127.0.0.1:8080", "with -setup: the server's HTTP address (loopback only)")
	fs.StringVar(&a.agent, "agent", "agent1", "with -setup: the agent who files the requests")
	fs.StringVar(&a.unit, "unit-user", "heating1", "with -setup: a user of the unit the category goes to, who replies")
	fs.StringVar(&a.supervisor, "supervisor", "supervisor1", "with -setup: who reads the answers back")
	fs.StringVar(&a.password, "password", "demo12345", "with -setup: the three accounts' password")
	fs.StringVar(&a.category, "category", "heating.cold", "with -setup: the requests' category")
	fs.StringVar(&a.address, "address", "北京市海淀区中关村大街%d号", "with -setup: address pattern (%d: 1..N)")
	fs.StringVar(&a.prefix, "number-prefix", "139", "with -setup: citizens' numbers are PREFIX + 8 digits")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	ap, err := netip.ParseAddrPort(*listen)
	switch {
	case err != nil:
		return o, fmt.Errorf("-listen %q: %w", *listen, err)
	case !ap.Addr().IsLoopback():
		return o, fmt.Errorf("-listen %s: loopback addresses only", ap)
	case len(o.key) != 1 || checkDigits(o.key) != nil:
		return o, fmt.Errorf("-key %q: one of 0-9, *, #", o.key)
	case o.every <= 0 || o.first < 0 || o.maxCall <= 0 || o.duration <= 0:
		return o, errors.New("-every, -max-call and -duration must be positive, -first not negative")
	case o.setup < 0 || o.setup > 100000:
		return o, fmt.Errorf("-setup %d: want 0..100000", o.setup)
	}
	if o.setup > 0 {
		o.expect = o.setup
		if err := checkLoopback(o.accounts.url); err != nil {
			return o, err
		}
	}
	o.listen = ap
	if o.portLo, o.portHi, err = parsePortRange(o.rtpPorts); err != nil {
		return o, err
	}
	return o, nil
}

// citizens is the running fleet.
type citizens struct {
	o       citizensOptions
	pool    *portPool
	frames  *frames
	dialogs *sipgo.DialogServerCache
	ctx     context.Context
	wg      sync.WaitGroup
	ended   chan struct{} // one value per finished call

	invites, answered, completed, timedOut, up, maxUp, keys, audible atomic.Int64

	mu      sync.Mutex
	errors  map[string]int
	lengths []time.Duration
	rx      rxStats
}

func runCitizens(ctx context.Context, args []string, out io.Writer) error {
	o, err := parseCitizensFlags(args)
	if err != nil {
		return err
	}
	sipgosip.SetDefaultLogger(slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	c := &citizens{o: o, pool: newPortPool(o.portLo, o.portHi), frames: newFrames(false), ctx: ctx,
		ended: make(chan struct{}, 1<<16), errors: map[string]int{}}
	stop, err := c.listen()
	if err != nil {
		return err
	}
	var ids []string
	if o.setup > 0 {
		if ids, err = fileReplied(ctx, o.accounts, o.setup); err != nil {
			stop()
			return fmt.Errorf("setup: %w", err)
		}
	}
	start := time.Now()
wait:
	for ended := 0; o.expect == 0 || ended < o.expect; {
		select {
		case <-ctx.Done():
			break wait
		case <-c.ended:
			ended++
		}
	}
	cancel()
	c.wg.Wait()
	stop()
	var check *SurveyCheck
	if o.setup > 0 {
		// The run's context is over; the check gets its own minute, and
		// reads again while the last calls' outcomes are still being stored.
		cctx, ccancel := context.WithTimeout(context.Background(), time.Minute)
		defer ccancel()
		for {
			res, err := checkAnswers(cctx, o.accounts, ids)
			if err != nil {
				return fmt.Errorf("check: %w", err)
			}
			check = &res
			if res.CallbacksDone == res.Tickets || !sleepCtx(cctx, time.Second) {
				break
			}
		}
	}
	return c.report(out, time.Since(start), check)
}

// listen serves SIP on -listen until the returned stop.
func (c *citizens) listen() (stop func(), err error) {
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("hotline-load citizens"), sipgo.WithUserAgentHostname(c.o.listen.Addr().String()))
	if err != nil {
		return nil, fmt.Errorf("sip user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		return nil, fmt.Errorf("sip server: %w", err)
	}
	cli, err := sipgo.NewClient(ua, sipgo.WithClientAddr(c.o.listen.String()), sipgo.WithClientConnectionAddr(c.o.listen.String()))
	if err != nil {
		return nil, fmt.Errorf("sip client: %w", err)
	}
	contact := sipgosip.ContactHeader{Address: sipgosip.Uri{Scheme: "sip", User: "citizen",
		Host: c.o.listen.Addr().String(), Port: int(c.o.listen.Port())}}
	c.dialogs = sipgo.NewDialogServerCache(cli, contact)
	srv.OnInvite(c.onInvite)
	srv.OnAck(func(req *sipgosip.Request, tx sipgosip.ServerTransaction) { _ = c.dialogs.ReadAck(req, tx) })
	srv.OnBye(func(req *sipgosip.Request, tx sipgosip.ServerTransaction) {
		if err := c.dialogs.ReadBye(req, tx); err != nil {
			_ = tx.Respond(sipgosip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
		}
	})
	srv.OnOptions(respond(200, "OK"))
	srv.OnInfo(respond(200, "OK"))
	conn, err := net.ListenPacket("udp4", c.o.listen.String())
	if err != nil {
		return nil, fmt.Errorf("listen sip %s: %w", c.o.listen, err)
	}
	reading := &firstRead{PacketConn: conn, reading: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.ServeUDP(reading)
	}()
	<-reading.reading
	return func() {
		_ = conn.Close()
		<-done
		_ = ua.Close()
	}, nil
}

// onInvite answers one callback; a re-INVITE inside a call (a session
// refresh) is refused with 488, which keeps the session as it was.
func (c *citizens) onInvite(req *sipgosip.Request, tx sipgosip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		_ = tx.Respond(sipgosip.NewResponseFromRequest(req, 488, "Not Acceptable Here", nil))
		return
	}
	c.invites.Add(1)
	dlg, err := c.dialogs.ReadInvite(req, tx)
	if err != nil {
		c.fail("invite")
		return
	}
	// The call runs inside the handler (sipgo gives each request its own
	// goroutine): returning would end the INVITE transaction early.
	c.wg.Add(1)
	defer c.wg.Done()
	defer func() { c.ended <- struct{}{} }()
	c.call(dlg)
}

// call rings, answers, talks and presses keys until the server's BYE.
func (c *citizens) call(dlg *sipgo.DialogServerSession) {
	defer func() { _ = dlg.Close() }()
	offer, err := parseAnswer(dlg.InviteRequest.Body())
	if err != nil || offer.evPT == 0 {
		c.fail("offer_sdp")
		_ = dlg.Respond(488, "Not Acceptable Here", nil)
		return
	}
	port, ok := c.pool.get()
	if !ok {
		c.fail("rtp_ports")
		_ = dlg.Respond(503, "Service Unavailable", nil)
		return
	}
	defer c.pool.put(port)
	conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(c.o.listen.Addr(), uint16(port))))
	if err != nil {
		c.fail("rtp_bind")
		_ = dlg.Respond(503, "Service Unavailable", nil)
		return
	}
	recv := &rtpReceiver{conn: conn}
	var rwg sync.WaitGroup
	rwg.Go(recv.run)
	defer func() {
		_ = conn.Close()
		rwg.Wait()
		c.heard(recv.stats())
	}()
	_ = dlg.Respond(180, "Ringing", nil)
	if !sleepCtx(c.ctx, c.o.ring) {
		_ = dlg.Respond(480, "Temporarily Unavailable", nil)
		return
	}
	if err := dlg.RespondSDP(answerSDP(c.o.listen.Addr(), port, offer)); err != nil {
		c.fail("answer")
		return
	}
	c.talk(dlg, conn, offer)
}

// talk sends audio and keys until the dialog ends (the server's BYE) or
// -max-call / the run ends (our BYE).
func (c *citizens) talk(dlg *sipgo.DialogServerSession, conn *net.UDPConn, offer sdpAnswer) {
	c.answered.Add(1)
	if n := c.up.Add(1); n > c.maxUp.Load() {
		c.maxUp.Store(n) // racy max; close enough for a report
	}
	defer c.up.Add(-1)
	start := time.Now()
	ctx, cancel := context.WithTimeout(c.ctx, c.o.maxCall)
	defer cancel()
	send := newRTPSender(conn, offer.remote, offer.pt, offer.evPT, c.frames)
	keysDone := make(chan int64, 1)
	go func() { keysDone <- send.pressEvery(ctx, dlg.Context(), rune(c.o.key[0]), c.o.first, c.o.every) }()
	select {
	case <-dlg.Context().Done():
		c.completed.Add(1)
	case <-ctx.Done():
		c.timedOut.Add(1)
		bctx, bcancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := dlg.Bye(bctx); err != nil {
			c.fail("bye")
		}
		bcancel()
	}
	cancel()
	c.keys.Add(<-keysDone)
	c.mu.Lock()
	c.lengths = append(c.lengths, time.Since(start))
	c.mu.Unlock()
}

// pressEvery sends audio, and the key from first on every every, until
// either context ends; it returns the keys pressed.
func (s *rtpSender) pressEvery(ctx, dlg context.Context, key rune, first, every time.Duration) int64 {
	tick := time.NewTicker(frameInterval)
	defer tick.Stop()
	next, keys := time.Now().Add(first), int64(0)
	for i := 0; ; i++ {
		if !time.Now().Before(next) {
			if !s.sendDigit(ctx, tick, key) {
				return keys
			}
			keys++
			next = time.Now().Add(every)
		} else {
			s.send(s.pt, i == 0, s.ts, s.frames.get(s.pt, i))
			s.ts += frameSamples
		}
		select {
		case <-ctx.Done():
			return keys
		case <-dlg.Done():
			return keys
		case <-tick.C:
		}
	}
}

// answerSDP answers with the offer's audio payload type and its
// telephone-event.
func answerSDP(ip netip.Addr, port int, offer sdpAnswer) []byte {
	id := rand.Uint64() >> 1
	codec := "PCMU/8000"
	if offer.pt == ptPCMA {
		codec = "PCMA/8000"
	}
	return fmt.Appendf(nil, "v=0\r\no=citizen %d %d IN IP4 %s\r\ns=citizen\r\nc=IN IP4 %s\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP %d %d\r\na=rtpmap:%d %s\r\na=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-16\r\na=ptime:20\r\na=sendrecv\r\n",
		id, id, ip, ip, port, offer.pt, offer.evPT, offer.pt, codec, offer.evPT, offer.evPT)
}

func (c *citizens) heard(rx rxStats) {
	if rx.Audible() {
		c.audible.Add(1)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rx.Audio += rx.Audio
	c.rx.Late += rx.Late
	c.rx.Lost += rx.Lost
}

func (c *citizens) fail(kind string) {
	c.mu.Lock()
	c.errors[kind]++
	c.mu.Unlock()
}

func (c *citizens) report(out io.Writer, took time.Duration, check *SurveyCheck) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	rep := CitizensReport{Command: "citizens", Seconds: round(took.Seconds()), Invites: c.invites.Load(),
		Answered: c.answered.Load(), Completed: c.completed.Load(), TimedOut: c.timedOut.Load(),
		MaxUp: c.maxUp.Load(), KeysSent: c.keys.Load(), Audible: c.audible.Load(), Errors: c.errors, Stored: check}
	if n := len(c.lengths); n > 0 {
		slices.Sort(c.lengths)
		rep.CallLength.P50, rep.CallLength.Max = round(c.lengths[n/2].Seconds()), round(c.lengths[n-1].Seconds())
	}
	rep.Audio.Packets, rep.Audio.Late, rep.Audio.Lost = c.rx.Audio, c.rx.Late, c.rx.Lost
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
