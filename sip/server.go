package sip

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/diago"
	dmedia "github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
	sipgosip "github.com/emiago/sipgo/sip"

	"github.com/cityhotline/hotline/media"
)

// Handler receives every accepted inbound call. HandleCall owns the call for
// its whole life: it answers (or not), drives media and returns when done;
// the gateway hangs up whatever is still up when it returns. ctx ends when the
// call ends or the server stops.
type Handler interface {
	HandleCall(ctx context.Context, c *Call)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, c *Call)

// HandleCall calls f.
func (f HandlerFunc) HandleCall(ctx context.Context, c *Call) { f(ctx, c) }

// Options carry the gateway's collaborators.
type Options struct {
	Logger  *slog.Logger
	Metrics Metrics
	// Inband, when set, makes a fresh in-band DTMF detector for each answered
	// call (e.g. the media package's Goertzel detector).
	Inband func() media.DigitDetector
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Server is the SIP gateway: UDP, TCP and optional TLS listeners, the request
// guard, inbound call dispatch and the outbound dialer.
type Server struct {
	cfg           Config
	handler       Handler
	opts          Options
	log           *slog.Logger
	metrics       Metrics
	limiter       *sourceLimiter            // sources outside every trunk
	trunkLimiters map[string]*sourceLimiter // per trunk name
	secret        [32]byte                  // signs digest nonces

	ua    *sipgo.UserAgent
	srv   *sipgo.Server
	dg    *diago.Diago
	clock *media.Clock // paces every call's prompts; runs from Start to Stop

	onHold func(c *Call, held bool) // test hook

	calls      sync.Map // SIP Call-ID → *Call
	admissions sync.Map // SIP Call-ID → *admission (inbound, until the handler runs)
	active     atomic.Int64

	mu       sync.Mutex
	addrs    map[string]net.Addr
	closers  []func() error
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	started  bool
	stopOnce sync.Once
}

// New checks cfg and builds a server; nothing listens until Start.
func New(cfg Config, h Handler, opts Options) (*Server, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("sip config: %w", err)
	}
	if h == nil {
		return nil, errors.New("sip: nil handler")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = NopMetrics{}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{cfg: cfg, handler: h, opts: opts, log: opts.Logger.With("component", "sip"),
		metrics: opts.Metrics, addrs: map[string]net.Addr{}}
	s.clock = media.NewClock(media.ClockOptions{Logger: s.log, Priority: cfg.ClockPriority,
		OnTick: func(late time.Duration) { s.metrics.ClockLate(late.Seconds()) }})
	s.limiter = newSourceLimiter(cfg.RatePerSource, opts.Now)
	s.trunkLimiters = map[string]*sourceLimiter{}
	for _, tr := range s.cfg.Trunks {
		s.trunkLimiters[tr.Name] = newSourceLimiter(tr.Rate, opts.Now)
	}
	_, _ = rand.Read(s.secret[:])
	return s, nil
}

func (s *Server) now() time.Time { return s.opts.Now() }

func (s *Server) mediaTimeout() time.Duration {
	if s.cfg.MediaTimeout < 0 {
		return 0
	}
	return s.cfg.MediaTimeout
}

func (s *Server) inband() media.DigitDetector {
	if s.opts.Inband == nil {
		return nil
	}
	return s.opts.Inband()
}

// Start binds the listeners and serves until Stop or ctx ends. It returns once
// every listener is bound (or the first bind error).
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("sip: already started")
	}
	s.started = true
	ctx, s.cancel = context.WithCancel(ctx)
	host, port, err := splitAddr(s.cfg.Addr)
	if err != nil {
		return err
	}
	udp, tcp, err := listenPair(host, port)
	if err != nil {
		return err
	}
	s.closers = append(s.closers, udp.Close, tcp.Close)
	s.addrs["udp"], s.addrs["tcp"] = udp.LocalAddr(), tcp.Addr()
	tlsLn, tlsConf, err := s.listenTLS()
	if err != nil {
		s.closeAll()
		return err
	}
	if err := s.build(host, udp.LocalAddr().(*net.UDPAddr).Port, tlsLn, tlsConf); err != nil {
		s.closeAll()
		return err
	}
	if err := s.clock.Start(ctx); err != nil {
		s.closeAll()
		return err
	}
	s.serve(ctx, udp, tcp, tlsLn)
	s.log.Info("sip listening", "udp", s.addrs["udp"].String(), "tcp", s.addrs["tcp"].String())
	return nil
}

var portRangeOnce sync.Once

// setPortRange sets diago's RTP port range. diago keeps it in package
// variables read without locks, so it is set once per process, by the first
// server started; later servers share it (and say so).
func setPortRange(r [2]int, log *slog.Logger) {
	set := false
	portRangeOnce.Do(func() {
		dmedia.RTPPortStart, dmedia.RTPPortEnd = r[0], r[1]
		set = true
	})
	if !set {
		log.Debug("rtp port range is process-wide; keeping the first server's",
			"start", dmedia.RTPPortStart, "end", dmedia.RTPPortEnd)
	}
}

// listenPair binds UDP and TCP on the same port (port 0 picks one).
func listenPair(host string, port int) (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range 5 {
		udp, err := net.ListenPacket("udp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return nil, nil, fmt.Errorf("sip listen udp: %w", err)
		}
		p := udp.LocalAddr().(*net.UDPAddr).Port
		tcp, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p)))
		if err == nil {
			return udp, tcp, nil
		}
		udp.Close()
		lastErr = err
		if port != 0 {
			break
		}
	}
	return nil, nil, fmt.Errorf("sip listen tcp: %w", lastErr)
}

func (s *Server) listenTLS() (net.Listener, *tls.Config, error) {
	if s.cfg.TLS.Addr == "" {
		return nil, nil, nil
	}
	cert, err := tls.LoadX509KeyPair(s.cfg.TLS.CertFile, s.cfg.TLS.KeyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("sip tls: %w", err)
	}
	conf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	ln, err := tls.Listen("tcp", s.cfg.TLS.Addr, conf)
	if err != nil {
		return nil, nil, fmt.Errorf("sip listen tls: %w", err)
	}
	s.closers = append(s.closers, ln.Close)
	s.addrs["tls"] = ln.Addr()
	return ln, conf, nil
}

// build creates the sipgo user agent and server and diago on top, with the
// guard in front of every handler.
func (s *Server) build(host string, port int, tlsLn net.Listener, tlsConf *tls.Config) error {
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("hotline"), sipgo.WithUserAgentHostname(host),
		sipgo.WithUserAgentTransportLayerOptions(sipgosip.WithTransportLayerLogger(s.log)),
		sipgo.WithUserAgentTransactionLayerOptions(sipgosip.WithTransactionLayerLogger(s.log)))
	if err != nil {
		return fmt.Errorf("sip user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(s.log))
	if err != nil {
		return fmt.Errorf("sip server: %w", err)
	}
	s.ua, s.srv = ua, srv
	s.closers = append(s.closers, ua.Close)
	setPortRange(s.cfg.RTPPorts, s.log)
	opts := []diago.DiagoOption{
		diago.WithServer(srv),
		diago.WithLogger(s.log),
		diago.WithServerRequestMiddleware(s.guard),
		diago.WithMediaConfig(diago.MediaConfig{Codecs: []dmedia.Codec{
			dmedia.CodecAudioUlaw, dmedia.CodecAudioAlaw, dmedia.CodecTelephoneEvent8000}}),
	}
	for _, tr := range []string{"udp", "tcp"} {
		opts = append(opts, diago.WithTransport(s.transport(tr, host, port)))
	}
	if tlsLn != nil {
		tp := tlsLn.Addr().(*net.TCPAddr)
		t := s.transport("tls", tp.IP.String(), tp.Port)
		t.TLSConf = tlsConf
		opts = append(opts, diago.WithTransport(t))
	}
	s.dg = diago.NewDiago(ua, opts...)
	s.dg.HandleFunc(s.serveInbound)
	srv.OnUpdate(s.guard(s.handleUpdate))
	srv.OnNoRoute(s.guard(s.handleUnknown))
	return nil
}

func (s *Server) transport(name, host string, port int) diago.Transport {
	t := diago.Transport{ID: name, Transport: name, BindHost: host, BindPort: port}
	if s.cfg.PublicIP != "" {
		t.ExternalHost = s.cfg.PublicIP
		t.MediaExternalIP = net.ParseIP(s.cfg.PublicIP)
	}
	return t
}

func (s *Server) serve(ctx context.Context, udp net.PacketConn, tcp, tlsLn net.Listener) {
	run := func(name string, f func() error) {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := f(); err != nil && ctx.Err() == nil {
				s.log.Error("sip listener stopped", "transport", name, "error", err)
			}
		}()
	}
	ready := &readyConn{PacketConn: udp, ready: make(chan struct{})}
	run("udp", func() error { return s.srv.ServeUDP(ready) })
	run("tcp", func() error { return s.srv.ServeTCP(tcp) })
	if tlsLn != nil {
		run("tls", func() error { return s.srv.ServeTLS(tlsLn) })
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-ctx.Done()
		s.shutdown()
	}()
	// sipgo registers the UDP listener for outgoing requests just before its
	// first read; wait for that so Dial right after Start reuses the socket.
	select {
	case <-ready.ready:
	case <-time.After(2 * time.Second):
		s.log.Warn("udp listener not reading after 2s")
	}
}

// readyConn signals the first read on a listener.
type readyConn struct {
	net.PacketConn
	once  sync.Once
	ready chan struct{}
}

func (c *readyConn) ReadFrom(p []byte) (int, net.Addr, error) {
	c.once.Do(func() { close(c.ready) })
	return c.PacketConn.ReadFrom(p)
}

// Addr is the bound address of a transport: "udp", "tcp" or "tls" (nil when
// not listening).
func (s *Server) Addr(transport string) net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addrs[transport]
}

// ActiveCalls is the number of calls in progress, both directions.
func (s *Server) ActiveCalls() int { return int(s.active.Load()) }

// Stop hangs up every call, closes the listeners and waits for the serving
// goroutines. It is idempotent.
func (s *Server) Stop() {
	s.shutdown()
	s.wg.Wait()
}

// shutdown does the work of Stop without waiting for the serving goroutines.
func (s *Server) shutdown() {
	s.stopOnce.Do(func() {
		s.hangupAll()
		s.mu.Lock()
		if s.cancel != nil {
			s.cancel()
		}
		s.mu.Unlock()
		s.closeAll()
		s.clock.Stop()
	})
}

func (s *Server) hangupAll() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.calls.Range(func(_, v any) bool {
		c := v.(*Call)
		if err := c.Hangup(ctx, EndShutdown); err != nil {
			c.log.Debug("shutdown hangup", "error", err)
		}
		return true
	})
}

func (s *Server) closeAll() {
	s.mu.Lock()
	closers := s.closers
	s.closers = nil
	s.mu.Unlock()
	for i := len(closers) - 1; i >= 0; i-- {
		if err := closers[i](); err != nil && !errors.Is(err, net.ErrClosed) {
			s.log.Debug("close", "error", err)
		}
	}
}

func (s *Server) callBySIPID(id string) *Call {
	v, ok := s.calls.Load(id)
	if !ok {
		return nil
	}
	return v.(*Call)
}
