package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// maxBehindTicks is how far (in 20 ms ticks) a prompt may fall behind its
// schedule and still catch up by sending its late frames at once; further
// behind, the stream is re-anchored to the present with a marker bit and a
// timestamp jump instead of bursting (see rtpSender.tickPlay).
const maxBehindTicks = 3

// lateWarnEvery spaces a shard's warnings that it is running late.
const lateWarnEvery = 10 * time.Second

// errClockStopped ends a playback whose media clock stopped under it.
var errClockStopped = errors.New("media clock stopped")

// ClockOptions configure a Clock.
type ClockOptions struct {
	// Shards is the number of sender goroutines. Legs are spread over them
	// round-robin, and each shard ticks at its own phase of the 20 ms frame,
	// so their sends do not all fall on the same instant, and a shard
	// descheduled in the middle of its burst delays only its own legs. Zero
	// means four per GOMAXPROCS, at most 32; with a Priority, one per
	// GOMAXPROCS (each tick of a realtime shard hands a Go scheduler to its
	// thread and back: sixteen shards on two busy cores slowed the SIP
	// answers threefold, four by about 15 %).
	Shards int
	// Logger gets a warning (at most every 10 s per shard) when a tick is
	// served so late that the streams resynchronise: a starved process.
	Logger *slog.Logger
	// Priority, from 1 to 99, runs each shard on an OS thread of its own
	// under SCHED_FIFO at that priority, sleeping in the kernel between
	// ticks: the kernel wakes it on time however busy the ordinary threads
	// are, where a Go timer waits for one of them to notice it. Each wake
	// then hands a Go scheduler (P) to the shard's thread and back, which
	// costs the rest of the process time on saturated cores (see
	// docs/benchmarks.md, "The media clock on realtime threads"). It needs
	// CAP_SYS_NICE or RLIMIT_RTPRIO; if the kernel refuses, the clock warns
	// once and runs on Go timers. Zero: Go timers. Linux only.
	Priority int
	// OnTick, if set, is told how late each shard served each tick (0: on
	// time), except the first tick after a shard wakes from idle, which it
	// serves at once wherever in the frame it woke. It is called from the
	// shard goroutines, once per tick each (50 times a second per shard),
	// so it must be quick and safe for concurrent use.
	OnTick func(late time.Duration)
}

// Clock paces the prompts, generated audio and RFC 4733 events of many trunk
// legs against one absolute schedule: tick n of a shard falls at
// start + phase + n·20 ms, and at each tick the shard's goroutine sends every
// active leg's frames that are due. A prompt's frame k is due at the tick its
// first frame went out plus k, so a late tick delays frames but never shifts
// the schedule (no drift); see rtpSender for what a leg does when it is late.
//
// One Clock serves every call of a server: a handful of goroutines and
// timers instead of a ticker and a goroutine per call. A shard with nothing
// to play parks without a timer.
//
// Start runs the shard goroutines until Stop or the end of its context;
// playbacks still running then end with an error.
type Clock struct {
	base   time.Time // tick 0 of shard 0; monotonic
	log    *slog.Logger
	shards []*clockShard
	next   atomic.Uint32 // round-robin shard assignment

	mu      sync.Mutex
	started bool
	stopped bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	// lateBy, set by tests before Start, delays the serving of tick n by
	// what it returns: a starved process, on demand.
	lateBy func(n int64) time.Duration
	// realtime is lockRealtime, or a test's stand-in.
	realtime func(prio int) (restore func(), err error)
	onTick   func(late time.Duration)

	priority int
	refused  sync.Once // the warning that realtime priority was refused
}

// NewClock prepares a clock; nothing ticks until Start.
func NewClock(opts ClockOptions) *Clock {
	n := opts.Shards
	if n <= 0 {
		n = min(4*runtime.GOMAXPROCS(0), 32)
		if opts.Priority > 0 {
			n = runtime.GOMAXPROCS(0)
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Clock{base: time.Now(), log: opts.Logger, realtime: lockRealtime, priority: opts.Priority, onTick: opts.OnTick}
	for i := range n {
		phase := frameDuration * time.Duration(i) / time.Duration(n)
		c.shards = append(c.shards, &clockShard{clock: c, phase: phase, wake: make(chan struct{}, 1)})
	}
	return c
}

// String describes the clock: "media clock (2 shards, 20ms frames)".
func (c *Clock) String() string {
	return fmt.Sprintf("media clock (%d shards, %v frames)", len(c.shards), frameDuration)
}

// lockThread puts the calling shard goroutine on a realtime thread of its
// own when the clock has a priority; restore (nil without one) undoes it.
func (c *Clock) lockThread() (restore func()) {
	if c.priority <= 0 {
		return nil
	}
	restore, err := c.realtime(c.priority)
	if err != nil {
		c.refused.Do(func() {
			c.log.Warn("media clock: realtime priority refused; prompts are paced on Go timers and may be late when the CPU is saturated (grant CAP_SYS_NICE or LimitRTPRIO, or set rtp.clock_priority: 0)",
				"priority", c.priority, "err", err)
		})
		return nil
	}
	return restore
}

// Start runs the shard goroutines until Stop or ctx ends.
func (c *Clock) Start(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started || c.stopped {
		return errors.New("media clock: already started")
	}
	c.started = true
	ctx, c.cancel = context.WithCancel(ctx)
	for _, sh := range c.shards {
		c.wg.Go(func() { sh.run(ctx) })
	}
	return nil
}

// Stop ends the shard goroutines and fails the playbacks and DTMF still
// queued on them. It is idempotent.
func (c *Clock) Stop() {
	c.mu.Lock()
	c.stopped = true
	cancel := c.cancel
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	c.wg.Wait()
	for _, sh := range c.shards {
		sh.abort() // legs added after the goroutines ended, or never started
	}
}

// shard picks the shard for a new leg.
func (c *Clock) shard() *clockShard {
	i := c.next.Add(1) - 1
	return c.shards[int(i)%len(c.shards)]
}

// clockShard is one sender goroutine and the legs it serves.
type clockShard struct {
	clock *Clock
	phase time.Duration

	mu      sync.Mutex
	added   []*rtpSender
	idle    bool // the goroutine is parked waiting for wake
	stopped bool
	wake    chan struct{}

	senders []*rtpSender // owned by run
	warned  time.Time    // the last lateWarning; owned by run
}

// lateWarning logs, at most every lateWarnEvery, that the shard served a
// tick so late that its legs resynchronise: the process is starved of CPU.
func (sh *clockShard) lateWarning(now time.Time, late time.Duration) {
	if now.Sub(sh.warned) < lateWarnEvery {
		return
	}
	sh.warned = now
	sh.clock.log.Warn("media clock late: audio streams resynchronise", "late", late.String(),
		"legs", len(sh.senders), "shard", sh.phase.String())
}

// tickAt is the number of the last tick at or before now (-1 before tick 0).
func (sh *clockShard) tickAt(now time.Time) int64 {
	d := now.Sub(sh.clock.base) - sh.phase
	if d < 0 {
		return -1
	}
	return int64(d / frameDuration)
}

// tickTime is when tick n is due.
func (sh *clockShard) tickTime(n int64) time.Time {
	return sh.clock.base.Add(sh.phase + time.Duration(n)*frameDuration)
}

// add puts a sender on the shard's list; it is served from the next tick.
// It returns false once the clock has stopped.
func (sh *clockShard) add(s *rtpSender) bool {
	sh.mu.Lock()
	if sh.stopped {
		sh.mu.Unlock()
		return false
	}
	sh.added = append(sh.added, s)
	wake := sh.idle
	sh.idle = false
	sh.mu.Unlock()
	if wake {
		select {
		case sh.wake <- struct{}{}:
		default:
		}
	}
	return true
}

// merge takes the senders added since the last tick and reports whether
// there is anyone to serve; if not, the shard is marked idle.
func (sh *clockShard) merge() bool {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.senders = append(sh.senders, sh.added...)
	clear(sh.added)
	sh.added = sh.added[:0]
	sh.idle = len(sh.senders) == 0
	return !sh.idle
}

func (sh *clockShard) run(ctx context.Context) {
	defer sh.abort()
	restore := sh.clock.lockThread()
	if restore != nil {
		defer restore()
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	last := int64(-1)
	woke := false // the next tick is the one under way as the shard woke
	for {
		if !sh.merge() {
			select {
			case <-ctx.Done():
				return
			case <-sh.wake:
				last = max(last, sh.tickAt(time.Now())-1) // start at the present tick
				woke = true
				continue
			}
		}
		now := time.Now()
		due := last + 1
		if at := sh.tickTime(due); now.Before(at) {
			if restore != nil { // a realtime thread: sleep in the kernel
				for d := at.Sub(now); d > 0; d = at.Sub(time.Now()) {
					sleepThread(d)
				}
				if ctx.Err() != nil {
					return
				}
			} else {
				timer.Reset(at.Sub(now))
				select {
				case <-ctx.Done():
					timer.Stop()
					return
				case <-timer.C:
				}
			}
			now = time.Now()
		}
		if late := sh.clock.lateBy; late != nil {
			if d := late(due); d > 0 {
				time.Sleep(d)
				now = time.Now()
			}
		}
		if f := sh.clock.onTick; f != nil && !woke {
			f(max(0, now.Sub(sh.tickTime(due))))
		}
		woke = false
		// A starved process serves the present tick; each leg works out what
		// it owes from its own schedule.
		cur := max(due, sh.tickAt(now))
		if cur-due > maxBehindTicks && len(sh.senders) > 0 {
			sh.lateWarning(now, now.Sub(sh.tickTime(due)))
		}
		sh.serve(cur)
		last = cur
	}
}

// serve sends what every leg owes at tick cur and drops the legs with
// nothing left to send.
func (sh *clockShard) serve(cur int64) {
	keep := sh.senders[:0]
	for _, s := range sh.senders {
		if s.tick(cur, sh) {
			keep = append(keep, s)
		}
	}
	clear(sh.senders[len(keep):])
	sh.senders = keep
}

// abort marks the shard stopped and fails what its legs still had queued.
func (sh *clockShard) abort() {
	sh.mu.Lock()
	sh.stopped = true
	all := append(sh.senders, sh.added...)
	sh.senders, sh.added = nil, nil
	sh.mu.Unlock()
	for _, s := range all {
		s.clockStopped()
	}
}
