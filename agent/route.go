package agent

import (
	"cmp"
	"slices"
)

// match makes every offer that can be made, at the end of each operation.
//
// Calls are taken in service order across all queues (front first, then
// priority, then placement order), and each is offered by its queue's
// strategy among the ready agents that serve it. So an agent that becomes
// ready gets the best call of all its queues, and a call that arrives gets
// the agent its strategy prefers.
//
// Two passes: the first never offers a call to an agent it was offered to
// before; the second allows that, for calls no other agent can take (and,
// under ring_all, that ring nobody any more). So a call that rang out on
// agent A goes to B when B is ready, and A gets another call rather than the
// same one again, but a call whose only possible agent is A rings A again.
//
// Cost: queues with no ready agent (and no call for one agent only) are
// skipped whole, and a queue is left as soon as its last ready agent is
// taken; a call that gets an offer costs one pass over its queue's ready
// agents. Nothing here is all agents × all calls.
func (tx *txn) match() {
	tx.matchPass(false)
	tx.matchPass(true)
}

// cursor walks one queue's waiting list during a pass.
type cursor struct {
	q *queue
	i int
}

// head returns the next call of the queue that could be offered now, or nil.
func (cu *cursor) head() *call {
	q := cu.q
	for cu.i < len(q.waiting) {
		if q.ready.len() == 0 && q.targeted == 0 {
			cu.i = len(q.waiting)
			break
		}
		if c := q.waiting[cu.i]; c.offerable() {
			return c
		}
		cu.i++
	}
	return nil
}

// offerable reports whether c could be offered to someone now.
func (c *call) offerable() bool {
	if c.target != nil {
		return c.target.state == StateReady
	}
	return c.q.ready.len() > 0 && (len(c.offers) == 0 || c.q.cfg.Strategy == StrategyRingAll)
}

func (tx *txn) matchPass(again bool) {
	var curs []cursor
	for _, q := range tx.a.queues {
		if len(q.waiting) > 0 && (q.ready.len() > 0 || q.targeted > 0) {
			curs = append(curs, cursor{q: q})
		}
	}
	for {
		best, bestCall := -1, (*call)(nil)
		for i := range curs {
			if c := curs[i].head(); c != nil && (bestCall == nil || compareCalls(c, bestCall) < 0) {
				best, bestCall = i, c
			}
		}
		if best < 0 {
			return
		}
		curs[best].i++
		tx.offerCall(bestCall, again)
	}
}

// offerCall offers c by its queue's strategy, or to its target.
func (tx *txn) offerCall(c *call, again bool) {
	q := c.q
	switch {
	case c.target != nil:
		tx.offer(c, c.target)
	case q.cfg.Strategy == StrategyRingAll:
		// Everyone ready at once; in the second pass, those rung before
		// too, but only when nobody is ringing any more.
		if again && len(c.offers) > 0 {
			return
		}
		ags := q.ready.byIdle()
		if !again {
			ags = slices.DeleteFunc(ags, func(ag *agent) bool { return c.wasOffered(ag.id) })
		}
		tx.offer(c, ags...)
	default:
		if ag := tx.pick(q, c, again); ag != nil {
			tx.offer(c, ag)
		}
	}
}

// pick returns the ready agent of q that q's strategy prefers for c, or nil.
// Agents c was offered to before are skipped unless again.
func (tx *txn) pick(q *queue, c *call, again bool) *agent {
	if !again && len(c.offeredTo) >= q.ready.len() && q.ready.allOffered(c) {
		return nil
	}
	var best member
	for _, m := range q.ready.list {
		if !again && c.wasOffered(m.ag.id) {
			continue
		}
		if best.ag == nil || tx.prefer(q, m, best) < 0 {
			best = m
		}
	}
	return best.ag
}

// prefer compares two ready members of q by q's strategy: negative when x
// should be offered first. Ties fall to longest idle, then to the ID, so the
// choice never depends on map or set order.
func (tx *txn) prefer(q *queue, x, y member) int {
	switch q.cfg.Strategy {
	case StrategyFewestCalls:
		if c := cmp.Compare(x.ag.calls.on(tx.day), y.ag.calls.on(tx.day)); c != 0 {
			return c
		}
	case StrategySkillWeighted:
		if c := cmp.Compare(y.level, x.level); c != 0 {
			return c
		}
	case StrategyRoundRobin:
		// Rotate in ID order, starting after the agent offered last.
		xAfter, yAfter := x.ag.id > q.rrLast, y.ag.id > q.rrLast
		if xAfter != yAfter {
			if xAfter {
				return -1
			}
			return 1
		}
		return cmp.Compare(x.ag.id, y.ag.id)
	}
	if c := x.ag.idle.Compare(y.ag.idle); c != 0 {
		return c
	}
	return cmp.Compare(x.ag.id, y.ag.id)
}

// offer rings ags (one, or everyone under ring_all) with c. The offer
// effects share one snapshot of the call, taken with all of them ringing.
func (tx *txn) offer(c *call, ags ...*agent) {
	if len(ags) == 0 {
		return
	}
	q := c.q
	deadline := tx.now.Add(q.cfg.RingTimeout)
	for _, ag := range ags {
		c.offers = append(c.offers, offer{ag: ag, deadline: deadline})
		c.noteOffered(ag.id)
		ag.call = c
	}
	if q.cfg.Strategy == StrategyRoundRobin {
		q.rrLast = ags[len(ags)-1].id
	}
	pos := q.position(c)
	w := waitingOf(c)
	for _, ag := range ags {
		tx.emit(Effect{Kind: EffectOffer, Agent: ag.id, Call: new(w), Position: pos, EstimatedWait: q.estimate(pos)})
		tx.move(ag, StateOffered, "", tx.ringEvent(c, ag, EventOffer, ""))
	}
}

func (s *readySet) len() int { return len(s.list) }

// allOffered reports whether every ready agent was offered c before.
func (s *readySet) allOffered(c *call) bool {
	for _, m := range s.list {
		if !c.wasOffered(m.ag.id) {
			return false
		}
	}
	return true
}

// byIdle returns the ready agents, longest idle first.
func (s *readySet) byIdle() []*agent {
	out := make([]*agent, len(s.list))
	for i, m := range s.list {
		out[i] = m.ag
	}
	slices.SortFunc(out, func(x, y *agent) int {
		return cmp.Or(x.idle.Compare(y.idle), cmp.Compare(x.id, y.id))
	})
	return out
}
