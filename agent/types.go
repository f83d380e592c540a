package agent

import (
	"time"

	"github.com/cityhotline/hotline"
)

// Profile is what an agent logs in with.
type Profile struct {
	ID     hotline.UserID
	Name   string
	Skills map[string]int // skill → level 1..10 (higher = better)
}

// Call is what the orchestration enqueues.
type Call struct {
	ID       hotline.CallID
	Queue    string // the queue asked for; Waiting.Queue is where the call is now
	Caller   string
	Priority Priority
	Attrs    map[string]string // IVR choices (menu, lang)
	Arrived  time.Time         // when the call reached the system (display only); zero → enqueue time
	Agent    hotline.UserID    // optional: only this agent may take the call (transfer to an agent)
	Note     string            // optional: transfer note shown to the receiving agent
}

// Waiting is a snapshot of a call the ACD holds: waiting, being offered, or
// connected. It never points into the ACD.
type Waiting struct {
	Call
	Queue     string           // current queue (after overflow or transfer it differs from Call.Queue)
	Enqueued  time.Time        // when it entered the current queue (a Requeue keeps it)
	Position  int              // 1-based among the calls waiting in Queue; 0 when connected or gone
	OfferedTo []hotline.UserID // every agent it has been offered to, first first
	Agent     hotline.UserID   // the agent it is connected to (during a warm transfer: the transferring agent)

	Ringing   []hotline.UserID // the agents it is being offered to now
	Connected time.Time        // when Agent answered

	// WarmTransfer is set while a warm transfer is pending: the call waits
	// in Queue (Position, Ringing) for its target, and Agent still talks to
	// the caller.
	WarmTransfer bool
}

// Status is an agent's presence as the desk and the wallboard see it.
type Status struct {
	Agent      hotline.UserID
	Name       string
	State      State
	Reason     Reason         // when not_ready
	Since      time.Time      // when State (or the not-ready Reason) began
	Call       hotline.CallID // when offered, on_call or wrap_up
	WrapUpEnd  time.Time      // when wrap_up
	Queues     []string       // the queues the agent serves (by skill)
	CallsToday int            // calls answered since local midnight
	Idle       time.Time      // when the agent last became ready (for longest_idle)

	AfterCall Reason // not-ready reason asked for during a call, applied when its wrap-up ends
}

// Effect is one thing the orchestration must carry out. The ACD never calls
// out while it holds its lock: every mutating method returns the effects it
// caused, in order, and Tick returns the effects of timeouts.
//
// Every offer ends in exactly one connect or one offer_cancelled for that
// agent, and every change of an agent's state or not-ready reason produces
// one agent_state. The effects of one batch (say the offers of a ring_all
// call) may share a snapshot's slices and Attrs map: treat them as
// read-only.
type Effect struct {
	Kind          EffectKind
	Agent         hotline.UserID
	Call          *Waiting // a snapshot copy of the call
	Reason        string   // offer_cancelled: taken, abandoned, timeout, rejected, overflow, withdrawn; overflow and rejected: max_wait or full
	Target        string   // overflow: the queue the call is now in, or "callback"
	Position      int      // offer and announce
	EstimatedWait time.Duration
	Status        *Status // agent_state
}

// Snapshot is the wallboard's picture of the ACD.
type Snapshot struct {
	At      time.Time
	Queues  []QueueSnapshot
	Agents  []Status // logged-in agents, sorted by name (then ID)
	ByState map[State]int
}

// QueueSnapshot is one queue on the wallboard.
type QueueSnapshot struct {
	Name           string
	Title          string
	Waiting        int
	LongestWait    time.Duration
	AgentsReady    int
	AgentsBusy     int // offered + on_call + wrap_up
	AgentsLoggedIn int

	Holdtime time.Duration // the running average wait of answered calls; 0 when unknown
}
