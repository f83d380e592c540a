package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// Recorder defaults.
const (
	// DefaultRecorderSlack is how far a stream may lag behind the wall clock
	// before the recorder fills its gap with silence: room for jitter.
	DefaultRecorderSlack = 200 * time.Millisecond
	// DefaultRecorderFlush is how much audio the recorder gathers before it
	// writes it out (one write, then the header brought up to date),
	// bounding both the system calls and what a crash loses.
	DefaultRecorderFlush = time.Second
	// recorderMaxPending bounds the samples one side may hold waiting for the
	// other, in seconds of audio, should the clock stall.
	recorderMaxPending = 2
)

// ErrRecorderClosed is returned by writes to a closed Recorder.
var ErrRecorderClosed = errors.New("recorder closed")

// Recorder writes a call to a stereo 16-bit WAV file: the caller on the
// left channel, the far side (IVR prompts, agent) on the right. Each side is
// fed at the recorder's rate, usually a 20 ms frame at a time from its own
// goroutine, as PCM or, with WithRecorderCodec, as the G.711 payloads the call
// carries; the methods are safe for concurrent use.
//
// The two streams are kept aligned by the wall clock: a side that has fallen
// more than the slack behind the time elapsed since NewRecorder (a muted
// leg, a pause between prompts, lost packets) is padded with silence, so its
// next frame lands where it was heard, ending at the current time. Within the
// slack, frames are simply appended, absorbing jitter. Close pads the shorter
// side to the longer one, so no audio is dropped.
//
// Samples wait in memory (as G.711 codes with WithRecorderCodec: one byte
// each) until both sides have a flush interval's worth; they are then
// decoded, interleaved and written with one system call, and the header's
// sizes updated with another, outside the lock the writers share. The
// caller's side does the writing: the far side (in a call, fed by the
// media clock's goroutine, which must not wait on a disk) only once it has
// twice the interval waiting, when the caller has gone quiet. So a
// recording whose process died is valid up to a second or two before the
// end.
type Recorder struct {
	mu      sync.Mutex // everything but the file
	io      sync.Mutex // the file: flushes in turn, and sized
	sized   uint32     // the data size the header holds
	f       *os.File
	path    string
	rate    int
	format  recFormat
	clock   func() time.Time
	start   time.Time
	slack   int // samples
	flushN  int // samples per side per write
	sides   [2]recorderSide
	written int    // frames (sample pairs) in the file
	data    uint32 // bytes of samples in the file
	err     error
	closed  bool
}

// recorderSide is one channel's samples waiting to be written.
type recorderSide struct {
	pending []byte // in the recorder's format
	total   int    // samples ever received or padded, pending included
	idle    bool   // padded for lagging since its last write
}

// recFormat is how a Recorder holds samples until it writes them: 16-bit
// little-endian (codec nil) or a G.711 codec's one-byte codes.
type recFormat struct {
	codec   *Codec
	decode  *[256]int16
	silence byte
}

func (f recFormat) size() int {
	if f.codec == nil {
		return 2
	}
	return 1
}

// appendPCM appends samples, encoding them in a G.711 format.
func (f recFormat) appendPCM(b []byte, pcm []int16) []byte {
	if f.codec == nil {
		return appendSamples(b, pcm)
	}
	n := len(b)
	b = append(b, make([]byte, len(pcm))...)
	f.codec.Encode(b[n:], pcm)
	return b
}

// appendSilence appends n samples of silence.
func (f recFormat) appendSilence(b []byte, n int) []byte {
	n *= f.size()
	if cap(b)-len(b) < n {
		b = append(b, make([]byte, n)...)[:len(b)]
	}
	b = b[:len(b)+n]
	fill(b[len(b)-n:], f.silence)
	return b
}

// interleave writes n samples of each side as 16-bit little-endian stereo
// frames to dst.
func (f recFormat) interleave(dst, left, right []byte, n int) {
	dst = dst[:4*n]
	if f.decode == nil {
		for i := range n {
			copy(dst[4*i:4*i+2], left[2*i:2*i+2])
			copy(dst[4*i+2:4*i+4], right[2*i:2*i+2])
		}
		return
	}
	dec := f.decode
	left, right = left[:n], right[:n:n]
	for i, l := range left {
		v := uint32(uint16(dec[l])) | uint32(uint16(dec[right[i]]))<<16
		binary.LittleEndian.PutUint32(dst[4*i:4*i+4], v)
	}
}

// RecorderOption adjusts a Recorder.
type RecorderOption func(*Recorder)

// WithRecorderClock replaces time.Now, for tests.
func WithRecorderClock(now func() time.Time) RecorderOption {
	return func(r *Recorder) { r.clock = now }
}

// WithRecorderSlack sets how far a side may lag the clock before it is
// padded with silence (default DefaultRecorderSlack).
func WithRecorderSlack(d time.Duration) RecorderOption {
	return func(r *Recorder) { r.slack = Samples(d, r.rate) }
}

// WithRecorderFlush sets how much audio is gathered per write (default
// DefaultRecorderFlush).
func WithRecorderFlush(d time.Duration) RecorderOption {
	return func(r *Recorder) { r.flushN = max(1, Samples(d, r.rate)) }
}

// WithRecorderCodec keeps samples as c's G.711 codes until they are written
// (half the memory of PCM) and enables WriteCallerPayload and
// WriteFarPayload. PCM given to WriteCaller and WriteFar is then encoded,
// as a G.711 call would carry it.
func WithRecorderCodec(c Codec) RecorderOption {
	return func(r *Recorder) {
		r.format = recFormat{codec: &c, decode: &ulawDecodeTable, silence: ulawSilence}
		if c.Name == CodecPCMA.Name {
			r.format.decode, r.format.silence = &alawDecodeTable, alawSilence
		}
	}
}

// NewRecorder creates the WAV file at path (truncating it) and starts the
// recording clock. The directory must exist.
func NewRecorder(path string, rate int, opts ...RecorderOption) (*Recorder, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("new recorder: %w", err)
	}
	r, err := newRecorder(f, rate, opts...)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("new recorder %s: %w", path, err)
	}
	return r, nil
}

// newRecorder writes the header to f, an empty file it then owns.
func newRecorder(f *os.File, rate int, opts ...RecorderOption) (*Recorder, error) {
	if err := checkWriteFormat(rate, 2); err != nil {
		return nil, err
	}
	r := &Recorder{f: f, path: f.Name(), rate: rate, clock: time.Now,
		slack: Samples(DefaultRecorderSlack, rate), flushN: Samples(DefaultRecorderFlush, rate)}
	for _, o := range opts {
		o(r)
	}
	if _, err := f.WriteAt(wavHeader(rate, 2, wavUnknownSize), 0); err != nil {
		return nil, fmt.Errorf("write wav header: %w", err)
	}
	// A side holds a flush interval, the other side's slack and a few
	// frames of jitter; it grows if a side lags further.
	room := (r.flushN + r.slack + 4*FrameSamples) * r.format.size()
	for i := range r.sides {
		r.sides[i].pending = getPending(room)
	}
	r.start = r.clock()
	return r, nil
}

// String describes the recorder: "recorder /data/rec/x.wav (8000 Hz stereo)".
func (r *Recorder) String() string {
	return fmt.Sprintf("recorder %s (%d Hz stereo)", r.path, r.rate)
}

// SampleRate returns the rate both sides must be fed at.
func (r *Recorder) SampleRate() int { return r.rate }

// Path returns the file being written.
func (r *Recorder) Path() string { return r.path }

// WriteCaller records caller audio (left channel).
func (r *Recorder) WriteCaller(pcm []int16) error { return r.write(0, pcm, nil) }

// WriteFar records far-side audio (right channel).
func (r *Recorder) WriteFar(pcm []int16) error { return r.write(1, pcm, nil) }

// WriteCallerPayload records a caller payload in the recorder's codec
// (WithRecorderCodec). The recorder keeps no reference to p.
func (r *Recorder) WriteCallerPayload(p []byte) error { return r.write(0, nil, p) }

// WriteFarPayload records a far-side payload in the recorder's codec
// (WithRecorderCodec). The recorder keeps no reference to p.
func (r *Recorder) WriteFarPayload(p []byte) error { return r.write(1, nil, p) }

func (r *Recorder) write(side int, pcm []int16, codes []byte) error {
	r.mu.Lock()
	switch {
	case r.closed:
		r.mu.Unlock()
		return ErrRecorderClosed
	case r.err != nil:
		err := r.err
		r.mu.Unlock()
		return err
	case codes != nil && r.format.codec == nil:
		r.mu.Unlock()
		return fmt.Errorf("%v: payloads need WithRecorderCodec", r)
	}
	n := len(pcm) + len(codes)
	r.align(side, n)
	s := &r.sides[side]
	if codes != nil {
		s.pending = append(s.pending, codes...)
	} else {
		s.pending = r.format.appendPCM(s.pending, pcm)
	}
	s.total += n
	if other := &r.sides[1-side]; r.pendingOf(s) > recorderMaxPending*r.rate {
		r.pad(other, r.pendingOf(s)-r.pendingOf(other))
	}
	// The caller's side writes the file; the far side, fed by the media
	// clock's goroutine, only when the caller has been silent for as long
	// again, so the clock seldom waits on the disk.
	f, err := r.take(r.flushN * (1 + side))
	r.mu.Unlock()
	if f != nil {
		return r.flush(f)
	}
	return err
}

func (r *Recorder) pendingOf(s *recorderSide) int { return len(s.pending) / r.format.size() }

// align pads the sides that lag the clock by more than the slack: the other
// side up to the slack (it still has room for jitter, and is marked idle),
// and the writing side, if it lags or was idle, so that its frame of n
// samples ends now.
func (r *Recorder) align(side, n int) {
	now := Samples(r.clock().Sub(r.start), r.rate)
	if s := &r.sides[side]; s.total < now-n && (s.idle || s.total < now-r.slack) {
		r.pad(s, now-n-s.total)
	}
	r.sides[side].idle = false
	if o := &r.sides[1-side]; o.total < now-r.slack {
		r.pad(o, now-r.slack-o.total)
		o.idle = true
	}
}

// pad appends n samples of silence to a side.
func (r *Recorder) pad(s *recorderSide, n int) {
	if n <= 0 {
		return
	}
	s.pending = r.format.appendSilence(s.pending, n)
	s.total += n
}

// interleaveBufs holds the buffers flushes decode into (one second of 8 kHz
// stereo by default), shared by every recorder.
var interleaveBufs sync.Pool

// pendingBufs holds the sides' pending buffers between recordings: a
// recorder takes two when it starts and gives them back when it closes, so
// a server recording a thousand calls does not allocate (and collect) two
// buffers a call, and grows them only until they fit its calls.
var pendingBufs sync.Pool // *[]byte

// getPending returns an empty buffer with room for at least room bytes.
func getPending(room int) []byte {
	if bp, _ := pendingBufs.Get().(*[]byte); bp != nil && cap(*bp) >= room {
		return (*bp)[:0]
	}
	return make([]byte, 0, room)
}

// putPending gives back a buffer no one uses any more.
func putPending(b []byte) {
	if cap(b) == 0 {
		return
	}
	b = b[:0]
	pendingBufs.Put(&b)
}

// recFlush is interleaved audio on its way to the file.
type recFlush struct {
	bp   *[]byte // from interleaveBufs
	buf  []byte
	off  int64  // where it goes
	size uint32 // the data size once it is there
}

// take interleaves the samples both sides have, once there are at least
// least of them, into a buffer for flush, and reserves their place in the
// file. Called under mu.
func (r *Recorder) take(least int) (*recFlush, error) {
	n := min(r.pendingOf(&r.sides[0]), r.pendingOf(&r.sides[1]))
	if r.err != nil || n == 0 || n < least {
		return nil, r.err
	}
	if uint64(r.data)+4*uint64(n) > wavMaxStream {
		r.err = fmt.Errorf("%v: file would exceed 4 GiB", r)
		return nil, r.err
	}
	bp, _ := interleaveBufs.Get().(*[]byte)
	if bp == nil || cap(*bp) < 4*n {
		b := make([]byte, 4*n)
		bp = &b
	}
	f := &recFlush{bp: bp, buf: (*bp)[:4*n], off: 44 + int64(r.data)}
	r.format.interleave(f.buf, r.sides[0].pending, r.sides[1].pending, n)
	for i := range r.sides {
		s := &r.sides[i]
		s.pending = s.pending[:copy(s.pending, s.pending[n*r.format.size():])]
	}
	r.data += uint32(4 * n)
	r.written += n
	f.size = r.data
	return f, nil
}

// flush writes what take prepared, outside mu: one write for the samples,
// one for the header's sizes.
func (r *Recorder) flush(f *recFlush) error {
	r.io.Lock()
	_, err := r.f.WriteAt(f.buf, f.off)
	if err == nil {
		err = r.writeSizes(f.size)
	}
	r.io.Unlock()
	interleaveBufs.Put(f.bp)
	if err == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = fmt.Errorf("%v: %w", r, err)
	}
	return r.err
}

// writeSizes brings the header's RIFF and data sizes up to size, unless a
// later flush got there first: one write of bytes 4 to 43 (the fields
// between them do not change). Called under io.
func (r *Recorder) writeSizes(size uint32) error {
	if size <= r.sized && r.sized != 0 {
		return nil
	}
	if _, err := r.f.WriteAt(wavHeader(r.rate, 2, size)[4:44], 4); err != nil {
		return err
	}
	r.sized = size
	return nil
}

// Duration returns the length of audio in the file so far.
func (r *Recorder) Duration() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Duration(r.written) * time.Second / time.Duration(r.rate)
}

// Close writes what is pending, padding the shorter side with silence,
// and closes the file. A second Close returns nil.
func (r *Recorder) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	a, b := &r.sides[0], &r.sides[1]
	r.pad(a, r.pendingOf(b)-r.pendingOf(a))
	r.pad(b, r.pendingOf(a)-r.pendingOf(b))
	f, err := r.take(1) // copies what was pending: the buffers are free
	size := r.data
	for i := range r.sides {
		putPending(r.sides[i].pending)
		r.sides[i].pending = nil
	}
	r.mu.Unlock()
	if f != nil {
		err = r.flush(f)
	}
	r.io.Lock() // after any flush still in flight
	defer r.io.Unlock()
	if err == nil {
		if err = r.writeSizes(size); err != nil {
			err = fmt.Errorf("%v: %w", r, err)
		}
	}
	if cerr := r.f.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("%v: %w", r, cerr)
	}
	return err
}
