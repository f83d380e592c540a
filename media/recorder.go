package media

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Recorder defaults.
const (
	// DefaultRecorderSlack is how far a stream may lag behind the wall clock
	// before the recorder fills its gap with silence: room for jitter.
	DefaultRecorderSlack = 200 * time.Millisecond
	// DefaultRecorderFlush is how often the file's header is brought up to
	// date, bounding what a crash loses.
	DefaultRecorderFlush = time.Second
	// recorderMaxPending bounds the samples one side may hold waiting for the
	// other, in seconds of audio, should the clock stall.
	recorderMaxPending = 2
)

// ErrRecorderClosed is returned by writes to a closed Recorder.
var ErrRecorderClosed = errors.New("recorder closed")

// Recorder writes a call to a stereo 16-bit WAV file: the caller on the
// left channel, the far side (IVR prompts, agent) on the right. Each side is
// fed 16-bit PCM at the recorder's rate, usually a 20 ms frame at a time
// from its own goroutine; the methods are safe for concurrent use.
//
// The two streams are kept aligned by the wall clock: a side that has fallen
// more than the slack behind the time elapsed since NewRecorder (a muted
// leg, a pause between prompts, lost packets) is padded with silence, so its
// next frame lands where it was heard, ending at the current time. Within the
// slack, frames are simply appended, absorbing jitter. Samples are interleaved
// once both sides have them, or when the other side is padded. Close pads
// the shorter side to the longer one, so no audio is dropped.
//
// The file's header is updated every second (see WAVWriter), so a recording
// whose process died is valid up to about a second before the end.
type Recorder struct {
	mu      sync.Mutex
	w       *WAVWriter
	path    string
	rate    int
	clock   func() time.Time
	start   time.Time
	slack   int // samples
	flushN  int // samples per side between flushes
	sides   [2]recorderSide
	written int // frames (sample pairs) in the file
	flushed int // frames at the last flush
	err     error
	closed  bool
	buf     []int16 // interleave scratch
}

// recorderSide is one channel's samples waiting for the other channel.
type recorderSide struct {
	pending []int16
	total   int  // samples ever received or padded, pending included
	idle    bool // padded for lagging since its last write
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

// NewRecorder creates the WAV file at path (truncating it) and starts the
// recording clock. The directory must exist.
func NewRecorder(path string, rate int, opts ...RecorderOption) (*Recorder, error) {
	w, err := CreateWAV(path, rate, 2)
	if err != nil {
		return nil, fmt.Errorf("new recorder: %w", err)
	}
	r := &Recorder{w: w, path: path, rate: rate, clock: time.Now,
		slack: Samples(DefaultRecorderSlack, rate), flushN: Samples(DefaultRecorderFlush, rate)}
	for _, o := range opts {
		o(r)
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
func (r *Recorder) WriteCaller(pcm []int16) error { return r.write(0, pcm) }

// WriteFar records far-side audio (right channel).
func (r *Recorder) WriteFar(pcm []int16) error { return r.write(1, pcm) }

func (r *Recorder) write(side int, pcm []int16) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrRecorderClosed
	}
	if r.err != nil {
		return r.err
	}
	r.align(side, len(pcm))
	s := &r.sides[side]
	s.pending = append(s.pending, pcm...)
	s.total += len(pcm)
	if other := &r.sides[1-side]; len(s.pending) > recorderMaxPending*r.rate {
		r.pad(other, len(s.pending)-len(other.pending))
	}
	return r.drain()
}

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
	s.pending = append(s.pending, make([]int16, n)...)
	s.total += n
}

// drain interleaves the samples both sides have and flushes the file every
// flushN frames.
func (r *Recorder) drain() error {
	n := min(len(r.sides[0].pending), len(r.sides[1].pending))
	if n == 0 {
		return nil
	}
	r.buf = r.buf[:0]
	for i := range n {
		r.buf = append(r.buf, r.sides[0].pending[i], r.sides[1].pending[i])
	}
	for i := range r.sides {
		s := &r.sides[i]
		s.pending = s.pending[:copy(s.pending, s.pending[n:])]
	}
	if err := r.w.Write(r.buf); err != nil {
		r.err = fmt.Errorf("%v: %w", r, err)
		return r.err
	}
	r.written += n
	if r.written-r.flushed >= r.flushN {
		r.flushed = r.written
		if err := r.w.Flush(); err != nil {
			r.err = fmt.Errorf("%v: %w", r, err)
		}
	}
	return r.err
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
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	a, b := &r.sides[0], &r.sides[1]
	r.pad(a, len(b.pending)-len(a.pending))
	r.pad(b, len(a.pending)-len(b.pending))
	err := r.err
	if err == nil {
		err = r.drain()
	}
	if cerr := r.w.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("%v: %w", r, cerr)
	}
	return err
}
