package agent

import (
	"slices"
	"time"

	"github.com/cityhotline/hotline"
)

// Enqueue hands a call to its queue, where it may be offered at once. A full
// queue (MaxLen) sends the call on to its overflow: the effects then carry
// an overflow (to a queue, or "callback") or, with no overflow, rejected.
// EINVALID for an unknown queue, a missing or duplicate ID; ENOTFOUND when
// the call is targeted (Call.Agent) at an agent who is not logged in.
func (a *ACD) Enqueue(c Call) ([]Effect, error) {
	tx := a.begin()
	q, target, err := tx.checkEnqueue(c)
	if err != nil {
		return tx.fail(err)
	}
	if c.Arrived.IsZero() {
		c.Arrived = tx.now
	}
	cl := &call{Call: c, target: target}
	switch dest := tx.admit(cl, q, ""); dest {
	case q.cfg.Name:
	case "":
		tx.emit(Effect{Kind: EffectRejected, Call: snap(cl), Reason: "full"})
	default:
		tx.emit(Effect{Kind: EffectOverflow, Call: snap(cl), Target: dest, Reason: "full"})
	}
	return tx.commit(), nil
}

func (tx *txn) checkEnqueue(c Call) (*queue, *agent, error) {
	a := tx.a
	if c.ID == "" {
		return nil, nil, hotline.Errorf(hotline.EINVALID, "call without an ID").WithField("id", "missing")
	}
	if _, dup := a.calls[c.ID]; dup {
		return nil, nil, hotline.Errorf(hotline.EINVALID, "call %s is already in the ACD", c.ID).WithField("id", "duplicate")
	}
	q, ok := a.byName[c.Queue]
	if !ok {
		return nil, nil, hotline.Errorf(hotline.EINVALID, "unknown queue %q", c.Queue).WithField("queue", "unknown")
	}
	if c.Agent == "" {
		return q, nil, nil
	}
	ag, err := tx.agent(c.Agent)
	return q, ag, err
}

// admit lets c into q as a new visit (via "" for a new call, "overflow"),
// following full queues' overflow targets. It returns where c ended up: a
// queue's name, "callback", or "" when it was refused.
func (tx *txn) admit(c *call, q *queue, via string) string {
	for {
		c.q = q
		tx.log(Event{Kind: EventEnter, Queue: q.cfg.Name, Call: c.ID, Agent: c.Call.Agent, Reason: via})
		if !q.full() {
			c.enqueued, c.answered = tx.now, false
			tx.place(c, q, false)
			return q.cfg.Name
		}
		if q.cfg.Overflow == "" {
			tx.log(Event{Kind: EventFull, Queue: q.cfg.Name, Call: c.ID})
			return ""
		}
		tx.log(Event{Kind: EventOverflow, Queue: q.cfg.Name, Call: c.ID, Reason: "full", Target: q.cfg.Overflow})
		if q.overflow == nil {
			return OverflowCallback
		}
		c.target, c.Call.Agent = nil, "" // an overflowing call is for anyone in the next queue
		q, via = q.overflow, "overflow"
	}
}

// place puts c in q's waiting list; front places it ahead of every ordinary
// call. MaxWait and announcements count from now.
func (tx *txn) place(c *call, q *queue, front bool) {
	a := tx.a
	a.seq++
	c.q, c.state, c.front, c.seq = q, callWaiting, front, a.seq
	c.queuedAt, c.agent, c.connected = tx.now, nil, time.Time{}
	c.nextAnnounce = time.Time{}
	if q.cfg.AnnounceEvery > 0 {
		c.nextAnnounce = tx.now.Add(q.cfg.AnnounceEvery)
	}
	q.insert(c)
	a.calls[c.ID] = c
}

// untarget lets any agent of c's queue take the waiting call c.
func (tx *txn) untarget(c *call) {
	if c.target != nil && c.q.index(c) >= 0 {
		c.q.targeted--
	}
	c.target, c.Call.Agent = nil, ""
}

// forget removes a waiting call from the ACD.
func (tx *txn) forget(c *call) {
	c.q.remove(c)
	delete(tx.a.calls, c.ID)
}

// dropOffer ends ag's offer of c without an answer and says so; the caller
// logs the event and moves ag on.
func (tx *txn) dropOffer(c *call, ag *agent, why string) {
	if i := c.offerTo(ag); i >= 0 {
		c.offers = slices.Delete(c.offers, i, i+1)
	}
	tx.emit(Effect{Kind: EffectOfferCancelled, Agent: ag.id, Call: snap(c), Reason: why})
}

// cancelOffers cancels every offer of c for a reason that is not the agents'
// fault: they go back to ready, keeping their idle time. The effects share
// one snapshot of the call, taken with nobody ringing.
func (tx *txn) cancelOffers(c *call, why string) {
	offers := c.offers
	if len(offers) == 0 {
		return
	}
	c.offers = nil
	w := waitingOf(c)
	for _, o := range offers {
		tx.emit(Effect{Kind: EffectOfferCancelled, Agent: o.ag.id, Call: new(w), Reason: why})
		tx.ready(o.ag, true, tx.ringEvent(c, o.ag, EventRingCanceled, why))
	}
}

func (tx *txn) ringEvent(c *call, ag *agent, kind EventKind, why string) Event {
	return Event{Kind: kind, Queue: c.q.cfg.Name, Call: c.ID, Agent: ag.id, Reason: why, Wait: tx.now.Sub(c.enqueued)}
}

// Abandon records that the caller hung up while waiting or being offered:
// the offers are cancelled ("abandoned") and the call leaves the ACD.
// ECONFLICT when the call is connected, or still with the agent who
// warm-transfers it (use Complete with by "caller").
func (a *ACD) Abandon(id hotline.CallID) ([]Effect, error) {
	tx := a.begin()
	c, err := tx.call(id)
	if err != nil {
		return tx.fail(err)
	}
	switch {
	case c.state == callConnected:
		return tx.fail(hotline.Errorf(hotline.ECONFLICT, "call %s is connected to agent %s", id, c.agent.id))
	case c.warm != nil:
		return tx.fail(hotline.Errorf(hotline.ECONFLICT, "call %s is with agent %s, who is warm-transferring it", id, c.warm.from.id))
	}
	ev := Event{Kind: EventAbandon, Queue: c.q.cfg.Name, Call: c.ID, Wait: tx.now.Sub(c.enqueued)}
	if c.answered {
		ev.Reason = "after_requeue" // answered once already: not an abandoned call in the KPIs
	}
	tx.log(ev)
	tx.forget(c)
	tx.cancelOffers(c, CancelAbandoned)
	return tx.commit(), nil
}

// Answer connects an offered call to the agent: on_call. Under ring_all the
// other agents' offers are cancelled ("taken"). The answer to a warm
// transfer first ends the transferring agent's part (see TransferWarm).
// ECONFLICT when the call is no longer offered to this agent.
func (a *ACD) Answer(agentID hotline.UserID, callID hotline.CallID) ([]Effect, error) {
	tx := a.begin()
	ag, c, err := tx.offered(agentID, callID)
	if err != nil {
		return tx.fail(err)
	}
	if c.warm != nil {
		tx.handOver(c)
	}
	tx.connect(c, ag)
	return tx.commit(), nil
}

// Reject is the agent declining an offer. It counts as a ring-no-answer:
// the agent goes back to ready (not_ready(no_answer) after MaxNoAnswer in a
// row) and the call is offered to another agent, or to the same one when no
// other can take it.
func (a *ACD) Reject(agentID hotline.UserID, callID hotline.CallID) ([]Effect, error) {
	tx := a.begin()
	ag, c, err := tx.offered(agentID, callID)
	if err != nil {
		return tx.fail(err)
	}
	tx.dropOffer(c, ag, CancelRejected)
	tx.missed(ag, tx.ringEvent(c, ag, EventRingNoAnswer, CancelRejected))
	return tx.commit(), nil
}

// offered finds an agent and the call offered to it.
func (tx *txn) offered(agentID hotline.UserID, callID hotline.CallID) (*agent, *call, error) {
	ag, err := tx.agent(agentID)
	if err != nil {
		return nil, nil, err
	}
	c, err := tx.call(callID)
	if err != nil {
		return nil, nil, err
	}
	if ag.state != StateOffered || ag.call != c {
		return nil, nil, hotline.Errorf(hotline.ECONFLICT, "call %s is not offered to agent %s (any more)", callID, agentID)
	}
	return ag, c, nil
}

func (tx *txn) call(id hotline.CallID) (*call, error) {
	c, ok := tx.a.calls[id]
	if !ok {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "call %s is not in the ACD", id)
	}
	return c, nil
}

// connect bridges c to ag, which was offered it.
func (tx *txn) connect(c *call, ag *agent) {
	q := c.q
	if i := c.offerTo(ag); i >= 0 {
		c.offers = slices.Delete(c.offers, i, i+1)
	}
	q.remove(c)
	c.target = nil
	c.state, c.agent, c.connected = callConnected, ag, tx.now
	wait := tx.now.Sub(c.enqueued)
	ev := Event{Kind: EventConnect, Queue: q.cfg.Name, Call: c.ID, Wait: wait}
	if c.answered {
		ev.Reason = "reconnect"
	} else {
		c.answered = true
		q.observeHold(wait)
	}
	ag.noAnswer = 0
	ag.calls.inc(tx.day)
	tx.emit(Effect{Kind: EffectConnect, Agent: ag.id, Call: snap(c)})
	tx.move(ag, StateOnCall, "", ev)
	tx.cancelOffers(c, CancelTaken)
}

// Complete ends a connected call: by "agent" or "caller" (who hung up). The
// call leaves the ACD and the agent goes to wrap_up, or straight to ready
// when the queue has no wrap-up (WrapUp < 0). During a warm transfer the
// transferring agent hanging up leaves the call to its target, as a blind
// transfer; the caller hanging up ends it (the offers are cancelled,
// "abandoned").
func (a *ACD) Complete(agentID hotline.UserID, callID hotline.CallID, by string) ([]Effect, error) {
	kind := map[string]EventKind{"agent": EventCompleteAgent, "caller": EventCompleteCaller}[by]
	if kind == "" {
		return nil, hotline.Errorf(hotline.EINVALID, "completed by %q", by).WithField("by", `must be "agent" or "caller"`)
	}
	tx := a.begin()
	ag, c, err := tx.talking(agentID, callID)
	if err != nil {
		return tx.fail(err)
	}
	switch {
	case c.warm != nil && by == "agent":
		tx.handOver(c)
		tx.waitAlone(c)
		return tx.commit(), nil
	case c.warm != nil:
		w := tx.cancelWarm(c, "caller", CancelAbandoned)
		delete(a.calls, c.ID)
		tx.wrapUp(ag, w.q, w.event(kind, c.ID, tx.now))
		return tx.commit(), nil
	}
	delete(a.calls, c.ID)
	tx.wrapUp(ag, c.q, Event{Kind: kind, Queue: c.q.cfg.Name, Call: c.ID,
		Wait: c.connected.Sub(c.enqueued), Talk: tx.now.Sub(c.connected)})
	return tx.commit(), nil
}

// connected finds an agent and the call connected to it, with no warm
// transfer pending.
func (tx *txn) connected(agentID hotline.UserID, callID hotline.CallID) (*agent, *call, error) {
	ag, c, err := tx.talking(agentID, callID)
	if err != nil {
		return nil, nil, err
	}
	if c.warm != nil {
		return nil, nil, hotline.Errorf(hotline.ECONFLICT, "a warm transfer of call %s is pending; cancel it first", callID).
			WithField("call", "warm transfer pending")
	}
	return ag, c, nil
}

// talking finds an agent and the call it talks to: connected to it, or
// waiting for the target of its warm transfer.
func (tx *txn) talking(agentID hotline.UserID, callID hotline.CallID) (*agent, *call, error) {
	ag, err := tx.agent(agentID)
	if err != nil {
		return nil, nil, err
	}
	c, err := tx.call(callID)
	if err != nil {
		return nil, nil, err
	}
	connected := c.state == callConnected && c.agent == ag
	if !connected && (c.warm == nil || c.warm.from != ag) {
		return nil, nil, hotline.Errorf(hotline.ECONFLICT, "call %s is not connected to agent %s", callID, agentID)
	}
	return ag, c, nil
}

// wrapUp starts ag's after-call work for the call of ev in queue q (logging
// ev), or releases ag at once when q has none.
func (tx *txn) wrapUp(ag *agent, q *queue, ev Event) {
	if d := q.cfg.WrapUp; d > 0 {
		ag.wrap = wrapUpWork{call: ev.Call, queue: q, start: tx.now, end: tx.now.Add(d)}
		tx.move(ag, StateWrapUp, "", ev)
		return
	}
	tx.release(ag, ev)
}

// Requeue handles an agent's browser leg that dropped. The call goes back to
// the front of its queue, ahead of every ordinary call, keeping its enqueue
// time for statistics (MaxWait counts again from now), and is offered to
// another agent; a second answer is logged as a reconnect, not a new answer.
// The agent goes not ready: reason "other" when it was connected (the desk
// must reconnect and choose ready again), "no_answer" when the call was
// being offered to it. Under ring_all every agent being offered the call is
// treated so; to drop one agent's offer use Reject. A call that is waiting
// with no offer is left alone. A call being warm-transferred stays where it
// is, ringing its target, and only its transferring agent goes not ready.
func (a *ACD) Requeue(id hotline.CallID) ([]Effect, error) {
	tx := a.begin()
	c, err := tx.call(id)
	if err != nil {
		return tx.fail(err)
	}
	switch {
	case c.warm != nil:
		w := c.warm
		c.warm = nil
		tx.log(Event{Kind: EventRequeue, Queue: w.q.cfg.Name, Call: c.ID, Agent: w.from.id, Talk: tx.now.Sub(w.connected)})
		w.from.afterCall = ""
		tx.move(w.from, StateNotReady, ReasonOther, Event{Kind: EventPause, Reason: string(ReasonOther)})
		tx.waitAlone(c)
		return tx.commit(), nil
	case c.state == callConnected:
		ag := c.agent
		tx.log(Event{Kind: EventRequeue, Queue: c.q.cfg.Name, Call: c.ID, Agent: ag.id, Talk: tx.now.Sub(c.connected)})
		ag.afterCall = ""
		tx.move(ag, StateNotReady, ReasonOther, Event{Kind: EventPause, Reason: string(ReasonOther)})
	case len(c.offers) > 0:
		tx.log(Event{Kind: EventRequeue, Queue: c.q.cfg.Name, Call: c.ID})
		for len(c.offers) > 0 {
			ag := c.offers[0].ag
			tx.withdraw(ag)
			tx.move(ag, StateNotReady, ReasonNoAnswer, Event{Kind: EventPause, Reason: string(ReasonNoAnswer)})
		}
		tx.untarget(c)
		c.q.remove(c)
	default:
		return tx.commit(), nil
	}
	c.Call.Agent = ""
	tx.place(c, c.q, true)
	return tx.commit(), nil
}

// Transfer is a blind transfer: the call leaves agent from (who goes to
// wrap-up, or ready when the queue has none) and enters queue ("" keeps its
// queue) at the front, for any agent of the queue or, with to set, for
// agent to only (whatever its skills). The transfer bypasses MaxLen.
// ECONFLICT while a warm transfer of the call is pending.
func (a *ACD) Transfer(callID hotline.CallID, from hotline.UserID, queueName string, to hotline.UserID, note string) ([]Effect, error) {
	tx := a.begin()
	fromAg, c, err := tx.connected(from, callID)
	if err != nil {
		return tx.fail(err)
	}
	q, target, err := tx.checkTransfer(c, from, queueName, to)
	if err != nil {
		return tx.fail(err)
	}
	tx.wrapUp(fromAg, c.q, Event{Kind: EventTransfer, Queue: c.q.cfg.Name, Call: c.ID,
		Wait: c.connected.Sub(c.enqueued), Talk: tx.now.Sub(c.connected), Target: q.cfg.Name, Reason: string(to)})
	c.Call.Agent, c.Call.Note, c.target = to, note, target
	c.enqueued, c.answered = tx.now, false
	tx.log(Event{Kind: EventEnter, Queue: q.cfg.Name, Call: c.ID, Agent: to, Reason: "transfer"})
	tx.place(c, q, true)
	return tx.commit(), nil
}

func (tx *txn) checkTransfer(c *call, from hotline.UserID, queueName string, to hotline.UserID) (*queue, *agent, error) {
	q := c.q
	if queueName != "" {
		var ok bool
		if q, ok = tx.a.byName[queueName]; !ok {
			return nil, nil, hotline.Errorf(hotline.EINVALID, "unknown queue %q", queueName).WithField("queue", "unknown")
		}
	}
	switch {
	case to == "":
		return q, nil, nil
	case to == from:
		return nil, nil, hotline.Errorf(hotline.EINVALID, "agent %s cannot transfer a call to itself", from).WithField("to", "is the transferring agent")
	}
	target, err := tx.agent(to)
	return q, target, err
}
