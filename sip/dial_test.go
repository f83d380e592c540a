package sip

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// callee starts a second gateway that plays the far end of our Dial tests.
func callee(t *testing.T, trunk Trunk, h Handler) *Server {
	t.Helper()
	cfg := testConfig(t)
	cfg.RTPPorts = [2]int{cfg.RTPPorts[0] + 300, cfg.RTPPorts[1] + 300}
	cfg.Trunks = []Trunk{trunk}
	return startServer(t, cfg, h, Options{})
}

func dialer(t *testing.T, far *Server, user, pass string) *Server {
	t.Helper()
	cfg := testConfig(t)
	cfg.Outbound = fmt.Sprintf("sip:%s", far.Addr("udp").String())
	cfg.OutboundUsername, cfg.OutboundPassword = user, pass
	return startServer(t, cfg, HandlerFunc(func(context.Context, *Call) {}), Options{})
}

// TestDialBusyAndNoAnswer: the error carries the SIP status so callers can
// tell busy from no answer.
func TestDialBusyAndNoAnswer(t *testing.T) {
	far := callee(t, Trunk{Name: "us", CIDRs: []string{"127.0.0.1"}}, HandlerFunc(func(ctx context.Context, c *Call) {
		if c.To() == "busy" {
			_ = c.Hangup(ctx, EndBusy)
			return
		}
		_ = c.Ringing()
		<-ctx.Done() // never answers
	}))
	s := dialer(t, far, "", "")

	_, err := s.Dial(context.Background(), "busy", DialOptions{})
	var de *DialError
	if !errors.As(err, &de) || de.Status != 486 || de.EndReason() != EndBusy {
		t.Fatalf("busy dial: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel()
	_, err = s.Dial(ctx, "nobody", DialOptions{})
	if !errors.As(err, &de) || de.EndReason() != EndNoAnswer {
		t.Fatalf("unanswered dial: %v", err)
	}
	if s.ActiveCalls() != 0 {
		t.Errorf("active calls %d after failed dials", s.ActiveCalls())
	}
}

// TestDialDigestAuth: a trunk with credentials challenges (407); the dialer
// answers with the outbound credentials; wrong ones are refused.
func TestDialDigestAuth(t *testing.T) {
	m := newFakeMetrics()
	answered := make(chan *Call, 1)
	cfg := testConfig(t)
	cfg.RTPPorts = [2]int{cfg.RTPPorts[0] + 300, cfg.RTPPorts[1] + 300}
	cfg.Trunks = []Trunk{{Name: "auth", CIDRs: []string{"127.0.0.1"}, Username: "carrier", Password: "s3cret"}}
	far := startServer(t, cfg, HandlerFunc(func(ctx context.Context, c *Call) {
		if err := c.Answer(ctx); err != nil {
			t.Error(err)
			return
		}
		answered <- c
		<-ctx.Done()
	}), Options{Metrics: m})

	bad := dialer(t, far, "carrier", "wrong")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := bad.Dial(ctx, "12345", DialOptions{}); err == nil {
		t.Fatal("dial with a wrong password succeeded")
	}
	good := dialer(t, far, "carrier", "s3cret")
	c, err := good.Dial(ctx, "12345", DialOptions{CallerID: "88886666"})
	if err != nil {
		t.Fatalf("dial with credentials: %v", err)
	}
	in := <-answered
	if in.From() != "88886666" {
		t.Errorf("callee saw caller %q", in.From())
	}
	must(t, c.Hangup(ctx, EndLocalHangup))
	waitDone(t, in, 3*time.Second)
	if in.EndReason() != EndRemoteHangup {
		t.Errorf("callee end %s", in.EndReason())
	}
	if m.refusedCount(RefusedAuth) < 2 {
		t.Errorf("auth refusals %d, want the challenges counted", m.refusedCount(RefusedAuth))
	}
}
