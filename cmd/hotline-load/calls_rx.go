package main

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/cityhotline/hotline/internal/deskclient"
	"github.com/cityhotline/hotline/media"
)

// rxStats is what one caller heard: packet counts, sequence gaps, lateness
// against the RTP timestamp schedule, and the energy of the decoded audio in
// and out of the speech band.
type rxStats struct {
	Packets int // RTP packets of any payload type
	Audio   int // of which PCMU/PCMA
	Late    int // audio packets more than 20 ms behind their timestamp schedule
	Lost    int // audio packets missing from the sequence
	// MaxLag is the furthest any audio packet fell behind its talkspurt's
	// schedule: steady jitter keeps it small, a sender that drifts (falls
	// behind and never catches up) makes it grow with the call.
	MaxLag time.Duration

	started bool
	ssrc    uint32
	seq     media.RTPCounter // the audio packets, counted as the server counts its callers'

	minTransit time.Duration // arrival minus timestamp time, smallest of this talkspurt
	base       time.Time     // arrival of the talkspurt's first packet
	baseTS     uint32        // and its timestamp

	band  speechBand
	total float64 // energy of every decoded sample
	n     int     // decoded samples

	// stamped are the one-way delays of PCMU frames that carried their
	// send time (an agent's hotline-load desk -stamp): arrival minus stamp.
	stamped []time.Duration
}

// packet takes one datagram that arrived at now.
func (s *rxStats) packet(b []byte, now time.Time) {
	if len(b) < rtpHeaderLen || b[0]>>6 != 2 {
		return
	}
	s.Packets++
	pt := b[1] & 0x7f
	if pt != ptPCMU && pt != ptPCMA {
		return // telephone-event, comfort noise: counted, not measured
	}
	payload, ok := rtpPayload(b)
	if !ok {
		return
	}
	s.Audio++
	marker := b[1]&0x80 != 0
	seq := binary.BigEndian.Uint16(b[2:])
	ts := binary.BigEndian.Uint32(b[4:])
	ssrc := binary.BigEndian.Uint32(b[8:])
	s.sequence(ssrc, seq)
	s.lateness(marker, ts, now)
	s.decode(pt, payload)
	if pt == ptPCMU { // a PCMA leg is transcoded: no stamp survives
		if t, ok := deskclient.ReadStamp(payload); ok {
			s.stamped = append(s.stamped, now.Sub(t))
		}
	}
}

// rtpPayload skips the CSRC list, a header extension and padding.
func rtpPayload(b []byte) ([]byte, bool) {
	off := rtpHeaderLen + 4*int(b[0]&0x0f)
	if b[0]&0x10 != 0 {
		if len(b) < off+4 {
			return nil, false
		}
		off += 4 + 4*int(binary.BigEndian.Uint16(b[off+2:]))
	}
	end := len(b)
	if b[0]&0x20 != 0 && end > 0 {
		end -= int(b[end-1])
	}
	if off > end {
		return nil, false
	}
	return b[off:end], true
}

// sequence counts gaps in the sequence numbers (media.RTPCounter). A new
// SSRC starts a new count and a new lateness schedule.
func (s *rxStats) sequence(ssrc uint32, seq uint16) {
	if !s.started || ssrc != s.ssrc {
		s.started, s.ssrc = true, ssrc
		s.minTransit = 0
		s.base = time.Time{}
	}
	s.seq.Add(ssrc, seq)
	s.Lost = int(s.seq.Stats().Lost)
}

// lateness compares the arrival with the schedule the timestamps promise: a
// packet is late when it arrives more than 20 ms after the earliest-arriving
// packet of its talkspurt would predict. A marker bit (a new talkspurt, where
// the sender may have jumped its clock) starts a new schedule.
func (s *rxStats) lateness(marker bool, ts uint32, now time.Time) {
	if s.base.IsZero() || marker {
		s.base, s.baseTS, s.minTransit = now, ts, 0
		return
	}
	transit := now.Sub(s.base) - tsDuration(ts-s.baseTS)
	if transit < s.minTransit {
		s.minTransit = transit
		return
	}
	lag := transit - s.minTransit
	s.MaxLag = max(s.MaxLag, lag)
	if lag > lateThreshold {
		s.Late++
	}
}

// tsDuration is a timestamp difference at 8 kHz as a time offset; modular
// arithmetic makes a wrap of the 32-bit timestamp harmless.
func tsDuration(d uint32) time.Duration {
	return time.Duration(int32(d)) * time.Second / clockRate
}

func (s *rxStats) decode(pt uint8, payload []byte) {
	for _, c := range payload {
		var v int16
		if pt == ptPCMA {
			v = media.AlawToLinear(c)
		} else {
			v = media.UlawToLinear(c)
		}
		x := float64(v)
		s.total += x * x
		s.band.add(x)
	}
	s.n += len(payload)
}

// Audible thresholds: the speech band (300-3400 Hz) must carry at least a
// fifth of the energy and be louder than -50 dBFS RMS. G.711 silence (and a
// DC offset or mains hum) fails both.
const (
	minBandShare = 0.2
	minBandRMS   = 32767 * 0.00316 // -50 dBFS
)

// Audible reports whether the decoded audio had speech-band energy.
func (s *rxStats) Audible() bool {
	if s.n == 0 || s.total == 0 {
		return false
	}
	rms := math.Sqrt(s.band.energy / float64(s.n))
	return s.band.energy/s.total >= minBandShare && rms >= minBandRMS
}

// speechBand is a 300-3400 Hz band-pass (a second-order Butterworth
// high-pass then low-pass, RBJ cookbook biquads at 8 kHz) that sums the
// energy it lets through.
type speechBand struct {
	hp, lp biquad
	energy float64
	ready  bool
}

func (b *speechBand) add(x float64) {
	if !b.ready {
		b.hp, b.lp = highPass(300, clockRate), lowPass(3400, clockRate)
		b.ready = true
	}
	y := b.lp.step(b.hp.step(x))
	b.energy += y * y
}

type biquad struct {
	b0, b1, b2, a1, a2 float64
	x1, x2, y1, y2     float64
}

func (q *biquad) step(x float64) float64 {
	y := q.b0*x + q.b1*q.x1 + q.b2*q.x2 - q.a1*q.y1 - q.a2*q.y2
	q.x2, q.x1 = q.x1, x
	q.y2, q.y1 = q.y1, y
	return y
}

// highPass and lowPass are RBJ biquads with Q = 1/√2 (Butterworth).
func highPass(f, rate float64) biquad {
	w, alpha := rbj(f, rate)
	c := math.Cos(w)
	a0 := 1 + alpha
	return biquad{b0: (1 + c) / 2 / a0, b1: -(1 + c) / a0, b2: (1 + c) / 2 / a0,
		a1: -2 * c / a0, a2: (1 - alpha) / a0}
}

func lowPass(f, rate float64) biquad {
	w, alpha := rbj(f, rate)
	c := math.Cos(w)
	a0 := 1 + alpha
	return biquad{b0: (1 - c) / 2 / a0, b1: (1 - c) / a0, b2: (1 - c) / 2 / a0,
		a1: -2 * c / a0, a2: (1 - alpha) / a0}
}

func rbj(f, rate float64) (w, alpha float64) {
	w = 2 * math.Pi * f / rate
	return w, math.Sin(w) / (2 / math.Sqrt2)
}
