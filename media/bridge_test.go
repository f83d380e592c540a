package media

import (
	"bytes"
	"errors"
	"sync/atomic"
	"testing"
)

// recordLeg is a PayloadLeg without network: the test calls its sink by
// hand, and it keeps copies of what it is sent.
type recordLeg struct {
	codec   string
	sink    atomic.Pointer[func(p []byte)]
	written [][]byte
	err     error
}

func (l *recordLeg) Codec() string { return l.codec }

func (l *recordLeg) SetAudioSink(f func(p []byte)) {
	if f == nil {
		l.sink.Store(nil)
		return
	}
	l.sink.Store(&f)
}

func (l *recordLeg) WritePayload(p []byte) error {
	if l.err != nil {
		return l.err
	}
	l.written = append(l.written, bytes.Clone(p))
	return nil
}

// receive plays p in as if it came from the network.
func (l *recordLeg) receive(p []byte) bool {
	f := l.sink.Load()
	if f == nil {
		return false
	}
	(*f)(p)
	return true
}

var _ PayloadLeg = (*recordLeg)(nil)

func frameOf(codec Codec, freq float64) []byte {
	pcm := Tone(freq, frameDuration, G711Rate, 0.3)
	out := make([]byte, len(pcm))
	codec.Encode(out, pcm)
	return out
}

func TestBridgeCopiesSameCodec(t *testing.T) {
	a, b := &recordLeg{codec: "PCMU"}, &recordLeg{codec: "PCMU"}
	br := NewBridge(a, b, nil)
	if a.receive([]byte{1}) {
		t.Fatal("sink installed before Start")
	}
	br.Start()
	caller, agent := frameOf(CodecPCMU, 440), frameOf(CodecPCMU, 1000)
	a.receive(caller)
	b.receive(agent)
	if len(b.written) != 1 || !bytes.Equal(b.written[0], caller) {
		t.Errorf("agent got %x", b.written)
	}
	if len(a.written) != 1 || !bytes.Equal(a.written[0], agent) {
		t.Errorf("caller got %x", a.written)
	}
	if s := br.Stats(); s != (BridgeStats{AToB: 1, BToA: 1}) {
		t.Errorf("stats %+v", s)
	}
	if got := br.String(); got != "bridge PCMU<->PCMU" {
		t.Errorf("String() = %q", got)
	}
}

// Each direction converts with the other law; the decoded audio stays
// within one quantisation step of what was sent.
func TestBridgeTranscodes(t *testing.T) {
	a, b := &recordLeg{codec: "PCMA"}, &recordLeg{codec: "PCMU"}
	br := NewBridge(a, b, nil)
	br.Start()
	a.receive(frameOf(CodecPCMA, 440))
	b.receive(frameOf(CodecPCMU, 1000))
	if len(a.written) != 1 || len(b.written) != 1 {
		t.Fatalf("written: caller %d agent %d", len(a.written), len(b.written))
	}
	toAgent := make([]int16, FrameSamples)
	DecodeUlaw(toAgent, b.written[0])
	requireTone(t, "caller's PCMA as PCMU", toAgent, 440)
	toCaller := make([]int16, FrameSamples)
	DecodeAlaw(toCaller, a.written[0])
	requireTone(t, "agent's PCMU as PCMA", toCaller, 1000)
	if s := br.Stats(); s.Transcoded != 2 {
		t.Errorf("stats %+v", s)
	}
	if got := br.String(); got != "bridge PCMA<->PCMU (transcoding)" {
		t.Errorf("String() = %q", got)
	}
}

func TestTranscodeTablesStayWithinAStep(t *testing.T) {
	for c := range 256 {
		u := UlawToLinear(byte(c))
		if a := AlawToLinear(ulawToAlaw[c]); abs(int(a)-int(u)) > max(16, abs(int(u))/16) {
			t.Errorf("μ-law %#02x (%d) → A-law %d", c, u, a)
		}
		a := AlawToLinear(byte(c))
		if u := UlawToLinear(alawToUlaw[c]); abs(int(a)-int(u)) > max(16, abs(int(a))/16) {
			t.Errorf("A-law %#02x (%d) → μ-law %d", c, a, u)
		}
	}
	// μ-law has a zero, A-law only ±8: its silence becomes μ-law's +8.
	if ulawToAlaw[ulawSilence] != alawSilence || UlawToLinear(alawToUlaw[alawSilence]) != 8 {
		t.Errorf("silence maps to %#02x / %#02x", ulawToAlaw[ulawSilence], alawToUlaw[alawSilence])
	}
}

func TestBridgeMuteHoldTap(t *testing.T) {
	a, b := &recordLeg{codec: "PCMA"}, &recordLeg{codec: "PCMU"}
	br := NewBridge(a, b, nil)
	type heard struct {
		fromA bool
		p     []byte
	}
	var tapped []heard
	br.Tap(func(fromA bool, p []byte) { tapped = append(tapped, heard{fromA, bytes.Clone(p)}) })
	br.Start()

	br.Mute(true)
	agent, caller := frameOf(CodecPCMU, 1000), frameOf(CodecPCMA, 440)
	b.receive(agent)
	a.receive(caller)
	if got := a.written[0]; !bytes.Equal(got, bytes.Repeat([]byte{alawSilence}, FrameSamples)) {
		t.Errorf("muted agent reached the caller as %x", got)
	}
	if len(b.written) != 1 || bytes.Equal(b.written[0], bytes.Repeat([]byte{ulawSilence}, FrameSamples)) {
		t.Error("mute silenced the caller")
	}
	br.Mute(false)

	br.Hold(true)
	a.receive(frameOf(CodecPCMA, 440))
	b.receive(frameOf(CodecPCMU, 1000))
	br.Hold(false)
	if len(a.written) != 1 || len(b.written) != 1 {
		t.Errorf("forwarded on hold: caller %d agent %d", len(a.written), len(b.written))
	}
	br.Tap(nil)
	a.receive(frameOf(CodecPCMA, 440))
	// Each party as it spoke, in its own codec, muted or not; nothing on hold.
	if len(tapped) != 2 || tapped[0].fromA || !bytes.Equal(tapped[0].p, agent) ||
		!tapped[1].fromA || !bytes.Equal(tapped[1].p, caller) {
		t.Errorf("tap heard %v", tapped)
	}
	s := br.Stats()
	if s.Muted != 1 || s.Held != 2 || s.AToB != 2 || s.BToA != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestBridgeStop(t *testing.T) {
	a, b := &recordLeg{codec: "PCMU"}, &recordLeg{codec: "PCMU"}
	br := NewBridge(a, b, nil)
	br.Start()
	keep := a.sink.Load()
	br.Stop()
	br.Stop()
	if a.sink.Load() != nil || b.sink.Load() != nil {
		t.Fatal("Stop left a sink installed")
	}
	(*keep)(frameOf(CodecPCMU, 440)) // a receive loop that loaded the sink before Stop
	if len(b.written) != 0 {
		t.Error("forwarded after Stop")
	}
	br.Start()
	if a.sink.Load() != nil {
		t.Error("Start after Stop installed a sink")
	}
}

func TestBridgeCountsDrops(t *testing.T) {
	a := &recordLeg{codec: "PCMU"}
	b := &recordLeg{codec: "PCMU", err: errors.New("gone")}
	br := NewBridge(a, b, nil)
	br.Start()
	a.receive(frameOf(CodecPCMU, 440))
	a.receive(make([]byte, maxPayload+1))
	if s := br.Stats(); s.Dropped != 2 || s.AToB != 0 {
		t.Errorf("stats %+v", s)
	}
	c, d := &recordLeg{codec: "G722"}, &recordLeg{codec: "PCMU"}
	br = NewBridge(c, d, nil)
	br.Start()
	c.receive(frameOf(CodecPCMU, 440))
	if s := br.Stats(); s.Dropped != 1 || len(d.written) != 0 {
		t.Errorf("incompatible codecs: stats %+v", s)
	}
}

// nullLeg discards what it is sent.
type nullLeg struct {
	codec string
	sink  func(p []byte)
}

func (l *nullLeg) Codec() string                 { return l.codec }
func (l *nullLeg) SetAudioSink(f func(p []byte)) { l.sink = f }
func (l *nullLeg) WritePayload(p []byte) error   { return nil }

func TestBridgeForwardAllocatesNothing(t *testing.T) {
	for _, codec := range []string{"PCMU", "PCMA"} {
		a, b := &nullLeg{codec: codec}, &nullLeg{codec: "PCMU"}
		br := NewBridge(a, b, nil)
		br.Start()
		br.Tap(func(bool, []byte) {})
		p := frameOf(CodecPCMU, 440)
		if n := testing.AllocsPerRun(1000, func() { a.sink(p); b.sink(p) }); n != 0 {
			t.Errorf("%s<->PCMU: %.1f allocations per frame pair", codec, n)
		}
	}
}

// BenchmarkBridgePCMU is the cost of carrying one 20 ms PCMU frame across
// the bridge (caller → agent), without the legs' own I/O.
func BenchmarkBridgePCMU(b *testing.B) {
	benchmarkBridge(b, "PCMU")
}

// BenchmarkBridgePCMAToPCMU adds the table conversion.
func BenchmarkBridgePCMAToPCMU(b *testing.B) {
	benchmarkBridge(b, "PCMA")
}

func benchmarkBridge(b *testing.B, codec string) {
	a, agent := &nullLeg{codec: codec}, &nullLeg{codec: "PCMU"}
	br := NewBridge(a, agent, nil)
	br.Start()
	p := frameOf(CodecPCMU, 440)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		a.sink(p)
	}
}
