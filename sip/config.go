// Package sip is the SIP gateway toward the carrier: a sipgo user agent with
// diago media behind it. It accepts calls from declared trunks, answers them
// through a Handler seam, and dials out. It holds no business rules.
package sip

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// CallerIDSource says where a trunk carries the caller's number.
type CallerIDSource string

// Caller-ID sources.
const (
	CallerIDFromPAI  CallerIDSource = "pai"  // P-Asserted-Identity, falling back to From
	CallerIDFromFrom CallerIDSource = "from" // From only
)

// Trunk is one carrier interconnect: the addresses it sends from and how it
// authenticates and presents the caller.
type Trunk struct {
	Name  string
	CIDRs []string // source networks, e.g. "10.0.0.0/24", "127.0.0.1/32"
	// Username and Password, when both set, make INVITEs from this trunk
	// answer a digest challenge (RFC 3261 §22) before they are accepted.
	Username     string
	Password     string
	CallerIDFrom CallerIDSource
	// Rate limits new INVITEs per source address inside this trunk (default
	// 1000/s, burst 2000): a carrier sends every call from a few addresses,
	// so its budget is the trunk's capacity, not a scanner's.
	Rate Rate

	prefixes []netip.Prefix
}

// TLS configures the optional TLS listener.
type TLS struct {
	Addr     string // e.g. 127.0.0.1:5061; empty disables TLS
	CertFile string
	KeyFile  string
}

// Rate is a token bucket: PerSecond tokens added each second, up to Burst.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Config is the gateway's configuration. Zero values take the defaults noted.
type Config struct {
	Addr   string // UDP and TCP listen address (default 127.0.0.1:5060)
	TLS    TLS
	Trunks []Trunk
	// MaxCalls caps concurrent calls (both directions); more get 503 with
	// Retry-After. Zero means 1000.
	MaxCalls int
	// RetryAfter is the Retry-After value sent with 503 (default 5 s).
	RetryAfter time.Duration
	// RTPPorts is the RTP port range [lo, hi); each call takes an even port and
	// the next one for RTCP (default 20000-20999).
	RTPPorts [2]int
	// MediaTimeout ends an answered call when no RTP arrived for this long
	// (default 30 s; negative disables).
	MediaTimeout time.Duration
	// ClockPriority, 1 to 99, runs the media clock that paces every prompt
	// on SCHED_FIFO threads of that priority (media.ClockOptions.Priority);
	// the clock falls back to Go timers, with a warning, where the kernel
	// refuses. Zero: Go timers.
	ClockPriority int
	// RatePerSource limits new INVITE and REGISTER requests per source IP
	// outside every trunk (default 20/s, burst 40), so a scanner flooding
	// from one address costs little and cannot crowd out the trunks, which
	// have budgets of their own (Trunk.Rate). Excess requests over UDP are
	// dropped without an answer (answering a flood feeds it); over TCP/TLS
	// they get 503.
	RatePerSource Rate
	// PublicIP is the address written in SDP and Contact (default: the listen
	// IP).
	PublicIP string
	// Outbound is the SIP URI outbound calls are sent to, e.g.
	// sip:127.0.0.1:5090.
	Outbound string
	// OutboundCallerID is the default caller number of outbound calls.
	OutboundCallerID string
	// OutboundUsername/OutboundPassword answer the carrier's digest challenge.
	OutboundUsername string
	OutboundPassword string
	// SessionExpires is the RFC 4028 interval we ask for and MinSE the
	// smallest we accept (defaults 1800 s and 90 s).
	SessionExpires time.Duration
	MinSE          time.Duration
	// SocketBuffer is the RTP socket buffer size (default 1 MiB).
	SocketBuffer int
}

func (c *Config) setDefaults() {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:5060"
	}
	if c.MaxCalls == 0 {
		c.MaxCalls = 1000
	}
	if c.RetryAfter == 0 {
		c.RetryAfter = 5 * time.Second
	}
	if c.RTPPorts == [2]int{} {
		c.RTPPorts = [2]int{20000, 20999}
	}
	if c.MediaTimeout == 0 {
		c.MediaTimeout = 30 * time.Second
	}
	if c.RatePerSource.PerSecond == 0 {
		c.RatePerSource = Rate{PerSecond: 20, Burst: 40}
	}
	for i := range c.Trunks {
		if c.Trunks[i].Rate.PerSecond == 0 {
			c.Trunks[i].Rate = Rate{PerSecond: 1000, Burst: 2000}
		}
	}
	if c.SessionExpires == 0 {
		c.SessionExpires = 1800 * time.Second
	}
	if c.MinSE == 0 {
		c.MinSE = 90 * time.Second
	}
}

func (c *Config) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("sip addr %q: %w", c.Addr, err))
	}
	lo, hi := c.RTPPorts[0], c.RTPPorts[1]
	if lo <= 0 || hi > 65535 || hi-lo < 2 {
		errs = append(errs, fmt.Errorf("rtp ports %d-%d: need 0 < lo < hi <= 65535 with room for a pair", lo, hi))
	}
	if c.MaxCalls < 0 {
		errs = append(errs, errors.New("max calls must not be negative"))
	}
	if c.ClockPriority < 0 || c.ClockPriority > 99 {
		errs = append(errs, fmt.Errorf("clock priority %d: SCHED_FIFO priorities go from 1 to 99 (0: Go timers)", c.ClockPriority))
	}
	for i := range c.Trunks {
		if err := c.Trunks[i].compile(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.TLS.Addr != "" && (c.TLS.CertFile == "" || c.TLS.KeyFile == "") {
		errs = append(errs, errors.New("tls: addr set without cert and key files"))
	}
	return errors.Join(errs...)
}

func (t *Trunk) compile() error {
	if t.Name == "" {
		return errors.New("trunk without a name")
	}
	switch t.CallerIDFrom {
	case "":
		t.CallerIDFrom = CallerIDFromPAI
	case CallerIDFromPAI, CallerIDFromFrom:
	default:
		return fmt.Errorf("trunk %s: caller id from %q: want pai or from", t.Name, t.CallerIDFrom)
	}
	t.prefixes = t.prefixes[:0]
	for _, c := range t.CIDRs {
		p, err := parsePrefix(c)
		if err != nil {
			return fmt.Errorf("trunk %s: cidr %q: %w", t.Name, c, err)
		}
		t.prefixes = append(t.prefixes, p)
	}
	return nil
}

// parsePrefix accepts a CIDR or a bare address (a /32 or /128).
func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return p.Masked(), nil
}

// trunkFor returns the first trunk whose networks hold addr, or nil.
func (c *Config) trunkFor(addr netip.Addr) *Trunk {
	addr = addr.Unmap()
	for i := range c.Trunks {
		for _, p := range c.Trunks[i].prefixes {
			if p.Contains(addr) {
				return &c.Trunks[i]
			}
		}
	}
	return nil
}

// hostIP splits "ip:port" (as sipgo reports sources) into the address.
func hostIP(hostport string) (netip.Addr, error) {
	ap, err := netip.ParseAddrPort(hostport)
	if err == nil {
		return ap.Addr(), nil
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	return netip.ParseAddr(host)
}

func splitAddr(hostport string) (string, int, error) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return "", 0, fmt.Errorf("address %q: %w", hostport, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return "", 0, fmt.Errorf("address %q: port: %w", hostport, err)
	}
	return host, p, nil
}
