package sip

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline/media"
)

func eventParam(ev map[string]any) string { return fmt.Sprint(ev["param"]) }

// TestBaresipCancelWhileRinging: the handler never answers; the phone gives up
// (CANCEL); our call ends as cancelled/487 and the phone sees it closed.
func TestBaresipCancelWhileRinging(t *testing.T) {
	rec := newCallRecorder(func(ctx context.Context, c *Call) {
		if err := c.Ringing(); err != nil {
			t.Error(err)
		}
		<-ctx.Done()
	})
	s := startServer(t, testConfig(t), rec, Options{})
	ph := startPhone(t, phoneOptions{})
	ph.Command("dial", "sip:12345@"+s.Addr("udp").String())
	c := rec.next(t, 5*time.Second)
	ph.WaitEvent("CALL_RINGING", 5*time.Second)
	ph.Command("hangup", "")
	ph.WaitEvent("CALL_CLOSED", 5*time.Second)
	waitDone(t, c, 5*time.Second)
	if c.EndReason() != EndCancelled || c.SIPCause() != 487 {
		t.Errorf("end = %s/%d, want cancelled/487", c.EndReason(), c.SIPCause())
	}
	if c.Media() != nil {
		t.Error("cancelled call has media")
	}
}

// TestBaresipLocalHangup: we answer and hang up; the phone sees BYE.
func TestBaresipLocalHangup(t *testing.T) {
	m := newFakeMetrics()
	rec := newCallRecorder(func(ctx context.Context, c *Call) {
		if err := c.Answer(ctx); err != nil {
			t.Error(err)
			return
		}
		if err := c.Media().PlayPCM(ctx, media.Tone(1000, 500*time.Millisecond, 8000, 0.5)); err != nil {
			t.Error(err)
		}
		if err := c.Hangup(ctx, EndLocalHangup); err != nil {
			t.Error(err)
		}
	})
	s := startServer(t, testConfig(t), rec, Options{Metrics: m})
	ph := startPhone(t, phoneOptions{})
	ph.Command("dial", "sip:12345@"+s.Addr("udp").String())
	c := rec.next(t, 5*time.Second)
	ph.WaitEvent("CALL_ESTABLISHED", 5*time.Second)
	ph.WaitEvent("CALL_CLOSED", 5*time.Second)
	waitDone(t, c, 5*time.Second)
	if c.EndReason() != EndLocalHangup || c.SIPCause() != 200 {
		t.Errorf("end = %s/%d, want local_hangup/200", c.EndReason(), c.SIPCause())
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.latency) != 1 || m.latency[0] <= 0 || m.latency[0] > 1 {
		t.Errorf("invite latency samples %v", m.latency)
	}
	if m.ticks < 10 { // the 500 ms tone is 25 ticks of the media clock
		t.Errorf("%d media clock ticks reported while a 500 ms tone played", m.ticks)
	}
}

// TestBaresipHoldResume: the phone's hold re-INVITE (sendonly) marks the call
// held and is answered recvonly; resume (sendrecv) clears it; the call stays up.
func TestBaresipHoldResume(t *testing.T) {
	holds := make(chan bool, 4)
	rec := newCallRecorder(func(ctx context.Context, c *Call) {
		if err := c.Answer(ctx); err != nil {
			t.Error(err)
			return
		}
		<-ctx.Done()
	})
	cfg := testConfig(t)
	cfg.MediaTimeout = 2 * time.Second // a held call must not time out
	s, err := New(cfg, rec, Options{Logger: testLogger(t)})
	must(t, err)
	s.onHold = func(_ *Call, held bool) { holds <- held }
	must(t, s.Start(context.Background()))
	t.Cleanup(s.Stop)
	ph := startPhone(t, phoneOptions{})
	ph.Command("dial", "sip:12345@"+s.Addr("udp").String())
	c := rec.next(t, 5*time.Second)
	ph.WaitEvent("CALL_ESTABLISHED", 5*time.Second)
	ph.Command("hold", "")
	if !recvBool(t, holds, 5*time.Second) || !c.Held() {
		t.Fatal("hold not seen")
	}
	time.Sleep(3 * time.Second) // longer than MediaTimeout: a held call must survive it
	select {
	case <-c.Done():
		t.Fatalf("held call ended: %s", c.EndReason())
	default:
	}
	ph.Command("resume", "")
	if recvBool(t, holds, 5*time.Second) || c.Held() {
		t.Fatal("resume not seen")
	}
	ph.Command("hangup", "")
	waitDone(t, c, 5*time.Second)
	if c.EndReason() != EndRemoteHangup {
		t.Errorf("end = %s", c.EndReason())
	}
}

func recvBool(t *testing.T, ch <-chan bool, timeout time.Duration) bool {
	t.Helper()
	select {
	case b := <-ch:
		return b
	case <-time.After(timeout):
		t.Fatal("timed out")
		return false
	}
}

// TestBaresipUnknownSource: a trunk that does not cover 127.0.0.1 → 403, counted.
func TestBaresipUnknownSource(t *testing.T) {
	m := newFakeMetrics()
	cfg := testConfig(t)
	cfg.Trunks = []Trunk{{Name: "carrier", CIDRs: []string{"10.1.2.0/24"}}}
	rec := newCallRecorder(func(ctx context.Context, c *Call) { t.Error("call reached the handler") })
	s := startServer(t, cfg, rec, Options{Metrics: m})
	ph := startPhone(t, phoneOptions{})
	ph.Command("dial", "sip:12345@"+s.Addr("udp").String())
	ev := ph.WaitEvent("CALL_CLOSED", 5*time.Second)
	if !strings.Contains(eventParam(ev), "403") {
		t.Errorf("phone closed with %q, want 403", eventParam(ev))
	}
	if m.refusedCount(RefusedUnknownPeer) != 1 {
		t.Errorf("unknown_peer refused = %d", m.refusedCount(RefusedUnknownPeer))
	}
}

// TestBaresipOverCapacity: MaxCalls 1, one call up → the second phone gets 503.
func TestBaresipOverCapacity(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxCalls = 1
	rec := newCallRecorder(func(ctx context.Context, c *Call) {
		if err := c.Answer(ctx); err != nil {
			t.Error(err)
		}
		<-ctx.Done()
	})
	s := startServer(t, cfg, rec, Options{})
	first := startPhone(t, phoneOptions{User: "first"})
	first.Command("dial", "sip:12345@"+s.Addr("udp").String())
	c := rec.next(t, 5*time.Second)
	first.WaitEvent("CALL_ESTABLISHED", 5*time.Second)
	second := startPhone(t, phoneOptions{User: "second"})
	second.Command("dial", "sip:12345@"+s.Addr("udp").String())
	ev := second.WaitEvent("CALL_CLOSED", 5*time.Second)
	if !strings.Contains(eventParam(ev), "503") {
		t.Errorf("second phone closed with %q, want 503", eventParam(ev))
	}
	first.Command("hangup", "")
	waitDone(t, c, 5*time.Second)
}

// TestBaresipOutbound: we dial an auto-answering phone whose microphone is a
// 440 Hz tone, and hear 440 Hz.
func TestBaresipOutbound(t *testing.T) {
	ph := startPhone(t, phoneOptions{User: "citizen", AutoAnswer: true,
		Mic: media.Tone(440, 60*time.Second, 8000, 0.5)})
	cfg := testConfig(t)
	cfg.Outbound = fmt.Sprintf("sip:127.0.0.1:%d", ph.SIPPort())
	cfg.OutboundCallerID = "12345"
	s := startServer(t, cfg, HandlerFunc(func(context.Context, *Call) {}), Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := s.Dial(ctx, "citizen", DialOptions{Headers: map[string]string{"X-Ticket-ID": "T1"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	var sink pcmSink
	listen, stop := context.WithTimeout(c.Context(), 2*time.Second)
	defer stop()
	sink.drain(listen, c.Media())
	if share := toneShare(sink.samples(), 440); share < 0.5 {
		t.Errorf("heard 440 Hz share %.2f over %d samples, want > 0.5", share, len(sink.samples()))
	}
	if c.Direction() != Outbound || c.From() != "12345" || c.To() != "citizen" {
		t.Errorf("call %s from %q to %q", c.Direction(), c.From(), c.To())
	}
	must(t, c.Hangup(ctx, EndLocalHangup))
	ph.WaitEvent("CALL_CLOSED", 5*time.Second)
	waitDone(t, c, 5*time.Second)
	if s.ActiveCalls() != 0 {
		t.Errorf("active calls %d after hangup", s.ActiveCalls())
	}
}
