package media

import (
	"fmt"
	"time"
)

// DTMF sending defaults, from common practice (RFC 4733 §2.5.1.2 leaves
// them to the sender).
const (
	DefaultDTMFDuration = 100 * time.Millisecond // tone length of one press
	DefaultDTMFInterval = 50 * time.Millisecond  // between update packets
	DefaultDTMFVolume   = 10                     // -10 dBm0
	dtmfEndRepeats      = 3                      // RFC 4733 §2.5.1.4
	dtmfEndSpacing      = 20 * time.Millisecond  // between the end repeats
)

// DTMFPacket is one RTP packet of a telephone-event, ready for the RTP layer,
// which adds the sequence number and SSRC.
type DTMFPacket struct {
	At          time.Duration // when to send it, from the start of the press
	PayloadType uint8
	Marker      bool   // set on the first packet of the press only
	Timestamp   uint32 // the press's start timestamp, the same in every packet
	Payload     []byte // the 4-byte telephone-event
}

// DTMFSender builds the packet sequence of a key press: a start packet with
// the marker bit, an update every Interval carrying the duration so far, and
// the end packet sent three times. The payload type is the one negotiated in
// SDP for telephone-event/8000, which the caller supplies.
type DTMFSender struct {
	PayloadType uint8
	ClockRate   int           // telephone-event clock rate; 0 means 8000
	Interval    time.Duration // between updates; 0 means DefaultDTMFInterval
	Volume      uint8         // -dBm0; 0 means DefaultDTMFVolume
}

// String describes the sender for logs.
func (s DTMFSender) String() string {
	return fmt.Sprintf("rfc4733 sender (pt %d, %d Hz)", s.PayloadType, s.rate())
}

func (s DTMFSender) rate() int {
	if s.ClockRate <= 0 {
		return G711Rate
	}
	return s.ClockRate
}

// Packets returns the packets of one press of digit lasting dur (0 means
// DefaultDTMFDuration), whose RTP timestamp is ts. The packet sent at offset
// t carries the duration up to min(t+Interval, dur), so the tone never
// stalls at the receiver while it waits for the next update; the three end
// packets carry dur and are sent at dur, dur+20 ms and dur+40 ms. The
// duration field saturates at 65535 (8.2 s at 8 kHz); longer presses are
// not segmented.
func (s DTMFSender) Packets(digit rune, dur time.Duration, ts uint32) ([]DTMFPacket, error) {
	code, ok := DTMFEventCode(digit)
	if !ok {
		return nil, fmt.Errorf("rfc4733 send: %q is not a DTMF digit", digit)
	}
	if dur <= 0 {
		dur = DefaultDTMFDuration
	}
	interval, vol := s.Interval, s.Volume
	if interval <= 0 {
		interval = DefaultDTMFInterval
	}
	if vol == 0 {
		vol = DefaultDTMFVolume
	}
	packet := func(at, elapsed time.Duration, end bool) DTMFPacket {
		units := min(Samples(elapsed, s.rate()), 0xFFFF)
		ev := DTMFEvent{Event: code, End: end, Volume: vol, Duration: uint16(units)}
		return DTMFPacket{At: at, PayloadType: s.PayloadType, Marker: at == 0 && !end,
			Timestamp: ts, Payload: ev.Marshal()}
	}
	var out []DTMFPacket
	for at := time.Duration(0); at < dur; at += interval {
		out = append(out, packet(at, min(at+interval, dur), false))
	}
	for i := range dtmfEndRepeats {
		out = append(out, packet(dur+time.Duration(i)*dtmfEndSpacing, dur, true))
	}
	return out, nil
}
