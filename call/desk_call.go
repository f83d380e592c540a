package call

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/agent"
	"github.com/cityhotline/hotline/api/deskproto"
	"github.com/cityhotline/hotline/ivr"
	"github.com/cityhotline/hotline/media"
	"github.com/cityhotline/hotline/sip"
)

// What happens to a queued call, posted to its goroutine.
type callEventKind int

const (
	evConnect  callEventKind = iota // an agent answered: bridge
	evAnnounce                      // tell the caller the position and wait
	evOverflow                      // moved to another queue, or "callback"
	evRejected                      // the queue is full
	evHangup                        // the agent hung up
	evDropped                       // the agent's softphone was lost
	evTransfer                      // the agent transferred the caller
	evHold
	evMute
	evDTMF
	evListen // a supervisor starts or stops listening
	evNewLeg // the agent's page came back with a new PeerConnection
)

type callEvent struct {
	kind     callEventKind
	agent    *agentSession
	target   string
	position int
	wait     time.Duration
	on       bool
	digits   string
	leg      *media.AgentLeg
}

// queuedCall is a caller handed to the desk: its events, its record's
// fields that other goroutines set, and the agent it is bridged to.
type queuedCall struct {
	id     hotline.CallID
	c      *sip.Call
	leg    *media.TrunkLeg
	sess   *session
	events chan callEvent
	log    *slog.Logger

	mu            sync.Mutex
	queue         string
	agent         *agentSession
	bridge        *media.Bridge
	since         time.Time
	ticket        hotline.TicketID
	disposition   string
	transferredBy string
	recording     string
	caller        string
	attrs         map[string]string
	held, muted   bool
}

// post queues an event for the call's goroutine without blocking; an
// announcement is the only thing that may be dropped.
func (qc *queuedCall) post(e callEvent) {
	select {
	case qc.events <- e:
	default:
		if e.kind == evAnnounce {
			return
		}
		qc.log.Error("call event queue full; event lost", "event", int(e.kind))
	}
}

func (qc *queuedCall) queueName() string {
	qc.mu.Lock()
	defer qc.mu.Unlock()
	return qc.queue
}

func (qc *queuedCall) isHeldMuted() (held, muted bool) {
	qc.mu.Lock()
	defer qc.mu.Unlock()
	return qc.held, qc.muted
}

func (qc *queuedCall) isConnected() bool {
	qc.mu.Lock()
	defer qc.mu.Unlock()
	return qc.bridge != nil
}

func (qc *queuedCall) connectedMsg() deskproto.Connected {
	qc.mu.Lock()
	defer qc.mu.Unlock()
	return deskproto.Connected{Type: deskproto.TypeConnected, Call: string(qc.id), Caller: qc.caller, Queue: qc.queue,
		Attrs: qc.attrs, Recording: qc.recording, Since: qc.since, Held: qc.held, Muted: qc.muted}
}

// register makes a call known to the desk for its whole life (until after
// its record is saved, so a late link still finds it).
func (d *Desk) register(c *sip.Call, rec *hotline.CallRecord, log *slog.Logger) *queuedCall {
	qc := &queuedCall{id: rec.ID, c: c, events: make(chan callEvent, 32), log: log, caller: rec.Caller}
	d.mu.Lock()
	d.calls[qc.id] = qc
	d.mu.Unlock()
	return qc
}

func (d *Desk) unregister(qc *queuedCall) {
	d.mu.Lock()
	delete(d.calls, qc.id)
	d.mu.Unlock()
}

// linkTicket records the work order (or "answered directly") on the call.
func (s *Service) linkTicket(ctx context.Context, id hotline.CallID, by hotline.UserID, ticket hotline.TicketID, disposition string) error {
	if s.desk != nil {
		s.desk.mu.Lock()
		qc := s.desk.calls[id]
		s.desk.mu.Unlock()
		if qc != nil {
			qc.mu.Lock()
			defer qc.mu.Unlock()
			if qc.agent != nil && qc.agent.user.ID != by && qc.ticket == "" {
				return hotline.Errorf(hotline.EFORBIDDEN, "call %s is another agent's", id).WithField("call", "not your call")
			}
			qc.ticket, qc.disposition = ticket, disposition
			return nil
		}
	}
	rec, err := s.store.FindCallByID(ctx, id)
	if err != nil {
		return err
	}
	if rec.Agent != "" && rec.Agent != by {
		return hotline.Errorf(hotline.EFORBIDDEN, "call %s was taken by another agent", id).WithField("call", "not your call")
	}
	if ticket != "" {
		rec.Ticket = ticket
	}
	if err := s.store.UpdateCall(ctx, rec); err != nil {
		return fmt.Errorf("link call %s to ticket %s: %w", id, ticket, err)
	}
	return nil
}

// outcome of a stretch of the call with an agent.
type talkOutcome int

const (
	talkEnded    talkOutcome = iota // the call is over
	talkRequeued                    // back in a queue (transfer, lost softphone)
)

// serve keeps a caller in the ACD until an agent takes the call, the caller
// hangs up or the queue gives up, and bridges caller and agent.
func (d *Desk) serve(qc *queuedCall, sess *session, rec *hotline.CallRecord, queue string, attrs map[string]string) {
	c, log := qc.c, qc.log
	qc.leg, qc.sess = c.Media(), sess
	qc.mu.Lock()
	qc.queue, qc.attrs, qc.recording = queue, attrs, rec.Recording
	qc.mu.Unlock()
	arrived, _, _ := c.Times()
	queued := time.Now()
	prio := priorityOf(attrs)
	if prio == agent.PriorityNormal && d.svc.repeatCaller(c.Context(), rec) {
		prio = agent.PriorityRepeat
		attrs["repeat"] = "1"
	}
	effs, err := d.acd.Enqueue(agent.Call{ID: qc.id, Queue: queue, Caller: rec.Caller, Priority: prio,
		Attrs: attrs, Arrived: arrived})
	if err != nil {
		log.Error("enqueue", "queue", queue, "err", err)
		d.svc.playLast(c, sess, "overload", "goodbye")
		return
	}
	d.svc.queues.add(queue, 1)
	waiting := true
	leave := func() {
		if waiting {
			waiting = false
			d.svc.queues.add(qc.queueName(), -1)
		}
	}
	defer leave()
	d.applyFrom(queued, effs)
	log.Info("queued", "queue", queue)
	for {
		stop := d.svc.startHold(c, sess)
		var ev callEvent
		select {
		case <-c.Done():
			stop()
			leave()
			effs, err := d.acd.Abandon(qc.id)
			if err != nil && hotline.ErrorCode(err) != hotline.ENOTFOUND {
				log.Warn("abandon", "err", err)
			}
			d.apply(effs)
			log.Info("caller left the queue", "queue", qc.queueName())
			return
		case ev = <-qc.events:
			stop()
		}
		switch ev.kind {
		case evConnect:
			leave()
			rec.Agent = ev.agent.user.ID
			if m, ok := d.svc.metrics.(interface{ QueueWait(string, float64) }); ok {
				m.QueueWait(qc.queueName(), time.Since(queued).Seconds())
			}
			if d.talk(qc, ev.agent) == talkEnded {
				return
			}
			waiting = true
			d.svc.queues.add(qc.queueName(), 1)
		case evAnnounce:
			prompts := ivr.QueueAnnouncement(ev.position-1, ev.wait, sess.Attr(ivr.AttrLanguage), media.SayNumber)
			_, _ = sess.Play(c.Context(), prompts, false)
		case evOverflow:
			if ev.target == "callback" {
				leave()
				rec.EndReason = "callback"
				log.Info("overflow to callback", "queue", qc.queueName())
				d.svc.playLast(c, sess, "callback-offer")
				return
			}
			d.svc.queues.add(qc.queueName(), -1)
			qc.mu.Lock()
			qc.queue = ev.target
			qc.mu.Unlock()
			d.svc.queues.add(ev.target, 1)
			rec.Queue = ev.target
			log.Info("overflow", "queue", ev.target)
		case evRejected:
			log.Info("queue full", "queue", qc.queueName())
			d.svc.playLast(c, sess, "overload", "goodbye")
			return
		}
	}
}

// priorityOf reads the caller's priority from the IVR attributes: a flow
// sets "priority" (a number, or normal / repeat / elderly / escalation) for,
// say, the elderly line.
func priorityOf(attrs map[string]string) agent.Priority {
	if p, err := agent.ParsePriority(attrs["priority"]); err == nil {
		return p
	}
	return agent.PriorityNormal
}

// RepeatWindow is how recent an earlier call from the same number makes a
// caller a repeat caller, served ahead of first-time callers.
const RepeatWindow = 24 * time.Hour

// repeatCaller reports whether the number called in the last RepeatWindow
// (a withheld number never is). A store error counts as no.
func (s *Service) repeatCaller(ctx context.Context, rec *hotline.CallRecord) bool {
	if rec.Caller == "" || rec.Caller == "anonymous" {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	prior, err := s.store.FindCalls(ctx, hotline.CallFilter{Caller: rec.Caller, From: rec.Arrived.Add(-RepeatWindow),
		To: rec.Arrived, Direction: "inbound", Limit: 2})
	if err != nil {
		return false
	}
	for _, p := range prior {
		if p.ID != rec.ID {
			return true
		}
	}
	return false
}

// talk bridges the caller and an agent until one of them ends it.
func (d *Desk) talk(qc *queuedCall, as *agentSession) talkOutcome {
	c, log := qc.c, qc.log.With("agent_id", string(as.user.ID))
	as.mu.Lock()
	leg := as.leg
	as.mu.Unlock()
	if leg == nil {
		log.Warn("agent answered without a softphone leg; requeueing")
		d.apply(must(d.acd.Requeue(qc.id)))
		return talkRequeued
	}
	br := media.NewBridge(qc.leg, leg, log)
	br.Start()
	now := d.clock.Now()
	qc.mu.Lock()
	qc.agent, qc.bridge, qc.since, qc.held, qc.muted = as, br, now, false, false
	qc.mu.Unlock()
	as.mu.Lock()
	as.call = qc
	as.mu.Unlock()
	as.send(qc.connectedMsg())
	log.Info("connected", "queue", qc.queueName())
	var hold func()
	listeners := map[*agentSession]*listenTap{}
	defer func() {
		if hold != nil {
			hold()
		}
		for _, t := range listeners {
			t.stop()
		}
		br.Stop()
		qc.mu.Lock()
		qc.agent, qc.bridge = nil, nil
		qc.mu.Unlock()
		as.mu.Lock()
		if as.call == qc {
			as.call = nil
		}
		as.mu.Unlock()
	}()
	ended := func(by string) {
		st, _ := d.acd.Status(as.user.ID)
		msg := deskproto.CallEnded{Type: deskproto.TypeCallEnded, Call: string(qc.id), By: by}
		if st.State == agent.StateWrapUp && !st.WrapUpEnd.IsZero() {
			t := st.WrapUpEnd
			msg.WrapUpUntil = &t
		}
		as.send(msg)
	}
	// lost is set while the agent's softphone is gone: the caller hears hold
	// music until the page comes back with a new leg or the grace ends.
	var lost <-chan time.Time
	for {
		select {
		case <-c.Done():
			d.apply(must(d.acd.Complete(as.user.ID, qc.id, "caller")))
			ended("caller")
			log.Info("caller hung up")
			return talkEnded
		case <-lost:
			br.Stop()
			d.apply(must(d.acd.Requeue(qc.id)))
			ended("dropped")
			log.Warn("softphone lost during the call; caller requeued at the front", "waited", d.cfg.LegGrace.String())
			if hold != nil {
				hold()
				hold = nil
			}
			_, _ = qc.sess.Play(c.Context(), []string{"agent-lost"}, false)
			return talkRequeued
		case ev := <-qc.events:
			switch ev.kind {
			case evHangup:
				d.apply(must(d.acd.Complete(as.user.ID, qc.id, "agent")))
				ended("agent")
				log.Info("agent hung up")
				return talkEnded
			case evDropped:
				if lost != nil {
					continue
				}
				log.Warn("softphone lost during the call; holding the caller for the agent's page to come back",
					"grace", d.cfg.LegGrace.String())
				lost = time.After(d.cfg.LegGrace)
				br.Hold(true)
				if hold == nil {
					hold = d.svc.startHold(c, qc.sess)
				}
			case evTransfer:
				br.Stop()
				ended("transfer")
				log.Info("transferred", "queue", ev.target)
				qc.mu.Lock()
				qc.queue = ev.target
				qc.mu.Unlock()
				_, _ = qc.sess.Play(c.Context(), []string{"please-hold"}, false)
				return talkRequeued
			case evHold:
				br.Hold(ev.on)
				if ev.on && hold == nil {
					hold = d.svc.startHold(c, qc.sess)
				} else if !ev.on && hold != nil {
					hold()
					hold = nil
				}
				qc.mu.Lock()
				qc.held = ev.on
				qc.mu.Unlock()
				as.send(deskproto.Held{Type: deskproto.TypeHeld, Call: string(qc.id), On: ev.on})
			case evMute:
				br.Mute(ev.on)
				qc.mu.Lock()
				qc.muted = ev.on
				qc.mu.Unlock()
			case evDTMF:
				if err := qc.leg.SendDigits(ev.digits); err != nil {
					log.Warn("send digits", "err", err)
				}
			case evListen:
				if t := listeners[ev.agent]; t != nil {
					t.stop()
					delete(listeners, ev.agent)
				}
				if ev.on {
					if t := startListen(ev.agent, qc.leg.Codec()); t != nil {
						listeners[ev.agent] = t
					}
				}
				d.refreshTaps(br, listeners)
			case evNewLeg:
				if ev.agent != as {
					continue
				}
				br.Stop()
				br = media.NewBridge(qc.leg, ev.leg, log)
				br.Start()
				held, muted := qc.isHeldMuted()
				if lost != nil { // back within the grace
					lost = nil
					if hold != nil && !held {
						hold()
						hold = nil
					}
				}
				br.Hold(held)
				br.Mute(muted)
				qc.mu.Lock()
				qc.bridge = br
				qc.mu.Unlock()
				d.refreshTaps(br, listeners)
				log.Info("bridge moved to the agent's new softphone leg")
			case evConnect:
				// A second answer for a call already connected: the ACD
				// prevents it; log and ignore.
				log.Warn("connect for a connected call ignored")
			}
		}
	}
}

// must logs nothing and returns the effects: the ACD's errors on these
// transitions mean the call already left it (the caller hung up at the same
// moment), which needs no action.
func must(effs []agent.Effect, err error) []agent.Effect { return effs }

// startHold plays hold music and the please-hold prompt in a loop until
// the returned stop is called (stop waits for the playback to end).
func (s *Service) startHold(c *sip.Call, sess *session) (stop func()) {
	ctx, cancel := context.WithCancel(c.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if _, err := sess.Play(ctx, []string{s.cfg.HoldMusic, s.cfg.HoldPrompt}, false); err != nil {
				return
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// playLast plays the final prompts of a call, bounded in time.
func (s *Service) playLast(c *sip.Call, sess *session, prompts ...string) {
	ctx, cancel := context.WithTimeout(c.Context(), 20*time.Second)
	defer cancel()
	if _, err := sess.Play(ctx, prompts, false); err != nil && !errors.Is(err, ivr.ErrHangup) && ctx.Err() == nil {
		c.Logger().Debug("final prompt", "err", err)
	}
}
