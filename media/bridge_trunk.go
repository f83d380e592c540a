package media

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/diago"
)

// The trunk side of a bridge.
//
// diago's RTPPacketWriter.Write (v0.42.1) sends the packet at once and then
// blocks until the next tick of its own 20 ms ticker (one tick is kept when
// nobody waits). Called straight from the agent leg's reader it would stall
// that reader, and every burst of browser packets (network jitter) would
// turn into a backlog, queued in pion's buffers, that never drains: latency
// grows for the rest of the call. So WritePayload only drops the frame into
// a one-frame slot, and the leg's payload writer goroutine sends it through
// diago's writer at diago's pace. A frame waits at most until the next tick
// (under 20 ms); a newer frame arriving meanwhile replaces it and the older
// one is dropped (counted in DroppedPayloads), so the bridge adds at most
// one frame of delay and jitter costs a lost frame, not latency.
//
// Concurrency with prompts: the writer is not safe for two streams, so a
// frame is only sent under writeMu while no prompt plays, and starting a
// prompt takes writeMu, marks the leg playing and empties the slot.
// WritePayload during a prompt returns ErrBusy. A bridge on hold sends
// nothing, so the orchestration can play music on hold meanwhile.

// payloadSlot holds the next frame for the payload writer.
type payloadSlot struct {
	mu      sync.Mutex
	buf     [maxPayload]byte
	n       int
	full    bool
	ready   chan struct{} // a token: the slot was filled
	dropped atomic.Uint64
}

func (s *payloadSlot) init() { s.ready = make(chan struct{}, 1) }

// put stores a copy of p, replacing (and counting) a frame not yet taken.
func (s *payloadSlot) put(p []byte) {
	s.mu.Lock()
	if s.full {
		s.dropped.Add(1)
	}
	s.n = copy(s.buf[:], p)
	s.full = true
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// take copies the waiting frame into dst.
func (s *payloadSlot) take(dst *[maxPayload]byte) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.full {
		return 0, false
	}
	s.full = false
	return copy(dst[:], s.buf[:s.n]), true
}

// clear discards a waiting frame.
func (s *payloadSlot) clear() {
	s.mu.Lock()
	if s.full {
		s.full = false
		s.dropped.Add(1)
	}
	s.mu.Unlock()
}

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

// WritePayload queues one encoded 20 ms payload in the call's codec for the
// caller. It does not block: the leg's payload writer sends it within one
// frame through the dialog's audio writer, so an active stereo recording
// captures it as the far side. A frame still waiting is replaced (see
// DroppedPayloads). It returns ErrBusy while a prompt plays and
// ErrLegClosed after Stop. The leg keeps no reference to p.
func (t *TrunkLeg) WritePayload(p []byte) error {
	select {
	case <-t.stopped:
		return ErrLegClosed
	default:
	}
	if len(p) > maxPayload {
		return fmt.Errorf("trunk leg: payload of %d bytes is over %d", len(p), maxPayload)
	}
	if t.isPlaying() {
		return ErrBusy
	}
	t.out.put(p)
	return nil
}

// DroppedPayloads counts frames given to WritePayload that were never sent:
// replaced by a newer one before their turn, or cut off by a prompt.
func (t *TrunkLeg) DroppedPayloads() uint64 { return t.out.dropped.Load() }

func (t *TrunkLeg) isPlaying() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.playing
}

// writePayloads is the payload writer goroutine: it sends each frame that
// WritePayload leaves in the slot, until ctx ends.
func (t *TrunkLeg) writePayloads(ctx context.Context) {
	var frame [maxPayload]byte
	var last time.Time
	var failed bool
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.out.ready:
		}
		n, ok := t.out.take(&frame)
		if !ok {
			continue
		}
		err := t.sendPayload(frame[:n], &last)
		if err != nil && !failed && ctx.Err() == nil {
			failed = true
			t.log.Debug("bridged audio not sent", "error", err)
		}
	}
}

// sendPayload writes one frame unless a prompt has taken the writer. It
// returns when diago's clock lets the next frame go (under 20 ms).
func (t *TrunkLeg) sendPayload(p []byte, last *time.Time) error {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	if t.isPlaying() {
		t.out.dropped.Add(1)
		return ErrBusy
	}
	w, err := t.audioOut()
	if err != nil {
		return err
	}
	if last.IsZero() || time.Since(*last) > 2*frameDuration {
		// A new talkspurt after a pause (bridge start, hold, a prompt):
		// advance the RTP timestamp by the time that passed and set the
		// marker, as diago does before each prompt.
		t.dm.RTPPacketWriter.ResetTimestamp()
	}
	_, err = w.Write(p)
	*last = time.Now()
	if err != nil {
		return fmt.Errorf("write rtp: %w", err)
	}
	return nil
}

// audioOut is the writer bridged audio goes through: the RFC 4733 writer when
// telephone-event was negotiated, because it holds audio back while SendDigits
// plays an event on the same stream; the dialog's audio writer otherwise.
// Both pass through an active recording and end in diago's paced writer.
func (t *TrunkLeg) audioOut() (io.Writer, error) {
	if w, err := t.dtmfWriter(); err == nil {
		return w, nil
	}
	return t.dm.AudioWriter()
}

// dtmfWriter returns the leg's RFC 4733 writer, creating it on first use
// (and again after a recording starts, which changes the writer chain).
func (t *TrunkLeg) dtmfWriter() (*diago.DTMFWriter, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.dtmfOut == nil {
		w, err := t.dm.AudioWriterDTMF()
		if err != nil {
			return nil, err
		}
		t.dtmfOut = w
	}
	return t.dtmfOut, nil
}
