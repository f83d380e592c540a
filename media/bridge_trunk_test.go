package media

import (
	"bytes"
	"context"
	"errors"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/diago"
	dmedia "github.com/emiago/diago/media"
	"github.com/pion/rtp"
)

// phone is the far end of a trunk leg: a bare diago media session on
// loopback that speaks a tone as RTP and decodes what it hears.
type phone struct {
	ms       *dmedia.MediaSession
	codec    Codec
	heard    pcmRecorder
	packets  atomic.Int64 // audio packets received
	onPacket atomic.Pointer[func(p []byte, at time.Time)]
	onEvent  atomic.Pointer[func(h rtp.Header, p []byte)] // other payload types
	stop     chan struct{}
	g        group
}

// newTrunkPair negotiates codec (plus telephone-event) between a trunk leg
// and a phone, both on 127.0.0.1, and starts the leg.
func newTrunkPair(t *testing.T, codec Codec) (*TrunkLeg, *phone) {
	t.Helper()
	return newTrunkPairOpts(t, codec, TrunkOptions{Logger: testLog()})
}

// newTrunkPairOpts is newTrunkPair with the leg's options.
func newTrunkPairOpts(t *testing.T, codec Codec, opts TrunkOptions) (*TrunkLeg, *phone) {
	t.Helper()
	dmedia.RTPPortStart, dmedia.RTPPortEnd = 46000, 46400
	dc := dmedia.CodecAudioUlaw
	if codec.Name == "PCMA" {
		dc = dmedia.CodecAudioAlaw
	}
	codecs := []dmedia.Codec{dc, dmedia.CodecTelephoneEvent8000}
	ours, theirs := newLoopbackSession(t, codecs), newLoopbackSession(t, codecs)
	if err := theirs.RemoteSDP(ours.LocalSDP(false), true); err != nil {
		t.Fatal(err)
	}
	if err := ours.RemoteSDP(theirs.LocalSDP(true), false); err != nil {
		t.Fatal(err)
	}
	rtpSess := dmedia.NewRTPSession(ours)
	dm := &diago.DialogMedia{}
	dm.InitMediaSession(ours, dmedia.NewRTPPacketReaderSession(rtpSess), dmedia.NewRTPPacketWriterSession(rtpSess))
	leg, err := NewTrunkLeg(dm, opts)
	if err != nil {
		t.Fatal(err)
	}
	if leg.Codec() != codec.Name {
		t.Fatalf("leg negotiated %s, want %s", leg.Codec(), codec.Name)
	}
	leg.Start(context.Background())
	t.Cleanup(leg.Stop)

	p := &phone{ms: theirs, codec: codec, stop: make(chan struct{})}
	p.g.goFunc(p.read)
	t.Cleanup(func() {
		close(p.stop)
		p.g.close()
		_ = theirs.Close()
		p.g.wait()
	})
	return leg, p
}

func newLoopbackSession(t *testing.T, codecs []dmedia.Codec) *dmedia.MediaSession {
	t.Helper()
	ms, err := dmedia.NewMediaSession(net.IPv4(127, 0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	ms.Codecs = codecs
	return ms
}

func (p *phone) read() {
	buf := make([]byte, dmedia.RTPBufSize)
	var pkt rtp.Packet
	for {
		if _, err := p.ms.ReadRTP(buf, &pkt); err != nil {
			return
		}
		if pkt.PayloadType != p.codec.PayloadType {
			if f := p.onEvent.Load(); f != nil {
				(*f)(pkt.Header, pkt.Payload)
			}
			continue
		}
		if f := p.onPacket.Load(); f != nil {
			(*f)(pkt.Payload, time.Now())
		}
		p.packets.Add(1)
		pcm := make([]int16, len(pkt.Payload))
		p.codec.Decode(pcm, pkt.Payload)
		p.heard.feed(pcm)
	}
}

// speak sends a tone at 20 ms; with events, every fifth packet is followed
// by an RFC 4733 packet, which must not reach an audio sink.
func (p *phone) speak(freq float64, events bool) {
	src := newToneSource(p.codec, freq)
	var n uint16
	var ts uint32
	pacer(&p.g, p.stop, func() {
		n++
		ts += FrameSamples
		h := rtp.Header{Version: 2, PayloadType: p.codec.PayloadType, SequenceNumber: n, Timestamp: ts, SSRC: 0x5eed}
		_ = p.ms.WriteRTP(&rtp.Packet{Header: h, Payload: src.next()})
		if events && n%5 == 0 {
			n++
			h.SequenceNumber, h.PayloadType = n, dmedia.CodecTelephoneEvent8000.PayloadType
			_ = p.ms.WriteRTP(&rtp.Packet{Header: h, Payload: []byte{1, 10, 0, 160}})
		}
	})
}

// tagged is a PCMU frame whose first two bytes name it.
func tagged(mark, i byte) []byte {
	p := bytes.Repeat([]byte{ulawSilence}, FrameSamples)
	p[0], p[1] = mark, i
	return p
}

// arrivals records when the phone received tagged frames.
type arrivals struct {
	mu   sync.Mutex
	at   map[byte]time.Time
	last chan struct{} // closed when the frame named want arrives
	want byte
}

func watchTagged(p *phone, mark, want byte) *arrivals {
	a := &arrivals{at: map[byte]time.Time{}, last: make(chan struct{}), want: want}
	f := func(payload []byte, at time.Time) {
		if len(payload) < 2 || payload[0] != mark {
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		if _, dup := a.at[payload[1]]; dup {
			return
		}
		a.at[payload[1]] = at
		if payload[1] == a.want {
			close(a.last)
		}
	}
	p.onPacket.Store(&f)
	return a
}

func (a *arrivals) wait(t *testing.T) {
	t.Helper()
	select {
	case <-a.last:
	case <-time.After(testTimeout):
		t.Fatalf("frame %d never arrived", a.want)
	}
}

// The trunk's sink gets the caller's audio payloads, not RFC 4733 events.
func TestTrunkLegAudioSink(t *testing.T) {
	leg, ph := newTrunkPair(t, CodecPCMU)
	var rec pcmRecorder
	var odd atomic.Int64
	leg.SetAudioSink(func(p []byte) {
		if len(p) != FrameSamples {
			odd.Add(1)
		}
		pcm := make([]int16, len(p))
		DecodeUlaw(pcm, p)
		rec.feed(pcm)
	})
	ph.speak(440, true)
	requireTone(t, "trunk sink", rec.listen(t, "sink", 2, 4000), 440)
	if n := odd.Load(); n != 0 {
		t.Errorf("%d payloads of the wrong size reached the sink (events?)", n)
	}
}

// Bridged frames reach the phone as the tone that was written, each at
// once (not on a tick of the media clock), and a burst is passed on as it
// came, without queueing or dropping.
func TestTrunkLegWritePayload(t *testing.T) {
	leg, ph := newTrunkPair(t, CodecPCMU)

	stop := make(chan struct{})
	var g group
	src := newToneSource(CodecPCMU, 440)
	pacer(&g, stop, func() { _ = leg.WritePayload(src.next()) })
	requireTone(t, "phone", ph.heard.listen(t, "phone", 2, 4000), 440)
	close(stop)
	g.close()
	g.wait()

	// Paced by the writer: each frame leaves within a fraction of a frame.
	const frames = 50
	arr := watchTagged(ph, 0xA5, frames-1)
	written := make([]time.Time, frames)
	tick := time.NewTicker(frameDuration)
	for i := range frames {
		<-tick.C
		written[i] = time.Now()
		if err := leg.WritePayload(tagged(0xA5, byte(i))); err != nil {
			t.Fatal(err)
		}
	}
	tick.Stop()
	arr.wait(t)
	arr.mu.Lock()
	var worst time.Duration
	for i, at := range arr.at {
		worst = max(worst, at.Sub(written[i]))
	}
	got := len(arr.at)
	arr.mu.Unlock()
	t.Logf("%d of %d paced frames arrived, worst delay %v", got, frames, worst)
	if got < frames*9/10 {
		t.Errorf("only %d of %d paced frames arrived", got, frames)
	}
	if worst > frameDuration/2 {
		t.Errorf("a frame took %v, want it sent at once", worst)
	}

	// A burst goes out as it came: every frame, at once.
	burst := watchTagged(ph, 0xB5, 9)
	start := time.Now()
	for i := range 10 {
		if err := leg.WritePayload(tagged(0xB5, byte(i))); err != nil {
			t.Fatal(err)
		}
	}
	burst.wait(t)
	burst.mu.Lock()
	delay, got := burst.at[9].Sub(start), len(burst.at)
	burst.mu.Unlock()
	t.Logf("burst of 10: %d arrived, the last after %v", got, delay)
	if got < 9 || delay > frameDuration/2 {
		t.Errorf("burst of 10: %d frames arrived, the last after %v; want all, at once", got, delay)
	}
	if n := leg.DroppedPayloads(); n != 0 {
		t.Errorf("%d frames counted as dropped", n)
	}
}

// A prompt takes the writer from a bridge: its audio is not interleaved with
// bridged frames, WritePayload says ErrBusy meanwhile, and bridged audio
// resumes when the prompt ends.
func TestTrunkLegPromptExcludesBridgedAudio(t *testing.T) {
	leg, ph := newTrunkPair(t, CodecPCMU)
	stop := make(chan struct{})
	var g group
	var busy atomic.Int64
	src := newToneSource(CodecPCMU, 440)
	pacer(&g, stop, func() {
		if errors.Is(leg.WritePayload(src.next()), ErrBusy) {
			busy.Add(1)
		}
	})
	defer func() {
		close(stop)
		g.close()
		g.wait()
	}()
	requireTone(t, "bridged", ph.heard.listen(t, "phone", 2, 2400), 440)

	var wav bytes.Buffer
	if err := WriteWAV(&wav, G711Rate, 1, Tone(1000, 3*time.Second, G711Rate, 0.3)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- leg.PlayNoBargeIn(ctx, &wav) }()
	waitFor(t, "ErrBusy from WritePayload", func() bool { return busy.Load() > 0 })
	requireTone(t, "prompt", ph.heard.listen(t, "phone", 2, 4000), 1000)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("prompt: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("prompt did not stop")
	}
	requireTone(t, "bridged after the prompt", ph.heard.listen(t, "phone", 2, 2400), 440)
}

// Bridged frames go through the dialog's writer chain: a stereo recording
// has the caller on the left and the bridged audio on the right.
func TestTrunkLegRecordsBridgedAudio(t *testing.T) {
	leg, ph := newTrunkPair(t, CodecPCMU)
	path := filepath.Join(t.TempDir(), "call.wav")
	if err := leg.Record(path); err != nil {
		t.Fatal(err)
	}
	ph.speak(1000, false)
	stop := make(chan struct{})
	var g group
	src := newToneSource(CodecPCMU, 440)
	pacer(&g, stop, func() { _ = leg.WritePayload(src.next()) })
	ph.heard.listen(t, "phone", 0, 6000)
	close(stop)
	g.close()
	g.wait()
	if err := leg.StopRecording(); err != nil {
		t.Fatal(err)
	}
	rec, err := ReadWAVFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Channels != 2 {
		t.Fatalf("recording is %s", rec)
	}
	requireTone(t, "recording, caller (left)", rec.Channel(0), 1000)
	requireTone(t, "recording, bridged (right)", rec.Channel(1), 440)
}

// The whole path: a PCMA caller on a real trunk leg, the bridge, an agent
// leg and a browser; hold lets the orchestration play music to the caller.
func TestBridgeTrunkLegToBrowser(t *testing.T) {
	c := connectBrowser(t, 1000)
	leg, ph := newTrunkPair(t, CodecPCMA)
	ph.speak(440, true)
	br := NewBridge(leg, c.leg, testLog())
	br.Start()
	defer br.Stop()
	requireTone(t, "browser", c.browser.heard.listen(t, "browser", 3, 4000), 440)
	requireTone(t, "phone", ph.heard.listen(t, "phone", 3, 4000), 1000)

	// A supervisor's tap hears both parties, each in its own leg's codec.
	var callerTap, agentTap pcmRecorder
	br.Tap(func(fromA bool, p []byte) {
		pcm := make([]int16, len(p))
		if fromA {
			DecodeAlaw(pcm, p)
			callerTap.feed(pcm)
		} else {
			DecodeUlaw(pcm, p)
			agentTap.feed(pcm)
		}
	})
	requireTone(t, "tap, caller", callerTap.listen(t, "tap", 1, 2400), 440)
	requireTone(t, "tap, agent", agentTap.listen(t, "tap", 1, 2400), 1000)
	br.Tap(nil)

	br.Hold(true)
	var music bytes.Buffer
	if err := WriteWAV(&music, G711Rate, 1, Tone(600, 3*time.Second, G711Rate, 0.3)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- leg.PlayNoBargeIn(ctx, &music) }()
	requireTone(t, "music on hold", ph.heard.listen(t, "phone", 3, 4000), 600)
	cancel()
	<-done
	br.Hold(false)
	requireTone(t, "phone after hold", ph.heard.listen(t, "phone", 3, 2400), 1000)
	requireTone(t, "browser after hold", c.browser.heard.listen(t, "browser", 3, 2400), 440)
	if s := br.Stats(); s.Dropped != 0 || s.Transcoded == 0 {
		t.Errorf("stats %+v", s)
	}
}
