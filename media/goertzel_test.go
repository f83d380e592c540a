package media

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// keyed builds PCM at 8 kHz: for each digit, tone then gap of silence.
func keyed(t *testing.T, digits string, tone, gap time.Duration) []int16 {
	t.Helper()
	out := Silence(100*time.Millisecond, 8000)
	for _, d := range digits {
		pcm, err := DTMFTone(d, tone, 8000)
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, pcm...), Silence(gap, 8000)...)
	}
	return out
}

// detect runs pcm through a detector in 20 ms frames.
func detect(pcm []int16, rate int) string {
	d := NewInbandDetector(rate)
	frame := rate / 50
	var got []rune
	for len(pcm) > 0 {
		n := min(frame, len(pcm))
		got = append(got, d.Write(pcm[:n])...)
		pcm = pcm[n:]
	}
	return string(got)
}

// addNoise adds white noise at snrDB below the signal's RMS.
func addNoise(pcm []int16, snrDB float64, seed uint64) []int16 {
	rms := math.Sqrt(energy(pcm) / float64(len(pcm)))
	sigma := rms / math.Pow(10, snrDB/20)
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]int16, len(pcm))
	for i, s := range pcm {
		out[i] = saturate(float64(s) + rng.NormFloat64()*sigma)
	}
	return out
}

func TestInbandEveryDigit(t *testing.T) {
	const all = "0123456789*#ABCD"
	if got := detect(keyed(t, all, 60*time.Millisecond, 60*time.Millisecond), 8000); got != all {
		t.Errorf("detected %q, want %q", got, all)
	}
	// At 16 kHz too.
	pcm := Silence(50*time.Millisecond, 16000)
	for _, d := range "159#" {
		tone, _ := DTMFTone(d, 80*time.Millisecond, 16000)
		pcm = append(append(pcm, tone...), Silence(80*time.Millisecond, 16000)...)
	}
	if got := detect(pcm, 16000); got != "159#" {
		t.Errorf("16 kHz: detected %q", got)
	}
}

func TestInbandNoisyWAVThroughG711(t *testing.T) {
	const seq = "0123456789*#ABCD1155"
	pcm := addNoise(keyed(t, seq, 70*time.Millisecond, 70*time.Millisecond), 20, 7)
	var buf bytes.Buffer
	if err := WriteWAV(&buf, 8000, 1, pcm); err != nil {
		t.Fatal(err)
	}
	a, err := ReadWAV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := detect(a.Samples, a.Rate); got != seq {
		t.Errorf("20 dB SNR: detected %q, want %q", got, seq)
	}
	for _, c := range Codecs() {
		codes := make([]byte, len(pcm))
		back := make([]int16, len(pcm))
		c.Decode(back, codes[:c.Encode(codes, pcm)])
		if got := detect(back, 8000); got != seq {
			t.Errorf("20 dB SNR through %v: detected %q", c, got)
		}
	}
}

func TestInbandCommittedWAV(t *testing.T) {
	a, err := ReadWAVFile("testdata/dtmf-123.wav")
	if err != nil {
		t.Fatal(err)
	}
	if a.Rate != 8000 || a.Channels != 1 {
		t.Fatalf("dtmf-123.wav is %v, want 8000 Hz mono", a)
	}
	if got := detect(a.Samples, a.Rate); got != "123" {
		t.Errorf("dtmf-123.wav: detected %q", got)
	}
}

func TestInbandDuration(t *testing.T) {
	for _, tc := range []struct {
		tone time.Duration
		want string
	}{{20 * time.Millisecond, ""}, {40 * time.Millisecond, "7"}, {2 * time.Second, "7"}} {
		// Try every alignment of the tone against the detector's blocks.
		for shift := 0; shift < 102; shift += 3 {
			pcm := append(Silence(time.Duration(shift)*time.Second/8000, 8000), keyed(t, "7", tc.tone, 100*time.Millisecond)...)
			if got := detect(pcm, 8000); got != tc.want {
				t.Errorf("%v tone at offset %d: detected %q, want %q", tc.tone, shift, got, tc.want)
			}
		}
	}
}

func TestInbandDropoutIsOnePress(t *testing.T) {
	// A 10 ms hole in a continuing tone (a lost packet) is still one press.
	for shift := 0; shift < 102; shift += 5 {
		tone, _ := DTMFTone('5', 300*time.Millisecond, 8000)
		hole := 800 + shift
		clear(tone[hole : hole+80])
		pcm := append(append(Silence(50*time.Millisecond, 8000), tone...), Silence(50*time.Millisecond, 8000)...)
		if got := detect(pcm, 8000); got != "5" {
			t.Errorf("hole at %d: detected %q, want one 5", hole, got)
		}
	}
}

func TestInbandShortPauseIsTwoPresses(t *testing.T) {
	// Q.24: 40 ms tones with 40 ms pauses are separate presses.
	for shift := 0; shift < 102; shift += 5 {
		pcm := append(Silence(time.Duration(shift)*time.Second/8000, 8000), keyed(t, "5599", 40*time.Millisecond, 40*time.Millisecond)...)
		if got := detect(pcm, 8000); got != "5599" {
			t.Errorf("offset %d: detected %q, want 5599", shift, got)
		}
	}
}

func TestInbandTwistAndLevel(t *testing.T) {
	build := func(rowAmp, colAmp float64) []int16 {
		pcm := Tone(852, 100*time.Millisecond, 8000, rowAmp) // row of 7 8 9 C
		addTone(pcm, 1477, 8000, colAmp)                     // column of 3 6 9 #
		return append(Silence(50*time.Millisecond, 8000), append(pcm, Silence(50*time.Millisecond, 8000)...)...)
	}
	db := func(d float64) float64 { return 0.25 * math.Pow(10, -d/20) }
	for _, tc := range []struct {
		name     string
		row, col float64
		want     string
	}{
		{"equal", db(0), db(0), "9"},
		{"normal twist 6 dB", db(0), db(6), "9"},
		{"normal twist 12 dB", db(0), db(12), ""},
		{"reverse twist 3 dB", db(3), db(0), "9"},
		{"reverse twist 8 dB", db(8), db(0), ""},
		{"quiet -40 dBFS", db(28), db(28), "9"},
		{"too quiet -60 dBFS", db(48), db(48), ""},
	} {
		if got := detect(build(tc.row, tc.col), 8000); got != tc.want {
			t.Errorf("%s: detected %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestInbandRejectsNonDTMF(t *testing.T) {
	if got := detect(Tone(1000, 3*time.Second, 8000, 0.5), 8000); got != "" {
		t.Errorf("1 kHz tone: detected %q", got)
	}
	if got := detect(Tone(697, time.Second, 8000, 0.5), 8000); got != "" {
		t.Errorf("single DTMF row tone: detected %q", got)
	}
	if got := detect(bandNoise(10*time.Second, 0.3, 3), 8000); got != "" {
		t.Errorf("speech-band noise: detected %q", got)
	}
	if got := detect(speechLike(10*time.Second, 11), 8000); got != "" {
		t.Errorf("speech-like signal: detected %q", got)
	}
}

// bandNoise is white noise band-limited to 300-3400 Hz by a cascade of
// one-pole high- and low-pass filters.
func bandNoise(dur time.Duration, rms float64, seed uint64) []int16 {
	rng := rand.New(rand.NewPCG(seed, 2))
	out := make([]int16, Samples(dur, 8000))
	hp := math.Exp(-2 * math.Pi * 300 / 8000)
	lp := math.Exp(-2 * math.Pi * 3400 / 8000)
	var prevIn, high, low float64
	for i := range out {
		in := rng.NormFloat64()
		high = hp * (high + in - prevIn)
		prevIn = in
		low = (1-lp)*high + lp*low
		out[i] = saturate(low * rms * 2 * math.MaxInt16)
	}
	return out
}

// speechLike is a voiced-speech imitation: a glottal pulse train whose pitch
// glides between 90 and 260 Hz, harmonics shaped by two moving formants,
// syllables of 150-300 ms with pauses.
func speechLike(dur time.Duration, seed uint64) []int16 {
	rng := rand.New(rand.NewPCG(seed, 3))
	out := make([]int16, Samples(dur, 8000))
	for pos := 0; pos < len(out); {
		syl := 1200 + rng.IntN(1200)
		f0 := 90 + rng.Float64()*170
		f1, f2 := 300+rng.Float64()*600, 900+rng.Float64()*1600
		for i := 0; i < syl && pos+i < len(out); i++ {
			ts := float64(i) / 8000
			pitch := f0 * (1 + 0.2*math.Sin(2*math.Pi*3*ts))
			var v float64
			for h := 1; float64(h)*pitch < 3400; h++ {
				fh := float64(h) * pitch
				gain := formant(fh, f1) + 0.5*formant(fh, f2)
				v += gain * math.Sin(2*math.Pi*fh*ts) / float64(h)
			}
			env := math.Sin(math.Pi * float64(i) / float64(syl))
			out[pos+i] = saturate(v * env * 6000)
		}
		pos += syl + 400 + rng.IntN(1600)
	}
	return out
}

func formant(f, centre float64) float64 {
	d := (f - centre) / 150
	return 1 / (1 + d*d)
}

func TestInbandReset(t *testing.T) {
	d := NewInbandDetector(8000)
	tone, _ := DTMFTone('4', 200*time.Millisecond, 8000)
	if got := d.Write(tone); string(got) != "4" {
		t.Fatalf("got %q", string(got))
	}
	d.Reset()
	if got := d.Write(tone); string(got) != "4" {
		t.Errorf("after Reset the held digit was not forgotten: %q", string(got))
	}
	if d.SampleRate() != 8000 || d.String() == "" {
		t.Error("SampleRate or String")
	}
}

func BenchmarkInbandDetector20ms(b *testing.B) {
	d := NewInbandDetector(8000)
	frame := addNoise(Tone(440, 20*time.Millisecond, 8000, 0.3), 20, 1)
	for b.Loop() {
		d.Write(frame)
	}
}

// A caller who says nothing: background noise around -60 dBFS, what most
// 20 ms frames of a call look like to the detector.
func BenchmarkInbandDetector20msQuiet(b *testing.B) {
	d := NewInbandDetector(8000)
	frame := addNoise(Tone(300, 20*time.Millisecond, 8000, 0.001), 0, 1)
	for b.Loop() {
		d.Write(frame)
	}
}

// The one-pass bank must give the eight powers and the energy that
// goertzelPower and energy give one by one.
func TestDTMFBankMatchesGoertzel(t *testing.T) {
	block := addNoise(Tone(770, 12750*time.Microsecond, 8000, 0.2), 300, 7)
	bank := newDTMFBank(8000)
	p, total := bank.powers(block)
	freqs := append(dtmfRowFreqs[:], dtmfColFreqs[:]...)
	for k, f := range freqs {
		want := goertzelPower(block, f, 8000)
		if math.Abs(p[k]-want) > 1e-9*math.Max(1, want) {
			t.Errorf("%g Hz: bank %g, goertzelPower %g", f, p[k], want)
		}
	}
	if want := energy(block); math.Abs(total-want) > 1e-9*want {
		t.Errorf("energy %g, want %g", total, want)
	}
}
