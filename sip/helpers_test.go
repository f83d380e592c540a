package sip

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline/media"
)

func testLogger(t *testing.T) *slog.Logger {
	if os.Getenv("SIP_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// testConfig listens on 127.0.0.1:0 with loopback as the only trunk.
func testConfig(t *testing.T) Config {
	base := 40000 + 2*(int(time.Now().UnixNano()/1000)%2000)
	return Config{
		Addr:          "127.0.0.1:0",
		Trunks:        []Trunk{{Name: "loopback", CIDRs: []string{"127.0.0.1/32"}}},
		RTPPorts:      [2]int{base, base + 200},
		MediaTimeout:  -1,
		RatePerSource: Rate{PerSecond: 1000, Burst: 1000},
	}
}

func startServer(t *testing.T, cfg Config, h Handler, opts Options) *Server {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	s, err := New(cfg, h, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// callRecorder hands each inbound call to a test over a channel.
type callRecorder struct {
	calls chan *Call
	run   func(ctx context.Context, c *Call)
}

func newCallRecorder(run func(ctx context.Context, c *Call)) *callRecorder {
	return &callRecorder{calls: make(chan *Call, 8), run: run}
}

func (r *callRecorder) HandleCall(ctx context.Context, c *Call) {
	r.calls <- c
	r.run(ctx, c)
}

func (r *callRecorder) next(t *testing.T, timeout time.Duration) *Call {
	t.Helper()
	select {
	case c := <-r.calls:
		return c
	case <-time.After(timeout):
		t.Fatal("no call reached the handler")
		return nil
	}
}

func waitDone(t *testing.T, c *Call, timeout time.Duration) {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(timeout):
		t.Fatalf("call %s did not end within %s", c.ID(), timeout)
	}
}

// pcmSink collects a leg's received audio.
type pcmSink struct {
	mu  sync.Mutex
	pcm []int16
}

func (s *pcmSink) drain(ctx context.Context, leg *media.TrunkLeg) {
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-leg.PCM():
			s.mu.Lock()
			s.pcm = append(s.pcm, f...)
			s.mu.Unlock()
		}
	}
}

func (s *pcmSink) samples() []int16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int16(nil), s.pcm...)
}

// toneShare is the share of pcm's energy at freq over its loudest second.
func toneShare(pcm []int16, freq float64) float64 {
	best := 0.0
	for off := 0; off+8000 <= len(pcm); off += 4000 {
		best = max(best, media.ToneEnergy(pcm[off:off+8000], 8000, freq))
	}
	return best
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func waitChan(t *testing.T, ch <-chan struct{}, timeout time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(timeout):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func recvString(t *testing.T, ch <-chan string, timeout time.Duration) string {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(timeout):
		t.Fatal("timed out")
		return ""
	}
}

// fakeMetrics counts what the gateway reports.
type fakeMetrics struct {
	mu      sync.Mutex
	refused map[RefuseReason]int
	ended   map[EndReason]int
	started int
	latency []float64
	ticks   int // media clock ticks reported
	rtp     media.RTPStats
}

func newFakeMetrics() *fakeMetrics {
	return &fakeMetrics{refused: map[RefuseReason]int{}, ended: map[EndReason]int{}}
}

func (m *fakeMetrics) CallStarted(Direction) { m.mu.Lock(); m.started++; m.mu.Unlock() }
func (m *fakeMetrics) CallEnded(_ Direction, r EndReason) {
	m.mu.Lock()
	m.ended[r]++
	m.mu.Unlock()
}
func (m *fakeMetrics) InviteLatency(s float64) {
	m.mu.Lock()
	m.latency = append(m.latency, s)
	m.mu.Unlock()
}
func (m *fakeMetrics) Refused(r RefuseReason) { m.mu.Lock(); m.refused[r]++; m.mu.Unlock() }
func (m *fakeMetrics) ClockLate(float64)      { m.mu.Lock(); m.ticks++; m.mu.Unlock() }
func (m *fakeMetrics) RTPReceived(n, lost uint64) {
	m.mu.Lock()
	m.rtp.Received += n
	m.rtp.Lost += lost
	m.mu.Unlock()
}
func (m *fakeMetrics) refusedCount(r RefuseReason) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.refused[r]
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
