package media

import (
	"log/slog"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Shared by the bridge, trunk and WebRTC tests: a recorder of decoded audio
// that hands out fresh stretches of it, a looping tone source, frequency
// assertions and a goroutine group with an end.

// testTimeout bounds every wait in these tests.
const testTimeout = 5 * time.Second

// testLog discards logs unless MEDIA_TEST_LOG is set (then debug to stderr):
// pion's goroutines may log after a test has returned, which t.Log forbids.
func testLog() *slog.Logger {
	if os.Getenv("MEDIA_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// pcmRecorder collects decoded frames; listen returns the next stretch.
type pcmRecorder struct {
	mu     sync.Mutex
	frames atomic.Int64
	skip   int
	want   int
	got    []int16
	done   chan []int16
}

// feed adds one decoded frame (any goroutine).
func (r *pcmRecorder) feed(pcm []int16) {
	r.frames.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done == nil {
		return
	}
	if r.skip > 0 {
		r.skip--
		return
	}
	r.got = append(r.got, pcm...)
	if len(r.got) >= r.want {
		r.done <- r.got
		r.done, r.got = nil, nil
	}
}

// listen skips skip frames, then returns the next n samples or more.
func (r *pcmRecorder) listen(t *testing.T, what string, skip, n int) []int16 {
	t.Helper()
	ch := make(chan []int16, 1)
	r.mu.Lock()
	r.skip, r.want, r.got, r.done = skip, n, nil, ch
	r.mu.Unlock()
	select {
	case pcm := <-ch:
		return pcm
	case <-time.After(testTimeout):
		r.mu.Lock()
		got := len(r.got)
		r.done = nil
		r.mu.Unlock()
		t.Fatalf("%s: heard %d of %d samples in %v", what, got, n, testTimeout)
		return nil
	}
}

// toneSource loops one second of a tone (whole cycles for integral
// frequencies, so the loop is seamless) and encodes it frame by frame.
type toneSource struct {
	codec Codec
	pcm   []int16
	off   int
	frame [FrameSamples]byte
}

func newToneSource(codec Codec, freq float64) *toneSource {
	return &toneSource{codec: codec, pcm: Tone(freq, time.Second, G711Rate, 0.3)}
}

// next returns the next 20 ms frame, valid until the following call.
func (s *toneSource) next() []byte {
	n := s.codec.Encode(s.frame[:], s.pcm[s.off:s.off+FrameSamples])
	s.off = (s.off + FrameSamples) % len(s.pcm)
	return s.frame[:n]
}

// requireTone fails unless pcm is a clear tone at freq.
func requireTone(t *testing.T, what string, pcm []int16, freq float64) {
	t.Helper()
	got := DominantFrequency(pcm, G711Rate)
	share := ToneEnergy(pcm, G711Rate, freq)
	if math.Abs(got-freq) > 5 || share < 0.5 {
		t.Fatalf("%s: dominant %.1f Hz with %.0f%% of the energy at %.0f Hz; want a %.0f Hz tone",
			what, got, 100*share, freq, freq)
	}
}

// requireSilence fails unless every sample is within limit of zero (A-law
// has no zero code: its quietest is ±8).
func requireSilence(t *testing.T, what string, pcm []int16, limit int16) {
	t.Helper()
	for i, s := range pcm {
		if s > limit || s < -limit {
			t.Fatalf("%s: sample %d is %d, want silence", what, i, s)
		}
	}
}

// waitFor polls cond every 5 ms until it holds, failing after testTimeout.
// For conditions with no event to wait on (counters).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(testTimeout)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// group tracks test goroutines, including ones started by callbacks that
// may fire after close began.
type group struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

func (g *group) goFunc(f func()) {
	if !g.enter() {
		return
	}
	go func() {
		defer g.wg.Done()
		f()
	}()
}

func (g *group) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.wg.Add(1)
	return true
}

func (g *group) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

func (g *group) wait() { g.wg.Wait() }

// pacer calls f every 20 ms on a goroutine of g until stop closes.
func pacer(g *group, stop <-chan struct{}, f func()) {
	g.goFunc(func() {
		tick := time.NewTicker(frameDuration)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				f()
			}
		}
	})
}
