package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/diago"
	dmedia "github.com/emiago/diago/media"
)

// FrameSamples is the number of 8 kHz samples in one 20 ms RTP frame.
const FrameSamples = 160

// DigitDetector finds DTMF digits in decoded 8 kHz PCM (in-band, e.g. a
// Goertzel detector such as *InbandDetector). Write is called once per received
// frame, in order, from a single goroutine, and returns the digits recognised.
type DigitDetector interface {
	Write(pcm []int16) []rune
}

// TrunkOptions configure a TrunkLeg.
type TrunkOptions struct {
	Logger *slog.Logger
	// MediaTimeout ends the leg (OnTimeout) when no RTP arrived for this long
	// while the far end is expected to send. Zero disables the check.
	MediaTimeout time.Duration
	// OnTimeout is called once, from the watchdog timer's goroutine, on a
	// media timeout. It must not block.
	OnTimeout func()
	// SocketBuffer is the SO_RCVBUF/SO_SNDBUF size for the RTP and RTCP
	// sockets; zero means DefaultSocketBuffer.
	SocketBuffer int
	// Inband, when set, runs on every received audio frame.
	Inband DigitDetector
	// Clock paces prompts and RFC 4733 events; one clock serves many legs
	// (the SIP server's). Nil: the leg runs a clock of its own, with one
	// goroutine, from Start to Stop.
	Clock *Clock
}

// DefaultSocketBuffer is the UDP socket buffer size asked for RTP sockets.
const DefaultSocketBuffer = 1 << 20

// TrunkLeg is the media of one call toward the carrier: it plays prompts,
// reports DTMF (RFC 4733 with the negotiated payload type, SIP INFO pushed by
// the signalling layer, optional in-band), sends RFC 4733, exposes decoded PCM
// in both directions and records the call as stereo WAV.
//
// Everything the leg sends goes through its rtpSender (rtp_sender.go):
// prompts and RFC 4733 events paced by the media clock, bridged audio at
// once; diago's own paced writer is never used. A recording is fed from the
// receive loop (the caller's payloads) and from the sender (ours).
//
// It owns one goroutine (the receive loop), two with a clock of its own,
// and the media-timeout watchdog's timer, started by Start and ended by Stop
// or the end of the context given to Start.
type TrunkLeg struct {
	dm     *diago.DialogMedia
	codec  dmedia.Codec
	mcodec Codec // the same codec in our registry
	opts   TrunkOptions
	log    *slog.Logger
	digits chan rune
	// pcm is made, and pcmWanted set, once PCM was called; scratch is the
	// receive loop's decode buffer while it is not.
	pcm       chan []int16
	pcmWanted atomic.Bool
	pcmOnce   sync.Once
	scratch   []int16

	lastRTP atomic.Int64 // unix nanos of the last received RTP packet
	rx      RTPCounter   // the far end's packets; owned by the receive loop
	rxStats struct {     // rx's totals, published for RTPStats
		received, lost atomic.Uint64
	}
	held     atomic.Bool // far end is not expected to send (hold/inactive)
	timedOut atomic.Bool
	dog      struct { // the media-timeout watchdog (watch)
		mu      sync.Mutex
		timer   *time.Timer
		stopped bool
	}

	// sink gets received payloads for a bridge (bridge_trunk.go).
	sink atomic.Pointer[func(p []byte)]

	out      *rtpSender
	clock    *Clock     // a clock of the leg's own (TrunkOptions.Clock nil), or nil
	dtmfMu   sync.Mutex // SendDigits: one press after another
	recMu    sync.Mutex // Record and StopRecording
	src      io.Reader  // what the receive loop reads; set before Start
	mu       sync.Mutex
	lastDTMF struct {
		digit rune
		at    time.Time
		via   string
	}
	// rfc4733 is set once the far end has sent an RFC 4733 event: its
	// carrier signals keys as events, so the in-band detector, the costliest
	// step of the receive loop while the caller talks, stops for the call.
	rfc4733 atomic.Bool

	stopped  chan struct{} // closed by Stop
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	stopOnce sync.Once
}

// NewTrunkLeg wraps the answered media of a diago dialog. Only the sip package
// calls it; everything else uses the methods.
func NewTrunkLeg(dm *diago.DialogMedia, opts TrunkOptions) (*TrunkLeg, error) {
	if dm == nil || dm.MediaSession() == nil || dm.RTPPacketWriter == nil || dm.RTPPacketReader == nil {
		return nil, errors.New("trunk leg: no media session")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	t := &TrunkLeg{
		dm:      dm,
		codec:   dmedia.CodecAudioFromSession(dm.MediaSession()),
		opts:    opts,
		log:     opts.Logger,
		digits:  make(chan rune, 32),
		stopped: make(chan struct{}),
	}
	t.mcodec = CodecPCMU
	if t.codec.PayloadType == dmedia.CodecAudioAlaw.PayloadType {
		t.mcodec = CodecPCMA
	}
	t.mcodec.PayloadType = t.codec.PayloadType
	clock := opts.Clock
	if clock == nil {
		t.clock = NewClock(ClockOptions{Shards: 1, Logger: opts.Logger})
		clock = t.clock
	}
	out := func() rtpWriter { return dm.RTPPacketWriter.Writer() }
	t.out = newRTPSender(out, t.mcodec, dm.RTPPacketWriter.SSRC, clock.shard(), t.log)
	size := opts.SocketBuffer
	if size == 0 {
		size = DefaultSocketBuffer
	}
	if err := SetSocketBuffers(dm.MediaSession(), size); err != nil {
		t.log.Warn("rtp socket buffers", "error", err)
	}
	if err := t.buildReader(); err != nil {
		return nil, err
	}
	return t, nil
}

// buildReader creates the receive pipeline over the dialog's audio reader:
// RFC 4733 when telephone-event was negotiated, plain audio otherwise.
func (t *TrunkLeg) buildReader() error {
	r, err := t.dm.AudioReaderDTMF()
	if err != nil {
		plain, perr := t.dm.AudioReader()
		if perr != nil {
			return fmt.Errorf("trunk leg: audio reader: %w", perr)
		}
		t.src = plain
		return nil
	}
	r.OnDTMF(func(d rune) error {
		t.rfc4733.Store(true)
		t.pushDigit(d, "rfc4733")
		return nil
	})
	t.src = r
	return nil
}

// Codec names the negotiated audio codec: "PCMU" or "PCMA".
func (t *TrunkLeg) Codec() string { return t.mcodec.Name }

func (t *TrunkLeg) String() string {
	ms := t.dm.MediaSession()
	return fmt.Sprintf("trunk leg %s 8000Hz %s<->%s", t.Codec(), ms.Laddr.String(), ms.Raddr.String())
}

// Start runs the receive loop and the media-timeout watchdog until Stop or ctx
// ends.
func (t *TrunkLeg) Start(ctx context.Context) {
	ctx, t.cancel = context.WithCancel(ctx)
	t.lastRTP.Store(time.Now().UnixNano())
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		t.receive(ctx)
	}()
	if t.clock != nil {
		if err := t.clock.Start(ctx); err != nil {
			t.log.Warn("media clock", "error", err)
		}
	}
	if t.opts.MediaTimeout > 0 {
		t.watch(ctx)
	}
}

// Stop ends the goroutines, closes the media and finishes any recording. It is
// idempotent.
func (t *TrunkLeg) Stop() {
	t.stopOnce.Do(func() {
		close(t.stopped)
		if t.cancel != nil {
			t.cancel()
		}
		t.out.close() // nothing is sent from here on
		t.stopWatch()
		// Closing the media unblocks the receive loop's read.
		if err := t.dm.Close(); err != nil {
			t.log.Debug("close media", "error", err)
		}
		t.wg.Wait()
		if t.clock != nil {
			t.clock.Stop()
		}
		if n := t.out.dropped.Load(); n > 0 {
			t.log.Debug("bridged frames dropped", "frames", n)
		}
		if err := t.StopRecording(); err != nil {
			t.log.Warn("stop recording", "error", err)
		}
	})
}

// RTPStats counts the RTP packets (with a payload: audio and RFC 4733
// events) received from the far end so far and those lost on the way.
func (t *TrunkLeg) RTPStats() RTPStats {
	return RTPStats{Received: t.rxStats.received.Load(), Lost: t.rxStats.lost.Load()}
}

// TimedOut reports whether the leg ended because no RTP arrived.
func (t *TrunkLeg) TimedOut() bool { return t.timedOut.Load() }

// SetHeld tells the leg that the far end put the call on hold (sendonly or
// inactive) and so need not send RTP; the media timeout is paused meanwhile.
func (t *TrunkLeg) SetHeld(held bool) {
	t.held.Store(held)
	t.lastRTP.Store(time.Now().UnixNano())
}

func (t *TrunkLeg) receive(ctx context.Context) {
	buf := make([]byte, dmedia.RTPBufSize)
	for ctx.Err() == nil {
		n, err := t.src.Read(buf)
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, io.EOF) {
				t.log.Debug("rtp read ended", "error", err)
			}
			return
		}
		t.lastRTP.Store(time.Now().UnixNano())
		if n > 0 { // diago keeps the header of packets with a payload only
			h := &t.dm.RTPPacketReader.PacketHeader
			t.rx.Add(h.SSRC, h.SequenceNumber)
			s := t.rx.Stats()
			t.rxStats.received.Store(s.Received)
			t.rxStats.lost.Store(s.Lost)
		}
		if n == 0 || t.dm.RTPPacketReader.PacketHeader.PayloadType != t.codec.PayloadType {
			continue // DTMF event or comfort noise: not audio
		}
		if f := t.sink.Load(); f != nil {
			(*f)(buf[:n])
		}
		if rec := t.out.rec.Load(); rec != nil {
			_ = rec.WriteCallerPayload(buf[:n])
		}
		t.onAudio(buf[:n])
	}
}

// onAudio decodes a packet for the in-band detector and, once someone has
// asked for PCM, queues a copy of it. Until then the receive loop reuses one
// buffer: a call that only hears prompts allocates nothing per packet.
func (t *TrunkLeg) onAudio(payload []byte) {
	wanted := t.pcmWanted.Load()
	inband := t.opts.Inband != nil && !t.rfc4733.Load()
	if !wanted && !inband {
		return
	}
	var frame []int16
	if wanted {
		frame = make([]int16, len(payload))
	} else {
		if cap(t.scratch) < len(payload) {
			t.scratch = make([]int16, len(payload))
		}
		frame = t.scratch[:len(payload)]
	}
	frame = frame[:t.mcodec.Decode(frame, payload)]
	if inband {
		for _, d := range t.opts.Inband.Write(frame) {
			t.pushDigit(d, "inband")
		}
	}
	if !wanted {
		return
	}
	select {
	case t.pcm <- frame:
	default: // the reader fell behind: drop rather than stall RTP
	}
}

// watch checks for a media timeout every quarter of it, from a timer, so
// that no goroutine per call waits meanwhile.
func (t *TrunkLeg) watch(ctx context.Context) {
	period := max(t.opts.MediaTimeout/4, 10*time.Millisecond)
	t.dog.mu.Lock()
	defer t.dog.mu.Unlock()
	t.dog.timer = time.AfterFunc(period, func() { t.checkMedia(ctx, period) })
}

// checkMedia runs on the watchdog's timer: it ends the leg's watch on a
// timeout and re-arms the timer otherwise.
func (t *TrunkLeg) checkMedia(ctx context.Context, period time.Duration) {
	t.dog.mu.Lock()
	if t.dog.stopped || ctx.Err() != nil {
		t.dog.mu.Unlock()
		return
	}
	idle := time.Since(time.Unix(0, t.lastRTP.Load()))
	if t.held.Load() || idle < t.opts.MediaTimeout {
		t.dog.timer.Reset(period)
		t.dog.mu.Unlock()
		return
	}
	t.dog.stopped = true
	t.dog.mu.Unlock()
	t.timedOut.Store(true)
	t.log.Info("media timeout", "idle", idle.String())
	if t.opts.OnTimeout != nil {
		t.opts.OnTimeout()
	}
}

// stopWatch stops the watchdog; once it returns, no check re-arms it.
func (t *TrunkLeg) stopWatch() {
	t.dog.mu.Lock()
	defer t.dog.mu.Unlock()
	t.dog.stopped = true
	if t.dog.timer != nil {
		t.dog.timer.Stop()
	}
}

// PushDigit delivers a digit learnt outside RTP (SIP INFO) to Digits.
func (t *TrunkLeg) PushDigit(d rune) { t.pushDigit(d, "sip-info") }

// pushDigit queues a digit. A key press a carrier both signals as RFC 4733
// events and leaves audible in the audio reaches us twice, and is counted
// once: the tone detector hears it some 40 ms into the tone, the events
// report it when the key is let go. So the same digit is dropped when it
// comes as events within a second of the tone, or as a tone within 150 ms
// of the events.
func (t *TrunkLeg) pushDigit(d rune, via string) {
	now := time.Now()
	t.mu.Lock()
	last := t.lastDTMF
	since := now.Sub(last.at)
	dup := last.digit == d && (via == "inband" && last.via == "rfc4733" && since < 150*time.Millisecond ||
		via == "rfc4733" && last.via == "inband" && since < time.Second)
	if !dup || via == "rfc4733" { // the events stand for the press from here on
		t.lastDTMF.digit, t.lastDTMF.at, t.lastDTMF.via = d, now, via
	}
	t.mu.Unlock()
	if dup {
		return
	}
	t.log.Debug("dtmf", "digit", string(d), "via", via)
	select {
	case t.digits <- d:
	default:
		t.log.Warn("dtmf dropped: digit buffer full", "digit", string(d))
	}
}

// Digits delivers received DTMF digits in order ('0'-'9', '*', '#', 'A'-'D').
func (t *TrunkLeg) Digits() <-chan rune { return t.digits }

// PCM delivers the caller's decoded audio, one 20 ms frame of 8 kHz samples at
// a time. Frames are dropped when the reader falls behind.
// Asking for it starts the copying.
func (t *TrunkLeg) PCM() <-chan []int16 {
	t.pcmOnce.Do(func() {
		t.pcm = make(chan []int16, 64)
		t.pcmWanted.Store(true)
	})
	return t.pcm
}

var _ DigitDetector = (*InbandDetector)(nil)
