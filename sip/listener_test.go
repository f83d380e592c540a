package sip

import (
	"context"
	"strings"
	"testing"
	"time"
)

// answeringHandler answers every call and reports its digits.
func answeringHandler(t *testing.T, digits chan<- rune) *callRecorder {
	return newCallRecorder(func(ctx context.Context, c *Call) {
		if err := c.Ringing(); err != nil {
			t.Error(err)
		}
		if err := c.Answer(ctx); err != nil {
			t.Error(err)
			return
		}
		for {
			select {
			case d := <-c.Media().Digits():
				if digits != nil {
					digits <- d
				}
			case <-ctx.Done():
				return
			}
		}
	})
}

// establish runs INVITE → 100/180 → 200 → ACK and returns the 200's To tag and body.
func (u *rawUA) establish(t *testing.T, extra ...string) (string, string) {
	t.Helper()
	u.send(u.request("INVITE", "", u.offer("sendrecv"), extra...))
	seen := map[int]bool{}
	for {
		res := u.read(5 * time.Second)
		seen[res.StatusCode] = true
		if res.StatusCode < 200 {
			continue
		}
		if res.StatusCode != 200 {
			t.Fatalf("INVITE answered %d %s", res.StatusCode, res.Reason)
		}
		if !seen[100] || !seen[180] {
			t.Errorf("provisional responses seen %v, want 100 and 180", seen)
		}
		tag, _ := res.To().Params.Get("tag")
		u.cseqInvite = u.cseq
		u.send(u.ackFor(tag))
		return tag, string(res.Body())
	}
}

func (u *rawUA) ackFor(tag string) string {
	saved := u.cseq
	u.cseq = u.cseqInvite
	msg := u.request("ACK", tag, "")
	u.cseq = saved
	return msg
}

// TestListenerMalformedThenCall: garbage and a From-less INVITE do not hurt;
// the next call gets the full INVITE dance, SDP with the offered
// telephone-event type, INFO DTMF, hold/unhold directions and BYE.
func TestListenerMalformedThenCall(t *testing.T) {
	m := newFakeMetrics()
	digits := make(chan rune, 4)
	rec := answeringHandler(t, digits)
	s := startServer(t, testConfig(t), rec, Options{Metrics: m})
	junk := newRawUA(t, s.Addr("udp"))
	junk.send("\x00\xff\xfegarbage\r\n\r\n")
	junk.send("INVITE sip:x SIP/2.0\r\n\r\n")
	u := newRawUA(t, s.Addr("udp"))
	noFrom := strings.Replace(u.request("INVITE", "", u.offer("sendrecv")), "From: <sip:13800138000@127.0.0.1>;tag="+u.tag+"\r\n", "", 1)
	u.send(noFrom)
	if res := u.final(3 * time.Second); res.StatusCode != 400 {
		t.Fatalf("INVITE without From answered %d, want 400", res.StatusCode)
	}
	if m.refusedCount(RefusedMalformed) < 1 {
		t.Error("malformed request not counted")
	}

	u = newRawUA(t, s.Addr("udp"))
	tag, answer := u.establish(t)
	c := rec.next(t, 2*time.Second)
	for _, want := range []string{"a=rtpmap:0 PCMU/8000", "a=rtpmap:96 telephone-event/8000", "a=sendrecv"} {
		if !strings.Contains(strings.ToLower(answer), strings.ToLower(want)) {
			t.Errorf("answer SDP lacks %q:\n%s", want, answer)
		}
	}
	info := strings.Replace(u.request("INFO", tag, "Signal=5\r\nDuration=160\r\n"),
		"Content-Length:", "Content-Type: application/dtmf-relay\r\nContent-Length:", 1)
	u.send(info)
	if res := u.final(2 * time.Second); res.StatusCode != 200 {
		t.Errorf("INFO answered %d", res.StatusCode)
	}
	select {
	case d := <-digits:
		if d != '5' {
			t.Errorf("INFO digit %q", d)
		}
	case <-time.After(2 * time.Second):
		t.Error("INFO digit not delivered")
	}
	for _, step := range []struct{ offer, want string }{
		{"sendonly", "a=recvonly"}, {"inactive", "a=inactive"}, {"sendrecv", "a=sendrecv"},
	} {
		u.send(u.request("INVITE", tag, u.offer(step.offer)))
		res := u.final(3 * time.Second)
		u.cseqInvite = u.cseq
		u.send(u.ackFor(tag))
		if res.StatusCode != 200 || !strings.Contains(string(res.Body()), step.want) {
			t.Errorf("re-INVITE %s answered %d with:\n%s\nwant %s", step.offer, res.StatusCode, res.Body(), step.want)
		}
		if held := step.offer != "sendrecv"; c.Held() != held {
			t.Errorf("after %s Held() = %v", step.offer, c.Held())
		}
	}
	u.send(u.request("BYE", tag, ""))
	if res := u.final(2 * time.Second); res.StatusCode != 200 {
		t.Errorf("BYE answered %d", res.StatusCode)
	}
	waitDone(t, c, 3*time.Second)
	if c.EndReason() != EndRemoteHangup {
		t.Errorf("end reason %s", c.EndReason())
	}
}

// TestListenerResponses covers the one-shot answers.
func TestListenerResponses(t *testing.T) {
	m := newFakeMetrics()
	s := startServer(t, testConfig(t), answeringHandler(t, nil), Options{Metrics: m})
	cases := []struct {
		name string
		msg  func(u *rawUA) string
		want int
	}{
		{"options", func(u *rawUA) string { return u.request("OPTIONS", "", "") }, 200},
		{"unknown method", func(u *rawUA) string { return u.request("PUBLISH", "", "") }, 405},
		{"no g711", func(u *rawUA) string { return u.request("INVITE", "", u.offer("sendrecv", "18", "96")) }, 488},
		{"no sdp", func(u *rawUA) string { return u.request("INVITE", "", "") }, 488},
		{"session interval too small", func(u *rawUA) string {
			return u.request("INVITE", "", u.offer("sendrecv"), "Session-Expires: 30")
		}, 422},
		{"cseq method mismatch", func(u *rawUA) string {
			return strings.Replace(u.request("OPTIONS", "", ""), " OPTIONS\r\nContact", " INVITE\r\nContact", 1)
		}, 400},
		{"bye unknown dialog", func(u *rawUA) string { return u.request("BYE", "nosuchtag", "") }, 481},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := newRawUA(t, s.Addr("udp"))
			u.send(tc.msg(u))
			res := u.final(3 * time.Second)
			if res.StatusCode != tc.want {
				t.Fatalf("answered %d %s, want %d", res.StatusCode, res.Reason, tc.want)
			}
			if tc.want == 422 && res.GetHeader("Min-SE") == nil {
				t.Error("422 without Min-SE")
			}
		})
	}
	if m.refusedCount(RefusedCodec) != 2 || m.refusedCount(RefusedSessionTime) != 1 {
		t.Errorf("refused %v", m.refused)
	}
}

// TestListenerSessionTimer: we grant the UAC's Session-Expires, require it to
// refresh, keep the call while UPDATE refreshes come, and end it when they stop.
func TestListenerSessionTimer(t *testing.T) {
	cfg := testConfig(t)
	cfg.MinSE = time.Second
	rec := answeringHandler(t, nil)
	s := startServer(t, cfg, rec, Options{})
	u := newRawUA(t, s.Addr("udp"))
	u.send(u.request("INVITE", "", u.offer("sendrecv"), "Session-Expires: 3;refresher=uac", "Supported: timer"))
	var tag string
	for {
		res := u.read(3 * time.Second)
		if res.StatusCode < 200 {
			continue
		}
		if se := res.GetHeader("Session-Expires"); se == nil || se.Value() != "3;refresher=uac" {
			t.Fatalf("200 Session-Expires = %v", se)
		}
		if rq := res.GetHeader("Require"); rq == nil || rq.Value() != "timer" {
			t.Errorf("200 Require = %v", rq)
		}
		tag, _ = res.To().Params.Get("tag")
		u.cseqInvite = u.cseq
		u.send(u.ackFor(tag))
		break
	}
	c := rec.next(t, 2*time.Second)
	start := time.Now()
	for range 2 { // refresh at 1.5 s intervals: inside the 2 s deadline
		select {
		case <-c.Done():
			t.Fatalf("call ended despite refreshes: %s", c.EndReason())
		case <-time.After(1500 * time.Millisecond):
		}
		u.send(u.request("UPDATE", tag, ""))
		if res := u.final(2 * time.Second); res.StatusCode != 200 || res.GetHeader("Session-Expires") == nil {
			t.Fatalf("UPDATE answered %d", res.StatusCode)
		}
	}
	waitDone(t, c, 4*time.Second)
	if c.EndReason() != EndSessionExpired {
		t.Errorf("end reason %s, want session_expired", c.EndReason())
	}
	if el := time.Since(start); el < 3*time.Second {
		t.Errorf("call ended after %s, before the refreshed interval ran out", el)
	}
}

// TestListenerMediaTimeout: an answered call with no RTP ends as media_timeout
// and the far end gets BYE.
func TestListenerMediaTimeout(t *testing.T) {
	cfg := testConfig(t)
	cfg.MediaTimeout = 600 * time.Millisecond
	rec := answeringHandler(t, nil)
	s := startServer(t, cfg, rec, Options{})
	u := newRawUA(t, s.Addr("udp"))
	u.establish(t)
	c := rec.next(t, 2*time.Second)
	waitDone(t, c, 3*time.Second)
	if c.EndReason() != EndMediaTimeout {
		t.Errorf("end reason %s, want media_timeout", c.EndReason())
	}
	u.expectSilenceOrBye(t)
}

// expectSilenceOrBye drains what the server sends for a moment and checks a
// BYE was among it.
func (u *rawUA) expectSilenceOrBye(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for u.byes == 0 && time.Now().Before(deadline) {
		_, _ = u.readQuiet(200 * time.Millisecond)
	}
	if u.byes == 0 {
		t.Error("no BYE received")
	}
}

// TestListenerRateLimit: a source over its INVITE budget is dropped on UDP.
func TestListenerRateLimit(t *testing.T) {
	m := newFakeMetrics()
	cfg := testConfig(t)
	cfg.Trunks[0].Rate = Rate{PerSecond: 0.01, Burst: 2}
	rec := newCallRecorder(func(ctx context.Context, c *Call) {
		if err := c.Hangup(ctx, EndBusy); err != nil {
			t.Error(err)
		}
	})
	s := startServer(t, cfg, rec, Options{Metrics: m})
	u := newRawUA(t, s.Addr("udp"))
	for i := range 2 {
		u.callID = newCallID()
		u.send(u.request("INVITE", "", u.offer("sendrecv")))
		if res := u.final(3 * time.Second); res.StatusCode != 486 {
			t.Fatalf("INVITE %d answered %d, want 486 from the handler", i, res.StatusCode)
		}
	}
	u.callID = newCallID()
	u.send(u.request("INVITE", "", u.offer("sendrecv")))
	u.expectSilence(500 * time.Millisecond)
	if m.refusedCount(RefusedRateLimited) != 1 {
		t.Errorf("rate_limited = %d", m.refusedCount(RefusedRateLimited))
	}
}

// TestListenerSessionTimerWeRefresh: with refresher=uas we re-INVITE every
// half interval and the call lives on.
func TestListenerSessionTimerWeRefresh(t *testing.T) {
	cfg := testConfig(t)
	cfg.MinSE = time.Second
	rec := answeringHandler(t, nil)
	s := startServer(t, cfg, rec, Options{})
	u := newRawUA(t, s.Addr("udp"))
	_, _ = u.establish(t, "Session-Expires: 2;refresher=uas", "Supported: timer")
	c := rec.next(t, 2*time.Second)
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		_, _ = u.readQuiet(time.Until(deadline)) // answers our re-INVITEs 200, ignores the rest
	}
	if u.reinvites < 2 {
		t.Errorf("%d refresh re-INVITEs in 3 s, want 2 or more", u.reinvites)
	}
	select {
	case <-c.Done():
		t.Fatalf("refreshed call ended: %s", c.EndReason())
	default:
	}
}
