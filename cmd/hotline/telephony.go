package main

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/agent"
	"github.com/cityhotline/hotline/call"
	"github.com/cityhotline/hotline/configs"
	"github.com/cityhotline/hotline/ivr"
	"github.com/cityhotline/hotline/media"
	"github.com/cityhotline/hotline/metrics"
	"github.com/cityhotline/hotline/sip"
	"github.com/cityhotline/hotline/ticketing"
)

// telephony is the SIP gateway with the call orchestration behind it.
type telephony struct {
	sip       *sip.Server
	calls     *call.Service
	desk      *call.Desk
	acd       *agent.ACD
	queueLog  *call.QueueLog // the ACD's queue log, written to the store
	retention *media.Retention
	prompts   *promptLibrary // the admin's uploads, laid over the prompts played
}

// telephonyStore is what the call handling keeps in the store.
type telephonyStore interface {
	call.Store
	call.QueueLogStore
}

// newTelephony builds the gateway, the IVR and the call handling.
func newTelephony(cfg Config, st telephonyStore, cal ivr.Calendar, mon *metrics.Monitor, log *slog.Logger) (*telephony, error) {
	var promptFS fs.FS = configs.Prompts()
	if cfg.IVR.PromptsDir != "" {
		promptFS = os.DirFS(cfg.IVR.PromptsDir)
	}
	prompts := newPromptLibrary(filepath.Join(cfg.DataDir, "prompts"), promptFS)
	promptFS = prompts.FS()
	flows, err := configs.LoadFlows(configs.IVRFlows(), promptFS)
	if err != nil {
		return nil, fmt.Errorf("ivr flows: %w", err)
	}
	engine := &ivr.Engine{Clock: hotline.SystemClock{}, Calendar: cal, SayNumber: media.SayNumber, SayDigits: media.SayDigits}
	ccfg := call.Config{}
	var retention *media.Retention
	if cfg.Recordings.Enabled {
		ccfg.RecordingsDir = filepath.Join(cfg.DataDir, "recordings")
		if cfg.Recordings.RetentionDays > 0 {
			retention = &media.Retention{Dir: ccfg.RecordingsDir, MaxAge: media.RetentionDays(cfg.Recordings.RetentionDays),
				Interval: time.Hour, Log: log}
		}
	}
	t := &telephony{retention: retention, prompts: prompts}
	if n := cfg.IVR.OverloadWaiting; n > 0 {
		ccfg.Overloaded = func() bool { return t.calls.Waiting() > n }
	}
	played := call.NewPrompts(promptFS)
	prompts.OnSave = played.Forget // an upload reaches the next call that plays it
	t.calls, err = call.New(ccfg, st, flows, played, engine, mon, log)
	if err != nil {
		return nil, err
	}
	t.queueLog = call.NewQueueLog(call.QueueLogConfig{}, st, log)
	if t.desk, t.acd, err = newDesk(cfg, t.calls, t.queueLog, log); err != nil {
		return nil, err
	}
	scfg, err := sipConfig(cfg, log)
	if err != nil {
		return nil, err
	}
	t.sip, err = sip.New(scfg, t.calls, sip.Options{
		Logger:  log,
		Metrics: sipMetrics{mon},
		Inband:  func() media.DigitDetector { return media.NewInbandDetector(media.G711Rate) },
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func sipConfig(cfg Config, log *slog.Logger) (sip.Config, error) {
	lo, hi, err := cfg.RTP.Range()
	if err != nil {
		return sip.Config{}, err
	}
	maxCalls := cfg.SIP.MaxCalls
	if ports := (hi - lo + 1) / 2; maxCalls > ports { // each call takes an RTP and an RTCP port
		log.Warn("sip.max_calls exceeds what rtp.ports can carry; capping it", "max_calls", maxCalls,
			"rtp_ports", cfg.RTP.Ports, "cap", ports)
		maxCalls = ports
	}
	sc := sip.Config{
		Addr:             cfg.SIP.Addr,
		PublicIP:         cfg.SIP.PublicIP,
		TLS:              sip.TLS{Addr: cfg.SIP.TLS.Addr, CertFile: cfg.SIP.TLS.Cert, KeyFile: cfg.SIP.TLS.Key},
		MaxCalls:         maxCalls,
		MediaTimeout:     time.Duration(cfg.SIP.MediaTimeout),
		RatePerSource:    sip.Rate{PerSecond: cfg.SIP.RatePerIP, Burst: int(2*cfg.SIP.RatePerIP) + 1},
		RTPPorts:         [2]int{lo, hi},
		ClockPriority:    cfg.RTP.ClockPriority,
		Outbound:         cfg.Trunk.Outbound,
		OutboundCallerID: "12345",
	}
	for _, tr := range cfg.SIP.Trunks {
		t := sip.Trunk{Name: tr.Name, CIDRs: tr.CIDRs, Username: tr.Username, Password: tr.Password,
			CallerIDFrom: sip.CallerIDSource(tr.CallerIDFrom)}
		if tr.RatePerIP > 0 {
			t.Rate = sip.Rate{PerSecond: tr.RatePerIP, Burst: int(2*tr.RatePerIP) + 1}
		}
		sc.Trunks = append(sc.Trunks, t)
	}
	if len(sc.Trunks) == 0 { // a development default: this machine may call
		sc.Trunks = []sip.Trunk{{Name: "loopback", CIDRs: []string{"127.0.0.0/8", "::1/128"}}}
	}
	return sc, nil
}

// start gives the ACD today's queue log, starts writing the queue log,
// binds the SIP listeners and starts the recording retention.
func (t *telephony) start(ctx context.Context, log *slog.Logger) (stop func(), err error) {
	t.restoreQueueLog(ctx, log)
	if err := t.queueLog.Start(ctx); err != nil {
		return nil, err
	}
	if err := t.sip.Start(ctx); err != nil {
		t.queueLog.Stop()
		return nil, fmt.Errorf("sip: %w", err)
	}
	log.Info("sip ready", "udp", t.sip.Addr("udp").String(), "tcp", t.sip.Addr("tcp").String())
	t.desk.Start(ctx)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if t.retention != nil {
			if err := t.retention.Run(rctx); err != nil && rctx.Err() == nil {
				log.Error("recording retention", "err", err)
			}
		}
	}()
	return func() {
		t.sip.Stop()
		t.desk.Stop()
		t.queueLog.Stop() // after the desk: its last events are written too
		cancel()
		<-done
	}, nil
}

// restoreQueueLog hands the ACD the events stored since midnight (Beijing
// time), before it logs any of its own, so that the wallboard's figures
// for today survive a restart. Without them it counts from now.
func (t *telephony) restoreQueueLog(ctx context.Context, log *slog.Logger) {
	now := time.Now().In(ticketing.Beijing)
	since := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, ticketing.Beijing)
	n, err := t.queueLog.Restore(ctx, t.acd, since)
	if err != nil {
		log.Warn("queue log: today's events not restored; the ACD's KPIs count from now", "err", err)
		return
	}
	log.Info("queue log: today's events restored", "events", n, "since", since)
}

// sipMetrics feeds the gateway's events to the Monitor.
type sipMetrics struct{ m *metrics.Monitor }

func (s sipMetrics) CallStarted(sip.Direction) { s.m.CallStarted() }
func (s sipMetrics) CallEnded(d sip.Direction, r sip.EndReason) {
	s.m.CallEnded(string(d), string(r))
}
func (s sipMetrics) InviteLatency(seconds float64)    { s.m.InviteAnswered(seconds) }
func (s sipMetrics) ClockLate(seconds float64)        { s.m.ClockLate(seconds) }
func (s sipMetrics) RTPReceived(packets, lost uint64) { s.m.RTPReceived(packets, lost) }
func (s sipMetrics) Refused(r sip.RefuseReason)       { s.m.SIPRefused(string(r)) }

// startCallbacks runs the satisfaction-callback scheduler over the
// outbound trunk. With no outbound trunk there is nobody to call: it logs
// that once and returns a no-op stop.
func (t *telephony) startCallbacks(ctx context.Context, cfg Config, st call.SchedulerStore, tickets *ticketing.Service,
	cal *ticketing.Calendar, log *slog.Logger) (stop func(), err error) {
	if cfg.Trunk.Outbound == "" {
		log.Info("satisfaction callbacks off: HOTLINE_TRUNK_OUTBOUND is empty")
		return func() {}, nil
	}
	p, err := callbackPolicy(cfg)
	if err != nil {
		return nil, err
	}
	scfg := call.NewSchedulerConfig(p, cal)
	scfg.ReopenOnDissatisfied = !cfg.Callback.NoReopen
	sched, err := call.NewScheduler(scfg, st, tickets, t.calls, t.sip, hotline.SystemClock{}, log)
	if err != nil {
		return nil, err
	}
	if err := sched.Start(ctx); err != nil {
		return nil, fmt.Errorf("callbacks: %w", err)
	}
	log.Info("satisfaction callbacks on", "delay", p.Delay, "hours", p.Window.String())
	return sched.Stop, nil
}

// callbackPolicy is the satisfaction-callback policy of the configuration:
// the defaults with callback.delay, callback.hours and callback.max_concurrent.
func callbackPolicy(cfg Config) (ticketing.CallbackPolicy, error) {
	from, to, err := cfg.Callback.Window()
	if err != nil {
		return ticketing.CallbackPolicy{}, err
	}
	p := ticketing.DefaultCallbackPolicy()
	p.Delay, p.Window = time.Duration(cfg.Callback.Delay), ticketing.CallbackWindow{From: from, To: to}
	p.MaxConcurrent = cfg.Callback.MaxConcurrent
	return p, nil
}

// newDesk builds the ACD, logging to ql, and the softphones' WebRTC behind
// the call service.
func newDesk(cfg Config, calls *call.Service, ql *call.QueueLog, log *slog.Logger) (*call.Desk, *agent.ACD, error) {
	acfg, err := cfg.ACD.AgentConfig()
	if err != nil {
		return nil, nil, err
	}
	acfg.Log = ql.Add
	acd, err := agent.New(acfg, hotline.SystemClock{})
	if err != nil {
		return nil, nil, fmt.Errorf("acd: %w", err)
	}
	lo, hi, err := cfg.WebRTC.Range()
	if err != nil {
		return nil, nil, err
	}
	rtc, err := media.NewWebRTC(media.WebRTCConfig{PortMin: lo, PortMax: hi, IPs: cfg.WebRTC.PublicIPs,
		LoopbackCandidates: cfg.WebRTC.Loopback, Logger: log})
	if err != nil {
		return nil, nil, fmt.Errorf("webrtc: %w", err)
	}
	skills := cfg.ACD.Skills
	dcfg := call.DeskConfig{Grace: time.Duration(cfg.ACD.Grace)}
	if len(skills) > 0 {
		def := map[string]int{}
		for _, q := range acfg.Queues {
			def[cmp.Or(q.Skill, q.Name)] = 5
		}
		dcfg.Skills = func(u *account.User) map[string]int {
			if s, ok := skills[u.Username]; ok {
				return s
			}
			return def
		}
	}
	return call.NewDesk(dcfg, acd, rtc, calls, log), acd, nil
}
