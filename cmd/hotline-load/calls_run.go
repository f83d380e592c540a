package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// CallsReport is what the calls subcommand prints.
type CallsReport struct {
	Command   string `json:"command"`
	Target    string `json:"target"`
	Transport string `json:"transport"`
	Sources   int    `json:"sources"`
	HoldMS    int64  `json:"hold_ms"`

	Attempted int            `json:"attempted"`
	Answered  int            `json:"answered"` // 200 OK with a usable SDP answer
	Failed    int            `json:"failed"`
	ByStatus  map[string]int `json:"failed_by_status"` // SIP status, or timeout / transport / bad_sdp / local
	// RemoteHangups are answered calls the server ended before -hold ran out.
	RemoteHangups int `json:"remote_hangups"`
	ByeFailed     int `json:"bye_failed"`

	Setup         Latency  `json:"setup_latency_ms"` // INVITE sent → 200 OK received
	Seconds       float64  `json:"seconds"`
	LaunchSeconds float64  `json:"launch_seconds"`  // first INVITE → last INVITE
	CallRate      float64  `json:"call_rate_per_s"` // attempted over the launch window
	MaxUp         int      `json:"max_concurrent"`  // most calls in progress at once
	RTP           RTPHeard `json:"rtp"`
	SilentCalls   int      `json:"silent_calls"` // answered calls whose audio had no speech-band energy
	// AgentToCaller is the one-way delay of the frames the agents stamped
	// (hotline-load desk -stamp), softphone write → caller socket.
	AgentToCaller *StampDelay `json:"agent_to_caller_ms,omitempty"`
}

// RTPHeard sums what the callers received.
type RTPHeard struct {
	Packets   int     `json:"packets_received"`
	Audio     int     `json:"audio_packets"`
	Late      int     `json:"late_over_20ms"`
	LateShare float64 `json:"late_share"`
	Lost      int     `json:"lost"`
	LossShare float64 `json:"loss_share"`
	// MaxLag: per call, how far its audio fell furthest behind schedule;
	// percentiles over the answered calls.
	MaxLag Latency `json:"max_lag_ms"`
}

// tally collects call results from many goroutines.
type tally struct {
	mu    sync.Mutex
	rep   CallsReport
	setup []time.Duration
	lag   []time.Duration
	stamp []time.Duration // one-way delays of stamped frames, every call's
	up    int
}

func (t *tally) begin() {
	t.mu.Lock()
	t.rep.Attempted++
	t.up++
	t.rep.MaxUp = max(t.rep.MaxUp, t.up)
	t.mu.Unlock()
}

func (t *tally) end(r callResult) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.up--
	rep := &t.rep
	if r.status != "200" {
		rep.Failed++
		rep.ByStatus[r.status]++
	} else {
		rep.Answered++
		t.setup = append(t.setup, r.setup)
		t.lag = append(t.lag, r.rx.MaxLag)
		if !r.rx.Audible() {
			rep.SilentCalls++
		}
	}
	if r.remoteBye {
		rep.RemoteHangups++
	}
	if r.byeFailed {
		rep.ByeFailed++
	}
	rep.RTP.Packets += r.rx.Packets
	rep.RTP.Audio += r.rx.Audio
	rep.RTP.Late += r.rx.Late
	rep.RTP.Lost += r.rx.Lost
	t.stamp = append(t.stamp, r.rx.stamped...)
}

func (t *tally) report(start time.Time, launch time.Duration) CallsReport {
	t.mu.Lock()
	defer t.mu.Unlock()
	rep := t.rep
	rep.Setup = percentiles(t.setup)
	rep.RTP.MaxLag = percentiles(t.lag)
	rep.AgentToCaller = stampDelay(t.stamp)
	rep.Seconds = round(time.Since(start).Seconds())
	rep.LaunchSeconds = round(launch.Seconds())
	if launch > 0 && rep.Attempted > 1 {
		rep.CallRate = round(float64(rep.Attempted-1) / launch.Seconds())
	}
	if rep.RTP.Audio > 0 {
		rep.RTP.LateShare = float64(rep.RTP.Late) / float64(rep.RTP.Audio)
	}
	if n := rep.RTP.Audio + rep.RTP.Lost; n > 0 {
		rep.RTP.LossShare = float64(rep.RTP.Lost) / float64(n)
	}
	return rep
}

// placeCalls runs the fleet: o.n calls at o.rate per second, at most o.c up
// at once, no new call after o.duration; calls still up then get hold, the
// answer timeout and 10 s more before they are cut.
func placeCalls(ctx context.Context, o callsOptions, log *slog.Logger) (CallsReport, error) {
	peers, err := startPeers(o, log)
	if err != nil {
		return CallsReport{}, err
	}
	defer closePeers(peers)
	c := &caller{o: o, pool: newPortPool(o.portLo, o.portHi), frames: newFrames(o.silent), log: log}
	c.frames.stamp = o.stamp
	t := &tally{rep: CallsReport{Command: "calls", Target: o.uri.String(), Transport: o.transport,
		Sources: o.sources, HoldMS: o.hold.Milliseconds(), ByStatus: map[string]int{}}}

	callCtx, cutCalls := context.WithCancel(ctx)
	defer cutCalls()
	start := time.Now()
	var wg sync.WaitGroup
	launch := launchCalls(ctx, o, func(i int, release func()) {
		t.begin()
		wg.Go(func() {
			defer release()
			t.end(c.call(callCtx, peers[i%len(peers)]))
		})
	})
	cut := time.AfterFunc(o.hold+o.timeout+10*time.Second, cutCalls)
	wg.Wait()
	cut.Stop()
	return t.report(start, launch), nil
}

// maxCatchUp is how far behind schedule the launcher still starts the calls
// it owes at once. A wake-up a few milliseconds late (this process runs
// under nice on shared cores, and at 500 calls/s the schedule has a call
// every 2 ms) then costs no calls, while a real stall is not made up by a
// burst: further behind, the schedule restarts from now.
const maxCatchUp = 20 * time.Millisecond

// launchCalls starts calls on schedule until o.n, o.duration or ctx; it
// returns the time from the first start to the last. A call waits for a
// free slot of o.c (startCall's call frees it with release); a launcher
// that fell behind by up to maxCatchUp starts the calls it owes at once,
// further behind it drops them.
func launchCalls(ctx context.Context, o callsOptions, startCall func(i int, release func())) time.Duration {
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	slots := make(chan struct{}, o.c)
	interval := time.Duration(float64(time.Second) / o.rate)
	timer := time.NewTimer(0)
	defer timer.Stop()
	var first, last time.Time
	next := time.Now()
	for i := 0; i < o.n; i++ {
		timer.Reset(time.Until(next))
		select {
		case <-ctx.Done():
			return last.Sub(first)
		case <-timer.C:
		}
		select {
		case <-ctx.Done():
			return last.Sub(first)
		case slots <- struct{}{}:
		}
		last = time.Now()
		if i == 0 {
			first = last
		}
		startCall(i, func() { <-slots })
		next = next.Add(interval)
		if behind := last.Sub(next); behind > max(interval, maxCatchUp) {
			next = last.Add(interval)
		}
	}
	return last.Sub(first)
}

func startPeers(o callsOptions, log *slog.Logger) ([]*peer, error) {
	var peers []*peer
	for _, ip := range o.srcIPs {
		p, err := newPeer(o, ip, log)
		if err != nil {
			closePeers(peers)
			return nil, fmt.Errorf("source %s: %w", ip, err)
		}
		peers = append(peers, p)
	}
	return peers, nil
}

func closePeers(peers []*peer) {
	for _, p := range peers {
		p.close()
	}
}
