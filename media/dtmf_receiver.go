package media

import (
	"fmt"
	"time"
)

// DefaultDTMFTimeout is how long DTMFReceiver waits after the last packet of
// a press whose end packets were all lost before it reports the digit.
const DefaultDTMFTimeout = 500 * time.Millisecond

// DTMFReceiver turns the RFC 4733 telephone-event packets of one RTP stream
// into key presses, each reported exactly once. A press is identified by its
// RTP timestamp (RFC 4733 §2.5.1.1: every packet of an event carries the
// event's start timestamp). A press is reported when its first end packet
// arrives; the redundant end packets that follow are ignored. If all its end
// packets are lost, the press is reported when a packet with a new
// timestamp arrives or, via Expire, once no packet has arrived for the
// timeout.
//
// It works in RTP time (8000 Hz for telephone-event/8000) and does no I/O;
// it is not safe for concurrent use — feed it from the stream's read loop.
type DTMFReceiver struct {
	timeout time.Duration

	active   bool      // a press has been seen
	ts       uint32    // its RTP timestamp
	event    uint8     // its event code
	reported bool      // it has been reported
	last     time.Time // when its latest packet arrived
}

// NewDTMFReceiver returns a receiver that reports a press whose end packets
// were lost after timeout of silence; timeout <= 0 means
// DefaultDTMFTimeout.
func NewDTMFReceiver(timeout time.Duration) *DTMFReceiver {
	if timeout <= 0 {
		timeout = DefaultDTMFTimeout
	}
	return &DTMFReceiver{timeout: timeout}
}

// String describes the receiver for logs.
func (r *DTMFReceiver) String() string {
	return fmt.Sprintf("rfc4733 receiver (timeout %s)", r.timeout)
}

// Receive takes one telephone-event packet: its RTP timestamp, marker bit
// and payload, and the time it arrived. It returns the digits completed by
// this packet, in order: none, one, or two when a press whose end was lost is
// followed by a single-packet press. Events that are not DTMF digits (codes
// above 15) are tracked but never reported. A payload that does not parse
// is an error and leaves the state unchanged.
//
// The marker bit is accepted for completeness; the timestamp alone decides
// whether a packet starts a new press, so a lost first packet (the one with
// the marker) does not lose the digit.
func (r *DTMFReceiver) Receive(ts uint32, marker bool, payload []byte, now time.Time) ([]rune, error) {
	_ = marker
	ev, err := ParseDTMFEvent(payload)
	if err != nil {
		return nil, fmt.Errorf("rfc4733 receive (ts %d): %w", ts, err)
	}
	var out []rune
	if !r.active || ts != r.ts {
		out = r.finish(out) // the previous press lost its end packets
		r.active, r.ts, r.event, r.reported = true, ts, ev.Event, false
	}
	r.last = now
	if ev.End {
		out = r.finish(out)
	}
	return out, nil
}

// Expire reports the current press if its end packets were lost and no
// packet has arrived for the timeout. Call it from the stream's loop, for
// example on every audio frame.
func (r *DTMFReceiver) Expire(now time.Time) (rune, bool) {
	if !r.active || r.reported || now.Sub(r.last) < r.timeout {
		return 0, false
	}
	out := r.finish(nil)
	if len(out) == 0 {
		return 0, false
	}
	return out[0], true
}

// finish marks the current press reported and appends its digit to out,
// unless it was reported already or is not a digit.
func (r *DTMFReceiver) finish(out []rune) []rune {
	if !r.active || r.reported {
		return out
	}
	r.reported = true
	if d, ok := DTMFDigit(r.event); ok {
		out = append(out, d)
	}
	return out
}
