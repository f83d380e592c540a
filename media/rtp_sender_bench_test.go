package media

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emiago/diago/audio"
	dmedia "github.com/emiago/diago/media"
	"github.com/pion/rtp"
)

// marshalWriter marshals each packet as diago's session does and sends it
// nowhere: the sender's own cost, without the system call.
type marshalWriter struct{ buf [1500]byte }

func (w *marshalWriter) WriteRTP(p *rtp.Packet) error {
	_, err := p.MarshalTo(w.buf[:])
	return err
}

// One tick of a shard serving 1,000 legs that play a prompt: the cost per
// frame of the clock and the sender (timestamps, locking, framing,
// marshalling), system call excluded, and its allocations per tick.
func BenchmarkClockTick(b *testing.B) {
	const legs = 1000
	clock := NewClock(ClockOptions{Shards: 1})
	sh := clock.shards[0]
	frames := make([]byte, FrameSamples*(b.N+1))
	for range legs {
		s := newTestSender(clock, &marshalWriter{})
		s.playing, s.play, s.inClock = true, newPlayback(frames, nil), true
		sh.senders = append(sh.senders, s)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		sh.serve(int64(i))
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*legs), "ns/frame")
}

// One frame sent at once (a bridged payload) over a real loopback UDP
// socket: the sender plus the sendto system call.
func BenchmarkSenderUDP(b *testing.B) {
	sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	s := newTestSender(NewClock(ClockOptions{Shards: 1}), dialUDP(b, sink.LocalAddr()))
	payload := make([]byte, FrameSamples)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.sendNow(payload); err != nil {
			b.Fatal(err)
		}
	}
}

// benchCallFrames is how many 20 ms frames a recorder benchmark writes to
// one file before it starts another (30 minutes of audio, 58 MB): a long
// run must not reach the 4 GiB a WAV file can hold.
const benchCallFrames = 90_000

// benchRecorder records b.N frame pairs with write, a call of
// benchCallFrames at a time, each to a fresh file.
func benchRecorder(b *testing.B, opts []RecorderOption, write func(*Recorder) error) {
	dir := b.TempDir()
	now := time.Unix(0, 0)
	opts = append(opts, WithRecorderClock(func() time.Time { return now }))
	var rec *Recorder
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%benchCallFrames == 0 {
			if rec != nil {
				if err := rec.Close(); err != nil {
					b.Fatal(err)
				}
			}
			var err error
			if rec, err = NewRecorder(filepath.Join(dir, "r.wav"), G711Rate, opts...); err != nil {
				b.Fatal(err)
			}
		}
		now = now.Add(frameDuration)
		if err := write(rec); err != nil {
			b.Fatal(err)
		}
	}
	if err := rec.Close(); err != nil {
		b.Fatal(err)
	}
}

// Recording one 20 ms frame each way, as the trunk leg does: G.711
// payloads kept as they came and decoded a second at a time.
func BenchmarkRecorderPayload(b *testing.B) {
	caller, far := make([]byte, FrameSamples), make([]byte, FrameSamples)
	benchRecorder(b, []RecorderOption{WithRecorderCodec(CodecPCMU)}, func(rec *Recorder) error {
		if err := rec.WriteCallerPayload(caller); err != nil {
			return err
		}
		return rec.WriteFarPayload(far)
	})
}

// The same, decoding each payload to PCM first and keeping 16-bit samples
// (the alternative: the receive loop's decoded caller audio).
func BenchmarkRecorderPCM(b *testing.B) {
	payload := make([]byte, FrameSamples)
	pcm := make([]int16, FrameSamples)
	benchRecorder(b, nil, func(rec *Recorder) error {
		DecodeUlaw(pcm, payload)
		if err := rec.WriteCaller(pcm); err != nil {
			return err
		}
		DecodeUlaw(pcm, payload)
		return rec.WriteFar(pcm)
	})
}

// One IVR call recorded whole, per op: 6 s of the caller's frames, the IVR's
// prompts 60 ms behind them (within the slack) with a second of silence
// while it collects a key, then Close. Its allocations are what recording
// adds to the garbage collector's work per call.
func BenchmarkRecorderCall(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "call.wav")
	caller, far := make([]byte, FrameSamples), make([]byte, FrameSamples)
	const frames = 300 // 6 s
	b.ReportAllocs()
	for b.Loop() {
		now := time.Unix(0, 0)
		rec, err := NewRecorder(path, G711Rate, WithRecorderCodec(CodecPCMU),
			WithRecorderClock(func() time.Time { return now }))
		if err != nil {
			b.Fatal(err)
		}
		for k := range frames {
			now = now.Add(frameDuration)
			if err := rec.WriteCallerPayload(caller); err != nil {
				b.Fatal(err)
			}
			if k >= 3 && (k < 100 || k >= 150) { // prompt, key collection, prompt
				if err := rec.WriteFarPayload(far); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := rec.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// payloadReader hands out one payload per Read, as an RTP reader does.
type payloadReader struct{ p []byte }

func (r payloadReader) Read(b []byte) (int, error) { return copy(b, r.p), nil }

// What the trunk leg used before: diago's stereo recording (v0.42.1), which
// decodes each frame, writes each side to a temporary file through a 4 KB
// buffer and interleaves the two files into the WAV when it closes.
func BenchmarkRecorderDiago(b *testing.B) {
	dir := b.TempDir()
	payload := make([]byte, FrameSamples)
	buf := make([]byte, dmedia.RTPBufSize)
	var f *os.File
	var wav *audio.WavWriter
	var mon *audio.MonitorPCMStereo
	finish := func() {
		if err := mon.Close(); err != nil {
			b.Fatal(err)
		}
		if err := wav.Close(); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%benchCallFrames == 0 {
			if mon != nil {
				finish()
			}
			var err error
			if f, err = os.Create(filepath.Join(dir, "r.wav")); err != nil {
				b.Fatal(err)
			}
			wav = audio.NewWavWriter(f)
			mon = &audio.MonitorPCMStereo{}
			if err := mon.Init(wav, dmedia.CodecAudioUlaw, payloadReader{payload}, discardWriter{}); err != nil {
				b.Fatal(err)
			}
		}
		_, _ = mon.MonitorPCMReader.Read(buf)
		_, _ = mon.MonitorPCMWriter.Write(payload)
	}
	finish()
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
