package media

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Prompt names shared by SayNumber, SayDigits and SayDuration and the prompt
// files under configs/prompts/<lang>/ (NAME.wav, 8 kHz mono 16-bit):
//
//	digit-0 … digit-9   the digits: 零 一 二 … 九 / "zero" … "nine"
//	digit-1-yao         zh: 幺 (yāo), "one" when reading digit strings
//	num-10              zh: 十 / en: "ten"
//	num-100             zh: 百
//	num-1000            zh: 千
//	num-10000           zh: 万
//	num-zero-filler     zh: 零 inside a number (一百零五)
//	num-11 … num-19     en: "eleven" … "nineteen"
//	num-20 … num-90     en: "twenty" … "ninety" (tens only)
//	hundred, thousand   en: "hundred", "thousand"
//	about               zh: 约 / en: "about"
//	minute              zh: 分钟 / en: "minute"
//	minutes             en: "minutes" (plural, for two or more)
//
// RequiredPrompts lists them per language.
const (
	PromptYao        = "digit-1-yao"
	PromptTen        = "num-10"
	PromptBai        = "num-100"
	PromptQian       = "num-1000"
	PromptWan        = "num-10000"
	PromptZeroFiller = "num-zero-filler"
	PromptHundred    = "hundred"
	PromptThousand   = "thousand"
	PromptAbout      = "about"
	PromptMinute     = "minute"
	PromptMinutes    = "minutes"
)

// PromptRate is the sample rate of every prompt in a PromptSet: the G.711
// rate, so prompts play without conversion.
const PromptRate = G711Rate

// ErrMissingPrompt is wrapped by errors about prompt names a set lacks.
var ErrMissingPrompt = errors.New("missing prompt")

// PromptSet holds the prompts of one language as 8 kHz mono PCM, by name.
// It is read-only after loading and safe for concurrent use; the slices it
// returns are shared and must not be modified.
type PromptSet struct {
	name    string
	prompts map[string][]int16
}

// PromptOption adjusts LoadPrompts.
type PromptOption func(*promptLoad)

type promptLoad struct{ resample bool }

// ResampleWrongRates makes LoadPrompts convert prompts recorded at other
// rates to 8 kHz (and stereo to mono) instead of rejecting them.
func ResampleWrongRates() PromptOption { return func(l *promptLoad) { l.resample = true } }

// LoadPrompts reads every NAME.wav in dir (not its subdirectories) as the
// prompt NAME. A prompt that is not 8 kHz mono is an error naming the file and
// the fix, unless ResampleWrongRates is given. A directory without prompts is
// an error.
func LoadPrompts(dir string, opts ...PromptOption) (*PromptSet, error) {
	var cfg promptLoad
	for _, o := range opts {
		o(&cfg)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load prompts: %w", err)
	}
	p := &PromptSet{name: filepath.Base(dir), prompts: map[string][]int16{}}
	var errs []error
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".wav") {
			continue
		}
		name := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
		pcm, err := loadPrompt(filepath.Join(dir, e.Name()), cfg)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.prompts[name] = pcm
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("load prompts %s: %w", dir, errors.Join(errs...))
	}
	if len(p.prompts) == 0 {
		return nil, fmt.Errorf("load prompts %s: no .wav files", dir)
	}
	return p, nil
}

// loadPrompt reads one prompt file and brings it to 8 kHz mono.
func loadPrompt(path string, cfg promptLoad) ([]int16, error) {
	a, err := ReadWAVFile(path)
	if err != nil {
		return nil, err
	}
	if a.Rate == PromptRate && a.Channels == 1 {
		return a.Samples, nil
	}
	if !cfg.resample {
		return nil, fmt.Errorf("%s: %v, want %d Hz mono (convert with: sox IN.wav -r 8000 -c 1 -b 16 OUT.wav)",
			path, a, PromptRate)
	}
	return Resample(Downmix(a), a.Rate, PromptRate), nil
}

// NewPromptSet builds a set from PCM already at 8 kHz, for tests and
// generated prompts. The map is copied, the slices are not.
func NewPromptSet(name string, prompts map[string][]int16) *PromptSet {
	p := &PromptSet{name: name, prompts: make(map[string][]int16, len(prompts))}
	for k, v := range prompts {
		p.prompts[k] = v
	}
	return p
}

// String describes the set: "prompts zh-CN (42, 8000 Hz)".
func (p *PromptSet) String() string {
	return fmt.Sprintf("prompts %s (%d, %d Hz)", p.name, len(p.prompts), PromptRate)
}

// SampleRate returns PromptRate.
func (p *PromptSet) SampleRate() int { return PromptRate }

// Get returns a prompt's samples.
func (p *PromptSet) Get(name string) ([]int16, bool) {
	pcm, ok := p.prompts[name]
	return pcm, ok
}

// Duration returns a prompt's length, 0 if it is missing.
func (p *PromptSet) Duration(name string) time.Duration {
	return time.Duration(len(p.prompts[name])) * time.Second / PromptRate
}

// Names returns the prompt names in order.
func (p *PromptSet) Names() []string {
	names := make([]string, 0, len(p.prompts))
	for k := range p.prompts {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// Check returns an error wrapping ErrMissingPrompt that lists the names the
// set lacks, or nil. Use it when loading a flow that refers to prompts.
func (p *PromptSet) Check(names ...string) error {
	var missing []string
	for _, n := range names {
		if _, ok := p.prompts[n]; !ok && !slices.Contains(missing, n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%v: %w: %s", p, ErrMissingPrompt, strings.Join(missing, ", "))
	}
	return nil
}

// Concat joins prompts into one buffer, for numbers and digit strings:
// Concat(SayNumber(42, "zh-CN")...). Every name must exist.
func (p *PromptSet) Concat(names ...string) ([]int16, error) {
	if err := p.Check(names...); err != nil {
		return nil, err
	}
	n := 0
	for _, name := range names {
		n += len(p.prompts[name])
	}
	out := make([]int16, 0, n)
	for _, name := range names {
		out = append(out, p.prompts[name]...)
	}
	return out, nil
}
