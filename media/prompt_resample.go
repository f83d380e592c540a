package media

import "math"

// resampleTaps is the half-width, in input samples at the lower of the two
// rates, of the windowed-sinc interpolation kernel.
const resampleTaps = 16

// Downmix returns the mean of an Audio's channels as mono samples.
func Downmix(a *Audio) []int16 {
	if a.Channels <= 1 {
		return a.Samples
	}
	out := make([]int16, a.Frames())
	for i := range out {
		sum := 0
		for c := range a.Channels {
			sum += int(a.Samples[i*a.Channels+c])
		}
		out[i] = int16(sum / a.Channels)
	}
	return out
}

// Resample converts mono PCM from one rate to another with a Hann-windowed
// sinc interpolator whose cutoff is just under the lower rate's Nyquist
// frequency, so downsampling (22050 Hz espeak-ng output to 8 kHz) does not
// alias. It is meant for loading prompts, not for real-time paths.
func Resample(pcm []int16, from, to int) []int16 {
	if from == to || from <= 0 || to <= 0 || len(pcm) == 0 {
		return pcm
	}
	ratio := float64(to) / float64(from)
	cutoff := 0.95 * math.Min(1, ratio) // in units of the input Nyquist
	half := float64(resampleTaps) / math.Min(1, ratio)
	out := make([]int16, int(float64(len(pcm))*ratio))
	for i := range out {
		out[i] = saturate(interpolate(pcm, float64(i)/ratio, cutoff, half))
	}
	return out
}

// interpolate evaluates the band-limited signal at input position x.
func interpolate(pcm []int16, x, cutoff, half float64) float64 {
	lo := max(0, int(math.Ceil(x-half)))
	hi := min(len(pcm)-1, int(math.Floor(x+half)))
	var sum float64
	for j := lo; j <= hi; j++ {
		d := x - float64(j)
		w := 0.5 + 0.5*math.Cos(math.Pi*d/half)
		sum += float64(pcm[j]) * cutoff * sinc(cutoff*d) * w
	}
	return sum
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}
