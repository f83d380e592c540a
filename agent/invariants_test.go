package agent

import (
	"fmt"
	"slices"
)

// check verifies the ACD's internal invariants. Tests call it under load.
func (a *ACD) check() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, ag := range a.agents {
		if err := a.checkAgent(ag); err != nil {
			return fmt.Errorf("agent %s (%s): %w", ag.id, ag.state, err)
		}
	}
	for _, c := range a.calls {
		if err := a.checkCall(c); err != nil {
			return fmt.Errorf("call %s: %w", c.ID, err)
		}
	}
	for _, q := range a.queues {
		if err := a.checkQueue(q); err != nil {
			return fmt.Errorf("queue %s: %w", q.cfg.Name, err)
		}
	}
	return nil
}

func (a *ACD) checkAgent(ag *agent) error {
	for _, q := range ag.queues {
		if _, in := q.ready.pos[ag]; in != (ag.state == StateReady) {
			return fmt.Errorf("in the ready set of %s: %v", q.cfg.Name, in)
		}
	}
	switch ag.state {
	case StateOffered:
		c := ag.call
		if c == nil || a.calls[c.ID] != c || c.state != callWaiting || c.offerTo(ag) < 0 {
			return fmt.Errorf("offered a call that does not ring it")
		}
	case StateOnCall:
		c := ag.call
		switch {
		case c == nil || a.calls[c.ID] != c:
			return fmt.Errorf("on a call the ACD does not hold")
		case c.warm != nil && c.warm.from != ag:
			return fmt.Errorf("on call %s, which %s is warm-transferring", c.ID, c.warm.from.id)
		case c.warm == nil && (c.state != callConnected || c.agent != ag):
			return fmt.Errorf("on a call not connected to it")
		}
	default:
		if ag.call != nil {
			return fmt.Errorf("holds call %s", ag.call.ID)
		}
	}
	if (ag.state == StateWrapUp) == ag.wrap.end.IsZero() {
		return fmt.Errorf("wrap-up end %v", ag.wrap.end)
	}
	return nil
}

func (a *ACD) checkCall(c *call) error {
	if err := a.checkWarm(c); err != nil {
		return err
	}
	if c.state == callConnected {
		if c.q.index(c) >= 0 || len(c.offers) > 0 {
			return fmt.Errorf("connected but waiting or ringing")
		}
		return nil
	}
	if c.q.index(c) < 0 {
		return fmt.Errorf("waiting but not in %s", c.q.cfg.Name)
	}
	if len(c.offers) > 1 && c.q.cfg.Strategy != StrategyRingAll {
		return fmt.Errorf("offered to %d agents at once", len(c.offers))
	}
	for _, o := range c.offers {
		if o.ag.state != StateOffered || o.ag.call != c || a.agents[o.ag.id] != o.ag {
			return fmt.Errorf("rings %s, which is %s", o.ag.id, o.ag.state)
		}
	}
	// Settled: nobody who could take it is idle.
	switch {
	case c.target != nil && c.target.state == StateReady:
		return fmt.Errorf("its agent %s is ready", c.target.id)
	case c.target == nil && len(c.offers) == 0 && c.q.ready.len() > 0:
		return fmt.Errorf("waits while %s is ready", c.q.ready.list[0].ag.id)
	}
	return nil
}

// checkWarm checks a pending warm transfer: the call waits (and may ring),
// and its transferring agent is on it, on_call, with no overflow or
// announcement planned.
func (a *ACD) checkWarm(c *call) error {
	w := c.warm
	switch {
	case w == nil:
		return nil
	case c.state != callWaiting || c.agent != nil:
		return fmt.Errorf("warm transfer of a connected call")
	case a.agents[w.from.id] != w.from || w.from.state != StateOnCall || w.from.call != c:
		return fmt.Errorf("warm transfer from %s, which is %s", w.from.id, w.from.state)
	case !c.maxWaitAt().IsZero() || !c.nextAnnounce.IsZero():
		return fmt.Errorf("overflow or announcement planned during a warm transfer")
	case c.offerTo(w.from) >= 0:
		return fmt.Errorf("offered to its transferring agent %s", w.from.id)
	}
	return nil
}

func (a *ACD) checkQueue(q *queue) error {
	if !slices.IsSortedFunc(q.waiting, compareCalls) {
		return fmt.Errorf("waiting list out of order")
	}
	targeted := 0
	for _, c := range q.waiting {
		if a.calls[c.ID] != c || c.q != q {
			return fmt.Errorf("lists call %s that is not its own", c.ID)
		}
		if c.target != nil {
			targeted++
		}
	}
	if targeted != q.targeted {
		return fmt.Errorf("targeted count %d, counted %d", q.targeted, targeted)
	}
	count := map[State]int{}
	for ag := range q.members {
		count[ag.state]++
		if a.agents[ag.id] != ag {
			return fmt.Errorf("member %s is not logged in", ag.id)
		}
	}
	for _, st := range States {
		if count[st] != q.count[st] {
			return fmt.Errorf("%d members %s, counted %d", q.count[st], st, count[st])
		}
	}
	if q.ready.len() != count[StateReady] {
		return fmt.Errorf("ready set of %d for %d ready members", q.ready.len(), count[StateReady])
	}
	return nil
}
