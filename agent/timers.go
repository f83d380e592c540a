package agent

import (
	"cmp"
	"slices"
	"time"
)

// Retention is how long the in-memory queue log keeps events (for KPIs).
const Retention = 48 * time.Hour

// timerKind orders timers due at the same instant: offers time out and
// wrap-ups end before calls overflow, and announcements come last.
type timerKind int

const (
	timerRing timerKind = iota
	timerWrapUp
	timerMaxWait
	timerAnnounce
)

// timer is one pending timeout.
type timer struct {
	at   time.Time
	kind timerKind
	c    *call
	ag   *agent
}

// last is 1 for the timers Tick handles after the others (announcements).
func (t timer) last() int {
	if t.kind == timerAnnounce {
		return 1
	}
	return 0
}

func (t timer) id() string {
	if t.ag != nil {
		return string(t.ag.id)
	}
	return string(t.c.ID)
}

// timers calls f with every pending timeout. The set is small (a few per
// call and agent held) and scanning it is cheaper than keeping a heap in
// step with every change.
func (a *ACD) timers(f func(timer)) {
	for _, c := range a.calls {
		if c.state != callWaiting {
			continue
		}
		for _, o := range c.offers {
			f(timer{o.deadline, timerRing, c, o.ag})
		}
		if at := c.maxWaitAt(); !at.IsZero() {
			f(timer{at, timerMaxWait, c, nil})
		}
		if !c.nextAnnounce.IsZero() {
			f(timer{c.nextAnnounce, timerAnnounce, c, nil})
		}
	}
	for _, ag := range a.agents {
		if ag.state == StateWrapUp {
			f(timer{ag.wrap.end, timerWrapUp, nil, ag})
		}
	}
}

// NextDeadline is the earliest pending timeout, zero if there is none: a
// driver sleeps until then (or until the next operation) and calls Tick.
func (a *ACD) NextDeadline() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	var next time.Time
	a.timers(func(t timer) {
		if next.IsZero() || t.at.Before(next) {
			next = t.at
		}
	})
	return next
}

// Tick carries out the timeouts due at the clock's time, in deadline order:
// ring-no-answer, wrap-up end and MaxWait overflow; then the offers these
// make possible; then the announcements to the calls still waiting. It also drops log events older than Retention.
// A late Tick acts at its own time, not at the deadlines it missed.
func (a *ACD) Tick() []Effect {
	tx := a.begin()
	var due []timer
	a.timers(func(t timer) {
		if !t.at.After(tx.now) {
			due = append(due, t)
		}
	})
	slices.SortFunc(due, func(x, y timer) int {
		return cmp.Or(cmp.Compare(x.last(), y.last()), x.at.Compare(y.at), cmp.Compare(x.kind, y.kind), cmp.Compare(x.id(), y.id()))
	})
	// Announcements go last, after the calls freed by the other timeouts
	// have been offered: a call about to ring an agent hears nothing.
	i := slices.IndexFunc(due, func(t timer) bool { return t.kind == timerAnnounce })
	if i < 0 {
		i = len(due)
	}
	for _, t := range due[:i] {
		tx.fire(t)
	}
	tx.match()
	for _, t := range due[i:] {
		tx.fire(t)
	}
	a.prune(tx.now)
	return tx.commit()
}

// fire carries out one due timer, unless an earlier one made it stale.
func (tx *txn) fire(t timer) {
	a := tx.a
	switch t.kind {
	case timerRing:
		ag, c := t.ag, t.c
		if i := c.offerTo(ag); i >= 0 && c.offers[i].deadline.Equal(t.at) && a.calls[c.ID] == c {
			tx.dropOffer(c, ag, CancelTimeout)
			tx.missed(ag, tx.ringEvent(c, ag, EventRingNoAnswer, CancelTimeout))
		}
	case timerWrapUp:
		if ag := t.ag; a.agents[ag.id] == ag && ag.state == StateWrapUp && ag.wrap.end.Equal(t.at) {
			tx.release(ag, Event{Kind: EventWrapUpEnd, Reason: "timeout"})
		}
	case timerMaxWait:
		if c := t.c; a.calls[c.ID] == c && c.maxWaitAt().Equal(t.at) {
			tx.overflow(c)
		}
	case timerAnnounce:
		if c := t.c; a.calls[c.ID] == c && c.state == callWaiting && c.nextAnnounce.Equal(t.at) {
			tx.announce(c)
		}
	}
}

// overflow moves a call that waited MaxWait to its queue's overflow target.
func (tx *txn) overflow(c *call) {
	q := c.q
	tx.log(Event{Kind: EventOverflow, Queue: q.cfg.Name, Call: c.ID, Reason: "max_wait",
		Target: q.cfg.Overflow, Wait: tx.now.Sub(c.enqueued)})
	tx.forget(c)
	tx.cancelOffers(c, CancelOverflow)
	dest := OverflowCallback
	if q.overflow != nil {
		c.target, c.Call.Agent = nil, ""
		dest = tx.admit(c, q.overflow, "overflow")
	}
	if dest == "" {
		tx.emit(Effect{Kind: EffectRejected, Call: snap(c), Reason: "full"})
		return
	}
	tx.emit(Effect{Kind: EffectOverflow, Call: snap(c), Target: dest, Reason: "max_wait"})
}

// announce tells a waiting call its position and estimated wait, and plans
// the next announcement. A call that is ringing an agent is not interrupted;
// it hears the next one if it is still waiting then.
func (tx *txn) announce(c *call) {
	q := c.q
	next := c.nextAnnounce.Add(q.cfg.AnnounceEvery)
	if !next.After(tx.now) {
		next = tx.now.Add(q.cfg.AnnounceEvery)
	}
	c.nextAnnounce = next
	if len(c.offers) > 0 {
		return
	}
	pos := q.position(c)
	tx.emit(Effect{Kind: EffectAnnounce, Call: snap(c), Position: pos, EstimatedWait: q.estimate(pos)})
}

// prune drops the events older than Retention. Reslicing keeps the backing
// array until append outgrows it, which then copies only what is kept; a
// KPIs computation still reading the old slice is unaffected.
func (a *ACD) prune(now time.Time) {
	cutoff := now.Add(-Retention)
	i, _ := slices.BinarySearchFunc(a.events, cutoff, func(e Event, t time.Time) int { return e.At.Compare(t) })
	if i > 0 {
		a.events = a.events[i:]
	}
}
