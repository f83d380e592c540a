package sip

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// rawUA speaks SIP over one UDP socket with hand-written messages, so tests can
// send exactly what a carrier, a scanner or a broken peer would.
type rawUA struct {
	t      *testing.T
	conn   net.PacketConn
	server net.Addr
	callID string
	tag    string
	cseq   int
	rtp    net.PacketConn
	byes   int

	cseqInvite int
	from       string
	reinvites  int
}

func newRawUA(t *testing.T, server net.Addr) *rawUA {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	must(t, err)
	rtp, err := net.ListenPacket("udp", "127.0.0.1:0")
	must(t, err)
	t.Cleanup(func() { c.Close(); rtp.Close() })
	return &rawUA{t: t, conn: c, rtp: rtp, server: server, callID: newCallID() + "@test", tag: newCallID()[:8]}
}

func (u *rawUA) local() string {
	if u.from != "" {
		return u.from
	}
	return u.conn.LocalAddr().String()
}

// requestFrom is request with an explicit local address (connection transports).
func (u *rawUA) requestFrom(method, local string) string {
	u.from = local
	return u.request(method, "", "")
}

func (u *rawUA) send(msg string) {
	u.t.Helper()
	if _, err := u.conn.WriteTo([]byte(msg), u.server); err != nil {
		u.t.Fatal(err)
	}
}

// request builds a request in this UA's dialog; toTag may be empty.
func (u *rawUA) request(method, toTag, body string, extra ...string) string {
	if method != "ACK" && method != "CANCEL" {
		u.cseq++
	}
	to := "<sip:12345@127.0.0.1>"
	if toTag != "" {
		to += ";tag=" + toTag
	}
	ct := ""
	if body != "" {
		ct = "Content-Type: application/sdp\n"
		if method == "INFO" {
			ct = ""
		}
	}
	hdrs := ""
	for _, h := range extra {
		hdrs += h + "\n"
	}
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\n", "\r\n")
	head := fmt.Sprintf("%s sip:12345@%s SIP/2.0\n"+
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK%s;rport\n"+
		"Max-Forwards: 70\n"+
		"From: <sip:13800138000@127.0.0.1>;tag=%s\n"+
		"To: %s\n"+
		"Call-ID: %s\n"+
		"CSeq: %d %s\n"+
		"Contact: <sip:13800138000@%s>\n"+
		"%s%s"+
		"Content-Length: %d\n\n",
		method, u.server.String(), u.local(), newCallID()[:12], u.tag, to, u.callID, u.cseq, method,
		u.local(), ct, hdrs, len(body))
	return strings.ReplaceAll(head, "\n", "\r\n") + body
}

// read returns the next SIP response, failing after timeout.
func (u *rawUA) read(timeout time.Duration) *sip.Response {
	u.t.Helper()
	res, err := u.readQuiet(timeout)
	if err != nil {
		u.t.Fatal(err)
	}
	return res
}

// readQuiet is read returning the error instead of failing.
func (u *rawUA) readQuiet(timeout time.Duration) (*sip.Response, error) {
	buf := make([]byte, 65535)
	if err := u.conn.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return nil, err
	}
	for {
		n, _, err := u.conn.ReadFrom(buf)
		if err != nil {
			return nil, fmt.Errorf("no response: %w", err)
		}
		msg, err := sip.ParseMessage(buf[:n])
		if err != nil {
			return nil, fmt.Errorf("bad response: %w", err)
		}
		if res, ok := msg.(*sip.Response); ok {
			return res, nil
		}
		// A request from the server (BYE, re-INVITE): answer 200 and go on.
		req := msg.(*sip.Request)
		ok200 := sip.NewResponseFromRequest(req, 200, "OK", nil)
		ok200.AppendHeader(sip.NewHeader("Contact", "<sip:13800138000@"+u.local()+">"))
		if _, err := u.conn.WriteTo([]byte(ok200.String()), u.server); err != nil {
			return nil, err
		}
		switch req.Method {
		case sip.BYE:
			u.byes++
		case sip.INVITE:
			u.reinvites++
		}
	}
}

// final reads responses until the final one to the last request sent
// (skipping retransmissions of earlier answers).
func (u *rawUA) final(timeout time.Duration) *sip.Response {
	u.t.Helper()
	for {
		res := u.read(timeout)
		if res.StatusCode >= 200 && res.CSeq() != nil && int(res.CSeq().SeqNo) == u.cseq &&
			res.CallID() != nil && res.CallID().Value() == u.callID {
			return res
		}
	}
}

// expectSilence asserts that nothing arrives for d.
func (u *rawUA) expectSilence(d time.Duration) {
	u.t.Helper()
	buf := make([]byte, 65535)
	must(u.t, u.conn.SetReadDeadline(time.Now().Add(d)))
	for {
		n, _, err := u.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		if strings.Contains(string(buf[:n]), u.callID) { // not a retransmission for an earlier call
			u.t.Fatalf("expected no answer, got %q", firstLine(buf[:n]))
		}
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\r\n")
	return s
}

// offer is an SDP offer from this UA's RTP socket.
func (u *rawUA) offer(dir string, fmts ...string) string {
	port := u.rtp.LocalAddr().(*net.UDPAddr).Port
	if len(fmts) == 0 {
		fmts = []string{"0", "8", "96"}
	}
	s := fmt.Sprintf("v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio %d RTP/AVP %s\n",
		port, strings.Join(fmts, " "))
	for _, f := range fmts {
		switch f {
		case "0":
			s += "a=rtpmap:0 PCMU/8000\n"
		case "8":
			s += "a=rtpmap:8 PCMA/8000\n"
		case "18":
			s += "a=rtpmap:18 G729/8000\n"
		case "96":
			s += "a=rtpmap:96 telephone-event/8000\na=fmtp:96 0-16\n"
		}
	}
	return s + "a=" + dir + "\n"
}
