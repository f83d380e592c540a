package sip

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// TestTCPListener: the TCP listener on the same port answers OPTIONS, and a
// source over its INVITE budget gets 503 with Retry-After (not silence, as
// on UDP).
func TestTCPListener(t *testing.T) {
	cfg := testConfig(t)
	cfg.Trunks[0].Rate = Rate{PerSecond: 0.01, Burst: 1}
	s := startServer(t, cfg, answeringHandler(t, nil), Options{})
	if s.Addr("tcp").String() != s.Addr("udp").String() {
		t.Errorf("tcp %s and udp %s differ", s.Addr("tcp"), s.Addr("udp"))
	}
	conn, err := net.Dial("tcp", s.Addr("tcp").String())
	must(t, err)
	defer conn.Close()
	r := bufio.NewReader(conn)
	u := &rawUA{t: t, server: s.Addr("tcp"), callID: newCallID(), tag: "t"}
	send := func(msg string) string {
		msg = strings.Replace(msg, "SIP/2.0/UDP", "SIP/2.0/TCP", 1)
		_, err := conn.Write([]byte(msg))
		must(t, err)
		must(t, conn.SetReadDeadline(time.Now().Add(3*time.Second)))
		for {
			line, err := r.ReadString('\n')
			must(t, err)
			if strings.HasPrefix(line, "SIP/2.0 1") {
				continue
			}
			if strings.HasPrefix(line, "SIP/2.0 ") {
				return strings.TrimSpace(line)
			}
		}
	}
	if got := send(u.requestFrom("OPTIONS", conn.LocalAddr().String())); got != "SIP/2.0 200 OK" {
		t.Errorf("OPTIONS over TCP: %q", got)
	}
	u.callID = newCallID()
	send(u.requestFrom("REGISTER", conn.LocalAddr().String())) // takes the one token
	u.callID = newCallID()
	if got := send(u.requestFrom("REGISTER", conn.LocalAddr().String())); !strings.HasPrefix(got, "SIP/2.0 503") {
		t.Errorf("REGISTER over budget on TCP: %q, want 503", got)
	}
}
