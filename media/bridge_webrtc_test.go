package media

import (
	"sync/atomic"
	"testing"
)

// fakeTrunk is a PayloadLeg in the trunk's place: a caller "speaking" a
// tone paced at 20 ms in its codec, and an ear that decodes what the bridge
// writes to it.
type fakeTrunk struct {
	codec  Codec
	sink   atomic.Pointer[func(p []byte)]
	heard  pcmRecorder
	writes atomic.Int64
	stop   chan struct{}
	g      group
}

func newFakeTrunk(t *testing.T, codec Codec, freq float64) *fakeTrunk {
	f := &fakeTrunk{codec: codec, stop: make(chan struct{})}
	src := newToneSource(codec, freq)
	pacer(&f.g, f.stop, func() {
		frame := src.next()
		if sink := f.sink.Load(); sink != nil {
			(*sink)(frame)
		}
	})
	t.Cleanup(func() {
		close(f.stop)
		f.g.close()
		f.g.wait()
	})
	return f
}

func (f *fakeTrunk) Codec() string { return f.codec.Name }

func (f *fakeTrunk) SetAudioSink(fn func(p []byte)) {
	if fn == nil {
		f.sink.Store(nil)
		return
	}
	f.sink.Store(&fn)
}

func (f *fakeTrunk) WritePayload(p []byte) error {
	pcm := make([]int16, len(p))
	f.codec.Decode(pcm, p)
	f.writes.Add(1)
	f.heard.feed(pcm)
	return nil
}

var _ PayloadLeg = (*fakeTrunk)(nil)

// The caller's 440 Hz reaches the browser and the browser's 1 kHz reaches
// the caller, through a real pion PeerConnection; mute silences the agent
// toward the caller only, and hold stops both ways.
func TestBridgeAgentLegPCMU(t *testing.T) {
	c := connectBrowser(t, 1000)
	trunk := newFakeTrunk(t, CodecPCMU, 440)
	br := NewBridge(trunk, c.leg, testLog())
	br.Start()
	defer br.Stop()

	requireTone(t, "browser", c.browser.heard.listen(t, "browser", 3, 4000), 440)
	requireTone(t, "trunk", trunk.heard.listen(t, "trunk", 3, 4000), 1000)

	br.Mute(true)
	// One frame may have passed the mute check already.
	requireSilence(t, "trunk while muted", trunk.heard.listen(t, "trunk", 1, 1600), 0)
	requireTone(t, "browser while muted", c.browser.heard.listen(t, "browser", 0, 2400), 440)
	br.Mute(false)
	requireTone(t, "trunk after mute", trunk.heard.listen(t, "trunk", 1, 2400), 1000)

	checkHold(t, br, trunk, &c.browser.heard)

	s := br.Stats()
	if s.AToB == 0 || s.BToA == 0 || s.Muted == 0 || s.Held == 0 || s.Transcoded != 0 || s.Dropped != 0 {
		t.Errorf("stats %+v", s)
	}
}

// checkHold puts br on hold, proves nothing crosses while at least ten
// frames each way were held back, then takes it off hold.
func checkHold(t *testing.T, br *Bridge, trunk *fakeTrunk, browser *pcmRecorder) {
	t.Helper()
	br.Hold(true)
	before := br.Stats()
	toTrunk, toBrowser := trunk.writes.Load(), browser.frames.Load()
	waitFor(t, "frames held both ways", func() bool { return br.Stats().Held >= before.Held+20 })
	after := br.Stats()
	// A frame already past the hold check, or already on the wire, may land.
	if n := trunk.writes.Load() - toTrunk; n > 1 {
		t.Errorf("trunk got %d frames on hold", n)
	}
	if n := browser.frames.Load() - toBrowser; n > 2 {
		t.Errorf("browser got %d frames on hold", n)
	}
	if after.AToB > before.AToB+1 || after.BToA > before.BToA+1 {
		t.Errorf("forwarded on hold: before %+v after %+v", before, after)
	}
	br.Hold(false)
	requireTone(t, "browser after hold", browser.listen(t, "browser", 3, 2400), 440)
	requireTone(t, "trunk after hold", trunk.heard.listen(t, "trunk", 1, 2400), 1000)
}

// A PCMA caller and the PCMU browser hear each other through the tables.
func TestBridgeAgentLegPCMA(t *testing.T) {
	c := connectBrowser(t, 1000)
	trunk := newFakeTrunk(t, CodecPCMA, 440)
	br := NewBridge(trunk, c.leg, testLog())
	br.Start()
	defer br.Stop()

	requireTone(t, "browser", c.browser.heard.listen(t, "browser", 3, 4000), 440)
	requireTone(t, "PCMA trunk", trunk.heard.listen(t, "trunk", 3, 4000), 1000)
	br.Mute(true)
	requireSilence(t, "PCMA trunk while muted", trunk.heard.listen(t, "trunk", 1, 1600), 8)
	br.Mute(false)
	checkHold(t, br, trunk, &c.browser.heard)
	if s := br.Stats(); s.Transcoded < s.AToB || s.AToB == 0 {
		t.Errorf("stats %+v: every forwarded frame should be transcoded", s)
	}
}
