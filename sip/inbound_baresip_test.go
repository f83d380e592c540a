package sip

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cityhotline/hotline/media"
)

func toneWAV(t *testing.T, freq float64, dur time.Duration) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), fmt.Sprintf("tone%.0f.wav", freq))
	must(t, media.WriteWAVFile(p, 8000, 1, media.Tone(freq, dur, 8000, 0.5)))
	return p
}

// TestBaresipInboundToneDigitsBye: baresip calls, we answer and play 1 kHz; it
// hears 1 kHz, we hear its 300 Hz microphone, its RFC 4733 digits arrive in
// order, a digit barges in on a prompt, and its BYE ends our call.
func TestBaresipInboundToneDigitsBye(t *testing.T) {
	tone := toneWAV(t, 1000, 2*time.Second)
	long := toneWAV(t, 1000, 20*time.Second)
	played := make(chan struct{})
	digits := make(chan string, 1)
	barge := make(chan rune, 1)
	var sink pcmSink
	rec := newCallRecorder(func(ctx context.Context, c *Call) {
		if err := c.Ringing(); err != nil {
			t.Error(err)
		}
		if err := c.Answer(ctx); err != nil {
			t.Error(err)
			return
		}
		leg := c.Media()
		go sink.drain(ctx, leg)
		if err := leg.PlayNoBargeIn(ctx, mustOpen(t, tone)); err != nil {
			t.Error(err)
		}
		close(played)
		got := ""
		for len(got) < 3 {
			select {
			case d := <-leg.Digits():
				got += string(d)
			case <-ctx.Done():
				digits <- got
				return
			}
		}
		digits <- got
		d, err := leg.PlayFile(ctx, long)
		if err != nil {
			t.Error(err)
		}
		barge <- d
		<-ctx.Done()
	})
	s := startServer(t, testConfig(t), rec, Options{})
	ph := startPhone(t, phoneOptions{})
	ph.Command("dial", "sip:12345@"+s.Addr("udp").String())
	c := rec.next(t, 5*time.Second)
	if c.To() != "12345" || c.From() != "caller" || c.Trunk() != "loopback" {
		t.Errorf("call to=%q from=%q trunk=%q", c.To(), c.From(), c.Trunk())
	}
	ph.WaitEvent("CALL_ESTABLISHED", 5*time.Second)
	waitChan(t, played, 5*time.Second, "prompt played")
	for _, d := range []string{"1", "2", "#"} {
		ph.Command("sndcode", d)
		time.Sleep(300 * time.Millisecond) // a human's key rhythm: the gap is the stimulus, not a wait for state
	}
	if got := recvString(t, digits, 5*time.Second); got != "12#" {
		t.Errorf("digits = %q, want 12#", got)
	}
	time.Sleep(500 * time.Millisecond) // let the long prompt start before the barge-in key
	start := time.Now()
	ph.Command("sndcode", "5")
	select {
	case d := <-barge:
		if d != '5' {
			t.Errorf("barge-in digit = %q, want 5", d)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("barge-in took %s", el)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("prompt not interrupted by a digit")
	}
	ph.Command("hangup", "")
	ph.WaitEvent("CALL_CLOSED", 5*time.Second)
	waitDone(t, c, 5*time.Second)
	if c.EndReason() != EndRemoteHangup || c.SIPCause() != 200 {
		t.Errorf("end = %s/%d, want remote_hangup/200", c.EndReason(), c.SIPCause())
	}
	if share := toneShare(ph.Heard(), 1000); share < 0.5 {
		t.Errorf("phone heard 1 kHz share %.2f, want > 0.5", share)
	}
	if share := toneShare(sink.samples(), 300); share < 0.5 {
		t.Errorf("we heard 300 Hz share %.2f, want > 0.5", share)
	}
}
