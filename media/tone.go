package media

import (
	"fmt"
	"math"
	"math/cmplx"
	"time"
)

// Samples returns the number of samples that dur lasts at rate, rounded down.
func Samples(dur time.Duration, rate int) int {
	if dur <= 0 || rate <= 0 {
		return 0
	}
	return int(dur * time.Duration(rate) / time.Second)
}

// Tone returns a sine wave of freq Hz lasting dur at rate samples per second.
// amplitude is a fraction of full scale (1.0 peaks at 32767); it is clipped
// to [0, 1].
func Tone(freq float64, dur time.Duration, rate int, amplitude float64) []int16 {
	out := make([]int16, Samples(dur, rate))
	addTone(out, freq, rate, amplitude)
	return out
}

// addTone adds a sine wave to pcm, saturating at the 16-bit limits.
func addTone(pcm []int16, freq float64, rate int, amplitude float64) {
	a := math.Max(0, math.Min(1, amplitude)) * math.MaxInt16
	w := 2 * math.Pi * freq / float64(rate)
	for i := range pcm {
		pcm[i] = saturate(float64(pcm[i]) + a*math.Sin(w*float64(i)))
	}
}

func saturate(v float64) int16 {
	switch {
	case v >= math.MaxInt16:
		return math.MaxInt16
	case v <= math.MinInt16:
		return math.MinInt16
	default:
		return int16(math.Round(v))
	}
}

// DTMFAmplitude is the amplitude of each of the two frequencies in
// DTMFTone: -12 dBFS, so the pair peaks at half of full scale.
const DTMFAmplitude = 0.25

// DTMFTone returns the keypad tone of digit ('0'-'9', '*', '#', 'A'-'D')
// lasting dur at rate: the sum of its row and column frequencies at
// DTMFAmplitude each.
func DTMFTone(digit rune, dur time.Duration, rate int) ([]int16, error) {
	low, high, ok := DTMFFrequencies(digit)
	if !ok {
		return nil, fmt.Errorf("dtmf tone: %q is not a DTMF digit", digit)
	}
	out := make([]int16, Samples(dur, rate))
	addTone(out, low, rate, DTMFAmplitude)
	addTone(out, high, rate, DTMFAmplitude)
	return out, nil
}

// Silence returns dur of digital silence at rate.
func Silence(dur time.Duration, rate int) []int16 {
	return make([]int16, Samples(dur, rate))
}

// ToneEnergy returns the share of the energy of pcm that lies at freq, from 0
// (none, or pcm is silent) to about 1 (pcm is a pure tone at freq). Over a
// signal of n samples the measurement's bandwidth is about rate/n Hz, so 200
// ms at 8 kHz resolves 5 Hz. Use it to prove that a tone crossed a leg:
// ToneEnergy(heard, 8000, 440) > 0.5.
func ToneEnergy(pcm []int16, rate int, freq float64) float64 {
	total := energy(pcm)
	if total == 0 || len(pcm) == 0 {
		return 0
	}
	return goertzelPower(pcm, freq, float64(rate)) / total
}

// energy is the sum of the squared samples.
func energy(pcm []int16) float64 {
	var e float64
	for _, s := range pcm {
		e += float64(s) * float64(s)
	}
	return e
}

// maxFFTSamples bounds the work DominantFrequency does: longer inputs are
// measured over their middle maxFFTSamples.
const maxFFTSamples = 1 << 16

// DominantFrequency returns the frequency in Hz of the strongest spectral
// peak of pcm (Hann-windowed FFT with parabolic peak interpolation), or 0 for
// silence or fewer than 64 samples. With 200 ms at 8 kHz it is accurate to
// about 1 Hz for a clean tone.
func DominantFrequency(pcm []int16, rate int) float64 {
	if len(pcm) > maxFFTSamples {
		mid := (len(pcm) - maxFFTSamples) / 2
		pcm = pcm[mid : mid+maxFFTSamples]
	}
	if len(pcm) < 64 || energy(pcm) == 0 {
		return 0
	}
	n := 1
	for n < 2*len(pcm) {
		n *= 2
	}
	x := make([]complex128, n)
	for i, s := range pcm {
		hann := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(len(pcm)-1))
		x[i] = complex(float64(s)*hann, 0)
	}
	fft(x)
	mag := make([]float64, n/2)
	peak := 1
	for k := 1; k < n/2; k++ {
		mag[k] = cmplx.Abs(x[k])
		if mag[k] > mag[peak] {
			peak = k
		}
	}
	return (float64(peak) + interpolatePeak(mag, peak)) * float64(rate) / float64(n)
}

// interpolatePeak fits a parabola through the log magnitudes around bin k and
// returns the offset of its vertex, in bins.
func interpolatePeak(mag []float64, k int) float64 {
	if k <= 0 || k >= len(mag)-1 || mag[k-1] <= 0 || mag[k+1] <= 0 {
		return 0
	}
	a, b, c := math.Log(mag[k-1]), math.Log(mag[k]), math.Log(mag[k+1])
	d := a - 2*b + c
	if d == 0 {
		return 0
	}
	return 0.5 * (a - c) / d
}

// fft is an in-place iterative radix-2 Cooley-Tukey transform; len(x) must
// be a power of two.
func fft(x []complex128) {
	n := len(x)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		step := cmplx.Exp(complex(0, -2*math.Pi/float64(size)))
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for k := range size / 2 {
				a, b := x[start+k], x[start+k+size/2]*w
				x[start+k], x[start+k+size/2] = a+b, a-b
				w *= step
			}
		}
	}
}
