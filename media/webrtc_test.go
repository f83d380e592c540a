package media

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"
)

// The server's ICE ports in these tests.
const testPortMin, testPortMax = 47000, 47999

func newTestWebRTC(t *testing.T) *WebRTC {
	t.Helper()
	rtc, err := NewWebRTC(WebRTCConfig{
		PortMin: testPortMin, PortMax: testPortMax,
		ListenIPs:          []string{"127.0.0.1"},
		LoopbackCandidates: true,
		Logger:             testLog(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return rtc
}

// testBrowser is an in-process pion peer in the browser's role: it offers,
// sends a tone from its "microphone" (PCMU, sendrecv) and decodes what it
// hears. It stays on loopback.
type testBrowser struct {
	pc    *webrtc.PeerConnection
	mic   *webrtc.TrackLocalStaticSample
	idle  atomic.Bool  // sends nothing, as the desk page between calls
	sent  atomic.Int64 // frames written to the microphone track
	heard pcmRecorder
	up    chan struct{} // closed when connected
	upOne sync.Once
	stop  chan struct{}
	g     group
	once  sync.Once
}

func newTestBrowser(t *testing.T, freq float64, codecs ...webrtc.RTPCodecCapability) *testBrowser {
	t.Helper()
	if len(codecs) == 0 {
		codecs = []webrtc.RTPCodecCapability{pcmuCodec}
	}
	me := &webrtc.MediaEngine{}
	for i, c := range codecs {
		pt := webrtc.PayloadType(0)
		if c.MimeType != webrtc.MimeTypePCMU {
			pt = webrtc.PayloadType(111 + i)
		}
		if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: c, PayloadType: pt}, webrtc.RTPCodecTypeAudio); err != nil {
			t.Fatal(err)
		}
	}
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	b := &testBrowser{pc: pc, up: make(chan struct{}), stop: make(chan struct{})}
	t.Cleanup(b.close)
	b.mic, err = webrtc.NewTrackLocalStaticSample(codecs[0], "mic", "browser")
	if err != nil {
		t.Fatal(err)
	}
	sender, err := pc.AddTrack(b.mic)
	if err != nil {
		t.Fatal(err)
	}
	b.g.goFunc(func() { drainRTCP(sender) })
	pc.OnTrack(b.onTrack)
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			b.upOne.Do(func() { close(b.up) })
		}
	})
	src := newToneSource(CodecPCMU, freq)
	pacer(&b.g, b.stop, func() {
		frame := src.next()
		if b.idle.Load() {
			return
		}
		if b.mic.WriteSample(pmedia.Sample{Data: frame, Duration: frameDuration}) == nil {
			b.sent.Add(1)
		}
	})
	return b
}

func drainRTCP(s *webrtc.RTPSender) {
	buf := make([]byte, 1500)
	for {
		if _, _, err := s.Read(buf); err != nil {
			return
		}
	}
}

func (b *testBrowser) onTrack(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	if !b.g.enter() {
		return
	}
	defer b.g.wg.Done()
	for {
		pkt, _, err := track.ReadRTP()
		if err != nil {
			return
		}
		pcm := make([]int16, len(pkt.Payload))
		DecodeUlaw(pcm, pkt.Payload)
		b.heard.feed(pcm)
	}
}

// offer returns a complete (non-trickle) offer.
func (b *testBrowser) offer(t *testing.T, opts *webrtc.OfferOptions) string {
	t.Helper()
	offer, err := b.pc.CreateOffer(opts)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(b.pc)
	if err := b.pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	select {
	case <-gathered:
	case <-time.After(testTimeout):
		t.Fatal("browser: ICE gathering did not complete")
	}
	return b.pc.LocalDescription().SDP
}

func (b *testBrowser) accept(t *testing.T, answer string) {
	t.Helper()
	if err := b.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
}

func (b *testBrowser) waitUp(t *testing.T) {
	t.Helper()
	select {
	case <-b.up:
	case <-time.After(testTimeout):
		t.Fatalf("browser did not connect: %s", b.pc.ConnectionState())
	}
}

func (b *testBrowser) close() {
	b.once.Do(func() {
		close(b.stop)
		b.g.close()
		_ = b.pc.GracefulClose()
		b.g.wait()
	})
}

// connected is an agent leg with a connected browser.
type connected struct {
	rtc     *WebRTC
	leg     *AgentLeg
	browser *testBrowser
	changes chan bool // the leg's OnConnectionChange reports
	answer  string
}

// connectBrowser answers a browser sending a tone at freq and waits until
// both ends are connected.
func connectBrowser(t *testing.T, freq float64) *connected {
	t.Helper()
	rtc := newTestWebRTC(t)
	leg, err := rtc.NewAgentLeg(testLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = leg.Close() })
	c := &connected{rtc: rtc, leg: leg, changes: make(chan bool, 16)}
	leg.OnConnectionChange(func(up bool) { c.changes <- up })
	c.browser = newTestBrowser(t, freq)
	c.answer = c.negotiate(t, nil)
	c.expectChange(t, true)
	c.browser.waitUp(t)
	return c
}

// negotiate runs one offer/answer round and returns the answer.
func (c *connected) negotiate(t *testing.T, opts *webrtc.OfferOptions) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	answer, err := c.leg.Answer(ctx, c.browser.offer(t, opts))
	if err != nil {
		t.Fatal(err)
	}
	c.browser.accept(t, answer)
	return answer
}

func (c *connected) expectChange(t *testing.T, want bool) {
	t.Helper()
	select {
	case got := <-c.changes:
		if got != want {
			t.Fatalf("OnConnectionChange(%v), want %v", got, want)
		}
	case <-time.After(testTimeout):
		t.Fatalf("no OnConnectionChange(%v) in %v; leg is %s", want, testTimeout, c.leg)
	}
}

func TestAgentLegAnswerStaysOnLoopbackInPortRange(t *testing.T) {
	c := connectBrowser(t, 1000)
	var n int
	for line := range strings.Lines(c.answer) {
		if !strings.HasPrefix(line, "a=candidate:") {
			continue
		}
		n++
		f := strings.Fields(line) // foundation component transport priority address port typ host
		if len(f) < 8 || f[4] != "127.0.0.1" || f[7] != "host" {
			t.Errorf("candidate %q: want a 127.0.0.1 host candidate", strings.TrimSpace(line))
			continue
		}
		if port, _ := strconv.Atoi(f[5]); port < testPortMin || port > testPortMax {
			t.Errorf("candidate port %d outside %d-%d", port, testPortMin, testPortMax)
		}
	}
	if n == 0 {
		t.Fatalf("answer has no candidates:\n%s", c.answer)
	}
	if !strings.Contains(c.answer, "a=rtpmap:0 PCMU/8000") || strings.Contains(c.answer, "telephone-event") {
		t.Errorf("answer should offer PCMU only:\n%s", c.answer)
	}
	if !c.leg.Connected() || !strings.Contains(c.leg.String(), "connected 127.0.0.1:") {
		t.Errorf("leg: %s", c.leg)
	}
}

// An ICE restart and a plain renegotiation on the same leg keep the audio
// going both ways.
func TestAgentLegRenegotiation(t *testing.T) {
	c := connectBrowser(t, 1000)
	trunk := newFakeTrunk(t, CodecPCMU, 440)
	br := NewBridge(trunk, c.leg, testLog())
	br.Start()
	defer br.Stop()
	requireTone(t, "browser before renegotiation", c.browser.heard.listen(t, "browser", 3, 2400), 440)
	requireTone(t, "trunk before renegotiation", trunk.heard.listen(t, "trunk", 3, 2400), 1000)

	restarted := c.negotiate(t, &webrtc.OfferOptions{ICERestart: true})
	if ufrag := sdpAttr(restarted, "ice-ufrag"); ufrag == sdpAttr(c.answer, "ice-ufrag") {
		t.Fatalf("ICE restart kept the server's ufrag %q", ufrag)
	}
	requireTone(t, "browser after ICE restart", c.browser.heard.listen(t, "browser", 3, 2400), 440)
	requireTone(t, "trunk after ICE restart", trunk.heard.listen(t, "trunk", 3, 2400), 1000)

	c.negotiate(t, nil)
	requireTone(t, "browser after renegotiation", c.browser.heard.listen(t, "browser", 3, 2400), 440)
	requireTone(t, "trunk after renegotiation", trunk.heard.listen(t, "trunk", 3, 2400), 1000)
	if !c.leg.Connected() {
		t.Errorf("leg: %s", c.leg)
	}
}

// Candidates trickled before the offer reaches Answer are kept for it.
func TestAgentLegEarlyTrickledCandidates(t *testing.T) {
	rtc := newTestWebRTC(t)
	leg, err := rtc.NewAgentLeg(testLog())
	if err != nil {
		t.Fatal(err)
	}
	defer leg.Close()
	up := make(chan bool, 4)
	leg.OnConnectionChange(func(c bool) { up <- c })
	b := newTestBrowser(t, 1000)

	var mu sync.Mutex
	var cands []ICECandidateInit
	gathered := make(chan struct{})
	b.pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil {
			close(gathered)
			return
		}
		mu.Lock()
		cands = append(cands, c.ToJSON())
		mu.Unlock()
	})
	offer, err := b.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	mu.Lock()
	defer mu.Unlock()
	if len(cands) == 0 {
		t.Fatal("browser gathered no candidates")
	}
	for _, c := range cands { // all before the offer
		if err := leg.AddICECandidate(c); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	answer, err := leg.Answer(ctx, offer.SDP) // the offer without candidates
	if err != nil {
		t.Fatal(err)
	}
	b.accept(t, answer)
	select {
	case c := <-up:
		if !c {
			t.Fatal("leg reported down")
		}
	case <-time.After(testTimeout):
		t.Fatalf("leg did not connect: %s", leg)
	}
}

// A reloaded page brings a new PeerConnection: the leg refuses its offer
// and keeps serving the old one.
func TestAgentLegRefusesNewPeerConnection(t *testing.T) {
	c := connectBrowser(t, 1000)
	reloaded := newTestBrowser(t, 700)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if _, err := c.leg.Answer(ctx, reloaded.offer(t, nil)); !errors.Is(err, ErrNewPeerConnection) {
		t.Fatalf("offer from a new PeerConnection: %v", err)
	}
	c.negotiate(t, nil) // the original browser can still renegotiate
	if !c.leg.Connected() {
		t.Errorf("leg: %s", c.leg)
	}
}

func TestAgentLegRejectsOfferWithoutPCMU(t *testing.T) {
	rtc := newTestWebRTC(t)
	leg, err := rtc.NewAgentLeg(testLog())
	if err != nil {
		t.Fatal(err)
	}
	defer leg.Close()
	opus := webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}
	b := newTestBrowser(t, 1000, opus)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if _, err := leg.Answer(ctx, b.offer(t, nil)); err == nil || !strings.Contains(err.Error(), "codecs") {
		t.Fatalf("offer without PCMU: %v", err)
	}
}

// f may close the leg from the callback itself.
func TestAgentLegCloseFromConnectionCallback(t *testing.T) {
	c := connectBrowser(t, 1000)
	closed := make(chan error, 1)
	c.leg.OnConnectionChange(func(up bool) {
		if !up {
			closed <- c.leg.Close()
		}
	})
	c.browser.close()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Close from the callback did not return")
	}
}

// A browser that closes its PeerConnection (the agent closed the tab) is
// reported as down.
func TestAgentLegReportsBrowserGone(t *testing.T) {
	c := connectBrowser(t, 1000)
	c.browser.close()
	c.expectChange(t, false)
	if c.leg.Connected() {
		t.Errorf("leg still connected: %s", c.leg)
	}
}

// Close ends the track reader and the RTCP reader before it returns, and
// the leg refuses work afterwards.
func TestAgentLegCloseEndsGoroutines(t *testing.T) {
	base := runtime.NumGoroutine()
	c := connectBrowser(t, 1000)
	var got atomic.Int64
	c.leg.SetSink(func([]byte) { got.Add(1) })
	waitFor(t, "browser audio at the leg", func() bool { return got.Load() >= 3 })
	if n := c.leg.readers.Load(); n != 2 {
		t.Fatalf("%d reader goroutines, want 2 (track and RTCP)", n)
	}
	if err := c.leg.Close(); err != nil {
		t.Fatal(err)
	}
	if n := c.leg.readers.Load(); n != 0 {
		t.Fatalf("%d reader goroutines still running after Close", n)
	}
	after := got.Load()
	if err := c.leg.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := c.leg.WritePayload(make([]byte, 160)); !errors.Is(err, ErrAgentLegClosed) {
		t.Errorf("WritePayload after Close: %v", err)
	}
	if _, err := c.leg.Answer(context.Background(), "v=0"); !errors.Is(err, ErrAgentLegClosed) {
		t.Errorf("Answer after Close: %v", err)
	}
	c.browser.close()
	if got.Load() != after {
		t.Errorf("sink called after Close")
	}
	// Everything pion started for both peers ends too.
	waitFor(t, "goroutines to settle", func() bool { return runtime.NumGoroutine() <= base })
}

func TestNewWebRTCRejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]WebRTCConfig{
		"ports reversed": {PortMin: 5000, PortMax: 4000},
		"bad NAT IP":     {IPs: []string{"example.com"}},
		"bad listen IP":  {ListenIPs: []string{"300.1.1.1"}},
	} {
		if _, err := NewWebRTC(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// The desk page sends no audio while its agent has no call. An agent leg
// whose browser has sent nothing since it connected, for longer than
// pion's 5 s without traffic that would count as "disconnected", stays
// connected and silent both ways; when the browser starts sending (at
// answer) and the bridge joins a caller, each side hears the other, and
// when the call ends and the browser stops, nothing more arrives.
func TestAgentLegIdleBrowserSendsNothing(t *testing.T) {
	rtc := newTestWebRTC(t)
	leg, err := rtc.NewAgentLeg(testLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = leg.Close() })
	c := &connected{rtc: rtc, leg: leg, changes: make(chan bool, 16)}
	leg.OnConnectionChange(func(up bool) { c.changes <- up })
	c.browser = newTestBrowser(t, 1000)
	c.browser.idle.Store(true) // before it connects: its frames went nowhere so far
	c.answer = c.negotiate(t, nil)
	c.expectChange(t, true)
	c.browser.waitUp(t)

	// Idle: the time is the claim (no event marks "still silent").
	time.Sleep(6 * time.Second)
	if n := leg.PacketsReceived(); n != 0 {
		t.Errorf("idle leg received %d packets from the browser", n)
	}
	if n := leg.PacketsSent(); n != 0 {
		t.Errorf("idle leg sent %d packets to the browser", n)
	}
	if n := c.browser.heard.frames.Load(); n != 0 {
		t.Errorf("idle browser heard %d frames", n)
	}
	select {
	case up := <-c.changes:
		t.Fatalf("silent leg reported OnConnectionChange(%v)", up)
	default:
	}
	if !leg.Connected() {
		t.Fatalf("silent leg is %s", leg)
	}

	// Answer: the browser starts sending, then the bridge joins the caller.
	c.browser.idle.Store(false)
	trunk := newFakeTrunk(t, CodecPCMU, 440)
	br := NewBridge(trunk, leg, testLog())
	br.Start()
	requireTone(t, "trunk", trunk.heard.listen(t, "trunk", 3, 4000), 1000)
	requireTone(t, "browser", c.browser.heard.listen(t, "browser", 3, 4000), 440)

	// The call ends: no bridge, and the browser stops.
	br.Stop()
	c.browser.idle.Store(true)
	sent := c.browser.sent.Load()
	// Loopback UDP may lose one or two under load; the pacer may have had one frame in hand.
	waitFor(t, "the browser's last frames", func() bool { return leg.PacketsReceived()+2 >= uint64(sent) })
	received, toBrowser := leg.PacketsReceived(), leg.PacketsSent()
	time.Sleep(time.Second)
	if n := leg.PacketsReceived() - received; n > 3 {
		t.Errorf("after the call the leg received %d more packets", n)
	}
	if n := leg.PacketsSent() - toBrowser; n != 0 {
		t.Errorf("after the call the leg sent %d more packets", n)
	}
	if s := br.Stats(); s.AToB == 0 || s.BToA == 0 || s.Dropped != 0 {
		t.Errorf("bridge stats %+v", s)
	}
}
