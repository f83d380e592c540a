package agent

import (
	"fmt"

	"github.com/cityhotline/hotline"
)

// move is the one place an agent's state changes. It keeps the queues' ready
// sets and counts in step, logs ev (with the new State, and the wrap-up's
// length when it ends one) and emits the agent_state effect. Entering
// not_ready by any event but a pause also logs a pause, so the log has a
// pause for every not-ready spell.
func (tx *txn) move(ag *agent, st State, r Reason, ev Event) {
	old := ag.state
	for _, q := range ag.queues {
		q.count[old]--
		q.count[st]++
		if old == StateReady {
			q.ready.remove(ag)
		}
		if st == StateReady {
			q.ready.add(ag, q.members[ag])
		}
	}
	if old == StateWrapUp && st != StateWrapUp {
		ev.WrapUp = tx.now.Sub(ag.wrap.start)
		if ev.Call == "" {
			ev.Call, ev.Queue = ag.wrap.call, ag.wrap.queue.cfg.Name
		}
		ag.wrap = wrapUpWork{}
	}
	if st != StateNotReady {
		r = ""
	}
	if st != StateOffered && st != StateOnCall {
		ag.call = nil
	}
	ag.state, ag.reason, ag.since = st, r, tx.now
	ev.Agent, ev.State = ag.id, st
	tx.log(ev)
	if st == StateNotReady && ev.Kind != EventPause && ev.Kind != EventLogin {
		tx.log(Event{Kind: EventPause, Agent: ag.id, Reason: string(r), State: st})
	}
	tx.statusEffect(ag)
}

// ready makes ag ready. Idle restarts now unless keepIdle: an agent whose
// offer was taken by another, abandoned or overflowed did nothing wrong and
// keeps its place in the longest-idle order.
func (tx *txn) ready(ag *agent, keepIdle bool, ev Event) {
	if !keepIdle || ag.idle.IsZero() {
		ag.idle = tx.now
	}
	tx.move(ag, StateReady, "", ev)
}

// release frees ag after a call: ready, or not_ready with the reason the
// agent asked for during the call.
func (tx *txn) release(ag *agent, ev Event) {
	if r := ag.afterCall; r != "" {
		ag.afterCall = ""
		tx.move(ag, StateNotReady, r, ev)
		return
	}
	tx.ready(ag, false, ev)
}

// missed handles an offer ag let ring out or rejected: back to ready at the
// end of the idle order, or not_ready(no_answer) after MaxNoAnswer in a row.
func (tx *txn) missed(ag *agent, ev Event) {
	ag.noAnswer++
	if tx.a.maxNoAnswer > 0 && ag.noAnswer >= tx.a.maxNoAnswer {
		ag.noAnswer = 0
		tx.move(ag, StateNotReady, ReasonNoAnswer, ev)
		return
	}
	tx.ready(ag, false, ev)
}

// withdraw cancels ag's offer because of ag itself (not ready, logout, lost
// leg). The caller then moves ag on; the call is offered again by match.
func (tx *txn) withdraw(ag *agent) {
	c := ag.call
	tx.dropOffer(c, ag, CancelWithdrawn)
	tx.log(tx.ringEvent(c, ag, EventRingCanceled, CancelWithdrawn))
}

// Login logs an agent in as not_ready(login). Logging in again (a reconnect)
// keeps the current state, takes the profile's new name and skills, and
// returns the status effect.
func (a *ACD) Login(p Profile) ([]Effect, error) {
	if err := checkProfile(p); err != nil {
		return nil, err
	}
	tx := a.begin()
	if ag, ok := a.agents[p.ID]; ok {
		ag.name = p.Name
		tx.setSkills(ag, p.Skills)
		tx.log(Event{Kind: EventLogin, Agent: ag.id, Reason: "reconnect", State: ag.state})
		tx.statusEffect(ag)
		return tx.commit(), nil
	}
	ag := &agent{id: p.ID, name: p.Name, state: StateOffline, calls: a.offline[p.ID]}
	delete(a.offline, p.ID)
	a.agents[p.ID] = ag
	tx.setSkills(ag, p.Skills)
	tx.move(ag, StateNotReady, ReasonLogin, Event{Kind: EventLogin})
	return tx.commit(), nil
}

func checkProfile(p Profile) error {
	var v hotline.Invalid
	if p.ID == "" {
		v.Add("id", "missing")
	}
	for skill, level := range p.Skills {
		if level < 1 || level > 10 {
			v.Add("skills."+skill, fmt.Sprintf("level %d is not within 1..10", level))
		}
	}
	return v.Err("invalid agent profile")
}

// setSkills sets ag's skills and the queues it serves because of them.
func (tx *txn) setSkills(ag *agent, skills map[string]int) {
	for _, q := range ag.queues {
		q.ready.remove(ag)
		q.count[ag.state]--
		delete(q.members, ag)
	}
	ag.skills, ag.queues = skills, nil
	for _, q := range tx.a.queues {
		level := skills[q.cfg.Skill]
		if level <= 0 {
			continue
		}
		ag.queues = append(ag.queues, q)
		q.members[ag] = level
		q.count[ag.state]++
		if ag.state == StateReady {
			q.ready.add(ag, level)
		}
	}
}

// Logout logs an agent out. A call being offered to it is offered elsewhere;
// calls transferred to it alone go back to their queue's agents. An agent
// on a call cannot log out (ECONFLICT).
func (a *ACD) Logout(id hotline.UserID) ([]Effect, error) {
	tx := a.begin()
	ag, err := tx.agent(id)
	if err != nil {
		return tx.fail(err)
	}
	if ag.state == StateOnCall {
		return tx.fail(hotline.Errorf(hotline.ECONFLICT, "agent %s is on a call; hang up first", id))
	}
	if ag.state == StateOffered {
		tx.withdraw(ag)
	}
	for _, c := range a.calls {
		if c.target == ag {
			tx.untarget(c)
		}
	}
	tx.move(ag, StateOffline, "", Event{Kind: EventLogout})
	tx.setSkills(ag, nil)
	a.offline[id] = ag.calls
	delete(a.agents, id)
	return tx.commit(), nil
}

// SetReady makes an agent ready, from not_ready or wrap_up; it may be
// offered a call at once. Ready already: nothing happens. On a call: it
// cancels a not-ready reason asked for during the call. Offered: ECONFLICT.
func (a *ACD) SetReady(id hotline.UserID) ([]Effect, error) {
	tx := a.begin()
	ag, err := tx.agent(id)
	if err != nil {
		return tx.fail(err)
	}
	switch ag.state {
	case StateNotReady:
		tx.ready(ag, false, Event{Kind: EventUnpause})
	case StateWrapUp:
		ag.afterCall = ""
		tx.ready(ag, false, Event{Kind: EventWrapUpEnd, Reason: "agent"})
	case StateOnCall:
		if ag.afterCall != "" {
			ag.afterCall = ""
			tx.statusEffect(ag)
		}
	case StateOffered:
		return tx.fail(hotline.Errorf(hotline.ECONFLICT, "agent %s has a call ringing; answer or reject it", id))
	}
	return tx.commit(), nil
}

// SetNotReady makes an agent not ready with a reason the agent chose (one of
// ClientReasons), from ready, wrap_up or not_ready (a new reason). From
// offered it withdraws the offer, and the call is offered elsewhere. On a
// call it records the reason and applies it when the call's wrap-up ends.
func (a *ACD) SetNotReady(id hotline.UserID, r Reason) ([]Effect, error) {
	if _, err := ParseReason(string(r)); err != nil {
		return nil, err
	}
	tx := a.begin()
	ag, err := tx.agent(id)
	if err != nil {
		return tx.fail(err)
	}
	switch ag.state {
	case StateOnCall:
		if ag.afterCall != r {
			ag.afterCall = r
			tx.statusEffect(ag)
		}
		return tx.commit(), nil
	case StateNotReady:
		if ag.reason == r {
			return tx.commit(), nil
		}
	case StateOffered:
		tx.withdraw(ag)
	}
	ag.afterCall = ""
	tx.move(ag, StateNotReady, r, Event{Kind: EventPause, Reason: string(r)})
	return tx.commit(), nil
}

// EndWrapUp ends an agent's after-call work early: ready, or the not-ready
// reason asked for during the call. ECONFLICT when not in wrap_up.
func (a *ACD) EndWrapUp(id hotline.UserID) ([]Effect, error) {
	tx := a.begin()
	ag, err := tx.agent(id)
	if err != nil {
		return tx.fail(err)
	}
	if ag.state != StateWrapUp {
		return tx.fail(hotline.Errorf(hotline.ECONFLICT, "agent %s is %s, not in wrap-up", id, ag.state))
	}
	tx.release(ag, Event{Kind: EventWrapUpEnd, Reason: "agent"})
	return tx.commit(), nil
}

// agent finds a logged-in agent.
func (tx *txn) agent(id hotline.UserID) (*agent, error) {
	ag, ok := tx.a.agents[id]
	if !ok {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "agent %s is not logged in", id)
	}
	return ag, nil
}
