package media

import "fmt"

// The trunk side of a bridge.
//
// WritePayload runs on the agent leg's receive goroutine and sends the
// frame at once through the leg's rtpSender: the browser leg's packets are
// already paced by their source, so waiting for a tick of our clock would
// only add up to a frame of delay. The RTP timestamp advances by one frame
// per payload; after a pause longer than bridgeGap (bridge start, hold, a
// prompt) it advances by the time that passed and the marker bit starts a
// new talkspurt. A burst (network jitter on the browser side) is passed on
// as it came, for the carrier's jitter buffer to absorb, never queued.
//
// Concurrency with prompts: a prompt owns the stream from Play to its end;
// WritePayload returns ErrBusy meanwhile (so a bridge on hold lets the
// orchestration play music). While SendDigits plays an RFC 4733 event,
// bridged frames are dropped (counted in DroppedPayloads).

// SetAudioSink passes every received audio payload (the negotiated codec,
// not RFC 4733 events or comfort noise) to f, from the receive loop, before
// the leg's own decoding (nil: none). f must not retain p.
func (t *TrunkLeg) SetAudioSink(f func(p []byte)) {
	if f == nil {
		t.sink.Store(nil)
		return
	}
	t.sink.Store(&f)
}

// WritePayload sends one encoded 20 ms payload in the call's codec to the
// caller at once, on the calling goroutine; an active recording captures it
// as the far side. It returns ErrBusy while a prompt plays and ErrLegClosed
// after Stop. The leg keeps no reference to p.
func (t *TrunkLeg) WritePayload(p []byte) error {
	if len(p) > maxPayload {
		return fmt.Errorf("trunk leg: payload of %d bytes is over %d", len(p), maxPayload)
	}
	return t.out.sendNow(p)
}

// DroppedPayloads counts frames given to WritePayload that were not sent:
// during an RFC 4733 event, or lost to a send error.
func (t *TrunkLeg) DroppedPayloads() uint64 { return t.out.dropped.Load() }
