package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cityhotline/hotline/api/deskproto"
	"github.com/cityhotline/hotline/internal/deskclient"
)

const deskUsage = `  desk     log in -agents desk agents (created if missing); -active of them get a WebRTC
           softphone, go ready, answer offers, talk -talk, hang up, again until -duration;
           like the desk page, a softphone sends audio only while it has a call`

// deskOptions are the desk subcommand's flags.
type deskOptions struct {
	url, user, password string
	agents, active      int
	prefix, agentPass   string
	talk, duration      time.Duration
	hz                  float64
	loginC              int
	cpuProfile          string
	stamp               bool
}

// DeskReport is what the desk subcommand prints.
type DeskReport struct {
	Command        string         `json:"command"`
	AgentsLoggedIn int            `json:"agents_logged_in"`
	Softphones     int            `json:"softphones"`
	Seconds        float64        `json:"seconds"`
	Offers         int            `json:"offers"`
	Answered       int            `json:"answered"`
	Completed      int            `json:"completed"`
	Errors         map[string]int `json:"errors"`
	// ReadyToOffer is "ready" sent → offer received, for offers that came
	// within 1 s (a call was waiting): the ACD's decision plus the WebSocket.
	ReadyToOffer Latency `json:"ready_to_offer_ms"`
	// AnswerToAudio is "answer" sent → the first audio packet at the agent.
	AnswerToAudio Latency `json:"answer_to_first_audio_ms"`
	MaxBridged    int64   `json:"max_bridged"`
	Audio         struct {
		Packets   int64   `json:"packets"`
		Lost      int64   `json:"lost"`
		LossShare float64 `json:"loss_share"`
		// Sent is what the agents' microphones sent (only during calls);
		// PacerOverruns counts the times their shared 20 ms clock fell
		// more than 60 ms behind (this process starved of CPU).
		Sent          int64 `json:"sent"`
		PacerOverruns int64 `json:"pacer_overruns"`
	} `json:"audio_at_agents"`
	// CallerToAgent is the one-way delay of the frames the callers stamped
	// (hotline-load calls -stamp), caller socket write → agent's track read.
	CallerToAgent *StampDelay `json:"caller_to_agent_ms,omitempty"`
}

func parseDeskFlags(args []string) (deskOptions, error) {
	fs := flag.NewFlagSet("desk", flag.ContinueOnError)
	var o deskOptions
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "server base URL (loopback only)")
	fs.StringVar(&o.user, "user", "admin", "admin account that creates the agents")
	fs.StringVar(&o.password, "password", os.Getenv("HOTLINE_ADMIN_PASSWORD"), "its password (default $HOTLINE_ADMIN_PASSWORD)")
	fs.IntVar(&o.agents, "agents", 100, "agents logged in to the desk (WebSocket)")
	fs.IntVar(&o.active, "active", 10, "of which this many have a softphone and take calls")
	fs.StringVar(&o.prefix, "prefix", "loadagent", "agent usernames are PREFIX0001, PREFIX0002, …")
	fs.StringVar(&o.agentPass, "agent-password", "load-agent-pass-1", "their password")
	fs.DurationVar(&o.talk, "talk", 10*time.Second, "how long an agent talks before hanging up")
	fs.DurationVar(&o.duration, "duration", 2*time.Minute, "stop taking calls after this long")
	fs.Float64Var(&o.hz, "tone", 1000, "the agents' microphone tone in Hz")
	fs.IntVar(&o.loginC, "login-c", 8, "agents logged in at once while setting up")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write this process's CPU profile (from the end of the log-ins to the end of the run) to this file")
	fs.BoolVar(&o.stamp, "stamp", false, "start each microphone frame's payload with its send time (12 bytes), for the callers' agent_to_caller_ms")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case o.agents < 1 || o.agents > 10000:
		return o, fmt.Errorf("-agents %d: want 1..10000", o.agents)
	case o.active < 0 || o.active > o.agents:
		return o, fmt.Errorf("-active %d: want 0..-agents", o.active)
	case o.password == "":
		return o, errors.New("-password is required (or set HOTLINE_ADMIN_PASSWORD)")
	case o.talk <= 0 || o.duration <= 0:
		return o, errors.New("-talk and -duration must be positive")
	}
	return o, checkLoopback(o.url)
}

// deskRun collects the desk run's outcomes.
type deskRun struct {
	mu       sync.Mutex
	rep      DeskReport
	ready    []time.Duration
	audio    []time.Duration
	bridged  atomic.Int64
	clients  []*deskclient.Client
	pacer    *deskclient.Pacer // one 20 ms clock for every softphone's microphone
	start    time.Time
	deadline time.Time
}

func (r *deskRun) fail(kind string) {
	r.mu.Lock()
	r.rep.Errors[kind]++
	r.mu.Unlock()
}

func runDesk(ctx context.Context, args []string, out io.Writer) error {
	o, err := parseDeskFlags(args)
	if err != nil {
		return err
	}
	r := &deskRun{rep: DeskReport{Command: "desk", Errors: map[string]int{}}, pacer: deskclient.NewPacer()}
	defer r.pacer.Stop()
	if err := ensureAgents(ctx, o); err != nil {
		return err
	}
	if err := r.logIn(ctx, o); err != nil {
		return err
	}
	defer func() {
		for _, c := range r.clients {
			c.Close()
		}
	}()
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	r.start = time.Now()
	r.deadline = r.start.Add(o.duration)
	var wg sync.WaitGroup
	for i := range o.active {
		wg.Add(1)
		go func(c *deskclient.Client) {
			defer wg.Done()
			r.work(ctx, c, o)
		}(r.clients[i])
	}
	wg.Wait()
	rep := r.rep
	rep.Seconds = round(time.Since(r.start).Seconds())
	rep.ReadyToOffer = percentiles(r.ready)
	rep.AnswerToAudio = percentiles(r.audio)
	var stamped []time.Duration
	for _, c := range r.clients[:o.active] {
		stamped = append(stamped, c.StampDelays()...)
		rep.Audio.Packets += c.Packets()
		rep.Audio.Lost += c.Lost()
		rep.Audio.Sent += c.PacketsSent()
	}
	rep.Audio.PacerOverruns = r.pacer.Overruns()
	rep.CallerToAgent = stampDelay(stamped)
	if n := rep.Audio.Packets + rep.Audio.Lost; n > 0 {
		rep.Audio.LossShare = round(float64(rep.Audio.Lost) / float64(n))
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// ensureAgents creates the agent accounts that do not exist yet.
func ensureAgents(ctx context.Context, o deskOptions) error {
	cl, err := newClient(o.url)
	if err != nil {
		return err
	}
	if err := cl.login(ctx, o.user, o.password); err != nil {
		return err
	}
	for i := 1; i <= o.agents; i++ {
		body := map[string]string{"username": agentName(o, i), "name": fmt.Sprintf("压测坐席%04d", i),
			"role": "agent", "password": o.agentPass}
		status, err := cl.do(ctx, http.MethodPost, "/api/v1/users", body, nil)
		if err != nil {
			return fmt.Errorf("create agent %d: %w", i, err)
		}
		if status != http.StatusCreated && status != http.StatusConflict {
			return fmt.Errorf("create agent %s: HTTP %d", agentName(o, i), status)
		}
	}
	return nil
}

func agentName(o deskOptions, i int) string { return fmt.Sprintf("%s%04d", o.prefix, i) }

// logIn opens every agent's desk and the active ones' softphones.
func (r *deskRun) logIn(ctx context.Context, o deskOptions) error {
	r.clients = make([]*deskclient.Client, o.agents)
	sem := make(chan struct{}, o.loginC)
	var wg sync.WaitGroup
	var first error
	var once sync.Once
	for i := range o.agents {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			c, err := deskclient.Dial(lctx, o.url, agentName(o, i+1), o.agentPass)
			if err == nil && i < o.active {
				c.SetTone(o.hz)
				c.UsePacer(r.pacer)
				if o.stamp {
					c.StampMic()
				}
				if err = c.ConnectRTC(lctx); err != nil {
					c.Close()
				}
			}
			if err != nil {
				once.Do(func() { first = fmt.Errorf("agent %s: %w", agentName(o, i+1), err) })
				return
			}
			r.clients[i] = c
		}(i)
	}
	wg.Wait()
	if first != nil {
		for _, c := range r.clients {
			if c != nil {
				c.Close()
			}
		}
		return first
	}
	r.rep.AgentsLoggedIn, r.rep.Softphones = o.agents, o.active
	return nil
}

// work is one active agent: ready, offer, answer, talk, hang up, wrap-up
// done, until the deadline.
func (r *deskRun) work(ctx context.Context, c *deskclient.Client, o deskOptions) {
	for time.Now().Before(r.deadline) && ctx.Err() == nil {
		wctx, cancel := context.WithDeadline(ctx, r.deadline)
		ok := r.takeCall(wctx, c, o)
		cancel()
		if !ok {
			return
		}
	}
}

func (r *deskRun) takeCall(ctx context.Context, c *deskclient.Client, o deskOptions) bool {
	sent := time.Now()
	if err := c.Do(ctx, deskproto.Message{Type: deskproto.TypeSetState, State: "ready"}); err != nil {
		if ctx.Err() == nil {
			r.fail("ready")
		}
		return false
	}
	f, err := c.Next(ctx, deskproto.TypeOffer)
	if err != nil {
		return false
	}
	got := f.At
	var off deskproto.Offer
	if err := f.Decode(&off); err != nil {
		r.fail("decode")
		return false
	}
	r.mu.Lock()
	r.rep.Offers++
	if d := got.Sub(sent); d >= 0 && d < time.Second { // an offer already queued before "ready" is not a decision time
		r.ready = append(r.ready, d)
	}
	r.mu.Unlock()

	c.ResetHeard()
	answered := time.Now()
	actx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Do(actx, deskproto.Message{Type: deskproto.TypeAnswer, Call: off.Call}); err != nil {
		r.fail("answer")
		return true // the offer went elsewhere (the caller hung up); take the next
	}
	if _, err := c.Next(actx, deskproto.TypeConnected); err != nil {
		r.fail("connected")
		return false
	}
	n := r.bridged.Add(1)
	defer r.bridged.Add(-1)
	r.mu.Lock()
	r.rep.Answered++
	if n > r.rep.MaxBridged {
		r.rep.MaxBridged = n
	}
	r.mu.Unlock()
	// First audio: the client signals the first packet's arrival.
	fctx, fcancel := context.WithTimeout(ctx, 2*time.Second)
	if at, err := c.WaitFirstAudio(fctx); err == nil {
		r.mu.Lock()
		r.audio = append(r.audio, at.Sub(answered))
		r.mu.Unlock()
	}
	fcancel()
	select {
	case <-time.After(o.talk):
	case <-ctx.Done():
	}
	// The answer's 10 s are long gone: hanging up gets its own.
	hctx, hcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer hcancel()
	if err := c.Do(hctx, deskproto.Message{Type: deskproto.TypeHangup, Call: off.Call}); err != nil {
		var de *deskclient.Error
		if !errors.As(err, &de) { // the caller hung up first: not an error
			r.fail("hangup")
		}
	}
	if _, err := c.Next(hctx, deskproto.TypeCallEnded); err != nil {
		r.fail("call_ended")
		return false
	}
	r.mu.Lock()
	r.rep.Completed++
	r.mu.Unlock()
	return true
}
