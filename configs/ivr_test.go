package configs

import (
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ivr"
)

func TestShippedFlowsPassValidation(t *testing.T) {
	flows, err := LoadFlows(IVRFlows(), Prompts())
	if err != nil {
		t.Fatal(err)
	}
	f := flows["inbound"]
	if f == nil || f.File != InboundFlow {
		t.Fatalf("inbound flow missing: %v", flows)
	}
	if f.Nodes["main"].Line == 0 {
		t.Error("node lines not recorded")
	}
}

// numberPrompts are the names media's SayNumber and SayDigits and the
// queue announcements use, per language directory.
var numberPrompts = map[string][]string{
	"zh-CN": {"digit-0", "digit-1", "digit-2", "digit-3", "digit-4", "digit-5", "digit-6", "digit-7", "digit-8", "digit-9",
		"digit-1-yao", "num-10", "num-100", "num-1000", "num-10000", "num-zero-filler", "minute", "about",
		"queue-ahead", "queue-people", "queue-wait", "goodbye", "thank-you"},
	"en": {"digit-0", "digit-1", "digit-2", "digit-3", "digit-4", "digit-5", "digit-6", "digit-7", "digit-8", "digit-9",
		"digit-1-yao", "num-10", "num-11", "num-12", "num-13", "num-14", "num-15", "num-16", "num-17", "num-18", "num-19",
		"num-20", "num-30", "num-40", "num-50", "num-60", "num-70", "num-80", "num-90", "hundred", "thousand",
		"minute", "minutes", "about", "queue-ahead", "queue-people", "queue-wait", "goodbye", "thank-you"},
}

func TestNumberPromptsShipped(t *testing.T) {
	for dir, names := range numberPrompts {
		for _, n := range names {
			if _, err := fs.Stat(Prompts(), dir+"/"+n+".wav"); err != nil {
				t.Errorf("%s/%s.wav: %v", dir, n, err)
			}
		}
	}
}

// TestShippedPromptsAreSpeech reads every shipped WAV: 8 kHz mono 16-bit
// PCM, short, and loud enough to be speech rather than silence.
func TestShippedPromptsAreSpeech(t *testing.T) {
	files, err := fs.Glob(Prompts(), "*/*.wav")
	if err != nil || len(files) < 60 {
		t.Fatalf("%d prompt files (%v)", len(files), err)
	}
	total := 0
	for _, name := range files {
		b, err := fs.ReadFile(Prompts(), name)
		if err != nil {
			t.Fatal(err)
		}
		total += len(b)
		samples, err := pcm8kMono16(b)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		secs := float64(len(samples)) / 8000
		if secs < 0.1 || secs > 15 {
			t.Errorf("%s: %.2f s long", name, secs)
		}
		if r := rms(samples); r < 500 {
			t.Errorf("%s: RMS %.0f, too quiet to be speech", name, r)
		}
	}
	// Two languages, the survey and the queue's messages: about 3.5 MiB of
	// 8 kHz PCM in the binary. The cap catches an accidental 44.1 kHz file.
	if total > 4<<20 {
		t.Errorf("prompts take %d bytes; keep them under 4 MiB", total)
	}
}

// pcm8kMono16 returns the samples of a canonical PCM WAV, or why it is not
// 8 kHz mono 16-bit.
func pcm8kMono16(b []byte) ([]int16, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, errors.New("not a RIFF WAVE file")
	}
	var fmtOK bool
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		body := b[p+8 : min(len(b), p+8+size)]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, errors.New("short fmt chunk")
			}
			format, ch := binary.LittleEndian.Uint16(body[0:2]), binary.LittleEndian.Uint16(body[2:4])
			rate, bits := binary.LittleEndian.Uint32(body[4:8]), binary.LittleEndian.Uint16(body[14:16])
			if format != 1 || ch != 1 || rate != 8000 || bits != 16 {
				return nil, errors.New("want PCM 8000 Hz mono 16 bit")
			}
			fmtOK = true
		case "data":
			if !fmtOK {
				return nil, errors.New("data before fmt")
			}
			s := make([]int16, len(body)/2)
			for i := range s {
				s[i] = int16(binary.LittleEndian.Uint16(body[2*i:]))
			}
			return s, nil
		}
		p += 8 + size + size%2
	}
	return nil, errors.New("no data chunk")
}

func rms(s []int16) float64 {
	var sum float64
	for _, v := range s {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(max(1, len(s))))
}

func TestPromptSet(t *testing.T) {
	set := PromptSet(Prompts())
	tests := []struct {
		ref  string
		want bool
	}{
		{"greeting", true},
		{"en/for-english", true},
		{"for-english", false}, // English only: a bare name must exist in every language
		{"zh/num-10000", true},
		{"en/num-10000", false},
		{"fr/greeting", false},
		{"../prompts/zh-CN/greeting", false},
		{"zh/../en/greeting", false},
		{"", false},
		{"greeting.wav", false},
	}
	for _, tt := range tests {
		if got := set.Has(tt.ref); got != tt.want {
			t.Errorf("Has(%q) = %v, want %v", tt.ref, got, tt.want)
		}
	}
	for _, tt := range []struct{ lang, ref, want string }{
		{"zh", "greeting", "zh-CN/greeting.wav"},
		{"en", "greeting", "en/greeting.wav"},
		{"zh", "en/for-english", "en/for-english.wav"},
	} {
		if got := PromptFile(tt.lang, tt.ref); got != tt.want {
			t.Errorf("PromptFile(%q, %q) = %q, want %q", tt.lang, tt.ref, got, tt.want)
		}
	}
}

// okFlow is a valid flow file; each broken case changes one thing.
const okFlow = `name: t
start: hello
nodes:
  hello:
    play: {prompts: [greeting], barge_in: true}
    next: menu
  menu:
    menu:
      prompts: [main-menu]
      options: {1: bye, "0": queue}
      timeout: 4s
      on_exhausted: queue
  bye:
    hangup: {cause: normal}
  queue:
    enqueue: {queue: general, attrs: [menu]}
`

func flowFS(data string) fstest.MapFS {
	return fstest.MapFS{"t.yaml": {Data: []byte(data)}}
}

func TestLoadFlow(t *testing.T) {
	f, err := LoadFlow(flowFS(okFlow), "t")
	if err != nil {
		t.Fatal(err)
	}
	m := f.Nodes["menu"]
	if m.Kind != ivr.KindMenu || m.Line != 7 || m.Menu.Timeout.Seconds() != 4 || len(m.Menu.Options) != 2 || m.Menu.Options[1].Digit != "1" {
		t.Fatalf("menu node %+v %+v", m, m.Menu)
	}
}

func TestLoadFlowErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"unknown node", strings.Replace(okFlow, "next: menu", "next: mnu", 1), `t.yaml:4: node hello: next: unknown node "mnu"`},
		{"unknown key", strings.Replace(okFlow, "barge_in: true", "bargein: true", 1), "line 5: field bargein not found"},
		{"two kinds", strings.Replace(okFlow, "    hangup: {cause: normal}", "    hangup: {}\n    goto: hello", 1),
			"t.yaml:13: node bye: want exactly one of"},
		{"no kind", strings.Replace(okFlow, "    hangup: {cause: normal}", "    next: hello", 1), "t.yaml:13: node bye: want exactly one of"},
		{"bad day", strings.Replace(okFlow, "  bye:\n", "  d:\n    branch: {cases: [{day: friday, next: bye}], else: bye}\n  bye:\n", 1),
			`node d: branch.cases[0].day: unknown day type "friday"`},
		{"duration as number", strings.Replace(okFlow, "timeout: 4s", "timeout: 4", 1), "line 11: cannot unmarshal !!int `4` into time.Duration"},
		{"duplicate digit", strings.Replace(okFlow, `"0": queue`, `"1": queue`, 1), `line 10: mapping key "1" already defined`},
		{"empty", "", "t.yaml: file is empty"},
		{"long terminator", strings.Replace(okFlow, "  bye:\n", "  c:\n    collect: {max: 3, attr: x, terminator: '##'}\n    next: bye\n  bye:\n", 1),
			`node c: collect.terminator: "##" is not one key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFlow(flowFS(tt.data), "t.yaml")
			if err == nil {
				t.Fatal("no error")
			}
			if hotline.ErrorCode(err) != hotline.EINVALID {
				t.Errorf("code %s", hotline.ErrorCode(err))
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "t.yaml") {
				t.Fatalf("error\n%v\ndoes not name t.yaml and contain\n%s", err, tt.want)
			}
		})
	}
}

func TestLoadFlowsChecksPrompts(t *testing.T) {
	fsys := flowFS(strings.Replace(okFlow, "[greeting]", "[greeting, welcome]", 1))
	_, err := LoadFlows(fsys, Prompts())
	if err == nil || !strings.Contains(err.Error(), `t.yaml:4: node hello: play.prompts: prompt "welcome" does not exist`) {
		t.Fatalf("err %v", err)
	}
	if _, err := LoadFlows(flowFS(okFlow), Prompts()); err != nil {
		t.Fatal(err)
	}
}

// fuzzSession answers every prompt and key request the same way, ending
// in a hang-up after a bounded number of requests.
type fuzzSession struct{ calls int }

func (s *fuzzSession) next() error {
	s.calls++
	if s.calls > 50 {
		return ivr.ErrHangup
	}
	return nil
}
func (s *fuzzSession) Play(context.Context, []string, bool) (rune, error) { return '1', s.next() }
func (s *fuzzSession) Collect(context.Context, ivr.CollectSpec) (string, error) {
	return "2#", s.next()
}
func (s *fuzzSession) Enqueue(context.Context, string, map[string]string, int) error { return nil }
func (s *fuzzSession) Transfer(context.Context, string) error                        { return nil }
func (s *fuzzSession) Hangup(context.Context, string) error                          { return nil }
func (s *fuzzSession) Attr(string) string                                            { return "3" }
func (s *fuzzSession) SetAttr(string, string)                                        {}

// FuzzLoadFlow: any bytes either fail to load with an error or give a flow
// the engine can run to an end without panicking.
func FuzzLoadFlow(f *testing.F) {
	inbound, err := fs.ReadFile(IVRFlows(), InboundFlow)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(inbound)
	f.Add([]byte(okFlow))
	f.Add([]byte("name: x\nstart: a\nnodes:\n  a: {goto: a}\n"))
	f.Add([]byte("nodes: {a: {branch: {cases: [{time: '23:00-01:00', next: a}], else: a}}}\nstart: a\nname: n\n"))
	f.Add([]byte("&a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		flow, err := LoadFlow(fstest.MapFS{"f.yaml": {Data: data}}, "f.yaml")
		if err != nil {
			if flow != nil {
				t.Fatal("flow and error")
			}
			return
		}
		e := &ivr.Engine{
			MaxSteps:  200,
			SayNumber: func(int, string) []string { return []string{"n"} },
			SayDigits: func(string, string) []string { return []string{"d"} },
		}
		res, err := e.Run(context.Background(), flow, &fuzzSession{})
		if res.Outcome == "" {
			t.Fatalf("run ended without an outcome (err %v, path %v)", err, res.Path)
		}
	})
}
