package main

import (
	"context"
	"encoding/binary"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	sipgosip "github.com/emiago/sipgo/sip"

	"github.com/cityhotline/hotline/media"
	"github.com/cityhotline/hotline/sip"
)

// TestMain keeps sipgo's package-level logging (late retransmissions, TCP
// connection bookkeeping) out of the test output unless SIP_TEST_LOG is set.
func TestMain(m *testing.M) {
	if os.Getenv("SIP_TEST_LOG") == "" {
		sipgosip.SetDefaultLogger(slog.New(slog.DiscardHandler))
	}
	os.Exit(m.Run())
}

// gateway is an in-process sip.Server on loopback whose handler answers,
// plays play (paced, looped for the whole call) and records, per call, how
// much of the caller's audio was at 440 Hz and which digits arrived.
type gateway struct {
	srv   *sip.Server
	ended chan struct{} // one per call whose handler has recorded
	mu    sync.Mutex
	heard []float64 // 440 Hz share of each call's caller audio
	dtmf  []string
	ends  []sip.EndReason // ringForever: how each call ended
}

// gatewayMode is what the test gateway's handler does with a call.
type gatewayMode int

const (
	answerAndPlay gatewayMode = iota
	refuse                    // return at once: 480
	ringForever               // 180, then wait for a CANCEL
)

func startGateway(t *testing.T, play []int16, mode gatewayMode) *gateway {
	t.Helper()
	g := &gateway{ended: make(chan struct{}, 64)}
	cfg := sip.Config{
		Addr:          "127.0.0.1:0",
		Trunks:        []sip.Trunk{{Name: "loopback", CIDRs: []string{"127.0.0.0/8"}}},
		RTPPorts:      [2]int{31000, 31999},
		MediaTimeout:  -1,
		RatePerSource: sip.Rate{PerSecond: 1000, Burst: 1000},
	}
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("SIP_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	h := sip.HandlerFunc(func(ctx context.Context, c *sip.Call) {
		switch mode {
		case answerAndPlay:
			g.serve(ctx, c, play)
		case ringForever:
			_ = c.Ringing()
			<-ctx.Done()
			g.mu.Lock()
			g.ends = append(g.ends, c.EndReason())
			g.mu.Unlock()
			g.ended <- struct{}{}
		}
	})
	srv, err := sip.New(cfg, h, sip.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	g.srv = srv
	return g
}

func (g *gateway) serve(ctx context.Context, c *sip.Call, play []int16) {
	if err := c.Answer(ctx); err != nil {
		return
	}
	leg := c.Media()
	go func() {
		for ctx.Err() == nil && leg.PlayPCM(ctx, play) == nil {
		}
	}()
	var pcm []int16
	var digits strings.Builder
	for {
		select {
		case f := <-leg.PCM():
			pcm = append(pcm, f...)
		case d := <-leg.Digits():
			digits.WriteRune(d)
		case <-ctx.Done():
			g.mu.Lock()
			g.heard = append(g.heard, bestToneShare(pcm, 440))
			g.dtmf = append(g.dtmf, digits.String())
			g.mu.Unlock()
			g.ended <- struct{}{}
			return
		}
	}
}

func bestToneShare(pcm []int16, freq float64) float64 {
	best := 0.0
	for off := 0; off+4000 <= len(pcm); off += 2000 {
		best = max(best, media.ToneEnergy(pcm[off:off+4000], clockRate, freq))
	}
	return best
}

func (g *gateway) target() string { return "sip:12345@" + g.srv.Addr("udp").String() }

func (g *gateway) tcpTarget() string { return "sip:12345@" + g.srv.Addr("tcp").String() }

// results waits until n calls have ended on the gateway (each handler records
// on ctx end, which follows our BYE) and returns what they heard.
func (g *gateway) results(t *testing.T, n int) ([]float64, []string) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for range n {
		select {
		case <-g.ended:
		case <-timeout:
			t.Fatalf("the gateway's handlers did not all end")
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]float64(nil), g.heard...), append([]string(nil), g.dtmf...)
}

func testCallsOptions(t *testing.T, target string, args ...string) callsOptions {
	t.Helper()
	if os.Getenv("SIP_TEST_LOG") != "" {
		args = append(args, "-v")
	}
	base := []string{"-target", target, "-sip-port", "0", "-rtp-ports", "47000-47999", "-answer-timeout", "3s"}
	o, err := parseCallsFlags(append(base, args...))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func testLog(o callsOptions) *slog.Logger {
	if o.verbose {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func TestCallsHearToneAndSendDigits(t *testing.T) {
	g := startGateway(t, media.Tone(1000, time.Second, clockRate, 0.3), answerAndPlay)
	o := testCallsOptions(t, g.target(), "-n", "6", "-c", "6", "-rate", "50", "-hold", "1500ms",
		"-digits", "1#", "-digit-delay", "300ms", "-sources", "2")
	rep, err := placeCalls(t.Context(), o, testLog(o))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Attempted != 6 || rep.Answered != 6 || rep.Failed != 0 || rep.ByeFailed != 0 || rep.RemoteHangups != 0 {
		t.Fatalf("report %+v", rep)
	}
	if rep.SilentCalls != 0 {
		t.Errorf("%d calls heard silence over a 1 kHz tone", rep.SilentCalls)
	}
	// 1.5 s of 20 ms packets is 75 per call; allow for answer-to-first-packet slack.
	if rep.RTP.Audio < 6*60 || rep.RTP.Lost != 0 {
		t.Errorf("rtp %+v: want ≥ 360 audio packets and no loss on loopback", rep.RTP)
	}
	if rep.Setup.Max <= 0 || rep.Setup.Max > 3000 {
		t.Errorf("setup latency %+v", rep.Setup)
	}
	heard, dtmf := g.results(t, 6)
	if len(heard) != 6 {
		t.Fatalf("gateway saw %d calls end, want 6", len(heard))
	}
	for i := range heard {
		if heard[i] < 0.5 {
			t.Errorf("call %d: gateway heard 440 Hz at %.2f of the energy, want > 0.5", i, heard[i])
		}
		if dtmf[i] != "1#" {
			t.Errorf("call %d: gateway got digits %q, want 1#", i, dtmf[i])
		}
	}
}

func TestCallsCountSilence(t *testing.T) {
	g := startGateway(t, media.Silence(time.Second, clockRate), answerAndPlay)
	o := testCallsOptions(t, g.target(), "-n", "3", "-c", "3", "-rate", "50", "-hold", "600ms", "-silent")
	rep, err := placeCalls(t.Context(), o, testLog(o))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Answered != 3 || rep.SilentCalls != 3 {
		t.Fatalf("answered %d, silent %d: want 3 and 3", rep.Answered, rep.SilentCalls)
	}
	if rep.RTP.Audio == 0 {
		t.Error("silence still comes as RTP packets; none counted")
	}
	heard, _ := g.results(t, 3)
	for i, h := range heard {
		if h > 0.1 {
			t.Errorf("call %d: -silent caller had 440 Hz at %.2f", i, h)
		}
	}
}

func TestCallsCountFailuresByStatus(t *testing.T) {
	g := startGateway(t, nil, refuse)
	o := testCallsOptions(t, g.target(), "-n", "4", "-c", "2", "-rate", "100", "-hold", "1s")
	rep, err := placeCalls(t.Context(), o, testLog(o))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Attempted != 4 || rep.Answered != 0 || rep.ByStatus["480"] != 4 {
		t.Fatalf("report %+v: want 4 calls failed with 480", rep)
	}
	if rep.Setup.Max != 0 {
		t.Errorf("failed calls must not count in setup latency: %+v", rep.Setup)
	}
}

func TestCallsOverTCP(t *testing.T) {
	g := startGateway(t, media.Tone(1000, time.Second, clockRate, 0.3), answerAndPlay)
	o := testCallsOptions(t, g.tcpTarget(), "-transport", "tcp", "-n", "3", "-c", "3", "-rate", "50", "-hold", "800ms")
	rep, err := placeCalls(t.Context(), o, testLog(o))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Answered != 3 || rep.ByeFailed != 0 || rep.SilentCalls != 0 {
		t.Fatalf("report %+v", rep)
	}
	heard, _ := g.results(t, 3)
	for i, h := range heard {
		if h < 0.5 {
			t.Errorf("call %d: gateway heard 440 Hz at %.2f", i, h)
		}
	}
}

// An INVITE left ringing is cancelled at -answer-timeout and counted as a
// timeout; the gateway sees the CANCEL.
func TestCallsAnswerTimeoutCancels(t *testing.T) {
	g := startGateway(t, nil, ringForever)
	o := testCallsOptions(t, g.target(), "-n", "2", "-c", "2", "-rate", "50", "-answer-timeout", "400ms")
	start := time.Now()
	rep, err := placeCalls(t.Context(), o, testLog(o))
	if err != nil {
		t.Fatal(err)
	}
	if rep.ByStatus["timeout"] != 2 || rep.Answered != 0 {
		t.Fatalf("report %+v: want 2 timeouts", rep)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	g.results(t, 2)
	for i, r := range g.ends {
		if r != sip.EndCancelled {
			t.Errorf("call %d ended %v, want cancelled", i, r)
		}
	}
}

// A target that never answers at all (no 100 Trying) is abandoned at
// -answer-timeout, not after Timer B's 32 s.
func TestCallsSilentTargetTimesOut(t *testing.T) {
	sink, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	o := testCallsOptions(t, "sip:12345@"+sink.LocalAddr().String(), "-n", "1", "-c", "1", "-answer-timeout", "300ms")
	start := time.Now()
	rep, err := placeCalls(t.Context(), o, testLog(o))
	if err != nil {
		t.Fatal(err)
	}
	if rep.ByStatus["timeout"] != 1 {
		t.Fatalf("report %+v: want a timeout", rep)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("gave up after %v, want about 300ms", d)
	}
}

func TestParseTarget(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"sip:12345@127.0.0.1:5060", true},
		{"sip:12345@127.0.0.9", true},
		{"sip:12345@localhost:5070", true},
		{"sip:12345@10.0.0.1:5060", false},
		{"sip:12345@example.com", false},
		{"sip:12345@0.0.0.0:5060", false},
		{"sips:12345@127.0.0.1", false},
		{"http://127.0.0.1", false},
	} {
		_, err := parseTarget(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parseTarget(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

func TestCallsFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-c", "600", "-rtp-ports", "40000-40999"}, // 500 even ports for 600 calls
		{"-digits", "1x"},
		{"-transport", "tls"},
		{"-sources", "300"},
		{"-rate", "0"},
	} {
		if _, err := parseCallsFlags(args); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
	o, err := parseCallsFlags([]string{"-sources", "3"})
	if err != nil || len(o.srcIPs) != 3 || o.srcIPs[2] != netip.MustParseAddr("127.0.0.3") {
		t.Errorf("sources: %v %v", o.srcIPs, err)
	}
}

func TestParseAnswer(t *testing.T) {
	body := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 20002 RTP/AVP 8 0 96\r\nc=IN IP4 127.0.0.5\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:96 telephone-event/8000\r\n" +
		"m=video 20004 RTP/AVP 97\r\na=rtpmap:97 telephone-event/8000\r\n"
	a, err := parseAnswer([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if a.remote.String() != "127.0.0.5:20002" || a.pt != ptPCMA || a.evPT != 96 {
		t.Errorf("got %+v", a)
	}
	for _, bad := range []string{"v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 18\r\n", "v=0\r\nm=audio 4000 RTP/AVP 0\r\n", ""} {
		if _, err := parseAnswer([]byte(bad)); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

// rtpPacket builds a PCMU packet carrying pcm.
func rtpPacket(seq uint16, ts uint32, marker bool, pcm []int16) []byte {
	b := make([]byte, rtpHeaderLen+len(pcm))
	b[0] = 0x80
	if marker {
		b[1] = 0x80
	}
	binary.BigEndian.PutUint16(b[2:], seq)
	binary.BigEndian.PutUint32(b[4:], ts)
	binary.BigEndian.PutUint32(b[8:], 0xcafe)
	media.EncodeUlaw(b[rtpHeaderLen:], pcm)
	return b
}

func TestRxStatsLateAndLost(t *testing.T) {
	tone := media.Tone(1000, 20*time.Millisecond, clockRate, 0.3)
	var s rxStats
	t0 := time.Unix(1000, 0)
	// Packet k has sequence number 65534+k (wrapping after k=1) and a
	// timestamp that wraps too.
	arrive := func(k int, at time.Duration, marker bool) {
		seq, ts := uint16(65534+k), uint32(0xffffff00)+uint32(k*frameSamples)
		s.packet(rtpPacket(seq, ts, marker, tone), t0.Add(at))
	}
	ms := time.Millisecond
	arrive(0, 0, true)
	arrive(1, 20*ms, false)
	arrive(2, 45*ms, false) // 5 ms behind: on time
	arrive(3, 85*ms, false) // 25 ms behind: late
	// 4 and 5 lost
	arrive(6, 110*ms, false) // 10 ms early: the schedule moves earlier
	arrive(7, 156*ms, false) // 16 ms behind, 26 ms behind the new schedule: late
	arrive(8, 150*ms, false) // 10 ms behind: on time
	arrive(9, 900*ms, true)  // a new talkspurt: its own schedule
	arrive(10, 920*ms, false)
	if s.Audio != 9 || s.Late != 2 || s.Lost != 2 {
		t.Errorf("audio %d late %d lost %d: want 9, 2, 2", s.Audio, s.Late, s.Lost)
	}
	if s.MaxLag != 26*ms {
		t.Errorf("max lag %v, want 26ms", s.MaxLag)
	}
	if !s.Audible() {
		t.Error("a 1 kHz tone was not audible")
	}
	s.packet([]byte{0x80, 101, 0, 9}, t0)                   // too short: ignored
	s.packet(append([]byte{0x40}, make([]byte, 15)...), t0) // RTP version 1
	if s.Packets != 9 {
		t.Errorf("malformed packets were counted: %d", s.Packets)
	}
}

func TestAudible(t *testing.T) {
	for _, tt := range []struct {
		name string
		pcm  []int16
		want bool
	}{
		{"440 Hz", media.Tone(440, time.Second, clockRate, 0.2), true},
		{"2.5 kHz", media.Tone(2500, time.Second, clockRate, 0.05), true},
		{"silence", media.Silence(time.Second, clockRate), false},
		{"50 Hz hum", media.Tone(50, time.Second, clockRate, 0.3), false},
		{"faint 1 kHz (-60 dBFS)", media.Tone(1000, time.Second, clockRate, 0.001), false},
	} {
		var s rxStats
		for i := 0; i+frameSamples <= len(tt.pcm); i += frameSamples {
			s.packet(rtpPacket(uint16(i/frameSamples), uint32(i), i == 0, tt.pcm[i:i+frameSamples]), time.Unix(0, int64(i)*125000))
		}
		if got := s.Audible(); got != tt.want {
			t.Errorf("%s: audible %v, want %v (band %.0f of %.0f)", tt.name, got, tt.want, s.band.energy, s.total)
		}
	}
}

func TestRTPSenderPackets(t *testing.T) {
	rx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	tx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	s := newRTPSender(tx, rx.LocalAddr().(*net.UDPAddr).AddrPort(), ptPCMA, 101, newFrames(false))
	ctx, cancel := context.WithTimeout(t.Context(), 400*time.Millisecond)
	defer cancel()
	go s.run(ctx, "5", time.Now().Add(60*time.Millisecond))
	type pkt struct {
		pt, marker, ev, end byte
		seq                 uint16
		ts                  uint32
		dur                 uint16
	}
	var got []pkt
	var pcm []int16
	buf := make([]byte, 1500)
	for len(got) < 16 {
		_ = rx.SetReadDeadline(time.Now().Add(time.Second))
		n, err := rx.Read(buf)
		if err != nil {
			t.Fatalf("after %d packets: %v", len(got), err)
		}
		b := buf[:n]
		p := pkt{pt: b[1] & 0x7f, marker: b[1] >> 7, seq: binary.BigEndian.Uint16(b[2:]), ts: binary.BigEndian.Uint32(b[4:])}
		if b[0] != 0x80 || binary.BigEndian.Uint32(b[8:]) != s.ssrc {
			t.Fatalf("header % x", b[:12])
		}
		if p.pt == 101 {
			p.ev, p.end, p.dur = b[12], b[13]>>7, binary.BigEndian.Uint16(b[14:])
		} else {
			dec := make([]int16, n-12)
			media.DecodeAlaw(dec, b[12:])
			pcm = append(pcm, dec...)
		}
		got = append(got, p)
	}
	// Audio first (marked), then the digit: 5 packets sharing a timestamp, the
	// first marked, growing durations, the last sent three times with E.
	var evTS uint32
	var events, ends int
	for i, p := range got {
		if i > 0 && p.seq != got[i-1].seq+1 {
			t.Errorf("packet %d: seq %d after %d", i, p.seq, got[i-1].seq)
		}
		switch {
		case i == 0 && (p.pt != ptPCMA || p.marker != 1):
			t.Errorf("first packet %+v: want marked PCMA", p)
		case p.pt == 101:
			if events == 0 {
				evTS = p.ts
				if p.marker != 1 {
					t.Errorf("first event packet not marked")
				}
			}
			events++
			ends += int(p.end)
			if p.ts != evTS || p.ev != 5 || p.dur > 800 {
				t.Errorf("event packet %+v", p)
			}
		case p.pt == ptPCMA && i > 0 && got[i-1].pt == ptPCMA && p.ts != got[i-1].ts+frameSamples:
			t.Errorf("audio packet %d: ts %d after %d", i, p.ts, got[i-1].ts)
		case p.pt == ptPCMA && events > 0 && p.ts != evTS+digitPackets*frameSamples && got[i-1].pt == 101:
			t.Errorf("audio after the digit: ts %d, want %d", p.ts, evTS+digitPackets*frameSamples)
		}
	}
	if events != digitPackets+2 || ends != 3 {
		t.Errorf("%d event packets, %d with E: want %d and 3", events, ends, digitPackets+2)
	}
	if f := media.DominantFrequency(pcm, clockRate); f < 430 || f > 450 {
		t.Errorf("sent audio peaks at %.0f Hz, want 440", f)
	}
}
