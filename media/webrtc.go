package media

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/webrtc/v4"
)

// ErrAgentLegClosed is returned by an agent leg's methods after Close.
var ErrAgentLegClosed = errors.New("agent leg closed")

// ErrNewPeerConnection is returned by Answer for an offer from another
// browser PeerConnection than the one the leg serves (a reloaded page: a
// new DTLS certificate). The leg is left as it was; answer the offer on a
// new leg and Close this one.
var ErrNewPeerConnection = errors.New("offer from a new browser PeerConnection: answer it on a new agent leg")

// ICECandidateInit is a candidate trickled by the browser: the JSON of its
// RTCIceCandidateInit (candidate, sdpMid, sdpMLineIndex, usernameFragment).
// It is pion's type, aliased so that callers need not import pion.
type ICECandidateInit = webrtc.ICECandidateInit

// WebRTCConfig configures the browser side of calls.
type WebRTCConfig struct {
	// PortMin and PortMax bound the UDP ports ICE listens on; 0, 0 means any.
	// Each agent leg takes one port per local address it gathers.
	PortMin, PortMax uint16
	// IPs are addresses to advertise instead of the host's own (NAT 1:1),
	// e.g. the public address in front of a server on a private network.
	IPs []string
	// ListenIPs, when set, keeps ICE to these local addresses (e.g.
	// "127.0.0.1" in tests). A loopback address needs LoopbackCandidates too.
	ListenIPs []string
	// LoopbackCandidates includes 127.0.0.1 candidates (tests, and a server
	// reached on loopback).
	LoopbackCandidates bool
	Logger             *slog.Logger
}

// SRTPReplayWindow is the SRTP and SRTCP replay protection window, in packets.
const SRTPReplayWindow = 512

// WebRTC holds what every agent leg shares: a media engine that knows PCMU
// only (payload type 0, 8000 Hz), the ICE and SRTP settings, and the RTCP
// report interceptors. Each leg gets a pion API over these with its own
// logger, so pion's messages name the leg.
type WebRTC struct {
	media        *webrtc.MediaEngine
	settings     webrtc.SettingEngine
	interceptors *interceptor.Registry
	log          *slog.Logger
}

// pcmuCodec is the only codec the agent legs negotiate.
var pcmuCodec = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: G711Rate}

// NewWebRTC builds the shared pion configuration.
func NewWebRTC(cfg WebRTCConfig) (*WebRTC, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	me := &webrtc.MediaEngine{}
	err := me.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: pcmuCodec,
		PayloadType:        webrtc.PayloadType(CodecPCMU.PayloadType),
	}, webrtc.RTPCodecTypeAudio)
	if err != nil {
		return nil, fmt.Errorf("webrtc: register PCMU: %w", err)
	}
	se, err := settingEngine(cfg)
	if err != nil {
		return nil, err
	}
	// RTCP sender and receiver reports, so the browser's statistics (jitter,
	// loss, round trip) work; they run on the RTCP we read from each sender.
	ir := &interceptor.Registry{}
	logs := pionLoggerFactory{log: cfg.Logger}
	err = webrtc.ConfigureRTCPReportsWithOptions(ir,
		[]report.ReceiverOption{report.WithReceiverLoggerFactory(logs)},
		report.WithSenderLoggerFactory(logs))
	if err != nil {
		return nil, fmt.Errorf("webrtc: rtcp reports: %w", err)
	}
	return &WebRTC{media: me, settings: se, interceptors: ir, log: cfg.Logger}, nil
}

func settingEngine(cfg WebRTCConfig) (webrtc.SettingEngine, error) {
	var se webrtc.SettingEngine
	if cfg.PortMin != 0 || cfg.PortMax != 0 {
		if err := se.SetEphemeralUDPPortRange(cfg.PortMin, cfg.PortMax); err != nil {
			return se, fmt.Errorf("webrtc: port range %d-%d: %w", cfg.PortMin, cfg.PortMax, err)
		}
	}
	se.SetIncludeLoopbackCandidate(cfg.LoopbackCandidates)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	// Browsers hide their host addresses behind mDNS names; the server never
	// needs to resolve them (the browser's checks reach us and ICE learns its
	// address as peer-reflexive), and it should not multicast.
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetSRTPReplayProtectionWindow(SRTPReplayWindow)
	se.SetSRTCPReplayProtectionWindow(SRTPReplayWindow)
	if len(cfg.IPs) > 0 {
		if err := checkIPs(cfg.IPs); err != nil {
			return se, fmt.Errorf("webrtc: advertised IPs: %w", err)
		}
		rule := webrtc.ICEAddressRewriteRule{
			External:        slices.Clone(cfg.IPs),
			AsCandidateType: webrtc.ICECandidateTypeHost,
			Mode:            webrtc.ICEAddressRewriteReplace,
		}
		if err := se.SetICEAddressRewriteRules(rule); err != nil {
			return se, fmt.Errorf("webrtc: advertised IPs: %w", err)
		}
	}
	if len(cfg.ListenIPs) > 0 {
		if err := checkIPs(cfg.ListenIPs); err != nil {
			return se, fmt.Errorf("webrtc: listen IPs: %w", err)
		}
		allowed := make([]net.IP, len(cfg.ListenIPs))
		for i, s := range cfg.ListenIPs {
			allowed[i] = net.ParseIP(s)
		}
		se.SetIPFilter(func(ip net.IP) bool { return slices.ContainsFunc(allowed, ip.Equal) })
	}
	return se, nil
}

func checkIPs(ips []string) error {
	for _, s := range ips {
		if net.ParseIP(s) == nil {
			return fmt.Errorf("%q is not an IP address", s)
		}
	}
	return nil
}

// AgentLeg is the media of one logged-in agent's browser: one pion
// PeerConnection kept from login to logout, so answering a call needs no
// ICE or DTLS handshake. The browser offers (its microphone, sendrecv) and
// the leg answers with one PCMU track toward the browser.
//
// Between calls neither side sends audio: the desk replaces its microphone
// track with none, and the server writes only what a bridge or a
// supervisor's listen gives it. An idle leg carries ICE consent checks
// (STUN, every few seconds, which keep it "connected") and one RTCP report
// a second each way; no audio packet is needed to keep it up.
//
// Its goroutines: one reader per browser track (pion's OnTrack goroutine,
// ending when the track or the leg closes) and one RTCP reader for the
// sender; Close ends them all and waits for them.
type AgentLeg struct {
	id     string
	pc     *webrtc.PeerConnection
	track  *webrtc.TrackLocalStaticRTP
	sender *webrtc.RTPSender
	log    *slog.Logger

	sink     atomic.Pointer[func(p []byte)]
	onChange atomic.Pointer[func(connected bool)]

	// negotiate serialises Answer; fingerprint is the browser's DTLS
	// certificate fingerprint from its first offer.
	negotiate   sync.Mutex
	fingerprint string
	// candidates holds trickled candidates that arrived before the offer
	// they belong to; remoteUfrag is the ICE username of the current offer.
	candMu      sync.Mutex
	candidates  []ICECandidateInit
	remoteUfrag string

	// cbMu serialises connection callbacks; reported is what f was last
	// told: -1 nothing yet, 0 down, 1 up.
	cbMu     sync.Mutex
	reported int8

	out      outRTP        // server → browser packetiser
	received atomic.Uint64 // browser audio packets read

	// routines guards wg.Add against Close; closing is set under it, and
	// done is closed right after.
	routines  sync.Mutex
	closing   atomic.Bool
	done      chan struct{}
	wg        sync.WaitGroup
	readers   atomic.Int32 // running reader goroutines, for tests
	closeOnce sync.Once
	closeErr  error
}

// NewAgentLeg creates the PeerConnection for one agent, ready for the
// browser's offer. log should carry the agent's id.
func (w *WebRTC) NewAgentLeg(log *slog.Logger) (*AgentLeg, error) {
	if log == nil {
		log = w.log
	}
	id := newLegID()
	log = log.With("agent_leg", id)
	se := w.settings
	se.LoggerFactory = pionLoggerFactory{log: log}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(w.media), webrtc.WithSettingEngine(se),
		webrtc.WithInterceptorRegistry(w.interceptors))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, fmt.Errorf("agent leg: peer connection: %w", err)
	}
	l := &AgentLeg{id: id, pc: pc, log: log, reported: -1, done: make(chan struct{})}
	if err := l.addTrack(); err != nil {
		return nil, errors.Join(err, pc.Close())
	}
	pc.OnTrack(l.onTrack)
	pc.OnConnectionStateChange(l.onStateChange)
	l.spawn(l.readRTCP)
	log.Debug("agent leg created")
	return l, nil
}

func newLegID() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

func (l *AgentLeg) addTrack() error {
	track, err := webrtc.NewTrackLocalStaticRTP(pcmuCodec, "audio", "hotline-"+l.id)
	if err != nil {
		return fmt.Errorf("agent leg: track: %w", err)
	}
	sender, err := l.pc.AddTrack(track)
	if err != nil {
		return fmt.Errorf("agent leg: add track: %w", err)
	}
	l.track, l.sender = track, sender
	l.out.init()
	return nil
}

// spawn runs f on a goroutine that Close waits for, unless Close has begun.
func (l *AgentLeg) spawn(f func()) {
	if !l.enter() {
		return
	}
	go func() {
		defer l.exit()
		f()
	}()
}

// enter registers a goroutine with the leg; it fails once Close has begun.
func (l *AgentLeg) enter() bool {
	l.routines.Lock()
	defer l.routines.Unlock()
	if l.closing.Load() {
		return false
	}
	l.wg.Add(1)
	l.readers.Add(1)
	return true
}

func (l *AgentLeg) exit() {
	l.readers.Add(-1)
	l.wg.Done()
}

// Answer takes the browser's SDP offer and returns the answer once ICE
// gathering is complete, with every server candidate in it (no trickle from
// the server). A later offer on the same leg (an ICE restart or other
// renegotiation after a network blip) is answered on the same
// PeerConnection; the audio track and the sink carry on. An offer from a new
// browser PeerConnection (a reloaded page) is refused with
// ErrNewPeerConnection.
//
// An offer the leg cannot answer (no PCMU, bad SDP) leaves the
// PeerConnection waiting for an answer it will never get (pion v4.2 has no
// rollback): Close the leg and let the browser start a new one. A ctx that
// ends during gathering does not: the next offer is answered as usual.
func (l *AgentLeg) Answer(ctx context.Context, offerSDP string) (string, error) {
	l.negotiate.Lock()
	defer l.negotiate.Unlock()
	if l.closing.Load() {
		return "", ErrAgentLegClosed
	}
	fp := sdpAttr(offerSDP, "fingerprint")
	if l.fingerprint != "" && fp != l.fingerprint {
		return "", ErrNewPeerConnection
	}
	offer := webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offerSDP}
	if err := l.pc.SetRemoteDescription(offer); err != nil {
		return "", fmt.Errorf("agent leg %s: offer: %w", l.id, err)
	}
	l.fingerprint = fp
	l.flushCandidates(sdpAttr(offerSDP, "ice-ufrag"))
	// After SetRemoteDescription: an ICE restart resets the gathering state,
	// and a promise made now waits for the new gathering.
	gathered := webrtc.GatheringCompletePromise(l.pc)
	if err := l.setAnswer(); err != nil {
		return "", fmt.Errorf("agent leg %s: %w", l.id, err)
	}
	select {
	case <-gathered:
	case <-l.done:
		return "", ErrAgentLegClosed
	case <-ctx.Done():
		return "", fmt.Errorf("agent leg %s: gathering candidates: %w", l.id, ctx.Err())
	}
	l.log.Debug("answered offer")
	return l.pc.LocalDescription().SDP, nil
}

// setAnswer creates and applies the answer to the offer just set; it
// refuses an offer without PCMU.
func (l *AgentLeg) setAnswer() error {
	answer, err := l.pc.CreateAnswer(nil)
	if err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	if !strings.Contains(answer.SDP, "PCMU/8000") {
		return errors.New("the offer has no PCMU audio")
	}
	if err := l.pc.SetLocalDescription(answer); err != nil {
		return fmt.Errorf("set answer: %w", err)
	}
	return nil
}

// sdpAttr returns the value of the first a=name: line of an SDP.
func sdpAttr(sdp, name string) string {
	for line := range strings.Lines(sdp) {
		if v, ok := strings.CutPrefix(line, "a="+name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// AddICECandidate adds a candidate trickled by the browser. One that arrives
// before its offer (signalling messages may race) is kept and added when
// Answer takes that offer; one naming an older ICE generation is dropped.
func (l *AgentLeg) AddICECandidate(c ICECandidateInit) error {
	if l.closing.Load() {
		return ErrAgentLegClosed
	}
	l.candMu.Lock()
	if l.pc.RemoteDescription() == nil || !l.sameGeneration(c) {
		l.candidates = append(l.candidates, c)
		l.candMu.Unlock()
		return nil
	}
	l.candMu.Unlock()
	if err := l.pc.AddICECandidate(c); err != nil {
		return fmt.Errorf("agent leg %s: candidate: %w", l.id, err)
	}
	return nil
}

// sameGeneration reports whether c belongs to the current offer's ICE
// credentials (a candidate without a username fragment always does).
func (l *AgentLeg) sameGeneration(c ICECandidateInit) bool {
	return c.UsernameFragment == nil || *c.UsernameFragment == "" || *c.UsernameFragment == l.remoteUfrag
}

// flushCandidates records the new offer's ICE username and adds the
// candidates kept for it.
func (l *AgentLeg) flushCandidates(ufrag string) {
	l.candMu.Lock()
	defer l.candMu.Unlock()
	l.remoteUfrag = ufrag
	kept := l.candidates
	l.candidates = nil
	for _, c := range kept {
		if !l.sameGeneration(c) {
			continue
		}
		if err := l.pc.AddICECandidate(c); err != nil {
			l.log.Debug("early candidate rejected", "error", err)
		}
	}
}

// OnConnectionChange registers f, called with true when the PeerConnection
// becomes connected and with false when it becomes disconnected, failed or
// closed by the browser; only changes are reported, and only ones after the
// registration (register before Answer; Connected tells the current state).
// f runs on a pion goroutine, one call at a time, and must not block. Once
// Close has begun, f is no longer called.
//
// pion reports "disconnected" after about 5 s without ICE traffic and
// "failed" 25 s later; the leg stays usable in between, and a new offer
// with an ICE restart reconnects it.
func (l *AgentLeg) OnConnectionChange(f func(connected bool)) {
	if f == nil {
		l.onChange.Store(nil)
		return
	}
	l.onChange.Store(&f)
}

func (l *AgentLeg) onStateChange(webrtc.PeerConnectionState) {
	l.cbMu.Lock()
	defer l.cbMu.Unlock()
	if l.closing.Load() {
		return
	}
	// pion calls each handler on its own goroutine, so they can run out of
	// order: report the state as it is now, not the one passed in.
	state := l.pc.ConnectionState()
	var up int8
	switch state {
	case webrtc.PeerConnectionStateConnected:
		up = 1
	case webrtc.PeerConnectionStateDisconnected, webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
		up = 0
	default:
		return
	}
	if up == l.reported {
		return
	}
	l.reported = up
	if up == 1 {
		l.log.Info("agent leg connected", "path", l.path())
	} else {
		l.log.Info("agent leg lost its connection", "state", state.String())
	}
	if f := l.onChange.Load(); f != nil {
		(*f)(up == 1)
	}
}

// Connected reports whether the PeerConnection is connected now.
func (l *AgentLeg) Connected() bool {
	return l.pc.ConnectionState() == webrtc.PeerConnectionStateConnected
}

// Close ends the PeerConnection and waits for the leg's goroutines. It is
// idempotent and returns the first close's error every time. It may be
// called from the OnConnectionChange callback, but not from the sink (the
// sink runs on a goroutine Close waits for).
func (l *AgentLeg) Close() error {
	l.closeOnce.Do(func() {
		l.routines.Lock()
		l.closing.Store(true)
		l.routines.Unlock()
		close(l.done)
		// Closing the PeerConnection stops the receivers and the sender, so
		// the readers' reads fail and they return.
		l.closeErr = l.pc.GracefulClose()
		l.wg.Wait()
		l.log.Debug("agent leg closed", "packets_sent", l.out.sent.Load(), "packets_received", l.received.Load())
	})
	return l.closeErr
}

// String describes the leg for logs: "agent leg 1a2b3c4d PCMU/8000 connected
// 127.0.0.1:50000<->127.0.0.1:41234".
func (l *AgentLeg) String() string {
	s := fmt.Sprintf("agent leg %s PCMU/%d %s", l.id, G711Rate, l.pc.ConnectionState())
	if p := l.path(); p != "" {
		s += " " + p
	}
	return s
}

// path names the selected candidate pair, or "" before one is chosen.
func (l *AgentLeg) path() string {
	dtls := l.sender.Transport()
	if dtls == nil || dtls.ICETransport() == nil {
		return ""
	}
	pair, err := dtls.ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil || pair.Local == nil || pair.Remote == nil {
		return ""
	}
	return fmt.Sprintf("%s<->%s",
		net.JoinHostPort(pair.Local.Address, fmt.Sprint(pair.Local.Port)),
		net.JoinHostPort(pair.Remote.Address, fmt.Sprint(pair.Remote.Port)))
}
