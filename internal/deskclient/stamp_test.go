package deskclient

import (
	"bytes"
	"testing"
	"time"

	"github.com/cityhotline/hotline/media"
)

func TestStampRoundTrip(t *testing.T) {
	at := time.Unix(1_795_000_000, 123_456_789)
	p := bytes.Repeat([]byte{0xFF}, media.FrameSamples)
	if !PutStamp(p, at) {
		t.Fatal("PutStamp refused a 160-byte payload")
	}
	want := []byte{'H', 'L', 'T', 'S', 0x18, 0xE9, 0x1E, 0xFD, 0x63, 0x2F, 0x4D, 0x15}
	if !bytes.Equal(p[:StampLen], want) {
		t.Fatalf("stamp bytes % x, want % x", p[:StampLen], want)
	}
	if !bytes.Equal(p[StampLen:], bytes.Repeat([]byte{0xFF}, media.FrameSamples-StampLen)) {
		t.Fatal("PutStamp wrote past its 12 bytes")
	}
	got, ok := ReadStamp(p)
	if !ok || !got.Equal(at) {
		t.Fatalf("ReadStamp = %v, %v; want %v", got, ok, at)
	}
}

func TestStampRefusesOthers(t *testing.T) {
	short := make([]byte, StampLen-1)
	if PutStamp(short, time.Now()) || !bytes.Equal(short, make([]byte, StampLen-1)) {
		t.Fatal("PutStamp wrote into an 11-byte payload")
	}
	if _, ok := ReadStamp(short); ok {
		t.Fatal("ReadStamp took an 11-byte payload")
	}
	tone := newToneLoop(1000).frame(0)
	if _, ok := ReadStamp(tone); ok {
		t.Fatal("ReadStamp took an unstamped tone frame")
	}
	p := make([]byte, media.FrameSamples)
	PutStamp(p, time.Unix(5, 0))
	p[3] = 'X'
	if _, ok := ReadStamp(p); ok {
		t.Fatal("ReadStamp took a wrong magic")
	}
}

// A stamping microphone stamps a copy: the shared tone loop stays clean,
// and without StampMic the frame is the tone's own.
func TestMicFrameStamps(t *testing.T) {
	c := &Client{}
	c.tone.Store(newToneLoop(1000))
	clean := bytes.Clone(c.tone.Load().frame(7))
	if got := c.micFrame(7); !bytes.Equal(got, clean) {
		t.Fatal("an unstamped microphone changed the tone")
	}
	c.StampMic()
	got := c.micFrame(7)
	if _, ok := ReadStamp(got); !ok {
		t.Fatal("StampMic frame carries no stamp")
	}
	if !bytes.Equal(got[StampLen:], clean[StampLen:]) {
		t.Fatal("the stamped frame's audio after the stamp differs from the tone")
	}
	if !bytes.Equal(c.tone.Load().frame(7), clean) {
		t.Fatal("stamping wrote into the shared tone loop")
	}
}

func TestHeardStampKeepsDelays(t *testing.T) {
	c := &Client{}
	p := make([]byte, media.FrameSamples)
	sent := time.Unix(100, 0)
	PutStamp(p, sent)
	c.heardStamp(p, sent.Add(3*time.Millisecond))
	c.heardStamp(make([]byte, media.FrameSamples), sent) // unstamped: ignored
	got := c.StampDelays()
	if len(got) != 1 || got[0] != 3*time.Millisecond {
		t.Fatalf("StampDelays = %v, want [3ms]", got)
	}
}
