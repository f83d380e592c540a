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
	warmTo        string // the target of a pending warm transfer (an agent's ID or a queue)
	recording     string
	caller        string
	attrs         map[string]string
	handledBy     map[hotline.UserID]bool // agents who were connected to the caller
	held, muted   bool

	notice whisperNotice // the whisper its agent was told of (desk_whisper.go)
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
		Attrs: qc.attrs, Recording: qc.recording, Since: qc.since, Held: qc.held, Muted: qc.muted, WarmTransfer: qc.warmTo}
}

// startWarm notes a pending warm transfer to target.
func (qc *queuedCall) startWarm(target string) {
	qc.mu.Lock()
	defer qc.mu.Unlock()
	qc.warmTo = target
}

// endWarm forgets the pending warm transfer, if any, and returns its
// target; queue ("" keeps it) is where the call is now.
func (qc *queuedCall) endWarm(queue string) string {
	qc.mu.Lock()
	defer qc.mu.Unlock()
	target := qc.warmTo
	qc.warmTo = ""
	if queue != "" {
		qc.queue = queue
	}
	return target
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
			if !qc.handledBy[by] {
				return hotline.Errorf(hotline.EFORBIDDEN, "call %s was not yours", id).WithField("call", "not a call you took")
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
		took, err := s.tookPart(ctx, rec, by)
		if err != nil {
			return fmt.Errorf("link call %s: %w", id, err)
		}
		if !took {
			return hotline.Errorf(hotline.EFORBIDDEN, "call %s was taken by another agent", id).WithField("call", "not your call")
		}
	}
	if ticket != "" {
		rec.Ticket = ticket
	}
	if err := s.store.UpdateCall(ctx, rec); err != nil {
		return fmt.Errorf("link call %s to ticket %s: %w", id, ticket, err)
	}
	return nil
}

// tookPart reports whether agent by talked to the caller of the ended call
// rec though another agent had it last: the agent who transferred it, who
// may still be filing its work order after the call is over. The stored
// queue log tells (a connect of this call to by); a store without one
// keeps the record's last agent as the only one.
func (s *Service) tookPart(ctx context.Context, rec *hotline.CallRecord, by hotline.UserID) (bool, error) {
	ql, ok := s.store.(QueueLogStore)
	if !ok {
		return false, nil
	}
	f := agent.EventFilter{From: rec.Arrived, Agent: by}
	if !rec.Ended.IsZero() {
		f.To = rec.Ended.Add(time.Second)
	}
	events, err := ql.FindQueueEvents(ctx, f)
	if err != nil {
		return false, fmt.Errorf("read the queue log: %w", err)
	}
	for _, e := range events {
		if e.Call == rec.ID && e.Kind == agent.EventConnect {
			return true, nil
		}
	}
	return false, nil
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
			switch hotline.ErrorCode(err) {
			case "", hotline.ENOTFOUND:
			case hotline.ECONFLICT: // answered in the same instant
				effs = d.endMoved(qc)
			default:
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
			if m, ok := d.svc.metrics.(interface{ QueueWait(string, float64) }); ok {
				m.QueueWait(qc.queueName(), time.Since(queued).Seconds())
			}
			if d.talk(qc, rec, ev.agent) == talkEnded {
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

// talker runs the stretch of a call spent with agents: the caller bridged
// to the current agent, who changes when the target of a warm transfer
// answers. It belongs to the call's goroutine.
type talker struct {
	d   *Desk
	qc  *queuedCall
	rec *hotline.CallRecord

	as  *agentSession // the current agent
	br  *media.Bridge // the caller ↔ as
	log *slog.Logger  // qc's, with the current agent

	hold      func()           // stops the hold music while it plays
	lost      <-chan time.Time // while the agent's softphone is gone: the grace's end
	listeners map[*agentSession]*listenTap
}

// talk bridges the caller and an agent until one of them ends it or the
// call goes back to a queue. The target of a warm transfer who answers
// takes the agent's place on the way.
func (d *Desk) talk(qc *queuedCall, rec *hotline.CallRecord, as *agentSession) talkOutcome {
	t := &talker{d: d, qc: qc, rec: rec, listeners: map[*agentSession]*listenTap{}}
	if !t.connect(as) {
		d.apply(must(d.acd.Requeue(qc.id)))
		return talkRequeued
	}
	defer t.close()
	for {
		select {
		case <-qc.c.Done():
			return t.callerHungUp()
		case <-t.lost:
			if out, over := t.softphoneLost(); over {
				return out
			}
		case ev := <-qc.events:
			if out, over := t.handle(ev); over {
				return out
			}
		}
	}
}

// connect bridges the caller to as, which becomes the current agent, and
// says so to as. False when as has no softphone leg.
func (t *talker) connect(as *agentSession) bool {
	qc := t.qc
	log := qc.log.With("agent_id", string(as.user.ID))
	as.mu.Lock()
	leg := as.leg
	as.mu.Unlock()
	if leg == nil {
		log.Warn("agent answered without a softphone leg; requeueing")
		return false
	}
	t.as, t.br, t.log = as, media.NewBridge(qc.leg, leg, log), log
	t.br.Start()
	t.rec.Agent = as.user.ID
	qc.mu.Lock()
	qc.agent, qc.bridge, qc.since, qc.held, qc.muted = as, t.br, t.d.clock.Now(), false, false
	if qc.handledBy == nil {
		qc.handledBy = map[hotline.UserID]bool{}
	}
	qc.handledBy[as.user.ID] = true // each agent who talked to the caller may link a work order
	qc.mu.Unlock()
	as.mu.Lock()
	as.call = qc
	as.mu.Unlock()
	as.send(qc.connectedMsg())
	log.Info("connected", "queue", qc.queueName())
	return true
}

// release ends the current agent's part: no bridge, no call.
func (t *talker) release() {
	t.br.Stop()
	t.qc.mu.Lock()
	t.qc.agent, t.qc.bridge = nil, nil
	t.qc.mu.Unlock()
	as := t.as
	as.mu.Lock()
	if as.call == t.qc {
		as.call = nil
	}
	as.mu.Unlock()
}

// close is talk's cleanup, whichever way it ends.
func (t *talker) close() {
	t.stopHold()
	for _, l := range t.listeners {
		l.stop()
	}
	t.release()
}

func (t *talker) stopHold() {
	if t.hold != nil {
		t.hold()
		t.hold = nil
	}
}

// ended tells an agent its part in the call is over, with its wrap-up.
func (t *talker) ended(as *agentSession, by string) {
	st, _ := t.d.acd.Status(as.user.ID)
	msg := deskproto.CallEnded{Type: deskproto.TypeCallEnded, Call: string(t.qc.id), By: by}
	if st.State == agent.StateWrapUp && !st.WrapUpEnd.IsZero() {
		w := st.WrapUpEnd
		msg.WrapUpUntil = &w
	}
	as.send(msg)
}

// handle reacts to one event; over says talk is over, with out.
func (t *talker) handle(ev callEvent) (out talkOutcome, over bool) {
	switch ev.kind {
	case evConnect:
		return t.answered(ev.agent, ev.target)
	case evListen:
		t.listen(ev.agent, ev.on)
		return
	}
	if ev.agent != t.as {
		// Not the current agent's: from an agent a warm transfer moved the
		// call away from a moment ago.
		t.log.Debug("event not for the current agent ignored", "event", int(ev.kind))
		return
	}
	switch ev.kind {
	case evHangup:
		return t.agentHungUp()
	case evDropped:
		t.softphoneDropped()
	case evTransfer:
		return t.transferred(ev.target), true
	case evHold:
		t.setHold(ev.on)
	case evMute:
		t.br.Mute(ev.on)
		t.qc.mu.Lock()
		t.qc.muted = ev.on
		t.qc.mu.Unlock()
	case evDTMF:
		if err := t.qc.leg.SendDigits(ev.digits); err != nil {
			t.log.Warn("send digits", "err", err)
		}
	case evNewLeg:
		t.newLeg(ev.leg)
	}
	return
}

func (t *talker) callerHungUp() talkOutcome {
	d, qc := t.d, t.qc
	effs, err := d.acd.Complete(t.as.user.ID, qc.id, "caller")
	if err != nil {
		effs = d.endMoved(qc)
	}
	d.apply(effs)
	t.ended(t.as, "caller")
	t.log.Info("caller hung up")
	return talkEnded
}

// endMoved ends, for a caller who hung up, a call the ACD has just given to
// another agent (the answer to a warm transfer, in the same instant): that
// agent is told and goes to wrap-up.
func (d *Desk) endMoved(qc *queuedCall) []agent.Effect {
	w, ok := d.acd.Call(qc.id)
	if !ok || w.Agent == "" {
		return must(d.acd.Abandon(qc.id))
	}
	effs := must(d.acd.Complete(w.Agent, qc.id, "caller"))
	if as := d.session(w.Agent); as != nil {
		as.send(deskproto.CallEnded{Type: deskproto.TypeCallEnded, Call: string(qc.id), By: "caller"})
	}
	return effs
}

// agentHungUp ends the current agent's part. With a warm transfer pending
// the call goes on as a blind transfer: the caller waits for the target.
func (t *talker) agentHungUp() (talkOutcome, bool) {
	d, qc, as := t.d, t.qc, t.as
	effs, err := d.acd.Complete(as.user.ID, qc.id, "agent")
	w, held := d.acd.Call(qc.id)
	switch {
	case err != nil && t.movedAway(w, held):
		return 0, false // the connect that moves the call follows
	case err == nil && held:
		d.apply(effs)
		qc.endWarm(w.Queue)
		t.ended(as, "transfer")
		t.log.Info("agent hung up during a warm transfer; the caller waits for its target", "queue", w.Queue)
		return talkRequeued, true
	}
	d.apply(effs)
	t.ended(as, "agent")
	t.log.Info("agent hung up")
	return talkEnded, true
}

// movedAway reports whether the ACD has just given the call (w, when held)
// to another agent: the target of a warm transfer answered, and the
// connect that moves the bridge is on its way.
func (t *talker) movedAway(w agent.Waiting, held bool) bool {
	return held && !w.WarmTransfer && w.Agent != "" && w.Agent != t.as.user.ID
}

// softphoneDropped holds the caller while the agent's page may come back.
func (t *talker) softphoneDropped() {
	if t.lost != nil {
		return
	}
	t.log.Warn("softphone lost during the call; holding the caller for the agent's page to come back",
		"grace", t.d.cfg.LegGrace.String())
	t.lost = time.After(t.d.cfg.LegGrace)
	t.br.Hold(true)
	if t.hold == nil {
		t.hold = t.d.svc.startHold(t.qc.c, t.qc.sess)
	}
}

// softphoneLost sends the caller back to the front of the queue (or, during
// a warm transfer, leaves it to the target) when the grace has passed.
func (t *talker) softphoneLost() (talkOutcome, bool) {
	d, qc := t.d, t.qc
	if t.movedAway(d.acd.Call(qc.id)) {
		t.lost = nil
		return 0, false // the target answered: the connect that moves the call follows
	}
	t.br.Stop()
	d.apply(must(d.acd.Requeue(qc.id)))
	if w, ok := d.acd.Call(qc.id); ok {
		qc.endWarm(w.Queue)
	}
	t.ended(t.as, "dropped")
	t.log.Warn("softphone lost during the call; caller requeued at the front", "waited", d.cfg.LegGrace.String())
	t.stopHold()
	_, _ = qc.sess.Play(qc.c.Context(), []string{"agent-lost"}, false)
	return talkRequeued, true
}

func (t *talker) transferred(queue string) talkOutcome {
	t.br.Stop()
	t.ended(t.as, "transfer")
	t.log.Info("transferred", "queue", queue)
	t.qc.mu.Lock()
	t.qc.queue = queue
	t.qc.mu.Unlock()
	_, _ = t.qc.sess.Play(t.qc.c.Context(), []string{"please-hold"}, false)
	return talkRequeued
}

// answered handles an agent's answer while the call is connected: the
// target of a warm transfer took it, and the ACD has moved it already. The
// caller's bridge moves from the current agent to the new one at once.
func (t *talker) answered(to *agentSession, queue string) (talkOutcome, bool) {
	if to == t.as || to == nil {
		t.log.Warn("connect for a connected call ignored")
		return 0, false
	}
	from, qc := t.as, t.qc
	t.release()
	t.stopHold() // the caller may have been on hold with the transferring agent
	t.lost = nil
	target := qc.endWarm(queue)
	if !t.connect(to) {
		t.tellAnswered(from, target, to)
		t.d.apply(must(t.d.acd.Requeue(qc.id)))
		return talkRequeued, true
	}
	t.d.refreshTaps(t.br, t.listeners)
	t.tellAnswered(from, target, to)
	t.log.Info("warm transfer answered; the caller's bridge moved", "from", string(from.user.ID), "queue", queue)
	return 0, false
}

// tellAnswered tells the agent who warm-transferred the call that to took it.
func (t *talker) tellAnswered(from *agentSession, target string, to *agentSession) {
	from.send(deskproto.TransferState{Type: deskproto.TypeTransferState, Call: string(t.qc.id),
		State: deskproto.TransferAnswered, Target: target, Agent: to.user.Name})
	t.ended(from, "transfer")
}

func (t *talker) setHold(on bool) {
	t.br.Hold(on)
	if on && t.hold == nil {
		t.hold = t.d.svc.startHold(t.qc.c, t.qc.sess)
	} else if !on {
		t.stopHold()
	}
	t.qc.mu.Lock()
	t.qc.held = on
	t.qc.mu.Unlock()
	t.as.send(deskproto.Held{Type: deskproto.TypeHeld, Call: string(t.qc.id), On: on})
}

// listen starts or stops a supervisor's silent listen.
func (t *talker) listen(sup *agentSession, on bool) {
	if l := t.listeners[sup]; l != nil {
		l.stop()
		delete(t.listeners, sup)
	}
	if on {
		if l := startListen(sup, t.qc.leg.Codec()); l != nil {
			t.listeners[sup] = l
		}
	}
	t.d.refreshTaps(t.br, t.listeners)
}

// newLeg moves the bridge to the agent's new softphone leg (a reload).
func (t *talker) newLeg(leg *media.AgentLeg) {
	qc := t.qc
	t.br.Stop()
	t.br = media.NewBridge(qc.leg, leg, t.log)
	t.br.Start()
	held, muted := qc.isHeldMuted()
	if t.lost != nil { // back within the grace
		t.lost = nil
		if !held {
			t.stopHold()
		}
	}
	t.br.Hold(held)
	t.br.Mute(muted)
	qc.mu.Lock()
	qc.bridge = t.br
	qc.mu.Unlock()
	t.d.refreshTaps(t.br, t.listeners)
	t.log.Info("bridge moved to the agent's new softphone leg")
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
