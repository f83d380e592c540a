package media

// RTPStats is what a leg received from the far end, counted as RFC 3550's
// receiver reports count it: Lost is the packets expected (from the first
// sequence number to the highest seen) less those received, so a late or
// reordered packet is not lost, and duplicates can make up for losses.
type RTPStats struct {
	Received uint64 // RTP packets, audio and RFC 4733 events alike
	Lost     uint64
}

// Sequence jumps that start a new count (RFC 3550 appendix A.1): further
// ahead than maxDropout, or further behind than maxMisorder, is a sender that
// restarted, not loss.
const (
	maxDropout  = 3000
	maxMisorder = 100
)

// RTPCounter counts a received stream's packets and losses from their
// sequence numbers (RFC 3550 appendix A.1, without probation), across
// wrap-around. A new SSRC or a restart closes the run so far into done and
// starts another. The zero value is ready; it is not safe for concurrent use.
type RTPCounter struct {
	started bool
	ssrc    uint32
	base    uint32 // extended sequence number of the run's first packet
	max     uint32 // the run's highest extended sequence number
	got     uint64 // packets received in the run
	done    RTPStats
}

// Add counts a packet.
func (c *RTPCounter) Add(ssrc uint32, seq uint16) {
	if c.started && ssrc == c.ssrc {
		switch d := seq - uint16(c.max); {
		case d == 0: // a duplicate of the highest
			c.got++
			return
		case d < maxDropout: // ahead, maybe across the wrap
			c.max += uint32(d)
			c.got++
			return
		case d >= 1<<16-maxMisorder: // a little behind: late or reordered
			c.got++
			return
		}
	}
	if c.started {
		c.done = c.Stats()
	}
	c.started, c.ssrc = true, ssrc
	c.base, c.max, c.got = uint32(seq), uint32(seq), 1
}

// Stats is every run's count so far.
func (c *RTPCounter) Stats() RTPStats {
	s := c.done
	if !c.started {
		return s
	}
	s.Received += c.got
	if expected := uint64(c.max-c.base) + 1; expected > c.got {
		s.Lost += expected - c.got
	}
	return s
}
