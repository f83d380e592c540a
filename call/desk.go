package call

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/agent"
	"github.com/cityhotline/hotline/api/deskproto"
	"github.com/cityhotline/hotline/media"
)

// DeskConfig configures the agent desk.
type DeskConfig struct {
	// Grace is how long an agent whose WebSocket dropped keeps the session
	// (state, softphone, call) for a reconnect; default 30 s.
	Grace time.Duration
	// Skills gives an agent's skills (queue skill → level 1..10); nil: every
	// queue at level 5.
	Skills func(u *account.User) map[string]int
	// WallboardEvery is the wallboard's refresh period; default 1 s.
	WallboardEvery time.Duration
	// LegGrace is how long a caller is held (music) when the agent's
	// softphone is lost mid-call, for the page to come back (a reload),
	// before the call goes back to the front of the queue; default 5 s.
	LegGrace time.Duration
}

// Desk connects the ACD (agent/), the agents' browser softphones (media's
// WebRTC legs, signalled over api's WebSocket) and the callers waiting in
// HandleCall. It owns one goroutine, the ACD driver (timeouts, detached
// sessions, the wallboard), started by Start and ended by Stop.
type Desk struct {
	cfg   DeskConfig
	acd   *agent.ACD
	rtc   *media.WebRTC
	svc   *Service
	clock hotline.Clock
	log   *slog.Logger

	mu       sync.Mutex
	agents   map[hotline.UserID]*agentSession
	calls    map[hotline.CallID]*queuedCall
	watchers map[*agentSession]struct{}

	titles  map[string]string // queue name → title
	ring    map[string]time.Duration
	changed atomic.Bool // something the wallboard shows changed

	kick   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

// NewDesk builds the desk over acd and rtc and makes svc hand its queued
// callers to it.
func NewDesk(cfg DeskConfig, acd *agent.ACD, rtc *media.WebRTC, svc *Service, log *slog.Logger) *Desk {
	if cfg.Grace <= 0 {
		cfg.Grace = 30 * time.Second
	}
	if cfg.WallboardEvery <= 0 {
		cfg.WallboardEvery = time.Second
	}
	if cfg.LegGrace <= 0 {
		cfg.LegGrace = 5 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Desk{cfg: cfg, acd: acd, rtc: rtc, svc: svc, clock: hotline.SystemClock{}, log: log,
		agents: map[hotline.UserID]*agentSession{}, calls: map[hotline.CallID]*queuedCall{},
		watchers: map[*agentSession]struct{}{}, titles: map[string]string{}, ring: map[string]time.Duration{},
		kick: make(chan struct{}, 1)}
	for _, q := range acd.Queues() {
		d.titles[q.Name] = q.Title
		d.ring[q.Name] = q.RingTimeout
	}
	if cfg.Skills == nil {
		d.cfg.Skills = func(*account.User) map[string]int {
			m := map[string]int{}
			for _, q := range acd.Queues() {
				skill := q.Skill
				if skill == "" {
					skill = q.Name
				}
				m[skill] = 5
			}
			return m
		}
	}
	svc.desk = d
	return d
}

// Start runs the ACD driver until Stop or ctx ends.
func (d *Desk) Start(ctx context.Context) {
	ctx, d.cancel = context.WithCancel(ctx)
	d.done = make(chan struct{})
	go func() {
		defer close(d.done)
		d.run(ctx)
	}()
}

// Stop ends the driver and closes every softphone. Idempotent.
func (d *Desk) Stop() {
	if d.cancel == nil {
		return
	}
	d.cancel()
	<-d.done
	d.mu.Lock()
	sessions := make([]*agentSession, 0, len(d.agents))
	for _, as := range d.agents {
		sessions = append(sessions, as)
	}
	d.mu.Unlock()
	for _, as := range sessions {
		as.closeLeg()
	}
}

// wake makes the driver look at the ACD's next deadline again.
func (d *Desk) wake() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// run is the driver: ACD timeouts at their deadline, detached sessions and
// the wallboard every WallboardEvery.
func (d *Desk) run(ctx context.Context) {
	board := time.NewTicker(d.cfg.WallboardEvery)
	defer board.Stop()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait := d.cfg.WallboardEvery
		if next := d.acd.NextDeadline(); !next.IsZero() {
			wait = min(wait, max(time.Until(next), time.Millisecond))
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-d.kick:
		case <-timer.C:
			d.apply(d.acd.Tick())
		case <-board.C:
			d.apply(d.acd.Tick())
			d.expireDetached()
			changed := d.changed.Load()
			d.pushWallboard(false)
			if changed {
				d.countAgents()
			}
		}
	}
}

// apply carries out the ACD's effects, in order.
func (d *Desk) apply(effs []agent.Effect) {
	if len(effs) == 0 {
		return
	}
	d.changed.Store(true)
	for _, e := range effs {
		switch e.Kind {
		case agent.EffectOffer:
			if as := d.session(e.Agent); as != nil && e.Call != nil {
				as.send(d.offerMsg(e.Call))
			}
		case agent.EffectOfferCancelled:
			if as := d.session(e.Agent); as != nil && e.Call != nil {
				as.send(deskproto.OfferCancelled{Type: deskproto.TypeOfferCancelled, Call: string(e.Call.ID), Reason: e.Reason})
			}
		case agent.EffectConnect:
			qc, as := d.queued(e.Call), d.session(e.Agent)
			if qc != nil && as != nil {
				qc.post(callEvent{kind: evConnect, agent: as, target: e.Call.Queue})
			}
		case agent.EffectOverflow:
			if qc := d.queued(e.Call); qc != nil {
				qc.post(callEvent{kind: evOverflow, target: e.Target})
			}
		case agent.EffectAnnounce:
			if qc := d.queued(e.Call); qc != nil {
				qc.post(callEvent{kind: evAnnounce, position: e.Position, wait: e.EstimatedWait})
			}
		case agent.EffectRejected:
			if qc := d.queued(e.Call); qc != nil {
				qc.post(callEvent{kind: evRejected})
			}
		case agent.EffectAgentState:
			if e.Status == nil {
				continue
			}
			if as := d.session(e.Agent); as != nil {
				as.send(stateMsg(*e.Status))
			}
		}
	}
	d.wake()
}

// applyFrom is apply for an operation begun at t0 that may offer calls: the
// time to the first offer queued on a WebSocket is observed.
func (d *Desk) applyFrom(t0 time.Time, effs []agent.Effect) {
	d.apply(effs)
	m, ok := d.svc.metrics.(interface{ OfferLatency(seconds float64) })
	if !ok {
		return
	}
	for _, e := range effs {
		if e.Kind == agent.EffectOffer {
			m.OfferLatency(time.Since(t0).Seconds())
			return
		}
	}
}

func (d *Desk) session(id hotline.UserID) *agentSession {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.agents[id]
}

func (d *Desk) queued(w *agent.Waiting) *queuedCall {
	if w == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls[w.ID]
}

func (d *Desk) offerMsg(w *agent.Waiting) deskproto.Offer {
	ring := d.ring[w.Queue]
	if ring <= 0 {
		ring = 15 * time.Second
	}
	start := w.Arrived
	if start.IsZero() {
		start = w.Enqueued
	}
	var by string
	if w.Note != "" || w.Call.Agent != "" {
		by = d.transferredBy(w.ID)
	}
	return deskproto.Offer{Type: deskproto.TypeOffer, Call: string(w.ID), Caller: w.Caller, Queue: w.Queue,
		QueueTitle: d.titles[w.Queue], Attrs: w.Attrs, WaitedMS: d.clock.Now().Sub(start).Milliseconds(),
		RingTimeoutMS: ring.Milliseconds(), Note: w.Note, TransferredBy: by}
}

func (d *Desk) transferredBy(id hotline.CallID) string {
	d.mu.Lock()
	qc := d.calls[id]
	d.mu.Unlock()
	if qc == nil {
		return ""
	}
	qc.mu.Lock()
	defer qc.mu.Unlock()
	return qc.transferredBy
}

func stateMsg(s agent.Status) deskproto.State {
	m := deskproto.State{Type: deskproto.TypeState, State: string(s.State), Reason: string(s.Reason), Since: s.Since,
		Call: string(s.Call), CallsToday: s.CallsToday, Queues: s.Queues}
	if s.State == agent.StateWrapUp && !s.WrapUpEnd.IsZero() {
		t := s.WrapUpEnd
		m.WrapUpUntil = &t
	}
	return m
}

// countAgents reports hotline_agents{state}.
func (d *Desk) countAgents() {
	m, ok := d.svc.metrics.(interface{ Agents(state string, n int) })
	if !ok {
		return
	}
	snap := d.acd.Snapshot()
	for _, st := range []agent.State{agent.StateReady, agent.StateNotReady, agent.StateOffered, agent.StateOnCall, agent.StateWrapUp} {
		m.Agents(string(st), snap.ByState[st])
	}
}

// Attach connects an authenticated person's WebSocket. Agents get (or get
// back) their softphone session; supervisors and admins a watching session.
// Its first message is the welcome; an offer still ringing, or the whisper
// on a call in progress, follows it.
func (d *Desk) Attach(ctx context.Context, u *account.User, c deskproto.Client) (*DeskConn, error) {
	switch u.Role {
	case hotline.RoleAgent, hotline.RoleSupervisor, hotline.RoleAdmin:
	default:
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "the desk is for agents and supervisors; %s accounts have no softphone", u.Role)
	}
	d.mu.Lock()
	as, resumed := d.agents[u.ID]
	var old deskproto.Client
	if as == nil {
		as = &agentSession{d: d, user: u, log: d.log.With("agent_id", string(u.ID))}
		d.agents[u.ID] = as
	}
	d.mu.Unlock()

	as.mu.Lock()
	old, as.client, as.detached = as.client, c, time.Time{}
	as.mu.Unlock()
	if old != nil {
		old.Replace()
	}
	w := &deskproto.Welcome{Type: deskproto.TypeWelcome, Agent: deskproto.Agent{ID: string(u.ID), Name: u.Name, Role: string(u.Role)},
		Resumed: resumed, Reasons: []string{"break", "training", "meeting", "other"}, ICEServers: []string{}}
	for _, q := range d.acd.Queues() {
		w.Queues = append(w.Queues, deskproto.Queue{Name: q.Name, Title: q.Title})
	}
	if u.Role == hotline.RoleAgent {
		effs, err := d.acd.Login(agent.Profile{ID: u.ID, Name: u.Name, Skills: d.cfg.Skills(u)})
		if err != nil {
			return nil, fmt.Errorf("log in agent %s: %w", u.ID, err)
		}
		st, _ := d.acd.Status(u.ID)
		sm := stateMsg(st)
		sm.Type = ""
		w.State = &sm
		w.Call = as.connectedMsg()
		defer as.resendWhisper() // the call's whisper, if one is on, after the welcome
		// The state effect is in the welcome already; the rest (an offer
		// that was ringing) goes out after it.
		effs = slices.DeleteFunc(effs, func(e agent.Effect) bool { return e.Kind == agent.EffectAgentState && e.Agent == u.ID })
		defer d.apply(effs)
		if st.State == agent.StateOffered { // a reconnect while ringing: ring again
			if w, ok := d.acd.Call(st.Call); ok {
				defer as.send(d.offerMsg(&w))
			}
		}
		as.mu.Lock()
		up := as.leg != nil && as.rtcUp
		as.mu.Unlock()
		if up {
			defer as.send(deskproto.RTCState{Type: deskproto.TypeRTCState, Connected: true})
		}
	}
	c.Send(w) // first; the deferred messages follow
	d.changed.Store(true)
	as.log.Info("desk attached", "role", string(u.Role), "resumed", resumed)
	return &DeskConn{as: as, client: c}, nil
}

// expireDetached ends the sessions whose WebSocket has been gone longer
// than the grace period (an agent on a call keeps it until the call ends).
func (d *Desk) expireDetached() {
	now := d.clock.Now()
	d.mu.Lock()
	var gone []*agentSession
	for id, as := range d.agents {
		as.mu.Lock()
		expired := as.client == nil && !as.detached.IsZero() && now.Sub(as.detached) > d.cfg.Grace && as.call == nil
		as.mu.Unlock()
		if expired {
			delete(d.agents, id)
			delete(d.watchers, as)
			gone = append(gone, as)
		}
	}
	d.mu.Unlock()
	for _, as := range gone {
		as.log.Info("desk session expired")
		if as.user.Role == hotline.RoleAgent {
			effs, err := d.acd.Logout(as.user.ID)
			if err != nil {
				as.log.Warn("log out agent", "err", err)
			}
			d.apply(effs)
		}
		as.closeLeg()
	}
}

// pushWallboard sends the wallboard to its watchers (force: even if nothing
// changed).
func (d *Desk) pushWallboard(force bool) {
	if !d.changed.Swap(false) && !force {
		return
	}
	d.mu.Lock()
	ws := make([]*agentSession, 0, len(d.watchers))
	for as := range d.watchers {
		ws = append(ws, as)
	}
	d.mu.Unlock()
	if len(ws) == 0 {
		return
	}
	msg := d.wallboard()
	for _, as := range ws {
		as.send(msg)
	}
}

// wallboard builds the supervisor's picture from the ACD.
func (d *Desk) wallboard() deskproto.Wallboard {
	snap := d.acd.Snapshot()
	wb := deskproto.Wallboard{Type: deskproto.TypeWallboard, At: snap.At, ByState: map[string]int{}}
	for _, q := range snap.Queues {
		wb.Queues = append(wb.Queues, deskproto.WallboardQueue{Name: q.Name, Title: q.Title, Waiting: q.Waiting,
			LongestWaitMS: q.LongestWait.Milliseconds(), AgentsReady: q.AgentsReady, AgentsBusy: q.AgentsBusy,
			AgentsLoggedIn: q.AgentsLoggedIn})
	}
	for st, n := range snap.ByState {
		wb.ByState[string(st)] = n
	}
	for _, a := range snap.Agents {
		wb.Agents = append(wb.Agents, deskproto.WallboardAgent{ID: string(a.Agent), Name: a.Name, State: string(a.State),
			Reason: string(a.Reason), Since: a.Since, Call: string(a.Call), CallsToday: a.CallsToday})
	}
	now := d.clock.Now()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	k := d.acd.KPIs("", day, now)
	wb.Today = deskproto.KPI{Offered: k.Offered, Answered: k.Answered, Abandoned: k.Abandoned, ServiceLevel: k.ServiceLevel,
		ASAMS: k.ASA.Milliseconds(), AbandonRate: k.AbandonRate, AHTMS: k.AHT.Milliseconds(), Occupancy: k.Occupancy}
	return wb
}
