package agent

import (
	"cmp"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/cityhotline/hotline"
)

// ACD is the automatic call distributor. All its state sits behind one
// mutex; it is safe for concurrent use, starts no goroutines and does no
// I/O. Time comes from the injected clock.
type ACD struct {
	clock       hotline.Clock
	logf        func(Event)
	maxNoAnswer int

	mu       sync.Mutex
	last     time.Time // the latest time seen: the ACD's time never goes back
	queues   []*queue
	byName   map[string]*queue
	agents   map[hotline.UserID]*agent
	calls    map[hotline.CallID]*call
	seq      int64
	offline  map[hotline.UserID]dayCount // calls today of agents who logged out
	events   []Event                     // the queue log of the last 48 h
	pending  []Event                     // events not yet given to logf
	flushing bool                        // a goroutine is delivering pending
}

// New returns an ACD for cfg. It refuses (EINVALID) duplicate or empty
// queue names, unknown strategies, negative limits, overflow targets that
// are not a queue or "callback", overflow cycles (a queue into itself
// included), and a MaxWait without an overflow target.
func New(cfg Config, clock hotline.Clock) (*ACD, error) {
	qs, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	if clock == nil {
		clock = hotline.SystemClock{}
	}
	a := &ACD{
		clock: clock, logf: cfg.Log, maxNoAnswer: cfg.MaxNoAnswer,
		byName: map[string]*queue{}, agents: map[hotline.UserID]*agent{},
		calls: map[hotline.CallID]*call{}, offline: map[hotline.UserID]dayCount{},
	}
	if a.maxNoAnswer == 0 {
		a.maxNoAnswer = DefaultMaxNoAnswer
	}
	for _, qc := range qs {
		q := newQueue(qc)
		a.queues = append(a.queues, q)
		a.byName[qc.Name] = q
	}
	for _, q := range a.queues {
		q.overflow = a.byName[q.cfg.Overflow]
	}
	return a, nil
}

// Queues returns the queue configurations with their defaults filled in.
func (a *ACD) Queues() []QueueConfig {
	out := make([]QueueConfig, len(a.queues))
	for i, q := range a.queues {
		out[i] = q.cfg // immutable after New
	}
	return out
}

// txn is one locked operation: the time it happens at and the effects it
// causes.
type txn struct {
	a       *ACD
	now     time.Time
	day     int
	effects []Effect
}

// begin reads the clock, then takes the lock. Two operations may read the
// clock in one order and lock in the other; the ACD's time is clamped so it
// never goes back.
func (a *ACD) begin() *txn {
	now := a.clock.Now()
	a.mu.Lock()
	if now.Before(a.last) {
		now = a.last
	}
	a.last = now
	return &txn{a: a, now: now, day: dayOf(now)}
}

// commit offers what can be offered, releases the lock, delivers the log and
// returns the effects.
func (tx *txn) commit() []Effect {
	tx.match()
	tx.a.mu.Unlock()
	tx.a.flush()
	return tx.effects
}

// fail releases the lock of an operation that changed nothing.
func (tx *txn) fail(err error) ([]Effect, error) {
	tx.a.mu.Unlock()
	return nil, err
}

func (tx *txn) emit(e Effect) { tx.effects = append(tx.effects, e) }

// log appends an event to the queue log at the operation's time.
func (tx *txn) log(e Event) {
	e.At = tx.now
	a := tx.a
	a.events = append(a.events, e)
	if a.logf != nil {
		a.pending = append(a.pending, e)
	}
}

// flush gives the pending events to Config.Log, outside the lock. One
// goroutine delivers at a time, in log order, and keeps going until nothing
// is pending, so no event waits for a later operation; a Log that calls
// back into the ACD finds delivery in progress and returns at once.
func (a *ACD) flush() {
	if a.logf == nil {
		return
	}
	a.mu.Lock()
	if a.flushing {
		a.mu.Unlock()
		return
	}
	a.flushing = true
	locked := true
	defer func() { // also when Log panics: the next operation delivers again
		if !locked {
			a.mu.Lock()
		}
		a.flushing = false
		a.mu.Unlock()
	}()
	for len(a.pending) > 0 {
		batch := a.pending
		a.pending = nil
		a.mu.Unlock()
		locked = false
		for _, e := range batch {
			a.logf(e)
		}
		a.mu.Lock()
		locked = true
	}
}

// Status returns a logged-in agent's status.
func (a *ACD) Status(id hotline.UserID) (Status, bool) {
	tx := a.begin()
	defer a.mu.Unlock()
	ag, ok := a.agents[id]
	if !ok {
		return Status{}, false
	}
	return tx.status(ag), true
}

// Call returns a call the ACD holds (waiting, offered or connected).
func (a *ACD) Call(id hotline.CallID) (Waiting, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.calls[id]
	if !ok {
		return Waiting{}, false
	}
	return waitingOf(c), true
}

// Snapshot returns the wallboard's picture.
func (a *ACD) Snapshot() Snapshot {
	tx := a.begin()
	defer a.mu.Unlock()
	s := Snapshot{At: tx.now, ByState: map[State]int{}}
	for _, st := range States {
		if st != StateOffline {
			s.ByState[st] = 0 // every state a logged-in agent can be in, zeros included
		}
	}
	for _, q := range a.queues {
		qs := QueueSnapshot{
			Name: q.cfg.Name, Title: q.cfg.Title, Waiting: len(q.waiting),
			AgentsReady: q.count[StateReady], AgentsLoggedIn: len(q.members),
			AgentsBusy: q.count[StateOffered] + q.count[StateOnCall] + q.count[StateWrapUp],
		}
		if q.answered {
			qs.Holdtime = q.holdtime
		}
		for _, c := range q.waiting {
			qs.LongestWait = max(qs.LongestWait, tx.now.Sub(c.enqueued))
		}
		s.Queues = append(s.Queues, qs)
	}
	for _, ag := range a.agents {
		s.Agents = append(s.Agents, tx.status(ag))
		s.ByState[ag.state]++
	}
	slices.SortFunc(s.Agents, func(x, y Status) int {
		return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.Agent, y.Agent))
	})
	return s
}

// status is ag's Status.
func (tx *txn) status(ag *agent) Status {
	s := Status{
		Agent: ag.id, Name: ag.name, State: ag.state, Since: ag.since,
		CallsToday: ag.calls.on(tx.day), Idle: ag.idle, AfterCall: ag.afterCall,
	}
	if ag.state == StateNotReady {
		s.Reason = ag.reason
	}
	for _, q := range ag.queues {
		s.Queues = append(s.Queues, q.cfg.Name)
	}
	switch {
	case ag.call != nil:
		s.Call = ag.call.ID
	case ag.state == StateWrapUp:
		s.Call, s.WrapUpEnd = ag.wrap.call, ag.wrap.end
	}
	return s
}

// waitingOf is a snapshot of c that shares no memory with the ACD.
func waitingOf(c *call) Waiting {
	w := Waiting{
		Call: c.Call, Queue: c.q.cfg.Name, Enqueued: c.enqueued,
		OfferedTo: slices.Clone(c.offeredTo),
	}
	w.Attrs = maps.Clone(c.Attrs)
	switch c.state {
	case callConnected:
		w.Agent, w.Connected = c.agent.id, c.connected
	default:
		w.Position = c.q.position(c)
		for _, o := range c.offers {
			w.Ringing = append(w.Ringing, o.ag.id)
		}
		if c.warm != nil {
			w.Agent, w.Connected, w.WarmTransfer = c.warm.from.id, c.warm.connected, true
		}
	}
	return w
}

func snap(c *call) *Waiting {
	w := waitingOf(c)
	return &w
}

func (tx *txn) statusEffect(ag *agent) {
	s := tx.status(ag)
	tx.emit(Effect{Kind: EffectAgentState, Agent: ag.id, Status: &s})
}
