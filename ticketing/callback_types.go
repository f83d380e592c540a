package ticketing

import (
	"time"

	"github.com/cityhotline/hotline"
)

// CallbackState is where a scheduled satisfaction callback stands.
type CallbackState string

// Callback states.
const (
	CallbackPending     CallbackState = "pending"     // waiting for its due time and a free line
	CallbackCalling     CallbackState = "calling"     // a survey call is in progress
	CallbackDone        CallbackState = "done"        // the citizen was reached (answers may be partial)
	CallbackUnreachable CallbackState = "unreachable" // 联系不上: every attempt failed
	CallbackSkipped     CallbackState = "skipped"     // no longer eligible (declined, confidential, merged …)
	CallbackPaused      CallbackState = "paused"      // held by a supervisor; never picked
)

// CallbackStates lists every state.
var CallbackStates = []CallbackState{CallbackPending, CallbackCalling, CallbackDone, CallbackUnreachable, CallbackSkipped, CallbackPaused}

func (s CallbackState) String() string { return string(s) }

// ParseCallbackState parses a callback state.
func ParseCallbackState(s string) (CallbackState, error) {
	return parseEnum("callback_state", s, CallbackStates)
}

// Final reports whether no more calls will be made without a re-run.
func (s CallbackState) Final() bool {
	return s == CallbackDone || s == CallbackUnreachable || s == CallbackSkipped
}

// CallResult is how one survey call attempt ended.
type CallResult string

// Call results.
const (
	ResultAnswered    CallResult = "answered"    // the survey ran to its end
	ResultNoAnswer    CallResult = "no_answer"   // rang out (SIP 408/480/487 after the ring timeout)
	ResultBusy        CallResult = "busy"        // SIP 486/600
	ResultUnreachable CallResult = "unreachable" // number not in service, switched off (404/410/484/503 from the far end)
	ResultFailed      CallResult = "failed"      // our side or the trunk failed; not the citizen's doing
	ResultHungUp      CallResult = "hung_up"     // the citizen answered and hung up mid-survey
)

// CallResults lists every result.
var CallResults = []CallResult{ResultAnswered, ResultNoAnswer, ResultBusy, ResultUnreachable, ResultFailed, ResultHungUp}

func (r CallResult) String() string { return string(r) }

// ParseCallResult parses a call result.
func ParseCallResult(s string) (CallResult, error) { return parseEnum("call_result", s, CallResults) }

// Reached reports whether the citizen picked up.
func (r CallResult) Reached() bool { return r == ResultAnswered || r == ResultHungUp }

// Callback is one scheduled satisfaction call to one citizen about all of
// their tickets that fell due at about the same time.
type Callback struct {
	ID            int64              // assigned by the store
	Tickets       []hotline.TicketID // asked about in this order
	ContactNumber string             // normalised (see NormalizeNumber)
	Due           time.Time          // earliest start of the next attempt; always inside a window
	Planned       time.Time          // when it was planned; it answers the replies and deadlines before (see Covered)
	Attempts      int                // calls made so far
	State         CallbackState
	LastResult    CallResult // "" before the first attempt
	History       []CallbackAttempt
	Reason        string // why it was skipped
	Version       int    // optimistic concurrency, bumped by the store
}

// CallbackAttempt is one call of a callback.
type CallbackAttempt struct {
	Started time.Time
	Ended   time.Time
	Result  CallResult
}

// clone returns a copy that shares no slice with c.
func (c Callback) clone() Callback {
	c.Tickets = append([]hotline.TicketID(nil), c.Tickets...)
	c.History = append([]CallbackAttempt(nil), c.History...)
	return c
}
