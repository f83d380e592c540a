package media

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fifoThreads counts this process's threads under SCHED_FIFO at prio, from
// /proc/self/task/*/stat (rt_priority and policy are its fields 40 and 41).
func fifoThreads(t *testing.T, prio int) int {
	t.Helper()
	stats, err := filepath.Glob("/proc/self/task/*/stat")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range stats {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // the thread ended
		}
		s := string(data)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // field 3 onwards
		if len(fields) < 39 {
			t.Fatalf("%s: %d fields", f, len(fields)+2)
		}
		rt, _ := strconv.Atoi(fields[40-3])
		policy, _ := strconv.Atoi(fields[41-3])
		if policy == 1 && rt == prio { // SCHED_FIFO
			n++
		}
	}
	return n
}

// With a priority each shard runs on a SCHED_FIFO thread of its own and
// plays on schedule; Stop hands the threads back as ordinary ones, so no
// other goroutine of the process ever runs at realtime priority.
func TestClockRealtimeThreads(t *testing.T) {
	const prio = 7 // a priority nothing else in the test process uses
	needRealtime(t, prio)
	if n := fifoThreads(t, prio); n != 0 {
		t.Fatalf("%d realtime threads before the clock started", n)
	}
	var logged bytes.Buffer
	clock := NewClock(ClockOptions{Shards: 2, Priority: prio, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err := clock.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer clock.Stop()
	deadline := time.Now().Add(testTimeout)
	for fifoThreads(t, prio) != 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := fifoThreads(t, prio); n != 2 {
		t.Fatalf("%d realtime threads for 2 shards", n)
	}

	const frames = 50 // 1 s on each of two legs, one per shard
	phones := []*udpPhone{listenUDPPhone(t, frames), listenUDPPhone(t, frames)}
	errs := make(chan error, len(phones))
	for _, ph := range phones {
		s := newTestSender(clock, dialUDP(t, ph.conn.LocalAddr()))
		p := newPlayback(nil, Tone(440, frames*frameDuration, G711Rate, 0.3))
		if err := s.reserve(); err != nil {
			t.Fatal(err)
		}
		if err := s.start(p); err != nil {
			t.Fatal(err)
		}
		go func() {
			<-p.done
			s.release(p)
			errs <- p.err
		}()
	}
	for range phones {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i, ph := range phones {
		pkts := ph.wait(t, testTimeout)
		late := lateness(pkts)
		t.Logf("leg %d: %d packets, worst lateness %v", i, len(pkts), slices.Max(late))
		for j, p := range pkts {
			if j > 0 && p.h.SequenceNumber != pkts[j-1].h.SequenceNumber+1 {
				t.Fatalf("leg %d packet %d: sequence %d after %d", i, j, p.h.SequenceNumber, pkts[j-1].h.SequenceNumber)
			}
		}
		// Frame 0 goes out as the shard wakes, anywhere in its tick; from
		// frame 1 on each is due a frame after the one before.
		if span := pkts[len(pkts)-1].at.Sub(pkts[1].at); span < (frames-3)*frameDuration {
			t.Errorf("leg %d: frames 1 to %d within %v: a burst, not paced", i, frames-1, span)
		}
	}

	clock.Stop()
	if n := fifoThreads(t, prio); n != 0 {
		t.Errorf("%d threads still realtime after Stop", n)
	}
	if logged.Len() != 0 {
		t.Errorf("logged: %s", logged.String())
	}
}

// A kernel that refuses realtime priority costs one warning, not the audio:
// the shards run on Go timers as without a priority.
func TestClockRealtimeRefused(t *testing.T) {
	var logged bytes.Buffer
	clock := NewClock(ClockOptions{Shards: 3, Priority: 10, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	clock.realtime = func(int) (func(), error) { return nil, syscall.EPERM }
	if err := clock.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer clock.Stop()
	const frames = 25
	ph := listenUDPPhone(t, frames)
	s := newTestSender(clock, dialUDP(t, ph.conn.LocalAddr()))
	playOut(t, s, newPlayback(nil, Tone(440, frames*frameDuration, G711Rate, 0.3)))
	if pkts := ph.wait(t, testTimeout); len(pkts) != frames {
		t.Errorf("%d packets, want %d", len(pkts), frames)
	}
	clock.Stop()
	if n := strings.Count(logged.String(), "realtime priority refused"); n != 1 {
		t.Errorf("%d warnings for 3 refused shards, want one:\n%s", n, logged.String())
	}
	for _, want := range []string{"level=WARN", "operation not permitted", "rtp.clock_priority", "priority=10"} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("the warning does not say %q:\n%s", want, logged.String())
		}
	}
}

// A realtime clock runs one shard per Go scheduler, not four: every tick of
// a realtime shard moves a scheduler to its thread and back.
func TestClockRealtimeShardCount(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	if n := len(NewClock(ClockOptions{}).shards); n != min(4*procs, 32) {
		t.Errorf("Go-timer clock: %d shards for GOMAXPROCS %d", n, procs)
	}
	if n := len(NewClock(ClockOptions{Priority: 10}).shards); n != procs {
		t.Errorf("realtime clock: %d shards for GOMAXPROCS %d", n, procs)
	}
	if n := len(NewClock(ClockOptions{Priority: 10, Shards: 3}).shards); n != 3 {
		t.Errorf("realtime clock asked for 3 shards: %d", n)
	}
}
