package media

import (
	"bytes"
	"testing"
	"time"
)

// whisperVoice is a bridge whisper source playing pcm frame by frame, as a
// supervisor's softphone would; it has nothing once pcm is used up.
type whisperVoice struct{ pcm []int16 }

func (v *whisperVoice) fill(dst []int16) int {
	n := copy(dst, v.pcm)
	v.pcm = v.pcm[n:]
	return n
}

// The whisper reaches the agent, mixed with the caller, and never the
// caller; without it (or with nothing fresh) the caller's frames pass as
// they came.
func TestBridgeWhisper(t *testing.T) {
	for _, law := range []Codec{CodecPCMU, CodecPCMA} {
		t.Run(law.Name, func(t *testing.T) {
			a, b := &recordLeg{codec: law.Name}, &recordLeg{codec: "PCMU"}
			br := NewBridge(a, b, nil)
			br.Start()
			caller, agent := Tone(440, time.Second/2, G711Rate, 0.3), Tone(1000, time.Second/2, G711Rate, 0.3)
			voice := &whisperVoice{pcm: Tone(2000, time.Second/2, G711Rate, 0.3)}
			br.Whisper(voice.fill)
			var plain [][]byte
			for i := 0; i+FrameSamples <= len(caller); i += FrameSamples {
				p := make([]byte, FrameSamples)
				law.Encode(p, caller[i:i+FrameSamples])
				plain = append(plain, p)
				a.receive(p)
				q := make([]byte, FrameSamples)
				EncodeUlaw(q, agent[i:i+FrameSamples])
				b.receive(q)
			}
			heard := decodeFrames(b.written, DecodeUlaw)
			if e440, e2k := ToneEnergy(heard, G711Rate, 440), ToneEnergy(heard, G711Rate, 2000); e440 < 0.35 || e2k < 0.35 {
				t.Errorf("the agent hears 440 Hz %.2f and the whisper's 2 kHz %.2f; want both", e440, e2k)
			}
			toCaller := decodeFrames(a.written, law.Decode)
			if e := ToneEnergy(toCaller, G711Rate, 2000); e > 0.01 {
				t.Errorf("the caller hears the whisper: 2 kHz share %.3f", e)
			}
			requireTone(t, "the caller hears the agent", toCaller, 1000)
			if s := br.Stats(); s.Whispered != 25 || s.AToB != 25 {
				t.Errorf("stats %+v", s)
			}
			// The voice has run dry: frames pass untouched (same law) or
			// through the table, as without a whisper.
			b.written = nil
			a.receive(plain[0])
			br.Whisper(nil)
			a.receive(plain[1])
			want := func(p []byte) []byte {
				if law.Name == "PCMU" {
					return p
				}
				out := make([]byte, len(p))
				for i, c := range p {
					out[i] = alawToUlaw[c]
				}
				return out
			}
			if len(b.written) != 2 || !bytes.Equal(b.written[0], want(plain[0])) || !bytes.Equal(b.written[1], want(plain[1])) {
				t.Errorf("without a fresh voice the agent got %x", b.written)
			}
		})
	}
}

// Loud caller plus loud whisper clips instead of wrapping around.
func TestBridgeWhisperClips(t *testing.T) {
	a, b := &recordLeg{codec: "PCMU"}, &recordLeg{codec: "PCMU"}
	br := NewBridge(a, b, nil)
	br.Start()
	loud := make([]int16, FrameSamples)
	for i := range loud {
		loud[i] = 30000
		if i%2 == 1 {
			loud[i] = -30000
		}
	}
	br.Whisper(func(dst []int16) int { return copy(dst, loud) })
	p := make([]byte, FrameSamples)
	EncodeUlaw(p, loud)
	a.receive(p)
	got := decodeFrames(b.written, DecodeUlaw)
	for i, s := range got {
		if (i%2 == 0 && s < 30000) || (i%2 == 1 && s > -30000) {
			t.Fatalf("sample %d = %d; want clipped to the rail with the sign of %d", i, s, loud[i])
		}
	}
}

func TestBridgeWhisperAllocatesNothing(t *testing.T) {
	a, b := &nullLeg{codec: "PCMA"}, &nullLeg{codec: "PCMU"}
	br := NewBridge(a, b, nil)
	br.Start()
	voice := Tone(2000, frameDuration, G711Rate, 0.3)
	br.Whisper(func(dst []int16) int { return copy(dst, voice) })
	p := frameOf(CodecPCMA, 440)
	if n := testing.AllocsPerRun(1000, func() { a.sink(p) }); n != 0 {
		t.Errorf("whisper: %.1f allocations per frame", n)
	}
}

// BenchmarkBridgeWhisper is the cost of a caller frame mixed with a
// supervisor's whisper (decode, add, encode).
func BenchmarkBridgeWhisper(b *testing.B) {
	a, agent := &nullLeg{codec: "PCMU"}, &nullLeg{codec: "PCMU"}
	br := NewBridge(a, agent, nil)
	br.Start()
	voice := Tone(2000, frameDuration, G711Rate, 0.3)
	br.Whisper(func(dst []int16) int { return copy(dst, voice) })
	p := frameOf(CodecPCMU, 440)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		a.sink(p)
	}
}

func decodeFrames(frames [][]byte, decode func(dst []int16, codes []byte) int) []int16 {
	var out []int16
	for _, f := range frames {
		pcm := make([]int16, len(f))
		decode(pcm, f)
		out = append(out, pcm...)
	}
	return out
}
