package deskclient

import (
	"encoding/binary"
	"time"
)

// Send-time stamps, the load generator's one-way latency probe
// (hotline-load desk -stamp, calls -stamp): a stamped frame's payload starts
// with stampMagic and the sender's wall clock (CLOCK_REALTIME) in Unix
// nanoseconds, big-endian, taken just before the packet is written. The
// server's bridge copies PCMU payloads untouched, so the far end on the same
// machine reads the stamp back and subtracts it from the packet's arrival.
// The 12 bytes replace the start of the 20 ms frame: off by default, since
// they are noise in the audio.

// StampLen is how many payload bytes a stamp takes.
const StampLen = 12

var stampMagic = [4]byte{'H', 'L', 'T', 'S'}

// PutStamp writes the stamp for t over the start of payload; it reports
// false, writing nothing, when payload is shorter than StampLen.
func PutStamp(payload []byte, t time.Time) bool {
	if len(payload) < StampLen {
		return false
	}
	copy(payload, stampMagic[:])
	binary.BigEndian.PutUint64(payload[4:], uint64(t.UnixNano()))
	return true
}

// ReadStamp returns the send time a stamped payload carries.
func ReadStamp(payload []byte) (time.Time, bool) {
	if len(payload) < StampLen || [4]byte(payload[:4]) != stampMagic {
		return time.Time{}, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(payload[4:]))), true
}

// maxStampDelays bounds the one-way delays a client keeps (about 87
// minutes of stamped audio at 50 frames a second).
const maxStampDelays = 1 << 18

// StampMic makes the microphone stamp each frame with its send time; call
// it before ConnectRTC.
func (c *Client) StampMic() { c.stamp = true }

// micFrame is the payload for tick: the tone's frame, or with StampMic a
// copy of it stamped now.
func (c *Client) micFrame(tick uint64) []byte {
	p := c.tone.Load().frame(tick)
	if !c.stamp {
		return p
	}
	n := copy(c.stampBuf[:], p)
	PutStamp(c.stampBuf[:n], time.Now())
	return c.stampBuf[:n]
}

// heardStamp keeps the one-way delay of a stamped payload that arrived at
// at; the caller holds amu.
func (c *Client) heardStamp(payload []byte, at time.Time) {
	if t, ok := ReadStamp(payload); ok && len(c.stampDelays) < maxStampDelays {
		c.stampDelays = append(c.stampDelays, at.Sub(t))
	}
}

// StampDelays returns the one-way delays (arrival minus embedded send time)
// of the stamped frames received so far.
func (c *Client) StampDelays() []time.Duration {
	c.amu.Lock()
	defer c.amu.Unlock()
	return append([]time.Duration(nil), c.stampDelays...)
}
