package agent

import (
	"slices"
	"time"

	"github.com/cityhotline/hotline"
)

// queue is a configured queue and what is in it.
type queue struct {
	cfg      QueueConfig
	overflow *queue // nil when Overflow is "" or "callback"

	members map[*agent]int // logged-in agents serving the queue → skill level
	ready   readySet       // the members in state ready
	count   map[State]int  // members by state

	waiting  []*call // ordered by callBefore
	targeted int     // waiting calls that only one agent may take

	holdtime time.Duration // running average wait of answered calls (Asterisk's holdtime)
	answered bool          // holdtime has a sample
	rrLast   hotline.UserID
}

func newQueue(cfg QueueConfig) *queue {
	return &queue{cfg: cfg, members: map[*agent]int{}, ready: readySet{pos: map[*agent]int{}}, count: map[State]int{}}
}

// full reports whether a new call would exceed MaxLen.
func (q *queue) full() bool { return q.cfg.MaxLen > 0 && len(q.waiting) >= q.cfg.MaxLen }

func (q *queue) insert(c *call) {
	i, _ := slices.BinarySearchFunc(q.waiting, c, compareCalls)
	q.waiting = slices.Insert(q.waiting, i, c)
	if c.target != nil {
		q.targeted++
	}
}

func (q *queue) remove(c *call) {
	if i := q.index(c); i >= 0 {
		q.waiting = slices.Delete(q.waiting, i, i+1)
		if c.target != nil {
			q.targeted--
		}
	}
}

// index returns c's index in waiting, or -1.
func (q *queue) index(c *call) int {
	i, ok := slices.BinarySearchFunc(q.waiting, c, compareCalls)
	if !ok || q.waiting[i] != c {
		return -1
	}
	return i
}

// position is c's 1-based place among the waiting calls, 0 if not waiting.
func (q *queue) position(c *call) int { return q.index(c) + 1 }

// observeHold folds an answered call's wait into the running average the way
// Asterisk's app_queue does (holdtime = (3·old + new) / 4), seeded with the
// first sample.
func (q *queue) observeHold(wait time.Duration) {
	if !q.answered {
		q.holdtime, q.answered = wait, true
		return
	}
	q.holdtime = (3*q.holdtime + wait) / 4
}

// estimate is the expected wait of the call at position pos: holdtime ×
// position ÷ agents serving the queue (logged in and not in not_ready, at
// least 1). It is zero until a call of the queue has been answered.
func (q *queue) estimate(pos int) time.Duration {
	if !q.answered || pos <= 0 {
		return 0
	}
	serving := max(1, len(q.members)-q.count[StateNotReady])
	return q.holdtime * time.Duration(pos) / time.Duration(serving)
}

// readySet is a queue's ready members, with O(1) add and remove. The order
// of list means nothing: strategies compare agents, ties broken by ID.
type readySet struct {
	list []member
	pos  map[*agent]int
}

type member struct {
	ag    *agent
	level int // the agent's level in the queue's skill
}

func (s *readySet) add(ag *agent, level int) {
	if _, ok := s.pos[ag]; ok {
		return
	}
	s.pos[ag] = len(s.list)
	s.list = append(s.list, member{ag, level})
}

func (s *readySet) remove(ag *agent) {
	i, ok := s.pos[ag]
	if !ok {
		return
	}
	last := len(s.list) - 1
	s.list[i] = s.list[last]
	s.pos[s.list[i].ag] = i
	s.list = s.list[:last]
	delete(s.pos, ag)
}

// callState is where a call is in the ACD.
type callState int

const (
	callWaiting   callState = iota // in its queue's waiting list, perhaps being offered
	callConnected                  // talking to agent
)

// call is a call the ACD holds.
type call struct {
	Call
	q        *queue
	state    callState
	target   *agent    // set when only this agent may take it (Call.Agent)
	enqueued time.Time // entered the current queue; kept by Requeue
	queuedAt time.Time // (re)placed in the waiting list: MaxWait and announcements count from here
	front    bool      // placed ahead of the ordinary calls (requeue, transfer)
	seq      int64     // placement order, global across queues

	offers     []offer
	offeredTo  []hotline.UserID
	offeredSet map[hotline.UserID]bool // offeredTo as a set, once it is long
	answered   bool                    // answered in this queue visit: a reconnect after Requeue is not a new answer

	agent     *agent // when connected
	connected time.Time

	warm *warmTransfer // a pending warm transfer: waiting, yet still talking to warm.from

	nextAnnounce time.Time // zero: never
}

type offer struct {
	ag       *agent
	deadline time.Time
}

// compareCalls orders waiting calls: calls placed at the front first, then
// higher priority, then earlier placement. seq is global, so the order is
// the same within a queue and across queues.
func compareCalls(x, y *call) int {
	switch {
	case x.front != y.front:
		if x.front {
			return -1
		}
		return 1
	case x.Priority != y.Priority:
		if x.Priority > y.Priority {
			return -1
		}
		return 1
	case x.seq < y.seq:
		return -1
	case x.seq > y.seq:
		return 1
	}
	return 0
}

func (c *call) wasOffered(id hotline.UserID) bool {
	if c.offeredSet != nil {
		return c.offeredSet[id]
	}
	return slices.Contains(c.offeredTo, id)
}

// noteOffered adds id to the agents c was offered to. Past a handful (a
// ring_all queue) a set keeps the lookups constant.
func (c *call) noteOffered(id hotline.UserID) {
	if c.wasOffered(id) {
		return
	}
	c.offeredTo = append(c.offeredTo, id)
	switch {
	case c.offeredSet != nil:
		c.offeredSet[id] = true
	case len(c.offeredTo) > 16:
		c.offeredSet = make(map[hotline.UserID]bool, 2*len(c.offeredTo))
		for _, o := range c.offeredTo {
			c.offeredSet[o] = true
		}
	}
}

// offerTo returns the index of ag's current offer of c, or -1.
func (c *call) offerTo(ag *agent) int {
	return slices.IndexFunc(c.offers, func(o offer) bool { return o.ag == ag })
}

// maxWaitAt is when c overflows, zero if never (a call still talking to
// the agent who warm-transfers it does not overflow).
func (c *call) maxWaitAt() time.Time {
	if c.state != callWaiting || c.q.cfg.MaxWait <= 0 || c.warm != nil {
		return time.Time{}
	}
	return c.queuedAt.Add(c.q.cfg.MaxWait)
}

// agent is a logged-in agent.
type agent struct {
	id     hotline.UserID
	name   string
	skills map[string]int
	queues []*queue // served, in configuration order

	state  State
	reason Reason
	since  time.Time
	idle   time.Time

	call      *call      // when offered or on_call
	wrap      wrapUpWork // when wrap_up
	afterCall Reason     // not-ready reason asked for during a call
	noAnswer  int        // offers in a row not answered
	calls     dayCount   // answered calls today
}

// wrapUpWork is the after-call work of a call that has left the ACD.
type wrapUpWork struct {
	call       hotline.CallID
	queue      *queue
	start, end time.Time
}

// dayCount counts on one local day; a count of another day reads as zero.
type dayCount struct {
	day, n int
}

func dayOf(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

func (c dayCount) on(day int) int {
	if c.day != day {
		return 0
	}
	return c.n
}

func (c *dayCount) inc(day int) {
	if c.day != day {
		*c = dayCount{day: day}
	}
	c.n++
}
