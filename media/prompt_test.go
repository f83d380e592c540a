package media

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// zh maps Chinese prompt names to characters, to write the cases readably.
var zh = map[string]string{
	"digit-0": "零", "digit-1": "一", "digit-2": "二", "digit-3": "三", "digit-4": "四",
	"digit-5": "五", "digit-6": "六", "digit-7": "七", "digit-8": "八", "digit-9": "九",
	PromptYao: "幺", PromptTen: "十", PromptBai: "百", PromptQian: "千", PromptWan: "万",
	PromptZeroFiller: "零", PromptAbout: "约", PromptMinute: "分钟",
}

func chinese(t *testing.T, names []string) string {
	t.Helper()
	var b strings.Builder
	for _, n := range names {
		s, ok := zh[n]
		if !ok {
			t.Fatalf("unexpected prompt %q in %v", n, names)
		}
		b.WriteString(s)
	}
	return b.String()
}

func TestSayNumberChinese(t *testing.T) {
	for n, want := range map[int]string{
		0: "零", 7: "七", 10: "十", 11: "十一", 20: "二十", 99: "九十九",
		100: "一百", 105: "一百零五", 110: "一百一十", 999: "九百九十九",
		1000: "一千", 1005: "一千零五", 1050: "一千零五十", 1234: "一千二百三十四", 1500: "一千五百",
		10000: "一万", 10010: "一万零一十", 10100: "一万零一百", 12345: "一万二千三百四十五",
		20000: "二万", 100000: "十万", 150000: "十五万", 100100: "十万零一百",
		1000000: "一百万", 10001000: "一千万一千", 99999999: "九千九百九十九万九千九百九十九",
	} {
		if got := chinese(t, SayNumber(n, "zh-CN")); got != want {
			t.Errorf("SayNumber(%d) = %s, want %s", n, got, want)
		}
	}
	if SayNumber(-1, "zh-CN") != nil || SayNumber(MaxSayNumberZH+1, "zh-CN") != nil {
		t.Error("out of range numbers are read")
	}
}

func TestSayNumberEnglish(t *testing.T) {
	for n, want := range map[int]string{
		0: "digit-0", 5: "digit-5", 10: "num-10", 13: "num-13", 20: "num-20", 42: "num-40 digit-2",
		100: "digit-1 hundred", 105: "digit-1 hundred digit-5", 1234: "digit-1 thousand digit-2 hundred num-30 digit-4",
		20000: "num-20 thousand", 999999: "digit-9 hundred num-90 digit-9 thousand digit-9 hundred num-90 digit-9",
	} {
		if got := strings.Join(SayNumber(n, "en"), " "); got != want {
			t.Errorf("SayNumber(%d, en) = %s, want %s", n, got, want)
		}
	}
	if SayNumber(MaxSayNumberEN+1, "en-US") != nil {
		t.Error("a million is read")
	}
}

func TestSayDigits(t *testing.T) {
	if got := chinese(t, SayDigits("12345-2026/001", "zh-CN")); got != "幺二三四五二零二六零零幺" {
		t.Errorf("zh digits = %s", got)
	}
	if got := strings.Join(SayDigits("A10", "en"), " "); got != "digit-1 digit-0" {
		t.Errorf("en digits = %s", got)
	}
}

func TestSayDuration(t *testing.T) {
	for _, tc := range []struct {
		d  time.Duration
		zh string
		en string
	}{
		{0, "约一分钟", "about digit-1 minute"},
		{61 * time.Second, "约二分钟", "about digit-2 minutes"},
		{12 * time.Minute, "约十二分钟", "about num-12 minutes"},
	} {
		if got := chinese(t, SayDuration(tc.d, "zh-CN")); got != tc.zh {
			t.Errorf("SayDuration(%v) = %s, want %s", tc.d, got, tc.zh)
		}
		if got := strings.Join(SayDuration(tc.d, "en"), " "); got != tc.en {
			t.Errorf("SayDuration(%v, en) = %s, want %s", tc.d, got, tc.en)
		}
	}
}

// TestSayUsesRequiredPrompts checks that every name the Say functions
// produce is in RequiredPrompts, so a set that passes Check can read all.
func TestSayUsesRequiredPrompts(t *testing.T) {
	for _, lang := range []string{"zh-CN", "en"} {
		req := RequiredPrompts(lang)
		var used []string
		for n := 0; n <= 120000; n += 7 {
			used = append(used, SayNumber(n, lang)...)
		}
		used = append(used, SayDigits("0123456789", lang)...)
		used = append(used, SayDuration(5*time.Minute, lang)...)
		used = append(used, SayDuration(time.Minute, lang)...)
		for _, u := range used {
			if !slices.Contains(req, u) {
				t.Errorf("%s: %q is produced but not required", lang, u)
			}
		}
	}
}

func writePrompt(t *testing.T, dir, name string, rate, channels int, pcm []int16) {
	t.Helper()
	if err := WriteWAVFile(filepath.Join(dir, name), rate, channels, pcm); err != nil {
		t.Fatal(err)
	}
}

func TestLoadPrompts(t *testing.T) {
	dir := t.TempDir()
	writePrompt(t, dir, "digit-1.wav", 8000, 1, Tone(500, 100*time.Millisecond, 8000, 0.3))
	writePrompt(t, dir, "num-10.wav", 8000, 1, Tone(700, 200*time.Millisecond, 8000, 0.3))
	os.WriteFile(filepath.Join(dir, "README"), []byte("not a prompt"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	p, err := LoadPrompts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Names(); !slices.Equal(got, []string{"digit-1", "num-10"}) {
		t.Errorf("names %v", got)
	}
	if p.Duration("num-10") != 200*time.Millisecond || p.SampleRate() != 8000 {
		t.Errorf("duration %v", p.Duration("num-10"))
	}
	pcm, err := p.Concat(SayNumber(11, "zh-CN")...) // 十一 = num-10 digit-1
	if err != nil {
		t.Fatal(err)
	}
	if len(pcm) != 2400 || math.Abs(DominantFrequency(pcm[:1600], 8000)-700) > 2 ||
		math.Abs(DominantFrequency(pcm[1600:], 8000)-500) > 2 {
		t.Errorf("concat of 十一: %d samples", len(pcm))
	}
	_, err = p.Concat("digit-1", "digit-7", "minute", "digit-7")
	if !errors.Is(err, ErrMissingPrompt) || !strings.HasSuffix(err.Error(), "digit-7, minute") {
		t.Errorf("missing prompts error: %v", err)
	}
	if _, ok := p.Get("nope"); ok {
		t.Error("Get(nope)")
	}
}

func TestLoadPromptsWrongRate(t *testing.T) {
	dir := t.TempDir()
	writePrompt(t, dir, "hello.wav", 22050, 1, Tone(440, 500*time.Millisecond, 22050, 0.3))
	writePrompt(t, dir, "stereo.wav", 8000, 2, Tone(440, 500*time.Millisecond, 16000, 0.3))
	_, err := LoadPrompts(dir)
	if err == nil || !strings.Contains(err.Error(), "hello.wav: 22050 Hz mono") ||
		!strings.Contains(err.Error(), "stereo.wav: 8000 Hz stereo") || !strings.Contains(err.Error(), "sox") {
		t.Fatalf("error %v", err)
	}
	p, err := LoadPrompts(dir, ResampleWrongRates())
	if err != nil {
		t.Fatal(err)
	}
	hello, _ := p.Get("hello")
	if len(hello) != 4000 || math.Abs(DominantFrequency(hello, 8000)-440) > 2 {
		t.Errorf("resampled prompt: %d samples at %.1f Hz", len(hello), DominantFrequency(hello, 8000))
	}
	if _, err := LoadPrompts(t.TempDir()); err == nil {
		t.Error("empty directory loaded")
	}
	if _, err := LoadPrompts(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing directory loaded")
	}
}

func TestResample(t *testing.T) {
	// A 3 kHz tone at 22050 Hz survives to 8 kHz; a 5 kHz tone, above the
	// new Nyquist frequency, is filtered out instead of aliasing to 3 kHz.
	in := Tone(3000, time.Second, 22050, 0.5)
	out := Resample(in, 22050, 8000)
	if len(out) != 8000 || ToneEnergy(out[100:7900], 8000, 3000) < 0.9 {
		t.Errorf("3 kHz: %d samples, share %.2f", len(out), ToneEnergy(out[100:7900], 8000, 3000))
	}
	alias := Resample(Tone(5000, time.Second, 22050, 0.5), 22050, 8000)
	if r := rms(alias[100:7900]); r > 0.01*0.5*32767/math.Sqrt2 {
		t.Errorf("5 kHz aliased with rms %.0f", r)
	}
	up := Resample(Tone(1000, time.Second, 8000, 0.5), 8000, 16000)
	if len(up) != 16000 || math.Abs(DominantFrequency(up, 16000)-1000) > 2 {
		t.Errorf("upsampled: %d at %.1f Hz", len(up), DominantFrequency(up, 16000))
	}
	same := []int16{1, 2}
	if got := Resample(same, 8000, 8000); &got[0] != &same[0] {
		t.Error("same-rate resample copied")
	}
}

func TestNewPromptSet(t *testing.T) {
	src := map[string][]int16{"about": {1, 2}}
	p := NewPromptSet("test", src)
	delete(src, "about")
	if err := p.Check("about"); err != nil || p.String() != "prompts test (1, 8000 Hz)" {
		t.Errorf("Check %v, String %q", err, p.String())
	}
}
