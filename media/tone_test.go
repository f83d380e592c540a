package media

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestToneDominantFrequency(t *testing.T) {
	for _, rate := range []int{8000, 16000, 48000} {
		for _, f := range []float64{300, 440, 1000, 1633, 3400} {
			pcm := Tone(f, 200*time.Millisecond, rate, 0.5)
			if len(pcm) != rate/5 {
				t.Fatalf("%d Hz: %d samples, want %d", rate, len(pcm), rate/5)
			}
			if got := DominantFrequency(pcm, rate); math.Abs(got-f) > 2 {
				t.Errorf("rate %d: tone %.0f Hz measured at %.2f Hz", rate, f, got)
			}
		}
	}
}

func TestToneAmplitude(t *testing.T) {
	pcm := Tone(1000, 100*time.Millisecond, 8000, 0.5)
	peak := 0
	for _, s := range pcm {
		peak = max(peak, abs(int(s)))
	}
	if peak < 16000 || peak > 16384 {
		t.Errorf("peak %d, want about 16383", peak)
	}
	if loud := Tone(1000, 10*time.Millisecond, 8000, 7); loud[2] != 32767 {
		t.Errorf("amplitude over 1 not clipped: %d", loud[2])
	}
}

func TestToneEnergy(t *testing.T) {
	pcm := Tone(440, 200*time.Millisecond, 8000, 0.3)
	if r := ToneEnergy(pcm, 8000, 440); r < 0.95 || r > 1.05 {
		t.Errorf("440 Hz share of a 440 Hz tone = %.3f", r)
	}
	if r := ToneEnergy(pcm, 8000, 1000); r > 0.01 {
		t.Errorf("1000 Hz share of a 440 Hz tone = %.3f", r)
	}
	mixed := Tone(440, 200*time.Millisecond, 8000, 0.3)
	addTone(mixed, 1000, 8000, 0.3)
	for _, f := range []float64{440, 1000} {
		if r := ToneEnergy(mixed, 8000, f); math.Abs(r-0.5) > 0.05 {
			t.Errorf("%.0f Hz share of two equal tones = %.3f, want 0.5", f, r)
		}
	}
	if r := ToneEnergy(Silence(time.Second, 8000), 8000, 440); r != 0 {
		t.Errorf("silence has tone energy %.3f", r)
	}
	if r := ToneEnergy(noise(8000, 0.3, 1), 8000, 440); r > 0.01 {
		t.Errorf("white noise has 440 Hz share %.3f", r)
	}
}

func TestDominantFrequencyEdgeCases(t *testing.T) {
	if f := DominantFrequency(nil, 8000); f != 0 {
		t.Errorf("nil: %.1f", f)
	}
	if f := DominantFrequency(Silence(time.Second, 8000), 8000); f != 0 {
		t.Errorf("silence: %.1f", f)
	}
	long := Tone(697, 10*time.Second, 8000, 0.5) // longer than maxFFTSamples
	if f := DominantFrequency(long, 8000); math.Abs(f-697) > 1 {
		t.Errorf("10 s tone at %.2f Hz", f)
	}
}

func TestDTMFTone(t *testing.T) {
	for _, d := range "0123456789*#ABCD" {
		pcm, err := DTMFTone(d, 100*time.Millisecond, 8000)
		if err != nil {
			t.Fatal(err)
		}
		low, high, _ := DTMFFrequencies(d)
		rl, rh := ToneEnergy(pcm, 8000, low), ToneEnergy(pcm, 8000, high)
		if math.Abs(rl-0.5) > 0.06 || math.Abs(rh-0.5) > 0.06 {
			t.Errorf("%c: shares %.2f at %.0f Hz and %.2f at %.0f Hz", d, rl, low, rh, high)
		}
	}
	if _, err := DTMFTone('x', time.Second, 8000); err == nil {
		t.Error("DTMFTone('x') succeeded")
	}
}

func TestSilenceAndSamples(t *testing.T) {
	if n := len(Silence(20*time.Millisecond, 8000)); n != 160 {
		t.Errorf("20 ms = %d samples", n)
	}
	if n := Samples(-time.Second, 8000); n != 0 {
		t.Errorf("negative duration = %d samples", n)
	}
}

// noise returns a second of white noise with the given RMS level as a
// fraction of full scale, from a fixed seed.
func noise(rate int, rms float64, seed uint64) []int16 {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]int16, rate)
	for i := range out {
		out[i] = saturate(rng.NormFloat64() * rms * math.MaxInt16)
	}
	return out
}
