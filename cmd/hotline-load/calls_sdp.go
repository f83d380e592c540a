package main

import (
	"bufio"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// sdpOffer offers PCMU, PCMA and telephone-event 101 on ip:port.
func sdpOffer(ip netip.Addr, port int, sessID uint64) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=hotline-load %d %d IN IP4 %s\r\ns=hotline-load\r\nc=IN IP4 %s\r\nt=0 0\r\n", sessID, sessID, ip, ip)
	fmt.Fprintf(&b, "m=audio %d RTP/AVP 0 8 101\r\n", port)
	b.WriteString("a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n")
	b.WriteString("a=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n")
	return []byte(b.String())
}

// sdpAnswer is what the caller needs from the server's answer.
type sdpAnswer struct {
	remote netip.AddrPort
	pt     uint8 // first PCMU/PCMA payload type on the m-line
	evPT   uint8 // telephone-event payload type, 0 when absent
}

// parseAnswer reads the connection address, the first audio m-line and its
// telephone-event rtpmap. A media-level c= line overrides the session one.
func parseAnswer(body []byte) (sdpAnswer, error) {
	var (
		a       sdpAnswer
		addr    netip.Addr
		port    int
		pts     []string
		inAudio bool
	)
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "m="):
			if port != 0 {
				inAudio = false // only the first audio stream counts
				continue
			}
			var err error
			port, pts, inAudio, err = parseMLine(line)
			if err != nil {
				return a, err
			}
		case strings.HasPrefix(line, "c=") && (inAudio || port == 0):
			if ip, ok := parseConnection(line); ok {
				addr = ip
			}
		case strings.HasPrefix(line, "a=rtpmap:") && inAudio:
			if pt, ok := telephoneEvent(line); ok {
				a.evPT = pt
			}
		}
	}
	if !addr.IsValid() || port == 0 {
		return a, fmt.Errorf("sdp answer: no audio address in %q", body)
	}
	a.remote = netip.AddrPortFrom(addr, uint16(port))
	for _, p := range pts {
		if p == "0" || p == "8" {
			n, _ := strconv.Atoi(p)
			a.pt = uint8(n)
			return a, nil
		}
	}
	return a, fmt.Errorf("sdp answer: neither PCMU nor PCMA in %v", pts)
}

func parseMLine(line string) (port int, pts []string, audio bool, err error) {
	f := strings.Fields(strings.TrimPrefix(line, "m="))
	if len(f) < 4 || f[0] != "audio" {
		return 0, nil, false, nil
	}
	port, err = strconv.Atoi(f[1])
	if err != nil || port <= 0 || port > 65535 {
		return 0, nil, false, fmt.Errorf("sdp answer: bad port in %q", line)
	}
	return port, f[3:], true, nil
}

func parseConnection(line string) (netip.Addr, bool) {
	f := strings.Fields(strings.TrimPrefix(line, "c="))
	if len(f) != 3 || f[1] != "IP4" {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(f[2])
	return ip, err == nil
}

func telephoneEvent(line string) (uint8, bool) {
	pt, enc, ok := strings.Cut(strings.TrimPrefix(line, "a=rtpmap:"), " ")
	if !ok || !strings.HasPrefix(strings.ToLower(enc), "telephone-event/") {
		return 0, false
	}
	n, err := strconv.Atoi(pt)
	if err != nil || n < 96 || n > 127 {
		return 0, false
	}
	return uint8(n), true
}
