package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/cityhotline/hotline/internal/deskclient"
	"github.com/cityhotline/hotline/media"
)

// RTP over plain UDP: each call binds one even port of -rtp-ports on its
// source address, sends 20 ms PCMU or PCMA frames (and RFC 4733 events) to
// the address in the server's SDP answer, and measures what comes back.

const (
	rtpHeaderLen  = 12
	frameSamples  = 160 // 20 ms at 8 kHz
	frameInterval = 20 * time.Millisecond
	clockRate     = 8000
	lateThreshold = 20 * time.Millisecond
	ptPCMU        = 0
	ptPCMA        = 8
)

// portPool hands out even RTP ports from a range; a port goes back when its
// call ends.
type portPool struct{ free chan int }

func newPortPool(lo, hi int) *portPool {
	if lo%2 == 1 {
		lo++
	}
	p := &portPool{free: make(chan int, (hi-lo)/2+1)}
	for port := lo; port+1 <= hi; port += 2 {
		p.free <- port
	}
	return p
}

func (p *portPool) get() (int, bool) {
	select {
	case port := <-p.free:
		return port, true
	default:
		return 0, false
	}
}

func (p *portPool) put(port int) { p.free <- port }

// listenRTP binds an RTP socket on ip, trying pool ports until one is free
// on this machine (another process may hold some).
func listenRTP(pool *portPool, ip netip.Addr) (*net.UDPConn, int, error) {
	var tried []int
	defer func() {
		for _, port := range tried {
			pool.put(port)
		}
	}()
	for range 8 {
		port, ok := pool.get()
		if !ok {
			return nil, 0, errors.New("rtp: no free local port in -rtp-ports")
		}
		conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
		if err == nil {
			return conn, port, nil
		}
		tried = append(tried, port)
	}
	return nil, 0, fmt.Errorf("rtp: 8 ports of -rtp-ports on %s are taken by other processes", ip)
}

// frames are one second of the caller's audio (440 Hz fits 440 whole
// periods in it, so it loops without a click), encoded once per codec. With
// stamp (calls -stamp) each audio packet's payload starts with its send time
// (deskclient.PutStamp), written into the packet, not into these frames.
type frames struct {
	pcmu, pcma [][]byte
	stamp      bool
}

func newFrames(silent bool) *frames {
	pcm := media.Tone(440, time.Second, clockRate, 0.25)
	if silent {
		pcm = media.Silence(time.Second, clockRate)
	}
	f := &frames{}
	for off := 0; off+frameSamples <= len(pcm); off += frameSamples {
		u, a := make([]byte, frameSamples), make([]byte, frameSamples)
		media.EncodeUlaw(u, pcm[off:off+frameSamples])
		media.EncodeAlaw(a, pcm[off:off+frameSamples])
		f.pcmu, f.pcma = append(f.pcmu, u), append(f.pcma, a)
	}
	return f
}

func (f *frames) get(pt uint8, i int) []byte {
	if pt == ptPCMA {
		return f.pcma[i%len(f.pcma)]
	}
	return f.pcmu[i%len(f.pcmu)]
}

// rtpSender is the caller's half of the media: one packet per 20 ms.
type rtpSender struct {
	conn   *net.UDPConn
	remote netip.AddrPort
	pt     uint8 // negotiated audio payload type
	evPT   uint8 // telephone-event payload type, 0 when the answer has none
	frames *frames
	ssrc   uint32
	seq    uint16
	ts     uint32
	buf    [rtpHeaderLen + 172]byte
}

func newRTPSender(conn *net.UDPConn, remote netip.AddrPort, pt, evPT uint8, f *frames) *rtpSender {
	return &rtpSender{conn: conn, remote: remote, pt: pt, evPT: evPT, frames: f,
		ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts: rand.Uint32()}
}

// run sends audio until ctx ends, and digits (RFC 4733) from digitsAt on.
func (s *rtpSender) run(ctx context.Context, digits string, digitsAt time.Time) {
	tick := time.NewTicker(frameInterval)
	defer tick.Stop()
	marker := true
	for i := 0; ; i++ {
		if digits != "" && !time.Now().Before(digitsAt) && s.evPT != 0 {
			if !s.sendDigit(ctx, tick, rune(digits[0])) {
				return
			}
			digits = digits[1:]
			digitsAt = time.Now().Add(digitGap)
		} else {
			b := s.packet(s.pt, marker, s.ts, s.frames.get(s.pt, i))
			if s.frames.stamp {
				deskclient.PutStamp(b[rtpHeaderLen:], time.Now())
			}
			s.write(b)
			s.ts += frameSamples
			marker = false
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// send writes one RTP packet.
func (s *rtpSender) send(pt uint8, marker bool, ts uint32, payload []byte) {
	s.write(s.packet(pt, marker, ts, payload))
}

// write sends b; a send error (the server went away) is left for the
// receiver's statistics to show.
func (s *rtpSender) write(b []byte) { _, _ = s.conn.WriteToUDPAddrPort(b, s.remote) }

// packet builds the next RTP packet in s.buf.
func (s *rtpSender) packet(pt uint8, marker bool, ts uint32, payload []byte) []byte {
	b := s.buf[:rtpHeaderLen+len(payload)]
	b[0] = 0x80 // version 2, no padding, no extension, no CSRC
	b[1] = pt
	if marker {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], s.seq)
	binary.BigEndian.PutUint32(b[4:], ts)
	binary.BigEndian.PutUint32(b[8:], s.ssrc)
	copy(b[rtpHeaderLen:], payload)
	s.seq++
	return b
}

// A digit lasts digitPackets 20 ms event packets (100 ms), and digitGap of
// audio separates it from the next one.
const (
	digitPackets = 5
	digitGap     = 100 * time.Millisecond
)

// sendDigit sends one RFC 4733 event: packets every 20 ms with a growing
// duration and one timestamp, the first marked, the last sent three times
// with the end bit. It reports false when ctx ended meanwhile.
func (s *rtpSender) sendDigit(ctx context.Context, tick *time.Ticker, d rune) bool {
	ev, _ := dtmfEvent(d)
	start := s.ts
	for k := range digitPackets {
		dur := uint16((k + 1) * frameSamples)
		end := k == digitPackets-1
		copies := 1
		if end {
			copies = 3
		}
		for range copies {
			s.send(s.evPT, k == 0, start, eventPayload(ev, end, dur))
		}
		if !end && !waitTick(ctx, tick) {
			return false
		}
	}
	s.ts += digitPackets * frameSamples
	return true
}

func waitTick(ctx context.Context, tick *time.Ticker) bool {
	select {
	case <-ctx.Done():
		return false
	case <-tick.C:
		return true
	}
}

// eventPayload is an RFC 4733 §2.3 event: event, E bit and volume 10, duration.
func eventPayload(ev uint8, end bool, dur uint16) []byte {
	p := []byte{ev, 10, 0, 0}
	if end {
		p[1] |= 0x80
	}
	binary.BigEndian.PutUint16(p[2:], dur)
	return p
}

// dtmfEvent maps a keypad digit to its RFC 4733 event code.
func dtmfEvent(d rune) (uint8, bool) {
	switch {
	case d >= '0' && d <= '9':
		return uint8(d - '0'), true
	case d == '*':
		return 10, true
	case d == '#':
		return 11, true
	case d >= 'A' && d <= 'D':
		return uint8(12 + d - 'A'), true
	}
	return 0, false
}

// rtpReceiver reads the server's RTP for one call until its socket closes.
type rtpReceiver struct {
	conn *net.UDPConn
	mu   sync.Mutex
	rx   rxStats
}

func (r *rtpReceiver) run() {
	enableStamps(r.conn)
	buf, oob := make([]byte, 1500), make([]byte, stampOOB)
	for {
		n, at, err := readStamped(r.conn, buf, oob)
		if err != nil {
			return // closed at the end of the call
		}
		r.mu.Lock()
		r.rx.packet(buf[:n], at)
		r.mu.Unlock()
	}
}

func (r *rtpReceiver) stats() rxStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rx
}
