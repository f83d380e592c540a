package media

import (
	"fmt"
	"math"
	"time"
)

// goertzelPower returns the energy of pcm at freq (Hz) with the generalized
// Goertzel algorithm, scaled so that a sine of amplitude A over n samples
// yields its own energy, A²·n/2. freq need not fall on a DFT bin.
func goertzelPower(pcm []int16, freq, rate float64) float64 {
	n := len(pcm)
	if n == 0 {
		return 0
	}
	w := 2 * math.Pi * freq / rate
	coeff := 2 * math.Cos(w)
	var s1, s2 float64
	for _, x := range pcm {
		s0 := float64(x) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	// |X(w)|² from the last two states; the phase does not matter.
	p := s1*s1 + s2*s2 - coeff*s1*s2
	return 2 * p / float64(n)
}

// In-band DTMF detection thresholds. The detector analyses 12.75 ms windows
// (102 samples at 8 kHz, as in common detectors: long enough to tell
// neighbouring rows apart) every 6.375 ms (half a window). A window that
// holds a tone for only part of its length fails the share and relative
// checks unless the tone covers most of it, so four passing windows in a row
// need about 30 ms of tone: every 40 ms tone is reported, 20 ms blips are not.
// Four failing windows in a row (a 40 ms pause holds at least four) end a
// press; a 10 ms hole in a tone spoils at most three.
const (
	inbandWindow     = 12750 * time.Microsecond
	inbandMinTone    = 100.0 * 100.0 / 2 // mean power of a tone of amplitude 100 (-50 dBFS)
	inbandTwistNorm  = 6.31              // 8 dB: column may be this much weaker than row
	inbandTwistRev   = 2.51              // 4 dB: row may be this much weaker than column
	inbandRelative   = 6.31              // 8 dB: peak over the other rows or columns
	inbandShare      = 0.5               // row+column share of the window energy
	inbandHitsToSet  = 4                 // windows with the same digit to report it
	inbandMissToDrop = 4                 // windows without it to accept the next press
)

// InbandDetector finds DTMF key presses in 16-bit PCM, for callers whose
// carrier sends tones instead of RFC 4733 events. It runs the Goertzel
// algorithm at the eight DTMF frequencies over half-overlapping 12.75 ms
// windows and accepts a window when one row and one column stand out: both
// above -50 dBFS, twist within 8 dB (normal) or 4 dB (reverse), each 8 dB
// above the other rows or columns, and together holding half the window's
// energy, which rejects speech and single tones. A digit is reported once,
// after four consecutive windows agree (about 30-40 ms of tone), and the
// next press is accepted after four windows without it, so one press yields
// one digit.
//
// It is not safe for concurrent use.
type InbandDetector struct {
	rate   int
	bank   *dtmfBank
	window []int16 // samples of the window being filled
	size   int     // samples per window
	hop    int     // samples between window starts

	candidate rune // digit of the latest windows, 0 for none
	hits      int  // consecutive windows with candidate
	current   rune // digit reported and still held, 0 for none
	misses    int  // consecutive windows without current
}

// NewInbandDetector returns a detector for PCM at sampleRate Hz (8000 for
// G.711). Rates under 4000 Hz cannot carry DTMF and are raised to 8000.
func NewInbandDetector(sampleRate int) *InbandDetector {
	if sampleRate < 4000 {
		sampleRate = G711Rate
	}
	size := Samples(inbandWindow, sampleRate)
	return &InbandDetector{rate: sampleRate, bank: newDTMFBank(float64(sampleRate)), size: size, hop: size / 2,
		window: make([]int16, 0, size)}
}

// SampleRate returns the rate the detector expects.
func (d *InbandDetector) SampleRate() int { return d.rate }

// String describes the detector for logs.
func (d *InbandDetector) String() string {
	return fmt.Sprintf("inband dtmf detector (%d Hz, %d-sample windows)", d.rate, d.size)
}

// Write consumes a frame of any length and returns the digits whose presses
// were recognised in it, usually none.
func (d *InbandDetector) Write(pcm []int16) []rune {
	var out []rune
	for len(pcm) > 0 {
		n := min(d.size-len(d.window), len(pcm))
		d.window = append(d.window, pcm[:n]...)
		pcm = pcm[n:]
		if len(d.window) == d.size {
			if digit := d.step(d.bank.classify(d.window)); digit != 0 {
				out = append(out, digit)
			}
			d.window = d.window[:copy(d.window, d.window[d.hop:])]
		}
	}
	return out
}

// Reset forgets any partial block and held digit, for example after a
// codec change or a gap in the stream.
func (d *InbandDetector) Reset() {
	d.window = d.window[:0]
	d.candidate, d.hits, d.current, d.misses = 0, 0, 0, 0
}

// step advances the debounce state with one window's result and returns a
// newly recognised digit, or 0.
func (d *InbandDetector) step(digit rune) rune {
	if digit == d.candidate {
		d.hits++
	} else {
		d.candidate, d.hits = digit, 1
	}
	if d.current != 0 {
		if digit == d.current {
			d.misses = 0
			return 0
		}
		if d.misses++; d.misses < inbandMissToDrop {
			return 0
		}
		d.current = 0
	}
	if d.candidate != 0 && d.hits >= inbandHitsToSet {
		d.current, d.misses = d.candidate, 0
		return d.current
	}
	return 0
}

// dtmfBank runs the eight DTMF Goertzel filters (rows then columns) over a
// window in one pass, and sums the window's energy in the same pass.
type dtmfBank struct {
	coeff [8]float64
}

func newDTMFBank(rate float64) *dtmfBank {
	b := &dtmfBank{}
	for i := range 4 {
		b.coeff[i] = 2 * math.Cos(2*math.Pi*dtmfRowFreqs[i]/rate)
		b.coeff[4+i] = 2 * math.Cos(2*math.Pi*dtmfColFreqs[i]/rate)
	}
	return b
}

// powers returns what goertzelPower would for each of the eight
// frequencies, and energy(block).
func (b *dtmfBank) powers(block []int16) (p [8]float64, total float64) {
	c := b.coeff
	var s1, s2 [8]float64
	for _, v := range block {
		x := float64(v)
		total += x * x
		for k := range 8 {
			s0 := x + c[k]*s1[k] - s2[k]
			s2[k], s1[k] = s1[k], s0
		}
	}
	if len(block) == 0 {
		return p, 0
	}
	n := float64(len(block))
	for k := range 8 {
		p[k] = 2 * (s1[k]*s1[k] + s2[k]*s2[k] - c[k]*s1[k]*s2[k]) / n
	}
	return p, total
}

// classify returns the digit a window holds, or 0. A window too quiet to
// hold a tone at the floor (silence and background noise, most of a call)
// costs one pass of squares and no filtering: a Goertzel power is at most
// twice the window's energy (Cauchy–Schwarz), so a window whose energy is
// under half the floor's can pass no check below.
func (b *dtmfBank) classify(block []int16) rune {
	n := float64(len(block))
	if energy(block) < inbandMinTone*n/2 {
		return 0
	}
	p, total := b.powers(block)
	r, row := strongest(p[:4])
	c, col := strongest(p[4:])
	switch {
	case row/n < inbandMinTone || col/n < inbandMinTone:
		return 0
	case col*inbandTwistNorm < row || row*inbandTwistRev < col:
		return 0
	case !standsOut(p[:4], r) || !standsOut(p[4:], c):
		return 0
	case row+col < inbandShare*total:
		return 0
	}
	return dtmfKeypad[r][c]
}

// strongest returns the index and value of the largest power.
func strongest(p []float64) (int, float64) {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best, p[best]
}

// standsOut reports whether p[i] is inbandRelative above every other entry.
func standsOut(p []float64, i int) bool {
	for j, v := range p {
		if j != i && v*inbandRelative > p[i] {
			return false
		}
	}
	return true
}
