package sip

// Benchmarks of the gateway in-process over loopback UDP. Keep runs short
// (-benchtime 2s or 500x): the machine is shared.
//
//	go test ./sip -run XXX -bench . -benchtime 2s

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// benchOffer is a caller's SDP offer; the RTP port is never read, the
// benchmarks measure signalling and media setup only.
func benchOffer(port int) []byte {
	return fmt.Appendf(nil, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"+
		"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n", port)
}

// benchGateway starts a gateway whose handler answers at once and holds the
// call until the caller's BYE.
func benchGateway(b *testing.B) *Server {
	b.Helper()
	cfg := Config{
		Addr:          "127.0.0.1:0",
		Trunks:        []Trunk{{Name: "loopback", CIDRs: []string{"127.0.0.0/8"}}},
		RTPPorts:      [2]int{36000, 39999},
		MediaTimeout:  -1,
		MaxCalls:      5000,
		RatePerSource: Rate{PerSecond: 1e6, Burst: 1e6},
	}
	// sipgo's transaction layer logs late retransmissions through its
	// package default; keep them out of the benchmark output.
	prev := sip.DefaultLogger()
	sip.SetDefaultLogger(slog.New(slog.DiscardHandler))
	b.Cleanup(func() { sip.SetDefaultLogger(prev) })
	h := HandlerFunc(func(ctx context.Context, c *Call) {
		if c.Answer(ctx) == nil {
			<-ctx.Done()
		}
	})
	s, err := New(cfg, h, Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Stop)
	return s
}

// benchCaller is a sipgo UAC on its own loopback UDP socket.
type benchCaller struct {
	dialogs *sipgo.DialogClientCache
	target  sip.Uri
	ua      *sipgo.UserAgent
	conn    net.PacketConn
}

func newBenchCaller(b *testing.B, server net.Addr) *benchCaller {
	b.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgentHostname("127.0.0.1"))
	if err != nil {
		b.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		b.Fatal(err)
	}
	local := conn.LocalAddr().String()
	cli, err := sipgo.NewClient(ua, sipgo.WithClientAddr(local), sipgo.WithClientConnectionAddr(local))
	if err != nil {
		b.Fatal(err)
	}
	c := &benchCaller{ua: ua, conn: conn}
	port := conn.LocalAddr().(*net.UDPAddr).Port
	c.dialogs = sipgo.NewDialogClientCache(cli, sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "bench", Host: "127.0.0.1", Port: port}})
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) { _ = c.dialogs.ReadBye(req, tx) })
	reading := make(chan struct{})
	go func() { _ = srv.ServeUDP(&signalRead{PacketConn: conn, first: reading}) }()
	<-reading // sipgo registered the socket: requests reuse it
	b.Cleanup(func() { conn.Close(); ua.Close() })
	if err := sip.ParseUri("sip:12345@"+server.String(), &c.target); err != nil {
		b.Fatal(err)
	}
	return c
}

// signalRead closes first on the listener's first read.
type signalRead struct {
	net.PacketConn
	first chan struct{}
	once  atomic.Bool
}

func (r *signalRead) ReadFrom(p []byte) (int, net.Addr, error) {
	if r.once.CompareAndSwap(false, true) {
		close(r.first)
	}
	return r.PacketConn.ReadFrom(p)
}

// call places one call: INVITE → 200 → ACK → BYE. It returns the time from
// sending the INVITE to receiving the 200.
func (c *benchCaller) call(ctx context.Context, rtpPort int) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	start := time.Now()
	dlg, err := c.dialogs.Invite(ctx, c.target, benchOffer(rtpPort), sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		return 0, fmt.Errorf("invite: %w", err)
	}
	defer dlg.Close()
	if err := dlg.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		return 0, fmt.Errorf("answer: %w", err)
	}
	setup := time.Since(start)
	if err := dlg.Ack(ctx); err != nil {
		return setup, fmt.Errorf("ack: %w", err)
	}
	if err := dlg.Bye(ctx); err != nil {
		return setup, fmt.Errorf("bye: %w", err)
	}
	return setup, nil
}

// reportSetup adds the setup latency percentiles as benchmark metrics.
func reportSetup(b *testing.B, setups []time.Duration) {
	if len(setups) == 0 {
		return
	}
	slices.Sort(setups)
	at := func(p float64) float64 {
		return float64(setups[int(p*float64(len(setups)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "setup-p50-ms")
	b.ReportMetric(at(0.99), "setup-p99-ms")
}

// BenchmarkInviteToAnswer places calls one after another: each op is a whole
// call (INVITE, 100, 200 with SDP and an RTP session opened, ACK, BYE, 200).
func BenchmarkInviteToAnswer(b *testing.B) {
	s := benchGateway(b)
	c := newBenchCaller(b, s.Addr("udp"))
	var setups []time.Duration
	for b.Loop() {
		d, err := c.call(b.Context(), 30000)
		if err != nil {
			b.Fatal(err)
		}
		setups = append(setups, d)
	}
	reportSetup(b, setups)
}

// BenchmarkInviteToAnswerParallel places calls from GOMAXPROCS callers at
// once (each its own UDP socket and sipgo agent): calls per second is
// 1e9 / ns/op.
func BenchmarkInviteToAnswerParallel(b *testing.B) {
	s := benchGateway(b)
	callers := make(chan *benchCaller, 64)
	for range cap(callers) {
		callers <- newBenchCaller(b, s.Addr("udp"))
	}
	var failed atomic.Int64
	setups := make(chan []time.Duration, cap(callers))
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		c := <-callers
		var mine []time.Duration
		for pb.Next() {
			d, err := c.call(context.Background(), 30000)
			if err != nil {
				failed.Add(1)
				continue
			}
			mine = append(mine, d)
		}
		setups <- mine
	})
	close(setups)
	var all []time.Duration
	for s := range setups {
		all = append(all, s...)
	}
	if n := failed.Load(); n > 0 {
		b.Errorf("%d calls failed", n)
	}
	reportSetup(b, all)
}

// BenchmarkParseAndValidate is the guard's cost per request before diago:
// parsing a typical INVITE with SDP and checking RFC 3261 §8.2.
func BenchmarkParseAndValidate(b *testing.B) {
	body := benchOffer(4000)
	raw := fmt.Appendf(nil, "INVITE sip:12345@127.0.0.1:5060 SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-bench;rport\r\n"+
		"From: <sip:13800138000@127.0.0.1>;tag=a1\r\nTo: <sip:12345@127.0.0.1>\r\n"+
		"Call-ID: bench-1@127.0.0.1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"+
		"Contact: <sip:13800138000@127.0.0.1:5070>\r\nContent-Type: application/sdp\r\n"+
		"Content-Length: %d\r\n\r\n%s", len(body), body)
	parser := sip.NewParser()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		msg, err := parser.ParseSIP(raw)
		if err != nil {
			b.Fatal(err)
		}
		req, ok := msg.(*sip.Request)
		if !ok {
			b.Fatal("not a request")
		}
		if err := ValidateRequest(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseOffer(b *testing.B) {
	body := benchOffer(4000)
	for b.Loop() {
		if o := ParseOffer(body); !o.G711 || o.TelephoneEvent != 101 {
			b.Fatalf("offer %+v", o)
		}
	}
}
