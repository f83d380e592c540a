package sip

import (
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

const goodInvite = "INVITE sip:12345@127.0.0.1 SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n" +
	"Max-Forwards: 70\r\n" +
	"From: <sip:13800138000@127.0.0.1>;tag=a\r\n" +
	"To: <sip:12345@127.0.0.1>\r\n" +
	"Call-ID: c1\r\n" +
	"CSeq: 1 INVITE\r\n" +
	"Content-Type: application/sdp\r\n" +
	"Content-Length: 0\r\n\r\n"

func TestValidateRequest(t *testing.T) {
	cases := map[string]struct {
		drop, replace, with string
		wantErr             string
	}{
		"good":          {},
		"no via":        {drop: "Via:", wantErr: "Via"},
		"no from":       {drop: "From:", wantErr: "From"},
		"no to":         {drop: "To:", wantErr: "To"},
		"no call-id":    {drop: "Call-ID:", wantErr: "Call-ID"},
		"no cseq":       {drop: "CSeq:", wantErr: "CSeq"},
		"no max-fwd":    {drop: "Max-Forwards:", wantErr: "Max-Forwards"},
		"cseq mismatch": {replace: "CSeq: 1 INVITE", with: "CSeq: 1 BYE", wantErr: "does not match"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			raw := goodInvite
			if tc.drop != "" {
				var kept []string
				for _, l := range strings.Split(raw, "\r\n") {
					if !strings.HasPrefix(l, tc.drop) {
						kept = append(kept, l)
					}
				}
				raw = strings.Join(kept, "\r\n")
			}
			if tc.replace != "" {
				raw = strings.Replace(raw, tc.replace, tc.with, 1)
			}
			msg, err := sip.ParseMessage([]byte(raw))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			err = ValidateRequest(msg.(*sip.Request))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one naming %s", err, tc.wantErr)
			}
		})
	}
}

// FuzzParseAndValidate feeds raw datagrams through sipgo's parser and our
// validator and offer parser: nothing may panic, and whatever passes
// validation has every header diago dereferences.
func FuzzParseAndValidate(f *testing.F) {
	f.Add([]byte(goodInvite))
	f.Add([]byte("INVITE sip:x SIP/2.0\r\n\r\n"))
	f.Add([]byte("OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK\r\nCSeq: 1 OPTIONS\r\n\r\n"))
	f.Add([]byte("\x00\xff\xfe"))
	parser := sip.NewParser()
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := parser.ParseSIP(data)
		if err != nil {
			return
		}
		req, ok := msg.(*sip.Request)
		if !ok {
			return
		}
		if ValidateRequest(req) != nil {
			return
		}
		_ = req.From().Address.User
		_ = req.To().Address.User
		_ = req.CallID().Value()
		_ = req.Via().Host
		_ = ParseOffer(req.Body())
		_, _ = sip.DialogIDFromRequestUAS(req)
	})
}

func FuzzParseOffer(f *testing.F) {
	f.Add([]byte("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=sendonly\r\n"))
	f.Add([]byte("m=audio 1 RTP/AVP 18\na=rtpmap:18 G729/8000"))
	f.Fuzz(func(t *testing.T, body []byte) {
		o := ParseOffer(body)
		if o.TelephoneEvent < -1 || o.TelephoneEvent > 127 {
			t.Fatalf("telephone-event %d", o.TelephoneEvent)
		}
	})
}

func TestParseOffer(t *testing.T) {
	cases := []struct {
		name, sdp string
		want      Offer
	}{
		{"static pcmu with te 101", "v=0\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n",
			Offer{G711: true, TelephoneEvent: 101, Direction: "sendrecv"}},
		{"dynamic pcma only", "m=audio 4000 RTP/AVP 97\na=rtpmap:97 PCMA/8000\na=sendonly",
			Offer{G711: true, TelephoneEvent: -1, Direction: "sendonly"}},
		{"g729 only", "m=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n",
			Offer{TelephoneEvent: -1, Direction: "sendrecv"}},
		{"rfc2543 hold", "c=IN IP4 0.0.0.0\r\nm=audio 4000 RTP/AVP 0\r\n",
			Offer{G711: true, TelephoneEvent: -1, Direction: "sendrecv", HoldAddress: true}},
		{"video pcmu ignored", "m=video 5000 RTP/AVP 0\r\nm=audio 4000 RTP/AVP 18\r\n",
			Offer{TelephoneEvent: -1, Direction: "sendrecv"}},
	}
	for _, tc := range cases {
		if got := ParseOffer([]byte(tc.sdp)); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
	if !(Offer{Direction: "inactive"}).OnHold() || (Offer{Direction: "recvonly"}).OnHold() {
		t.Error("OnHold")
	}
}

func TestParseSessionExpires(t *testing.T) {
	d, r, err := ParseSessionExpires("1800;refresher=UAC")
	if err != nil || d != 1800*time.Second || r != "uac" {
		t.Fatalf("got %v %q %v", d, r, err)
	}
	for _, bad := range []string{"", "x", "-5", "90;refresher=me"} {
		if _, _, err := ParseSessionExpires(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseDTMFRelay(t *testing.T) {
	cases := map[string]rune{
		"Signal=5\r\nDuration=160\r\n": '5',
		"signal= #\r\n":                '#',
		"Signal=11":                    '#',
		"Signal=10":                    '*',
		"Signal=x":                     0,
		"Duration=160":                 0,
	}
	for body, want := range cases {
		if got := ParseDTMFRelay([]byte(body)); got != want {
			t.Errorf("%q → %q, want %q", body, got, want)
		}
	}
}

func TestEndReasonRoundTrip(t *testing.T) {
	for _, r := range []EndReason{EndRemoteHangup, EndLocalHangup, EndCancelled, EndRejected, EndBusy,
		EndNoAnswer, EndMediaTimeout, EndSessionExpired, EndFailed, EndShutdown} {
		got, err := ParseEndReason(r.String())
		if err != nil || got != r {
			t.Errorf("%s → %s, %v", r, got, err)
		}
	}
	if _, err := ParseEndReason("bogus"); err == nil {
		t.Error("bogus reason parsed")
	}
}

func TestSourceLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := newSourceLimiter(Rate{PerSecond: 2, Burst: 3}, func() time.Time { return now })
	a := mustAddr(t, "10.0.0.1")
	b := mustAddr(t, "10.0.0.2")
	for i := range 3 {
		if !l.Allow(a) {
			t.Fatalf("burst request %d refused", i)
		}
	}
	if l.Allow(a) {
		t.Fatal("request over burst allowed")
	}
	if !l.Allow(b) {
		t.Fatal("other source starved by a's flood")
	}
	now = now.Add(500 * time.Millisecond) // one token back
	if !l.Allow(a) || l.Allow(a) {
		t.Fatal("refill wrong")
	}
}

func TestConfigTrunks(t *testing.T) {
	cfg := Config{Trunks: []Trunk{{Name: "ct", CIDRs: []string{"10.0.0.0/8", "192.0.2.7"}}}}
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	if tr := cfg.trunkFor(mustAddr(t, "10.9.8.7")); tr == nil || tr.Name != "ct" || tr.CallerIDFrom != CallerIDFromPAI {
		t.Errorf("10.9.8.7 → %+v", tr)
	}
	if cfg.trunkFor(mustAddr(t, "192.0.2.7")) == nil || cfg.trunkFor(mustAddr(t, "192.0.2.8")) != nil {
		t.Error("bare address trunk")
	}
	bad := Config{Trunks: []Trunk{{Name: "x", CIDRs: []string{"nonsense"}}}, RTPPorts: [2]int{10, 11}}
	bad.setDefaults()
	if err := bad.validate(); err == nil {
		t.Error("bad config accepted")
	}
	high := Config{ClockPriority: 100}
	high.setDefaults()
	if err := high.validate(); err == nil || !strings.Contains(err.Error(), "clock priority 100") {
		t.Errorf("clock priority 100: %v", err)
	}
}

func TestCallerNumber(t *testing.T) {
	raw := strings.Replace(goodInvite, "Call-ID: c1\r\n", "Call-ID: c1\r\nP-Asserted-Identity: <sip:+8613911112222@carrier>\r\n", 1)
	msg, err := sip.ParseMessage([]byte(raw))
	must(t, err)
	req := msg.(*sip.Request)
	if got := callerNumber(req, CallerIDFromPAI); got != "+8613911112222" {
		t.Errorf("pai → %q", got)
	}
	if got := callerNumber(req, CallerIDFromFrom); got != "13800138000" {
		t.Errorf("from → %q", got)
	}
}
