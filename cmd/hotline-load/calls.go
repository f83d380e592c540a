package main

// The calls subcommand: a fleet of SIP callers (sipgo) with a plain UDP RTP
// sender and receiver per call, aimed at a hotline server on loopback.
//
//	hotline-load calls -target sip:12345@127.0.0.1:5060 -rate 100 -n 2000 -c 1000 -hold 3s

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	sipgosip "github.com/emiago/sipgo/sip"
)

// callsOptions are the flags of the calls subcommand.
type callsOptions struct {
	target     string
	transport  string
	rate       float64
	n          int
	c          int
	hold       time.Duration
	duration   time.Duration
	digits     string
	digitDelay time.Duration
	silent     bool
	stamp      bool
	rtpPorts   string
	sources    int
	sipPort    int
	verbose    bool

	uri     sipgosip.Uri // parsed target
	portLo  int
	portHi  int
	srcIPs  []netip.Addr
	timeout time.Duration // INVITE → final answer
}

const callsUsage = "  calls    place SIP calls with RTP audio and measure setup latency and what callers hear"

// runCalls parses the calls flags, runs the fleet and prints its report.
func runCalls(ctx context.Context, args []string, out io.Writer) error {
	o, err := parseCallsFlags(args)
	if err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	if o.verbose {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	// sipgo's transaction layer logs through its package default (e.g. late
	// retransmissions of 100 Trying); keep it out of the JSON's way.
	sipgosip.SetDefaultLogger(log)
	rep, err := placeCalls(ctx, o, log)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func parseCallsFlags(args []string) (callsOptions, error) {
	fs := flag.NewFlagSet("calls", flag.ContinueOnError)
	var o callsOptions
	fs.StringVar(&o.target, "target", "sip:12345@127.0.0.1:5060", "SIP URI to call (loopback only)")
	fs.StringVar(&o.transport, "transport", "udp", "udp or tcp")
	fs.Float64Var(&o.rate, "rate", 100, "new calls per second")
	fs.IntVar(&o.n, "n", 2000, "calls to place in total")
	fs.IntVar(&o.c, "c", 1000, "calls up at once, at most")
	fs.DurationVar(&o.hold, "hold", 3*time.Second, "how long each answered call listens (and talks) before BYE")
	fs.DurationVar(&o.duration, "duration", 2*time.Minute, "stop placing calls after this long; calls still up get -hold plus 10 s more")
	fs.StringVar(&o.digits, "digits", "", "RFC 4733 digits to send during each call (e.g. 1)")
	fs.DurationVar(&o.digitDelay, "digit-delay", time.Second, "when to send -digits, after the answer")
	fs.BoolVar(&o.silent, "silent", false, "send digital silence instead of a 440 Hz tone")
	fs.BoolVar(&o.stamp, "stamp", false, "start each audio frame's payload with its send time (12 bytes), for the desk's caller_to_agent_ms")
	fs.StringVar(&o.rtpPorts, "rtp-ports", "40000-49999", "local RTP port range (keep it apart from the server's)")
	fs.IntVar(&o.sources, "sources", 1, "spread calls over this many source addresses 127.0.0.1..127.0.0.N (each a SIP peer of its own)")
	fs.IntVar(&o.sipPort, "sip-port", 5080, "local SIP port on each source address (0: any free one)")
	fs.DurationVar(&o.timeout, "answer-timeout", 10*time.Second, "give up on an INVITE without a final answer after this long")
	fs.BoolVar(&o.verbose, "v", false, "log SIP and RTP events to stderr")
	if err := fs.Parse(args); err != nil {
		return callsOptions{}, err
	}
	return o, o.check()
}

func (o *callsOptions) check() error {
	switch {
	case o.n <= 0 || o.n > 1_000_000:
		return fmt.Errorf("-n %d: want 1..1000000", o.n)
	case o.c <= 0 || o.c > 10_000:
		return fmt.Errorf("-c %d: want 1..10000", o.c)
	case o.rate <= 0 || o.rate > 10_000:
		return fmt.Errorf("-rate %g: want (0, 10000]", o.rate)
	case o.hold < 0 || o.hold > time.Hour:
		return fmt.Errorf("-hold %v: want 0..1h", o.hold)
	case o.duration <= 0:
		return fmt.Errorf("-duration %v: must be positive", o.duration)
	case o.timeout <= 0:
		return fmt.Errorf("-answer-timeout %v: must be positive", o.timeout)
	case o.transport != "udp" && o.transport != "tcp":
		return fmt.Errorf("-transport %q: want udp or tcp", o.transport)
	case o.sources < 1 || o.sources > 254:
		return fmt.Errorf("-sources %d: want 1..254", o.sources)
	case o.sipPort != 0 && (o.sipPort < 1024 || o.sipPort > 65535):
		return fmt.Errorf("-sip-port %d: want 0 (any) or 1024..65535", o.sipPort)
	}
	if err := checkDigits(o.digits); err != nil {
		return err
	}
	var err error
	if o.uri, err = parseTarget(o.target); err != nil {
		return err
	}
	if o.transport == "tcp" {
		if o.uri.UriParams == nil {
			o.uri.UriParams = sipgosip.NewParams()
		}
		o.uri.UriParams.Add("transport", "tcp")
	}
	if o.portLo, o.portHi, err = parsePortRange(o.rtpPorts); err != nil {
		return err
	}
	if (o.portHi-o.portLo+1)/2 < o.c {
		return fmt.Errorf("-rtp-ports %s: %d even ports cannot carry -c %d calls", o.rtpPorts, (o.portHi-o.portLo+1)/2, o.c)
	}
	for i := 1; i <= o.sources; i++ {
		o.srcIPs = append(o.srcIPs, netip.AddrFrom4([4]byte{127, 0, 0, byte(i)}))
	}
	return nil
}

// parseTarget parses a SIP URI and refuses any host that is not loopback.
func parseTarget(raw string) (sipgosip.Uri, error) {
	var u sipgosip.Uri
	if err := sipgosip.ParseUri(raw, &u); err != nil {
		return u, fmt.Errorf("-target %q: %w", raw, err)
	}
	if u.Scheme != "sip" {
		return u, fmt.Errorf("-target %q: want sip:USER@HOST:PORT", raw)
	}
	if u.Host == "localhost" {
		u.Host = "127.0.0.1"
	}
	ip := net.ParseIP(u.Host)
	if ip == nil || !ip.IsLoopback() || ip.To4() == nil {
		return u, fmt.Errorf("-target %q: refusing a non-loopback host; hotline-load only calls 127.0.0.0/8", raw)
	}
	if u.Port == 0 {
		u.Port = 5060
	}
	return u, nil
}

func parsePortRange(s string) (lo, hi int, err error) {
	a, b, ok := strings.Cut(s, "-")
	if ok {
		lo, err = strconv.Atoi(strings.TrimSpace(a))
		if err == nil {
			hi, err = strconv.Atoi(strings.TrimSpace(b))
		}
	}
	switch {
	case !ok || err != nil:
		return 0, 0, fmt.Errorf("-rtp-ports %q: want LO-HI", s)
	case lo < 1024 || hi > 65535 || hi-lo < 1:
		return 0, 0, fmt.Errorf("-rtp-ports %q: want 1024 <= LO < HI <= 65535", s)
	}
	return lo, hi, nil
}

func checkDigits(s string) error {
	for _, r := range s {
		if _, ok := dtmfEvent(r); !ok {
			return fmt.Errorf("-digits %q: %q is not a DTMF digit", s, r)
		}
	}
	return nil
}

var errNoAnswer = errors.New("no final answer")
