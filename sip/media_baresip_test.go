package sip

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cityhotline/hotline/media"
)

// TestBaresipRecording: a recorded call's stereo WAV has the caller's 300 Hz
// microphone on the left and our 1 kHz prompt on the right.
func TestBaresipRecording(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec", "call.wav")
	rec := newCallRecorder(func(ctx context.Context, c *Call) {
		if err := c.Answer(ctx); err != nil {
			t.Error(err)
			return
		}
		if err := c.Media().Record(path); err != nil {
			t.Error(err)
			return
		}
		if err := c.Media().PlayNoBargeIn(ctx, mustOpen(t, toneWAV(t, 1000, 2*time.Second))); err != nil {
			t.Error(err)
		}
		_ = c.Hangup(ctx, EndLocalHangup)
	})
	m := newFakeMetrics()
	s := startServer(t, testConfig(t), rec, Options{Metrics: m})
	ph := startPhone(t, phoneOptions{})
	ph.Command("dial", "sip:12345@"+s.Addr("udp").String())
	c := rec.next(t, 5*time.Second)
	ph.WaitEvent("CALL_CLOSED", 10*time.Second)
	waitDone(t, c, 5*time.Second)
	m.mu.Lock()
	rx := m.rtp
	m.mu.Unlock()
	t.Logf("the phone's RTP: %+v", rx)
	// The phone talked for the 2 s prompt: about 100 packets, none lost on
	// loopback.
	if rx.Received < 50 || rx.Lost > 2 {
		t.Errorf("the phone's RTP counted as %+v, want about 100 received, none lost", rx)
	}
	a, err := media.ReadWAVFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.Channels != 2 || a.Rate != 8000 {
		t.Fatalf("recording %s, want 8 kHz stereo", a)
	}
	if share := toneShare(a.Channel(0), 300); share < 0.5 {
		t.Errorf("left (caller) 300 Hz share %.2f", share)
	}
	if share := toneShare(a.Channel(1), 1000); share < 0.5 {
		t.Errorf("right (prompt) 1 kHz share %.2f", share)
	}
}

// TestBaresipInbandDTMF: the phone's microphone carries DTMF tones (no RFC
// 4733 events); the in-band detector turns them into digits in order.
func TestBaresipInbandDTMF(t *testing.T) {
	var mic []int16
	mic = append(mic, media.Silence(time.Second, 8000)...)
	for _, d := range "159#" {
		tone, err := media.DTMFTone(d, 120*time.Millisecond, 8000)
		must(t, err)
		mic = append(mic, tone...)
		mic = append(mic, media.Silence(150*time.Millisecond, 8000)...)
	}
	mic = append(mic, media.Silence(30*time.Second, 8000)...)
	got := make(chan string, 1)
	rec := newCallRecorder(func(ctx context.Context, c *Call) {
		if err := c.Answer(ctx); err != nil {
			t.Error(err)
			return
		}
		s := ""
		for len(s) < 4 {
			select {
			case d := <-c.Media().Digits():
				s += string(d)
			case <-ctx.Done():
				got <- s
				return
			case <-time.After(5 * time.Second):
				got <- s
				return
			}
		}
		got <- s
	})
	s := startServer(t, testConfig(t), rec, Options{
		Inband: func() media.DigitDetector { return media.NewInbandDetector(8000) },
	})
	ph := startPhone(t, phoneOptions{Mic: mic})
	ph.Command("dial", "sip:12345@"+s.Addr("udp").String())
	rec.next(t, 5*time.Second)
	if d := recvString(t, got, 10*time.Second); d != "159#" {
		t.Errorf("in-band digits %q, want 159#", d)
	}
}
