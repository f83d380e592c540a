package media

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// segment returns the samples of a channel between two times.
func window(pcm []int16, rate int, from, to time.Duration) []int16 {
	a, b := Samples(from, rate), min(Samples(to, rate), len(pcm))
	if a >= b {
		return nil
	}
	return pcm[a:b]
}

func rms(pcm []int16) float64 {
	if len(pcm) == 0 {
		return 0
	}
	return math.Sqrt(energy(pcm) / float64(len(pcm)))
}

// talk writes 20 ms frames of a tone to write every 20 ms of (bubble) time
// from start for dur.
func talk(t *testing.T, write func([]int16) error, freq float64, start, dur time.Duration) {
	t.Helper()
	time.Sleep(start)
	tone := Tone(freq, dur, 8000, 0.3)
	for i := 0; i+160 <= len(tone); i += 160 {
		if err := write(tone[i : i+160]); err != nil {
			t.Error(err)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRecorderStereoAlignment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "call.wav")
	synctest.Test(t, func(t *testing.T) {
		rec, err := NewRecorder(path, 8000)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		// Caller talks 440 Hz from 0 to 2 s; the far side plays 1000 Hz from
		// 0.5 s to 1 s and again from 1.5 s to 2 s.
		wg.Go(func() { talk(t, rec.WriteCaller, 440, 0, 2*time.Second) })
		wg.Go(func() {
			talk(t, rec.WriteFar, 1000, 500*time.Millisecond, 500*time.Millisecond)
			talk(t, rec.WriteFar, 1000, 500*time.Millisecond, 500*time.Millisecond)
		})
		wg.Wait()
		if err := rec.Close(); err != nil {
			t.Fatal(err)
		}
	})
	a, err := ReadWAVFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.Channels != 2 || a.Rate != 8000 {
		t.Fatalf("recording is %v", a)
	}
	if d := float64(a.Frames()) / 8000; d < 1.98 || d > 2.05 {
		t.Errorf("recording lasts %.3f s, want 2", d)
	}
	left, right := a.Channel(0), a.Channel(1)
	if r := ToneEnergy(left, 8000, 440); r < 0.9 {
		t.Errorf("left channel 440 Hz share %.2f", r)
	}
	ms := time.Millisecond
	for _, w := range []struct {
		from, to time.Duration
		tone     bool
	}{{0, 480 * ms, false}, {540 * ms, 980 * ms, true}, {1040 * ms, 1480 * ms, false}, {1540 * ms, 1980 * ms, true}} {
		seg := window(right, 8000, w.from, w.to)
		if w.tone && ToneEnergy(seg, 8000, 1000) < 0.9 {
			t.Errorf("right %v-%v: 1000 Hz share %.2f, want the far side's tone", w.from, w.to, ToneEnergy(seg, 8000, 1000))
		}
		if !w.tone && rms(seg) != 0 {
			t.Errorf("right %v-%v: rms %.0f, want silence", w.from, w.to, rms(seg))
		}
		if r := ToneEnergy(window(left, 8000, w.from, w.to), 8000, 1000); r > 0.01 {
			t.Errorf("far tone leaked to the left channel: %.2f", r)
		}
	}
}

func TestRecorderJitterWithinSlack(t *testing.T) {
	// A side that delivers in bursts within the slack is appended, not
	// padded: no silence appears in its channel.
	path := filepath.Join(t.TempDir(), "jitter.wav")
	synctest.Test(t, func(t *testing.T) {
		rec, err := NewRecorder(path, 8000)
		if err != nil {
			t.Fatal(err)
		}
		tone := Tone(1000, time.Second, 8000, 0.3)
		caller := Tone(440, time.Second, 8000, 0.3)
		for i := 0; i < 50; i++ {
			rec.WriteCaller(caller[i*160 : (i+1)*160])
			if i%5 == 4 { // far frames arrive five at a time, 80 ms late
				for j := i - 4; j <= i; j++ {
					rec.WriteFar(tone[j*160 : (j+1)*160])
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := rec.Close(); err != nil {
			t.Fatal(err)
		}
	})
	a, err := ReadWAVFile(path)
	if err != nil {
		t.Fatal(err)
	}
	right := a.Channel(1)
	if a.Frames() != 8000 {
		t.Errorf("%d frames, want 8000", a.Frames())
	}
	for i := 0; i+160 <= len(right); i += 160 {
		if rms(right[i:i+160]) < 1000 {
			t.Fatalf("silence in the far channel at frame %d", i/160)
		}
	}
}

func TestRecorderCloseAndErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := NewRecorder(filepath.Join(dir, "no", "such", "dir.wav"), 8000); err == nil {
		t.Error("recorder in a missing directory")
	}
	now := time.Unix(0, 0)
	rec, err := NewRecorder(filepath.Join(dir, "c.wav"), 8000, WithRecorderClock(func() time.Time { return now }),
		WithRecorderSlack(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	// Only the caller spoke, and the clock never moved: Close pads the far
	// side so nothing is lost.
	rec.WriteCaller(Tone(440, 300*time.Millisecond, 8000, 0.3))
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if err := rec.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := rec.WriteFar(make([]int16, 160)); !errors.Is(err, ErrRecorderClosed) {
		t.Errorf("write after Close: %v", err)
	}
	a, err := ReadWAVFile(rec.Path())
	if err != nil || a.Frames() != 2400 {
		t.Fatalf("got %v, %v; want 2400 frames", a, err)
	}
	if rms(a.Channel(1)) != 0 || rec.Duration() != 300*time.Millisecond {
		t.Errorf("far channel rms %.0f, duration %v", rms(a.Channel(1)), rec.Duration())
	}
}

func TestRecorderStalledClockBoundsMemory(t *testing.T) {
	now := time.Unix(0, 0)
	rec, err := NewRecorder(filepath.Join(t.TempDir(), "s.wav"), 8000, WithRecorderClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	for range 500 { // 10 s of caller audio, no far side, no clock
		rec.WriteCaller(make([]int16, 160))
	}
	rec.mu.Lock()
	pending := rec.pendingOf(&rec.sides[0])
	rec.mu.Unlock()
	if pending > recorderMaxPending*8000 {
		t.Errorf("%d samples pending", pending)
	}
	if d := rec.Duration(); d < 8*time.Second {
		t.Errorf("only %v written", d)
	}
}

// With WithRecorderCodec the recorder takes the call's G.711 payloads as
// they are, keeps them until it has a second of both sides and writes that
// in one go; the file holds 16-bit PCM.
func TestRecorderPayloadsWrittenBySecond(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g711.wav")
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	synctest.Test(t, func(t *testing.T) {
		rec, err := NewRecorder(path, 8000, WithRecorderCodec(CodecPCMA))
		if err != nil {
			t.Fatal(err)
		}
		caller, far := Tone(440, 3*time.Second, 8000, 0.3), Tone(1000, 3*time.Second, 8000, 0.3)
		frame := make([]byte, 160)
		for i := 0; i+160 <= len(caller); i += 160 {
			time.Sleep(20 * time.Millisecond)
			EncodeAlaw(frame, caller[i:i+160])
			if err := rec.WriteCallerPayload(frame); err != nil {
				t.Fatal(err)
			}
			EncodeAlaw(frame, far[i:i+160])
			if err := rec.WriteFarPayload(frame); err != nil {
				t.Fatal(err)
			}
			switch i / 160 {
			case 48: // 0.98 s: nothing written yet
				if n := size(); n != 44 {
					t.Errorf("after 0.98 s the file has %d bytes", n)
				}
			case 50: // 1.02 s: the first second is out, with its header
				if n := size(); n != 44+4*8000 {
					t.Errorf("after 1.02 s the file has %d bytes", n)
				}
				if a, err := ReadWAVFile(path); err != nil || a.Frames() != 8000 {
					t.Errorf("after 1.02 s the file reads as %v, %v", a, err)
				}
			}
		}
		if err := rec.Close(); err != nil {
			t.Fatal(err)
		}
		if err := payloadWithoutCodec(t); err == nil {
			t.Error("payloads accepted without a codec")
		}
	})
	a, err := ReadWAVFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.Channels != 2 || a.Frames() != 3*8000 {
		t.Fatalf("recording is %v", a)
	}
	requireTone(t, "caller (left)", a.Channel(0), 440)
	requireTone(t, "far (right)", a.Channel(1), 1000)
}

// payloadWithoutCodec writes a payload to a recorder without a codec.
func payloadWithoutCodec(t *testing.T) error {
	rec, err := NewRecorder(filepath.Join(t.TempDir(), "pcm.wav"), 8000)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	return rec.WriteCallerPayload(make([]byte, 160))
}
