package media

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// RTP timing of the trunk leg's outgoing stream.
const (
	// bridgeGap is the longest pause between two bridged frames that still
	// counts as one talkspurt: the timestamp advances by one frame. After a
	// longer one it advances by the time that passed and the marker is set.
	bridgeGap = 3 * frameDuration
	// spurtSlack is how far from one frame time a prompt's first frame may
	// follow the previous packet and still continue its talkspurt (prompts
	// played back to back form one stream).
	spurtSlack = frameDuration / 2
)

// rtpWriter sends one RTP packet. diago's RTP session is one (through
// RTPPacketWriter.Writer, which follows re-INVITEs); tests use fakes.
type rtpWriter interface {
	WriteRTP(p *rtp.Packet) error
}

// rtpSender owns a trunk leg's outgoing RTP: one SSRC, its sequence numbers
// and timestamps, and the three things that send on it.
//
//   - A playback (prompt, music, generated audio) is paced by the media
//     clock: frame k is due at the tick of frame 0 plus k. A late tick sends
//     the frames owed at once and keeps the schedule; a stream more than
//     maxBehindTicks behind is re-anchored to the present instead, its next
//     frame carrying the marker bit and a timestamp that jumps by the time
//     lost, so the far end resynchronises rather than receiving a burst.
//   - A bridged payload (WritePayload, paced by its source) goes out at once
//     on the caller's goroutine. The timestamp advances by one frame, or, after
//     a pause longer than bridgeGap, by the time that passed, with the marker.
//   - An RFC 4733 event (SendDigits) is paced by the clock like a playback; it
//     pauses a playback and holds bridged audio back while it lasts.
//
// Playbacks and bridged audio exclude each other: while a playback owns the
// stream (from reserve to release) bridged payloads are refused with ErrBusy.
// Every send happens under mu, so diago's session (whose marshal buffer is
// not safe for concurrent writes) sees one writer at a time, and a playback
// detached under mu sends nothing more.
type rtpSender struct {
	out   func() rtpWriter
	codec Codec // the audio codec (payload type, encoder for PCM)
	log   *slog.Logger
	clock *clockShard
	rec   atomic.Pointer[Recorder] // far-side tap: what we send

	dropped atomic.Uint64 // bridged payloads not sent

	mu      sync.Mutex
	pkt     rtp.Packet
	ssrc    uint32
	seq     uint16
	ts      uint32    // timestamp of the last packet sent
	at      time.Time // nominal time of the last packet sent
	started bool      // a packet has been sent
	closed  bool
	playing bool               // a playback owns the stream (reserve .. release)
	play    *playback          // the playback being sent, or nil
	dtmf    *dtmfJob           // the key press being sent, or nil
	inClock bool               // on the shard's list
	failed  bool               // a send error was logged
	scratch [FrameSamples]byte // a PCM playback's frame, encoded
}

func newRTPSender(out func() rtpWriter, codec Codec, ssrc uint32, shard *clockShard, log *slog.Logger) *rtpSender {
	return &rtpSender{out: out, codec: codec, log: log, clock: shard, ssrc: ssrc,
		seq: uint16(rand.Uint32()), ts: rand.Uint32()}
}

// writeErr wraps a failed send. A closed socket means the call's media has
// ended under the sender (the far end hung up and the dialog closed it before
// the leg stopped): that reads as ErrLegClosed, a hang-up, not a fault.
func writeErr(err error) error {
	if errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("write rtp: %w (%w)", ErrLegClosed, err)
	}
	return fmt.Errorf("write rtp: %w", err)
}

// silenceCode is the G.711 code of a zero sample in codec.
func silenceCode(codec Codec) byte {
	if codec.Name == CodecPCMA.Name {
		return alawSilence
	}
	return ulawSilence
}

// Frames of G.711 silence, read-only.
var ulawSilenceFrame, alawSilenceFrame [FrameSamples]byte

func init() {
	fill(ulawSilenceFrame[:], ulawSilence)
	fill(alawSilenceFrame[:], alawSilence)
}

// silenceFrame is a frame of silence in codec, read-only.
func silenceFrame(codec Codec) []byte {
	if codec.Name == CodecPCMA.Name {
		return alawSilenceFrame[:]
	}
	return ulawSilenceFrame[:]
}

// playback is one prompt or stretch of generated audio being sent: either
// frames already encoded in the leg's codec (shared, read-only) or PCM that
// is encoded frame by frame.
type playback struct {
	enc   []byte  // encoded, a multiple of FrameSamples
	pcm   []int16 // or PCM, owned by the caller until done
	n     int     // frames
	k     int     // next frame to send
	begun bool    // frame 0 has been sent; start is valid
	start int64   // the tick of frame 0 (moved on a resync)
	done  chan struct{}
	err   error // set before done closes
}

func newPlayback(enc []byte, pcm []int16) *playback {
	p := &playback{enc: enc, pcm: pcm, done: make(chan struct{})}
	if enc != nil {
		p.n = len(enc) / FrameSamples
	} else {
		p.n = (len(pcm) + FrameSamples - 1) / FrameSamples
	}
	return p
}

// frame returns frame k in the codec, valid until the next call.
func (p *playback) frame(k int, codec Codec, scratch []byte) []byte {
	if p.enc != nil {
		return p.enc[k*FrameSamples : (k+1)*FrameSamples]
	}
	end := min((k+1)*FrameSamples, len(p.pcm))
	n := codec.Encode(scratch, p.pcm[k*FrameSamples:end])
	fill(scratch[n:FrameSamples], silenceCode(codec)) // the last frame may be short
	return scratch[:FrameSamples]
}

// finish ends the playback with err (nil: played to the end).
func (p *playback) finish(err error) {
	p.err = err
	close(p.done)
}

// dtmfJob is one key press being sent: the RFC 4733 packets of DTMFSender,
// each due at its offset (a multiple of the frame time) from the first.
type dtmfJob struct {
	packets []DTMFPacket
	i       int
	begun   bool
	tick0   int64
	done    chan struct{}
	err     error
}

func (j *dtmfJob) finish(err error) {
	j.err = err
	close(j.done)
}

// reserve claims the stream for a playback: ErrBusy if one has it.
func (s *rtpSender) reserve() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrLegClosed
	case s.playing:
		return ErrBusy
	}
	s.playing = true
	return nil
}

// release gives the stream back after a playback (reserve), detaching p if
// it is still attached.
func (s *rtpSender) release(p *playback) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p != nil && s.play == p {
		s.play = nil
	}
	s.playing = false
}

// start attaches a playback (after reserve) and puts the leg on the clock.
func (s *rtpSender) start(p *playback) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrLegClosed
	}
	if p.n == 0 {
		p.finish(nil)
		return nil
	}
	s.play = p
	return s.enlist()
}

// halt detaches a playback: once it returns, no frame of p is sent.
func (s *rtpSender) halt(p *playback) {
	s.mu.Lock()
	if s.play == p {
		s.play = nil
	}
	s.mu.Unlock()
}

// startDTMF queues one key press; at most one is queued at a time (the
// caller serialises presses).
func (s *rtpSender) startDTMF(j *dtmfJob) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrLegClosed
	}
	s.dtmf = j
	return s.enlist()
}

func (s *rtpSender) haltDTMF(j *dtmfJob) {
	s.mu.Lock()
	if s.dtmf == j {
		s.dtmf = nil
	}
	s.mu.Unlock()
}

// enlist puts the leg on its shard unless it is there. Called under mu.
func (s *rtpSender) enlist() error {
	if s.inClock {
		return nil
	}
	if !s.clock.add(s) {
		return errClockStopped
	}
	s.inClock = true
	return nil
}

// close stops all sending and fails what is queued. Idempotent.
func (s *rtpSender) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.failQueued(ErrLegClosed)
}

// clockStopped is called by a shard that stops with the leg on its list.
func (s *rtpSender) clockStopped() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inClock = false
	s.failQueued(errClockStopped)
}

func (s *rtpSender) failQueued(err error) {
	if s.play != nil {
		s.play.finish(err)
		s.play = nil
	}
	if s.dtmf != nil {
		s.dtmf.finish(err)
		s.dtmf = nil
	}
}

// tick sends what the leg owes at tick cur of its shard and reports whether
// it still has something scheduled (false takes it off the shard's list).
func (s *rtpSender) tick(cur int64, sh *clockShard) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
	case s.dtmf != nil:
		s.tickDTMF(cur, sh)
	case s.play != nil:
		s.tickPlay(cur, sh)
	}
	active := !s.closed && (s.dtmf != nil || s.play != nil)
	if !active {
		s.inClock = false
	}
	return active
}

// tickPlay sends the playback's frames due by tick cur (see rtpSender).
func (s *rtpSender) tickPlay(cur int64, sh *clockShard) {
	p := s.play
	spurt, resync := false, false
	switch {
	case !p.begun:
		p.begun, p.start, spurt = true, cur-int64(p.k), true
	case cur-(p.start+int64(p.k)) > maxBehindTicks:
		p.start, spurt, resync = cur-int64(p.k), true, true
	}
	for p.k < p.n && p.start+int64(p.k) <= cur {
		at := sh.tickTime(p.start + int64(p.k))
		cont := !spurt || (!resync && s.follows(at, frameDuration-spurtSlack, frameDuration+spurtSlack))
		if err := s.sendAudio(p.frame(p.k, s.codec, s.scratch[:]), at, cont); err != nil {
			s.play = nil
			p.finish(writeErr(err))
			return
		}
		p.k++
		spurt, resync = false, false
	}
	if p.k == p.n {
		s.play = nil
		p.finish(nil)
	}
}

// tickDTMF sends the event packets due by tick cur. The event's timestamp
// is where the stream is when it starts; a playback resumes after it with
// a new talkspurt.
func (s *rtpSender) tickDTMF(cur int64, sh *clockShard) {
	j := s.dtmf
	if !j.begun {
		j.begun, j.tick0 = true, cur
		s.advance(sh.tickTime(cur), false)
	}
	for j.i < len(j.packets) {
		pk := j.packets[j.i]
		if j.tick0+int64(pk.At/frameDuration) > cur {
			return
		}
		if err := s.write(pk.Payload, pk.PayloadType, pk.Marker); err != nil {
			s.dtmf = nil
			j.finish(writeErr(err))
			return
		}
		if rec := s.rec.Load(); rec != nil {
			_ = rec.WriteFarPayload(silenceFrame(s.codec)) // what the caller hears of an event
		}
		j.i++
	}
	s.dtmf = nil
	j.finish(nil)
}

// sendNow sends a bridged payload at once (see rtpSender). It drops the
// payload, counting it, while an RFC 4733 event is being sent.
func (s *rtpSender) sendNow(payload []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrLegClosed
	case s.playing:
		return ErrBusy
	case s.dtmf != nil:
		s.dropped.Add(1)
		return nil
	}
	now := time.Now()
	if err := s.sendAudio(payload, now, s.follows(now, 0, bridgeGap)); err != nil {
		s.dropped.Add(1)
		return writeErr(err)
	}
	return nil
}

// follows reports whether a packet at nominal time at comes between lo and
// hi after the last one sent.
func (s *rtpSender) follows(at time.Time, lo, hi time.Duration) bool {
	if !s.started {
		return false
	}
	d := at.Sub(s.at)
	return d >= lo && d <= hi
}

// sendAudio sends one audio frame due at nominal time at: continuing the
// talkspurt (the timestamp advances by one frame) or starting a new one.
func (s *rtpSender) sendAudio(payload []byte, at time.Time, cont bool) error {
	marker := s.advance(at, cont)
	err := s.write(payload, s.codec.PayloadType, marker)
	if rec := s.rec.Load(); rec != nil {
		_ = rec.WriteFarPayload(payload)
	}
	return err
}

// advance moves the timestamp to a packet at nominal time at and reports
// whether it starts a talkspurt (marker). A new talkspurt's timestamp
// advances by the time since the last packet, in whole frames, at least one.
func (s *rtpSender) advance(at time.Time, cont bool) bool {
	marker := true
	switch {
	case !s.started:
		s.started = true // the random initial timestamp
	case cont:
		s.ts += FrameSamples
		marker = false
	default:
		frames := (at.Sub(s.at) + frameDuration/2) / frameDuration
		s.ts += FrameSamples * uint32(max(frames, 1))
	}
	s.at = at
	return marker
}

// write sends one packet with the current timestamp. Called under mu.
func (s *rtpSender) write(payload []byte, pt uint8, marker bool) error {
	s.seq++
	s.pkt.Header = rtp.Header{Version: 2, Marker: marker, PayloadType: pt,
		SequenceNumber: s.seq, Timestamp: s.ts, SSRC: s.ssrc}
	s.pkt.Payload = payload
	err := s.out().WriteRTP(&s.pkt)
	s.pkt.Payload = nil
	if err != nil && !s.failed {
		s.failed = true
		s.log.Debug("rtp send failed", "error", err)
	}
	return err
}
