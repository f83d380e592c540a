package media

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/rtp"
)

// SendDigits sends RFC 4733 events with the negotiated payload type that a
// receiver turns back into the digits, in the middle of a prompt, which
// carries on afterwards.
func TestTrunkLegSendDigits(t *testing.T) {
	leg, ph := newTrunkPair(t, CodecPCMA)
	pt, ok := leg.telephoneEvent()
	if !ok {
		t.Fatal("telephone-event not negotiated")
	}
	var mu sync.Mutex
	var got []rune
	var stamps []uint32
	rx := NewDTMFReceiver(0)
	done := make(chan struct{})
	f := func(h rtp.Header, p []byte) {
		mu.Lock()
		defer mu.Unlock()
		if h.PayloadType != pt {
			return
		}
		stamps = append(stamps, h.Timestamp)
		d, err := rx.Receive(h.Timestamp, h.Marker, p, time.Now())
		if err != nil {
			t.Error(err)
		}
		got = append(got, d...)
		if len(stamps) == 24 { // three presses of eight packets
			close(done)
		}
	}
	ph.onEvent.Store(&f)

	var wav bytes.Buffer
	if err := WriteWAV(&wav, G711Rate, 1, Tone(1000, 3*time.Second, G711Rate, 0.3)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	played := make(chan error, 1)
	go func() { played <- leg.PlayNoBargeIn(ctx, &wav) }()
	requireTone(t, "prompt", ph.heard.listen(t, "phone", 2, 2400), 1000)
	if err := leg.SendDigits("5#9"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(testTimeout):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("heard digits %q in %d event packets", string(got), len(stamps))
	}
	mu.Lock()
	if string(got) != "5#9" {
		t.Errorf("heard %q, want \"5#9\"", string(got))
	}
	mu.Unlock()
	requireTone(t, "prompt after the digits", ph.heard.listen(t, "phone", 2, 2400), 1000)
	cancel()
	if err := <-played; !errors.Is(err, context.Canceled) {
		t.Errorf("prompt: %v", err)
	}
	if err := leg.SendDigits("x"); err == nil {
		t.Error("SendDigits(\"x\") succeeded")
	}
}

// Stop ends a prompt with ErrLegClosed, and later calls fail the same way.
func TestTrunkLegStopDuringPrompt(t *testing.T) {
	leg, ph := newTrunkPair(t, CodecPCMU)
	var wav bytes.Buffer
	if err := WriteWAV(&wav, G711Rate, 1, Tone(1000, 5*time.Second, G711Rate, 0.3)); err != nil {
		t.Fatal(err)
	}
	played := make(chan error, 1)
	go func() { played <- leg.PlayNoBargeIn(context.Background(), &wav) }()
	requireTone(t, "prompt", ph.heard.listen(t, "phone", 2, 1600), 1000)
	leg.Stop()
	select {
	case err := <-played:
		if !errors.Is(err, ErrLegClosed) {
			t.Errorf("prompt ended with %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("prompt still playing after Stop")
	}
	if _, err := leg.Play(context.Background(), bytes.NewReader(wav.Bytes())); !errors.Is(err, ErrLegClosed) {
		t.Errorf("Play after Stop: %v", err)
	}
	if err := leg.PlayPCM(context.Background(), make([]int16, 160)); !errors.Is(err, ErrLegClosed) {
		t.Errorf("PlayPCM after Stop: %v", err)
	}
	if err := leg.SendDigits("1"); !errors.Is(err, ErrLegClosed) {
		t.Errorf("SendDigits after Stop: %v", err)
	}
	if err := leg.WritePayload(make([]byte, 160)); !errors.Is(err, ErrLegClosed) {
		t.Errorf("WritePayload after Stop: %v", err)
	}
}

// A barge-in digit stops the prompt at once and is returned.
func TestTrunkLegBargeIn(t *testing.T) {
	leg, ph := newTrunkPair(t, CodecPCMU)
	var wav bytes.Buffer
	if err := WriteWAV(&wav, G711Rate, 1, Tone(1000, 5*time.Second, G711Rate, 0.3)); err != nil {
		t.Fatal(err)
	}
	type result struct {
		d   rune
		err error
	}
	played := make(chan result, 1)
	go func() {
		d, err := leg.Play(context.Background(), &wav)
		played <- result{d, err}
	}()
	requireTone(t, "prompt", ph.heard.listen(t, "phone", 2, 1600), 1000)
	leg.PushDigit('7')
	select {
	case r := <-played:
		if r.d != '7' || r.err != nil {
			t.Errorf("Play returned %q, %v", r.d, r.err)
		}
	case <-time.After(testTimeout):
		t.Fatal("prompt not stopped by the digit")
	}
	n := ph.packets.Load()
	time.Sleep(100 * time.Millisecond) // nothing to wait on: silence is the point
	if more := ph.packets.Load() - n; more > 1 {
		t.Errorf("%d packets after barge-in", more)
	}
}

// No RTP for MediaTimeout ends the leg's watch (OnTimeout, TimedOut),
// unless the far end has put the call on hold.
func TestTrunkLegMediaTimeout(t *testing.T) {
	fired := make(chan struct{}, 1)
	opts := TrunkOptions{Logger: testLog(), MediaTimeout: 200 * time.Millisecond,
		OnTimeout: func() { fired <- struct{}{} }}
	held, _ := newTrunkPairOpts(t, CodecPCMU, opts)
	held.SetHeld(true)
	leg, _ := newTrunkPairOpts(t, CodecPCMU, opts)
	start := time.Now()
	select {
	case <-fired:
	case <-time.After(testTimeout):
		t.Fatal("no media timeout")
	}
	if d := time.Since(start); d < 200*time.Millisecond || !leg.TimedOut() {
		t.Errorf("timed out after %v (TimedOut %v)", d, leg.TimedOut())
	}
	select {
	case <-fired:
		t.Error("a held leg timed out too")
	case <-time.After(400 * time.Millisecond): // the held leg's chance to fire
	}
	if held.TimedOut() {
		t.Error("held leg timed out")
	}
}

// The leg counts what the far end sent over real UDP: packets received and,
// from the sequence numbers, those lost; a reordered packet is not lost.
func TestTrunkLegRTPStats(t *testing.T) {
	leg, ph := newTrunkPair(t, CodecPCMU)
	payload := silenceFrame(CodecPCMU)
	var sent int
	send := func(seq uint16) {
		t.Helper()
		p := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: CodecPCMU.PayloadType,
			SequenceNumber: seq, Timestamp: uint32(seq) * FrameSamples, SSRC: 0xfeed}, Payload: payload}
		if err := ph.ms.WriteRTP(p); err != nil {
			t.Fatal(err)
		}
		sent++
		time.Sleep(2 * time.Millisecond) // keep loopback from reordering on its own
	}
	for seq := uint16(65500); seq != 20; seq++ { // across the wrap
		switch seq {
		case 65530, 5, 6, 7: // lost on the way
		case 10:
			send(11)
			send(10) // reordered
			seq++
		default:
			send(seq)
		}
	}
	want := RTPStats{Received: uint64(sent), Lost: 4}
	deadline := time.Now().Add(testTimeout)
	for leg.RTPStats() != want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := leg.RTPStats(); got != want {
		t.Errorf("RTPStats %+v, want %+v", got, want)
	}
}

// A press both signalled as RFC 4733 and audible reaches the leg twice and
// is one digit; a second press of the same key is a second digit, whichever
// way it came.
func TestTrunkLegDigitDedup(t *testing.T) {
	type report struct {
		after time.Duration // since the previous report
		d     rune
		via   string
	}
	for _, tc := range []struct {
		name    string
		reports []report
		want    string
	}{
		{"events only", []report{{0, '1', "rfc4733"}, {300 * time.Millisecond, '1', "rfc4733"}}, "11"},
		{"tone only", []report{{0, '1', "inband"}, {300 * time.Millisecond, '1', "inband"}}, "11"},
		{"tone heard, then the events", []report{{0, '1', "inband"}, {150 * time.Millisecond, '1', "rfc4733"}}, "1"},
		{"a long press: events 900 ms after the tone", []report{{0, '1', "inband"}, {900 * time.Millisecond, '1', "rfc4733"}}, "1"},
		{"events, then a leaked tone", []report{{0, '1', "rfc4733"}, {100 * time.Millisecond, '1', "inband"}}, "1"},
		{"both ways, twice", []report{{0, '1', "inband"}, {150 * time.Millisecond, '1', "rfc4733"},
			{300 * time.Millisecond, '1', "rfc4733"}}, "11"},
		{"different keys", []report{{0, '1', "inband"}, {50 * time.Millisecond, '2', "rfc4733"}}, "12"},
		{"SIP INFO is never a duplicate", []report{{0, '1', "rfc4733"}, {10 * time.Millisecond, '1', "sip-info"}}, "11"},
	} {
		synctest.Test(t, func(t *testing.T) {
			leg := &TrunkLeg{log: testLog(), digits: make(chan rune, 32)}
			for _, r := range tc.reports {
				time.Sleep(r.after)
				leg.pushDigit(r.d, r.via)
			}
			close(leg.digits)
			var got []rune
			for d := range leg.digits {
				got = append(got, d)
			}
			if string(got) != tc.want {
				t.Errorf("%s: digits %q, want %q", tc.name, string(got), tc.want)
			}
		})
	}
}

// countingDetector is a DigitDetector that counts the frames it is given.
type countingDetector struct{ frames atomic.Int64 }

func (c *countingDetector) Write([]int16) []rune { c.frames.Add(1); return nil }

// Once the far end has sent a key as RFC 4733 events, the in-band detector
// is no longer fed: its carrier signals keys as events.
func TestTrunkLegInbandStopsAfterRFC4733(t *testing.T) {
	det := &countingDetector{}
	leg, ph := newTrunkPairOpts(t, CodecPCMU, TrunkOptions{Logger: testLog(), Inband: det})
	pt, ok := leg.telephoneEvent()
	if !ok {
		t.Fatal("telephone-event not negotiated")
	}
	seq, ts := uint16(1), uint32(0)
	send := func(pt uint8, marker bool, payload []byte) {
		t.Helper()
		p := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, Marker: marker,
			SequenceNumber: seq, Timestamp: ts, SSRC: 0xabc}, Payload: payload}
		if err := ph.ms.WriteRTP(p); err != nil {
			t.Fatal(err)
		}
		seq++
		time.Sleep(2 * time.Millisecond)
	}
	audio := func(n int) {
		for range n {
			send(CodecPCMU.PayloadType, false, silenceFrame(CodecPCMU))
			ts += FrameSamples
		}
	}
	waitFrames := func(n int64) {
		t.Helper()
		deadline := time.Now().Add(testTimeout)
		for det.frames.Load() < n && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := det.frames.Load(); got < n {
			t.Fatalf("the detector got %d frames, want %d", got, n)
		}
	}

	audio(10)
	waitFrames(10)
	// Key 5: three packets of the event, then three with the end bit.
	for i := range 6 {
		dur := uint16(160 * (i + 1))
		flags := byte(10) // volume
		if i >= 3 {
			flags |= 0x80
			dur = 480
		}
		send(pt, i == 0, []byte{5, flags, byte(dur >> 8), byte(dur)})
	}
	select {
	case d := <-leg.Digits():
		if d != '5' {
			t.Fatalf("digit %q, want 5", d)
		}
	case <-time.After(testTimeout):
		t.Fatal("no digit from the RFC 4733 events")
	}
	before := det.frames.Load()
	ts += 480
	audio(20)
	deadline := time.Now().Add(testTimeout)
	for leg.RTPStats().Received < 36 && time.Now().Before(deadline) { // all 36 packets in
		time.Sleep(5 * time.Millisecond)
	}
	if after := det.frames.Load(); after != before {
		t.Errorf("the in-band detector got %d more frames after the RFC 4733 key", after-before)
	}
}
