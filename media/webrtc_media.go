package media

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// frameDuration is the packet time both legs use.
const frameDuration = 20 * time.Millisecond

// outRTP numbers the packets sent to the browser. After a pause in the
// audio (longer than two frames: hold, the gap between calls) the timestamp
// jumps by the time that passed and the marker bit opens a new talkspurt, so
// the browser's jitter buffer does not mistake the pause for network delay.
type outRTP struct {
	mu   sync.Mutex
	pkt  rtp.Packet
	last time.Time // when the previous packet went out
	size uint32    // samples in the previous packet
	sent atomic.Uint64
}

func (o *outRTP) init() {
	var b [6]byte
	_, _ = rand.Read(b[:]) // random initial sequence number and timestamp (RFC 3550 §5.1)
	o.pkt.Header = rtp.Header{
		Version:        2,
		SequenceNumber: binary.BigEndian.Uint16(b[:2]),
		Timestamp:      binary.BigEndian.Uint32(b[2:]),
	}
}

// next fills in the header for a payload of p samples sent at now.
func (o *outRTP) next(p []byte, now time.Time) *rtp.Packet {
	h := &o.pkt.Header
	h.Marker = false
	switch gap := now.Sub(o.last); {
	case o.last.IsZero():
		h.Marker = true
	case gap > 2*frameDuration:
		h.Marker = true
		h.SequenceNumber++
		h.Timestamp += uint32(Samples(gap, G711Rate))
	default:
		h.SequenceNumber++
		h.Timestamp += o.size
	}
	o.last, o.size = now, uint32(len(p))
	o.pkt.Payload = p
	return &o.pkt
}

// Codec is "PCMU": the only codec an agent leg negotiates.
func (l *AgentLeg) Codec() string { return CodecPCMU.Name }

// WritePayload sends one 20 ms PCMU payload (160 bytes) to the browser. It
// does not block (one SRTP packet to a UDP socket) and does not retain p.
// Before the browser connects the packet goes nowhere.
func (l *AgentLeg) WritePayload(p []byte) error {
	if l.closing.Load() {
		return ErrAgentLegClosed
	}
	l.out.mu.Lock()
	defer l.out.mu.Unlock()
	pkt := l.out.next(p, time.Now())
	err := l.track.WriteRTP(pkt) // pion sets the negotiated SSRC and payload type
	pkt.Payload = nil
	if err != nil {
		return err
	}
	l.out.sent.Add(1)
	return nil
}

// PacketsReceived counts the browser's audio packets the leg has read; the
// desk sends none while its agent has no call.
func (l *AgentLeg) PacketsReceived() uint64 { return l.received.Load() }

// PacketsSent counts the audio packets written to the browser.
func (l *AgentLeg) PacketsSent() uint64 { return l.out.sent.Load() }

// SetSink sets where the browser's audio goes: each received PCMU payload
// (20 ms) is passed to f on the track's reader goroutine; nil drops them.
// f must not retain p.
func (l *AgentLeg) SetSink(f func(p []byte)) {
	if f == nil {
		l.sink.Store(nil)
		return
	}
	l.sink.Store(&f)
}

// SetAudioSink is SetSink, for PayloadLeg.
func (l *AgentLeg) SetAudioSink(f func(p []byte)) { l.SetSink(f) }

// onTrack runs on the goroutine pion starts for each browser track; reading
// the track there makes it the track's one reader goroutine.
func (l *AgentLeg) onTrack(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	if track.Kind() != webrtc.RTPCodecTypeAudio {
		return
	}
	if !l.enter() {
		return
	}
	defer l.exit()
	l.readTrack(track)
}

// readTrack passes each audio payload of track to the sink until the track
// ends (the leg closed, or a renegotiation replaced the browser's stream).
//
// The browser sends audio only while its agent is on a call (the desk
// replaces its microphone track with none in between), so the track may
// stay silent for hours and start again at any moment: nothing here, nor
// in pion, times a silent track out. pion starts this reader at the
// track's first packet (it peeks it to learn the payload type), which may
// come long after the leg connected; the leg's liveness is ICE and DTLS
// (OnConnectionChange), never the audio.
func (l *AgentLeg) readTrack(track *webrtc.TrackRemote) {
	log := l.log.With("ssrc", uint32(track.SSRC()), "codec", track.Codec().MimeType)
	log.Debug("browser audio track started")
	pt := uint8(track.PayloadType())
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	var n uint64
	for {
		size, _, err := track.Read(buf)
		if err != nil {
			log.Debug("browser audio track ended", "packets", n, "error", err)
			return
		}
		if pkt.Unmarshal(buf[:size]) != nil || pkt.PayloadType != pt || len(pkt.Payload) == 0 {
			continue
		}
		n++
		l.received.Add(1)
		if f := l.sink.Load(); f != nil {
			(*f)(pkt.Payload)
		}
	}
}

// readRTCP drains the sender's RTCP so that the report interceptors see the
// browser's receiver reports; it ends when the sender stops.
func (l *AgentLeg) readRTCP() {
	buf := make([]byte, 1500)
	for {
		if _, _, err := l.sender.Read(buf); err != nil {
			return
		}
	}
}
