package media

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/rtp"
)

// sentPacket is one RTP packet as a far end saw it.
type sentPacket struct {
	at      time.Time
	h       rtp.Header
	payload []byte
}

// captureWriter is an rtpWriter that keeps what it is given.
type captureWriter struct {
	mu   sync.Mutex
	pkts []sentPacket
	err  error
}

func (w *captureWriter) WriteRTP(p *rtp.Packet) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pkts = append(w.pkts, sentPacket{at: time.Now(), h: p.Header, payload: slices.Clone(p.Payload)})
	return w.err
}

func (w *captureWriter) sent() []sentPacket {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.pkts)
}

// udpPhone receives RTP on a loopback socket and notes when each packet came.
type udpPhone struct {
	conn *net.UDPConn
	mu   sync.Mutex
	pkts []sentPacket
	want int
	got  chan struct{} // closed when want packets have come
	done chan struct{}
}

func listenUDPPhone(t *testing.T, want int) *udpPhone {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadBuffer(1 << 20)
	u := &udpPhone{conn: conn, want: want, got: make(chan struct{}), done: make(chan struct{})}
	go u.read()
	t.Cleanup(func() {
		conn.Close()
		<-u.done
	})
	return u
}

func (u *udpPhone) read() {
	defer close(u.done)
	buf := make([]byte, 1500)
	for {
		n, err := u.conn.Read(buf)
		at := time.Now()
		if err != nil {
			return
		}
		var p rtp.Packet
		if p.Unmarshal(buf[:n]) != nil {
			continue
		}
		u.mu.Lock()
		u.pkts = append(u.pkts, sentPacket{at: at, h: p.Header, payload: slices.Clone(p.Payload)})
		if len(u.pkts) == u.want {
			close(u.got)
		}
		u.mu.Unlock()
	}
}

func (u *udpPhone) wait(t *testing.T, timeout time.Duration) []sentPacket {
	t.Helper()
	select {
	case <-u.got:
	case <-time.After(timeout):
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.pkts) < u.want {
		t.Fatalf("heard %d of %d packets", len(u.pkts), u.want)
	}
	return slices.Clone(u.pkts)
}

// udpWriter sends RTP to a loopback address, as diago's session does.
type udpWriter struct {
	conn *net.UDPConn
	buf  [1500]byte
}

func dialUDP(t testing.TB, to net.Addr) *udpWriter {
	t.Helper()
	conn, err := net.DialUDP("udp4", nil, to.(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &udpWriter{conn: conn}
}

func (w *udpWriter) WriteRTP(p *rtp.Packet) error {
	n, err := p.MarshalTo(w.buf[:])
	if err != nil {
		return err
	}
	_, err = w.conn.Write(w.buf[:n])
	return err
}

func newTestSender(c *Clock, w rtpWriter) *rtpSender {
	return newRTPSender(func() rtpWriter { return w }, CodecPCMU, 0x5eed, c.shard(), testLog())
}

// needRealtime skips a test where the kernel refuses SCHED_FIFO (no
// CAP_SYS_NICE), except in CI, which runs as root and must run it.
func needRealtime(t *testing.T, prio int) {
	t.Helper()
	errc := make(chan error, 1)
	go func() { // on a goroutine of its own: the probe locks its thread
		restore, err := lockRealtime(prio)
		if err == nil {
			restore()
		}
		errc <- err
	}()
	if err := <-errc; err != nil {
		if os.Getenv("CI") != "" && !errors.Is(err, errors.ErrUnsupported) {
			t.Fatalf("realtime priority refused in CI: %v", err)
		}
		t.Skipf("realtime priority refused: %v", err)
	}
}

// playOut plays p on s and waits for it to end.
func playOut(t *testing.T, s *rtpSender, p *playback) {
	t.Helper()
	if err := s.reserve(); err != nil {
		t.Fatal(err)
	}
	defer s.release(p)
	if err := s.start(p); err != nil {
		t.Fatal(err)
	}
	<-p.done
	if p.err != nil {
		t.Fatal(p.err)
	}
}

// lateness returns, per packet, how far it arrived behind the schedule its
// RTP timestamp promises, measured from the earliest-arriving packet of its
// talkspurt (a marker starts one), as hotline-load calls measures it.
func lateness(pkts []sentPacket) []time.Duration {
	out := make([]time.Duration, len(pkts))
	start := 0
	for i := 1; i <= len(pkts); i++ {
		if i < len(pkts) && !pkts[i].h.Marker {
			continue
		}
		offset := func(p sentPacket) time.Duration {
			return p.at.Sub(pkts[start].at) - frameDurationOfSamples(int64(int32(p.h.Timestamp-pkts[start].h.Timestamp)))
		}
		anchor := offset(pkts[start])
		for _, p := range pkts[start:i] {
			anchor = min(anchor, offset(p))
		}
		for j := start; j < i; j++ {
			out[j] = offset(pkts[j]) - anchor
		}
		start = i
	}
	return out
}

func frameDurationOfSamples(n int64) time.Duration {
	return time.Duration(n) * time.Second / G711Rate
}

// A prompt paced by the clock does not drift when ticks come late: over
// real UDP on 127.0.0.1, with every fifth tick served 25 ms late (a frame
// and a quarter) and one 120 ms stall, every packet stays within one late
// tick of the schedule its timestamps promise, the last as much as the
// first. The stall is not made up with a burst: the stream resynchronises
// with a marker and a timestamp jump. (A per-call ticker that drops the
// ticks it misses would fall 20 ms further behind at every late tick: over
// 600 ms by the end.) The same holds for a shard on a realtime thread,
// which sleeps in the kernel instead of on a Go timer.
func TestClockKeepsScheduleWhenTicksAreLate(t *testing.T) {
	t.Run("go timers", func(t *testing.T) { testClockLateTicks(t, 0) })
	t.Run("realtime thread", func(t *testing.T) {
		needRealtime(t, 10)
		testClockLateTicks(t, 10)
	})
}

func testClockLateTicks(t *testing.T, priority int) {
	const frames = 150 // 3 s
	ph := listenUDPPhone(t, frames)
	var logged bytes.Buffer
	var mu sync.Mutex
	var reported []time.Duration // what OnTick was told
	clock := NewClock(ClockOptions{Shards: 1, Priority: priority, Logger: slog.New(slog.NewTextHandler(&logged, nil)),
		OnTick: func(late time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			reported = append(reported, late)
		}})
	var first int64 = -1
	var stalled bool
	clock.lateBy = func(n int64) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		if first < 0 {
			first = n
		}
		switch rel := n - first; {
		case rel >= 77 && !stalled:
			stalled = true
			return 120 * time.Millisecond
		case rel%5 == 4:
			return 25 * time.Millisecond
		}
		return 0
	}
	if err := clock.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := newTestSender(clock, dialUDP(t, ph.conn.LocalAddr()))
	playOut(t, s, newPlayback(nil, Tone(440, frames*frameDuration, G711Rate, 0.3)))
	clock.Stop()
	if n := strings.Count(logged.String(), "media clock late"); n != 1 {
		t.Errorf("%d warnings that the clock ran late, want one:\n%s", n, logged.String())
	}
	// OnTick saw the late ticks as late (every fifth by 25 ms or more, the
	// stall by 120 ms or more) and the others as on time.
	mu.Lock()
	var onTime, late25, stall int
	for _, d := range reported {
		switch {
		case d < 20*time.Millisecond:
			onTime++
		case d >= 120*time.Millisecond:
			stall++
		}
		if d >= 25*time.Millisecond {
			late25++
		}
	}
	t.Logf("OnTick: %d ticks, %d within 20 ms, %d late by 25 ms or more, %d by 120 ms or more", len(reported), onTime, late25, stall)
	if onTime < 30 || late25 < 20 || stall < 1 {
		t.Errorf("OnTick told of %d ticks: %d on time, %d late by 25 ms, %d by 120 ms; want the clock's late ticks and its timely ones",
			len(reported), onTime, late25, stall)
	}
	mu.Unlock()

	pkts := ph.wait(t, testTimeout)
	var markers []int
	for i, p := range pkts {
		if p.h.Marker {
			markers = append(markers, i)
		}
		if i > 0 && p.h.SequenceNumber != pkts[i-1].h.SequenceNumber+1 {
			t.Fatalf("packet %d: sequence %d after %d", i, p.h.SequenceNumber, pkts[i-1].h.SequenceNumber)
		}
	}
	// The stall is at frame 77; a slow machine (the race detector) may
	// stall elsewhere too, which is fine as long as the schedule holds.
	r := slices.IndexFunc(markers, func(i int) bool { return i >= 76 && i <= 80 })
	if len(markers) == 0 || markers[0] != 0 || r < 0 {
		t.Fatalf("markers at %v, want the first packet and a resync after the stall", markers)
	}
	r = markers[r]
	jump := pkts[r].h.Timestamp - pkts[r-1].h.Timestamp
	burst := pkts[min(r+2, len(pkts)-1)].at.Sub(pkts[r].at)
	t.Logf("markers at %v; resync at packet %d: timestamp +%d, next two packets over %v", markers, r, jump, burst)
	if jump < 6*FrameSamples || jump > 9*FrameSamples {
		t.Errorf("resync timestamp jump %d, want the ~140 ms lost", jump)
	}
	if burst < frameDuration {
		t.Errorf("after the stall two frames came within %v: a burst", burst)
	}
	late := lateness(pkts)
	worst := slices.Max(late)
	tail := slices.Clone(late[len(late)-25:])
	slices.Sort(tail)
	t.Logf("lateness: worst %v, median of the last 25 %v", worst, tail[12])
	if worst > 60*time.Millisecond {
		t.Errorf("a packet came %v behind its schedule", worst)
	}
	if tail[12] > 20*time.Millisecond {
		t.Errorf("the stream drifted: the last packets are %v behind", tail[12])
	}
}

// Timestamps and markers of everything the sender sends, on a fake clock:
// prompts back to back are one talkspurt; bridged frames follow their own
// pace; an RFC 4733 event pauses a prompt, which resumes with a marker.
func TestSenderTimestamps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := NewClock(ClockOptions{Shards: 1})
		if err := clock.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		defer clock.Stop()
		w := &captureWriter{}
		s := newTestSender(clock, w)
		tone := Tone(1000, 200*time.Millisecond, G711Rate, 0.3) // 10 frames
		playOut(t, s, newPlayback(nil, tone))
		playOut(t, s, newPlayback(encodeFrames(tone[:3*FrameSamples], CodecPCMU), nil))
		pkts := w.sent()
		requireStream(t, "two prompts back to back", pkts, 13, 0)

		// Bridged frames: one talkspurt while they come every 20 ms (or in a
		// burst), a new one after a pause, with the time that passed.
		time.Sleep(300 * time.Millisecond)
		bridge := func(n int, every time.Duration) {
			for range n {
				if err := s.sendNow(tagged(0xA5, 0)); err != nil {
					t.Fatal(err)
				}
				time.Sleep(every)
			}
		}
		bridge(5, frameDuration)
		bridge(3, 0)
		pkts = w.sent()[13:]
		requireStream(t, "bridged", pkts, 8, 0)
		if gap := pkts[0].h.Timestamp - w.sent()[12].h.Timestamp; gap != 15*FrameSamples {
			t.Errorf("bridged audio after a 300 ms pause: timestamp +%d, want %d", gap, 15*FrameSamples)
		}
		if err := s.reserve(); err != nil {
			t.Fatal(err)
		}
		if err := s.sendNow(tagged(0xA5, 0)); !errors.Is(err, ErrBusy) {
			t.Errorf("bridged frame during a prompt: %v, want ErrBusy", err)
		}
		s.release(nil)

		// An event in the middle of a prompt.
		time.Sleep(time.Second)
		w.mu.Lock()
		w.pkts = nil
		w.mu.Unlock()
		p := newPlayback(nil, Tone(1000, 400*time.Millisecond, G711Rate, 0.3)) // 20 frames
		if err := s.reserve(); err != nil {
			t.Fatal(err)
		}
		if err := s.start(p); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5*frameDuration - time.Millisecond)
		press, err := DTMFSender{PayloadType: 101, Interval: frameDuration}.Packets('5', 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		j := &dtmfJob{packets: press, done: make(chan struct{})}
		if err := s.startDTMF(j); err != nil {
			t.Fatal(err)
		}
		<-j.done
		<-p.done
		s.release(p)
		got := w.sent()
		var audio, events []sentPacket
		for _, q := range got {
			if q.h.PayloadType == 101 {
				events = append(events, q)
			} else {
				audio = append(audio, q)
			}
		}
		if len(events) != 8 || !events[0].h.Marker || events[1].h.Marker {
			t.Fatalf("%d event packets, marker on the first %v", len(events), len(events) > 0 && events[0].h.Marker)
		}
		for _, e := range events {
			if e.h.Timestamp != events[0].h.Timestamp {
				t.Fatalf("event timestamps differ: %d, %d", e.h.Timestamp, events[0].h.Timestamp)
			}
		}
		requireStream(t, "prompt around an event", audio, 20, 1)
		resumed := slices.IndexFunc(audio, func(q sentPacket) bool { return q.h.Marker && q.h.Timestamp != audio[0].h.Timestamp })
		if resumed < 0 || audio[resumed].h.Timestamp-events[0].h.Timestamp < 8*FrameSamples {
			t.Errorf("the prompt resumed at timestamp %d, the event started at %d", audio[resumed].h.Timestamp, events[0].h.Timestamp)
		}
	})
}

// requireStream checks n audio packets with consecutive sequence numbers,
// starting a talkspurt, with spurts more talkspurts after it; within a
// talkspurt the timestamp advances by one frame.
func requireStream(t *testing.T, what string, pkts []sentPacket, n, spurts int) {
	t.Helper()
	if len(pkts) != n {
		t.Fatalf("%s: %d packets, want %d", what, len(pkts), n)
	}
	if !pkts[0].h.Marker {
		t.Errorf("%s: no marker on the first packet", what)
	}
	got := 0
	for i := 1; i < len(pkts); i++ {
		if pkts[i].h.Marker {
			got++
			continue
		}
		if d := pkts[i].h.Timestamp - pkts[i-1].h.Timestamp; d != FrameSamples {
			t.Errorf("%s: packet %d: timestamp +%d within a talkspurt", what, i, d)
		}
	}
	if got != spurts {
		t.Errorf("%s: %d talkspurts after the first, want %d", what, got, spurts)
	}
}

// Halting a playback stops it at once; stopping the clock fails what is
// queued; a closed sender refuses everything.
func TestSenderHaltAndClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := NewClock(ClockOptions{Shards: 2})
		if err := clock.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		w := &captureWriter{}
		s := newTestSender(clock, w)
		p := newPlayback(nil, Tone(1000, time.Second, G711Rate, 0.3))
		if err := s.reserve(); err != nil {
			t.Fatal(err)
		}
		if err := s.reserve(); !errors.Is(err, ErrBusy) {
			t.Errorf("second reserve: %v", err)
		}
		if err := s.start(p); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
		s.halt(p)
		n := len(w.sent())
		time.Sleep(100 * time.Millisecond)
		if len(w.sent()) != n || n < 4 || n > 6 {
			t.Errorf("%d frames in 100 ms, then %d more after halt", n, len(w.sent())-n)
		}
		s.release(p)

		q := newPlayback(nil, Tone(1000, time.Second, G711Rate, 0.3))
		_ = s.reserve()
		_ = s.start(q)
		clock.Stop()
		<-q.done
		if !errors.Is(q.err, errClockStopped) {
			t.Errorf("playback on a stopped clock: %v", q.err)
		}
		s.release(q)
		s.close()
		if err := s.reserve(); !errors.Is(err, ErrLegClosed) {
			t.Errorf("reserve after close: %v", err)
		}
		if err := s.sendNow(tagged(0xA5, 0)); !errors.Is(err, ErrLegClosed) {
			t.Errorf("sendNow after close: %v", err)
		}
	})
}

// A socket closed under a playing prompt (the dialog ended the media on the
// caller's BYE before the leg stopped) ends the playback as a hang-up,
// ErrLegClosed, which the IVR takes for one; any other send error stays an
// error.
func TestSenderClosedSocketIsHangup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := NewClock(ClockOptions{Shards: 1})
		if err := clock.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		defer clock.Stop()
		for _, tc := range []struct {
			err    error
			hangup bool
		}{
			{&net.OpError{Op: "write", Net: "udp", Err: net.ErrClosed}, true},
			{&net.OpError{Op: "write", Net: "udp", Err: errors.New("no buffer space available")}, false},
		} {
			w := &captureWriter{err: tc.err}
			s := newTestSender(clock, w)
			p := newPlayback(nil, Tone(440, time.Second, G711Rate, 0.3))
			if err := s.reserve(); err != nil {
				t.Fatal(err)
			}
			if err := s.start(p); err != nil {
				t.Fatal(err)
			}
			<-p.done
			s.release(p)
			if got := errors.Is(p.err, ErrLegClosed); got != tc.hangup || !errors.Is(p.err, tc.err) {
				t.Errorf("send failing with %v: playback ended with %v (hang-up %v, want %v)", tc.err, p.err, got, tc.hangup)
			}
		}
	})
}

// The prompt cache decodes a WAV once and shares its frames; it evicts the
// least recently played; a prompt too big for it is still played.
func TestPromptCache(t *testing.T) {
	wav := func(freq float64, d time.Duration) []byte {
		var b bytes.Buffer
		if err := WriteWAV(&b, G711Rate, 1, Tone(freq, d, G711Rate, 0.3)); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	const half = 500 * time.Millisecond // 4000 samples, 8000 bytes in both laws
	c := newPromptCache(4 * 8000)       // room for four of them
	a := wav(440, half)
	f1, err := c.frames(bytes.NewReader(a), CodecPCMU)
	if err != nil {
		t.Fatal(err)
	}
	f2, _ := c.frames(bytes.NewReader(a), CodecPCMU)
	fa, _ := c.frames(bytes.NewReader(a), CodecPCMA)
	if &f1[0] != &f2[0] || len(f1) != 4000 || &fa[0] == &f1[0] {
		t.Fatalf("the same prompt twice was not shared (%d bytes)", len(f1))
	}
	requireTone(t, "cached A-law", decodeAll(CodecPCMA, fa), 440)
	b := wav(500, half)
	fb, _ := c.frames(bytes.NewReader(b), CodecPCMU)
	for _, f := range []float64{600, 700} {
		if _, err := c.frames(bytes.NewReader(wav(f, half)), CodecPCMU); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = c.frames(bytes.NewReader(a), CodecPCMU) // a is now the most recent
	_, _ = c.frames(bytes.NewReader(wav(800, half)), CodecPCMU)
	if n, size := c.stats(); n != 4 || size != 4*8000 {
		t.Errorf("cache holds %d prompts, %d bytes; want four", n, size)
	}
	if f, _ := c.frames(bytes.NewReader(a), CodecPCMU); &f[0] != &f1[0] {
		t.Error("the most recently played prompt was evicted")
	}
	if f, _ := c.frames(bytes.NewReader(b), CodecPCMU); &f[0] == &fb[0] {
		t.Error("the least recently played prompt was kept")
	}
	big, err := c.frames(bytes.NewReader(wav(800, time.Second)), CodecPCMU)
	if err != nil || len(big) != 8000 {
		t.Fatalf("big prompt: %d bytes, %v", len(big), err)
	}
	if n, _ := c.stats(); n != 4 {
		t.Errorf("a prompt over a quarter of the cache was kept")
	}
	odd := wav(440, 30*time.Millisecond) // 240 samples: the last frame is padded
	f, _ := c.frames(bytes.NewReader(odd), CodecPCMU)
	if len(f) != 2*FrameSamples || f[len(f)-1] != ulawSilence {
		t.Errorf("a 30 ms prompt gave %d bytes", len(f))
	}
	var stereo bytes.Buffer
	_ = WriteWAV(&stereo, 16000, 2, make([]int16, 3200))
	if _, err := c.frames(&stereo, CodecPCMU); !errors.Is(err, ErrUnsupportedWAV) {
		t.Errorf("16 kHz stereo prompt: %v", err)
	}
}

func decodeAll(c Codec, payload []byte) []int16 {
	pcm := make([]int16, len(payload))
	c.Decode(pcm, payload)
	return pcm
}
