package sip

import (
	"context"
	"encoding/binary"
	"net"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/cityhotline/hotline/media"
)

// TestSymmetricRTP: the caller's SDP names one port but its RTP comes from
// another (a NAT); our audio must follow the packets, not the SDP.
func TestSymmetricRTP(t *testing.T) {
	rec := newCallRecorder(func(ctx context.Context, c *Call) {
		_ = c.Ringing()
		if err := c.Answer(ctx); err != nil {
			t.Error(err)
			return
		}
		_ = c.Media().PlayPCM(ctx, media.Tone(1000, 5*time.Second, 8000, 0.5))
	})
	s := startServer(t, testConfig(t), rec, Options{})
	u := newRawUA(t, s.Addr("udp"))
	_, answer := u.establish(t)
	rec.next(t, 2*time.Second)
	m := regexp.MustCompile(`m=audio (\d+) `).FindStringSubmatch(answer)
	if m == nil {
		t.Fatalf("no audio port in answer:\n%s", answer)
	}
	port, _ := strconv.Atoi(m[1])
	ours := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}

	natted, err := net.ListenPacket("udp", "127.0.0.1:0")
	must(t, err)
	defer natted.Close()
	for i := range 5 {
		_, err := natted.WriteTo(rtpPacket(uint16(i), uint32(160*i)), ours)
		must(t, err)
		time.Sleep(20 * time.Millisecond) // packet pacing is the stimulus
	}
	must(t, natted.SetReadDeadline(time.Now().Add(2*time.Second)))
	buf := make([]byte, 1500)
	n, from, err := natted.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no RTP to the latched source: %v", err)
	}
	if n < 12 || buf[1]&0x7f != 0 || from.(*net.UDPAddr).Port != port {
		t.Errorf("got %d bytes PT %d from %s", n, buf[1]&0x7f, from)
	}
}

// rtpPacket is one 20 ms PCMU frame of silence.
func rtpPacket(seq uint16, ts uint32) []byte {
	p := make([]byte, 12+160)
	p[0] = 0x80
	p[1] = 0 // PCMU
	binary.BigEndian.PutUint16(p[2:], seq)
	binary.BigEndian.PutUint32(p[4:], ts)
	binary.BigEndian.PutUint32(p[8:], 0x1234)
	for i := 12; i < len(p); i++ {
		p[i] = 0xff
	}
	return p
}
