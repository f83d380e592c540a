package sip

import (
	"strconv"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/emiago/sipgo/siptest"
)

// Handler-level tests: the guard in front of a recording "next", with
// sipgo's server transaction recorder and no sockets.

func parseReq(t *testing.T, raw, source string) *sip.Request {
	t.Helper()
	msg, err := sip.ParseMessage([]byte(raw))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	req := msg.(*sip.Request)
	req.SetSource(source)
	req.SetTransport("UDP")
	return req
}

func inviteWith(body string, extra ...string) string {
	raw := strings.Replace(goodInvite, "Content-Length: 0\r\n\r\n",
		strings.Join(append(extra, ""), "\r\n")+"Content-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body, 1)
	return raw
}

const pcmuOffer = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"

func TestGuardDecisions(t *testing.T) {
	cfg := Config{Trunks: []Trunk{
		{Name: "open", CIDRs: []string{"10.0.0.0/24"}},
		{Name: "auth", CIDRs: []string{"10.0.1.0/24"}, Username: "u", Password: "p"},
	}, MaxCalls: 1}
	cases := []struct {
		name, raw, src string
		busy           bool // one call already up
		want           int  // 0: passed to next
		why            RefuseReason
	}{
		{"good invite passes", inviteWith(pcmuOffer), "10.0.0.1:5060", false, 0, ""},
		{"unknown source", inviteWith(pcmuOffer), "192.0.2.1:5060", false, 403, RefusedUnknownPeer},
		{"missing from", strings.Replace(inviteWith(pcmuOffer), "From: <sip:13800138000@127.0.0.1>;tag=a\r\n", "", 1), "10.0.0.1:5060", false, 400, RefusedMalformed},
		{"g729 only", inviteWith(strings.Replace(pcmuOffer, "RTP/AVP 0 101", "RTP/AVP 18", 1)), "10.0.0.1:5060", false, 488, RefusedCodec},
		{"over capacity", inviteWith(pcmuOffer), "10.0.0.1:5060", true, 503, RefusedOverload},
		{"auth trunk challenges", inviteWith(pcmuOffer), "10.0.1.9:5060", false, 407, RefusedAuth},
		{"short session timer", inviteWith(pcmuOffer, "Session-Expires: 10"), "10.0.0.1:5060", false, 422, RefusedSessionTime},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newFakeMetrics()
			s, err := New(cfg, answeringHandler(t, nil), Options{Metrics: m})
			must(t, err)
			if tc.busy {
				s.active.Add(1)
			}
			req := parseReq(t, tc.raw, tc.src)
			tx := siptest.NewServerTxRecorder(req)
			passed := false
			s.guard(func(*sip.Request, sip.ServerTransaction) { passed = true })(req, tx)
			res := tx.Result()
			switch {
			case tc.want == 0 && (!passed || len(res) != 0):
				t.Fatalf("not passed on (responses %v)", res)
			case tc.want != 0 && (passed || len(res) != 1 || res[0].StatusCode != tc.want):
				t.Fatalf("passed=%v responses %v, want %d", passed, res, tc.want)
			}
			if tc.why != "" && m.refusedCount(tc.why) != 1 {
				t.Errorf("refusal %s not counted: %v", tc.why, m.refused)
			}
			if tc.want == 503 && res[0].GetHeader("Retry-After") == nil {
				t.Error("503 without Retry-After")
			}
			if tc.want == 407 && res[0].GetHeader("Proxy-Authenticate") == nil {
				t.Error("407 without Proxy-Authenticate")
			}
		})
	}
}

// TestGuardRecoversPanic: a handler panic is answered 500, not a crash.
func TestGuardRecoversPanic(t *testing.T) {
	s, err := New(Config{Trunks: []Trunk{{Name: "open", CIDRs: []string{"10.0.0.0/24"}}}},
		answeringHandler(t, nil), Options{})
	must(t, err)
	req := parseReq(t, strings.Replace(goodInvite, "INVITE", "OPTIONS", 2), "10.0.0.1:5060")
	tx := siptest.NewServerTxRecorder(req)
	s.guard(func(*sip.Request, sip.ServerTransaction) { panic("boom") })(req, tx)
	if res := tx.Result(); len(res) != 1 || res[0].StatusCode != 500 {
		t.Fatalf("responses %v, want 500", res)
	}
}
