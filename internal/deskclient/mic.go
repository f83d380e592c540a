package deskclient

import (
	"crypto/rand"
	"encoding/binary"

	"github.com/pion/rtp"

	"github.com/cityhotline/hotline/api/deskproto"
	"github.com/cityhotline/hotline/media"
)

// follow watches the server's messages for the call's state, which decides
// whether the microphone is on the wire: on from the answer (sent) or a
// connected call (a resumed one too) to call_ended, off while held; for a
// supervisor, on while the server says they whisper.
func (c *Client) follow(f Frame) {
	switch f.Type {
	case deskproto.TypeWelcome:
		var w deskproto.Welcome
		if f.Decode(&w) == nil {
			c.callState(func() {
				c.me = w.Agent.ID
				c.onCall = w.Call != nil
				c.held = w.Call != nil && w.Call.Held
			})
		}
	case deskproto.TypeWhisper:
		var w deskproto.Whisper
		if f.Decode(&w) == nil {
			c.callState(func() {
				if w.ByID == c.me {
					c.whisper = w.On
				}
			})
		}
	case deskproto.TypeConnected:
		c.callState(func() { c.onCall, c.answering, c.held = true, false, false })
	case deskproto.TypeCallEnded:
		c.callState(func() { c.onCall, c.answering, c.held = false, false, false })
	case deskproto.TypeHeld:
		var h deskproto.Held
		if f.Decode(&h) == nil {
			c.callState(func() { c.held = h.On })
		}
	case deskproto.TypeState:
		var st deskproto.State
		if f.Decode(&st) == nil && st.State != "offered" && st.State != "on_call" {
			c.callState(func() { c.answering = false }) // the answer came to nothing
		}
	}
}

// refused undoes what Send assumed for a message the server refused.
func (c *Client) refused(m deskproto.Message) {
	switch {
	case m.Type == deskproto.TypeAnswer:
		c.callState(func() { c.answering = false })
	case m.Type == deskproto.TypeHold && m.On != nil:
		c.callState(func() { c.held = !*m.On })
	}
}

// callState changes the call's state under its lock and sets send.
func (c *Client) callState(change func()) {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	change()
	c.send.Store(c.answering || (c.onCall && !c.held) || c.whisper)
}

// startMic puts the connected track on a pacer: the shared one, or one of
// the client's own.
func (c *Client) startMic() {
	if c.micStarted { // a second ConnectRTC: the microphone is on its pacer already
		return
	}
	c.micStarted = true
	var b [6]byte
	_, _ = rand.Read(b[:]) // random first sequence number and timestamp (RFC 3550 §5.1)
	c.pkt.Header = rtp.Header{Version: 2, SequenceNumber: binary.BigEndian.Uint16(b[:2]),
		Timestamp: binary.BigEndian.Uint32(b[2:])}
	c.tsBase = c.pkt.Timestamp
	if c.pacer == nil {
		c.pacer, c.ownPacer = NewPacer(), true
	}
	c.pacer.add(c)
}

func (c *Client) stopMic() {
	if c.pacer == nil {
		return
	}
	c.pacer.remove(c)
	if c.ownPacer {
		c.pacer.Stop()
	}
}

// sendFrame sends the tone's frame for tick, if the microphone is on the
// wire. It runs on the pacer's goroutine and allocates nothing of its own.
// The timestamp follows the pacer's clock, so after a pause (between
// calls, on hold) it jumps by the time that passed and the marker bit
// starts a new talkspurt.
func (c *Client) sendFrame(tick uint64) {
	if !c.send.Load() {
		return
	}
	h := &c.pkt.Header
	h.Marker = c.lastTick == 0 || tick != c.lastTick+1
	h.SequenceNumber++
	h.Timestamp = c.tsBase + uint32(tick)*media.FrameSamples
	c.lastTick = tick
	c.pkt.Payload = c.micFrame(tick)
	if c.track.WriteRTP(&c.pkt) == nil { // pion sets the SSRC and payload type
		c.txPkts.Add(1)
	}
}

// ring keeps the last maxHeard samples received.
type ring struct {
	buf  []int16
	next int  // where the next sample goes
	full bool // buf has wrapped
}

func (r *ring) write(pcm []int16) {
	if r.buf == nil {
		r.buf = make([]int16, maxHeard)
	}
	for len(pcm) > 0 {
		n := copy(r.buf[r.next:], pcm)
		pcm = pcm[n:]
		r.next += n
		if r.next == len(r.buf) {
			r.next, r.full = 0, true
		}
	}
}

// last returns a copy of the newest n samples (fewer if fewer were heard).
func (r *ring) last(n int) []int16 {
	have := r.next
	if r.full {
		have = len(r.buf)
	}
	n = min(n, have)
	out := make([]int16, n)
	start := r.next - n
	if start >= 0 {
		copy(out, r.buf[start:r.next])
		return out
	}
	k := copy(out, r.buf[len(r.buf)+start:])
	copy(out[k:], r.buf[:r.next])
	return out
}

func (r *ring) reset() { r.next, r.full = 0, false }
