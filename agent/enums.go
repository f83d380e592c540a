package agent

import (
	"strconv"
	"strings"

	"github.com/cityhotline/hotline"
)

// parseEnum is the shared machinery behind the string enums of this package:
// each has String(), a parser and a round-trip test.
func parseEnum[T ~string](field, s string, all []T) (T, error) {
	for _, v := range all {
		if string(v) == s {
			return v, nil
		}
	}
	names := make([]string, len(all))
	for i, v := range all {
		names[i] = string(v)
	}
	var zero T
	return zero, hotline.Errorf(hotline.EINVALID, "unknown %s %q", field, s).
		WithField(field, "must be one of "+strings.Join(names, ", "))
}

// State is an agent's presence state.
type State string

// The states of an agent; see the package documentation for the transitions.
const (
	StateOffline  State = "offline"   // not logged in
	StateReady    State = "ready"     // waiting for a call (示闲)
	StateNotReady State = "not_ready" // logged in, taking no calls (示忙), with a Reason
	StateOffered  State = "offered"   // a call is ringing on the agent's softphone
	StateOnCall   State = "on_call"   // talking
	StateWrapUp   State = "wrap_up"   // after-call work (话后处理)
)

// States lists every state.
var States = []State{StateOffline, StateReady, StateNotReady, StateOffered, StateOnCall, StateWrapUp}

func (s State) String() string { return string(s) }

// ParseState parses a state name.
func ParseState(s string) (State, error) { return parseEnum("state", s, States) }

// Busy reports whether an agent in state s is working a call: offered,
// on_call or wrap_up (the wallboard's "busy").
func (s State) Busy() bool {
	return s == StateOffered || s == StateOnCall || s == StateWrapUp
}

// Reason says why an agent is not ready.
type Reason string

// Not-ready reasons. Clients may choose the first four; the ACD sets the
// others itself.
const (
	ReasonBreak    Reason = "break"     // 小休
	ReasonTraining Reason = "training"  // 培训
	ReasonMeeting  Reason = "meeting"   // 会议
	ReasonOther    Reason = "other"     // 其他; also set by Requeue for a dropped call
	ReasonNoAnswer Reason = "no_answer" // MaxNoAnswer offers in a row went unanswered
	ReasonLogin    Reason = "login"     // just logged in
)

// ClientReasons are the reasons an agent may choose (ParseReason accepts
// only these).
var ClientReasons = []Reason{ReasonBreak, ReasonTraining, ReasonMeeting, ReasonOther}

// Reasons lists every reason, including those the ACD sets itself.
var Reasons = []Reason{ReasonBreak, ReasonTraining, ReasonMeeting, ReasonOther, ReasonNoAnswer, ReasonLogin}

func (r Reason) String() string { return string(r) }

// ParseReason parses a reason an agent chose; "no_answer" and "login" are
// set by the ACD only and are refused.
func ParseReason(s string) (Reason, error) { return parseEnum("reason", s, ClientReasons) }

// Strategy is how a queue chooses among the agents that could take a call.
type Strategy string

// The strategies; see the package documentation.
const (
	StrategyLongestIdle   Strategy = "longest_idle"
	StrategyFewestCalls   Strategy = "fewest_calls"
	StrategyRoundRobin    Strategy = "round_robin"
	StrategyRingAll       Strategy = "ring_all"
	StrategySkillWeighted Strategy = "skill_weighted"
)

// Strategies lists every strategy.
var Strategies = []Strategy{StrategyLongestIdle, StrategyFewestCalls, StrategyRoundRobin, StrategyRingAll, StrategySkillWeighted}

func (s Strategy) String() string { return string(s) }

// ParseStrategy parses a strategy name. The empty string is refused here;
// QueueConfig turns an empty Strategy into longest_idle.
func ParseStrategy(s string) (Strategy, error) { return parseEnum("strategy", s, Strategies) }

// Priority orders waiting calls: higher first.
type Priority int

// The priorities the hotline uses.
const (
	PriorityNormal     Priority = 0
	PriorityRepeat     Priority = 1 // a repeat caller (重复来电)
	PriorityElderly    Priority = 2 // the elderly line (老年人专线)
	PriorityEscalation Priority = 3 // escalated by a supervisor
)

var priorityNames = []string{"normal", "repeat", "elderly", "escalation"}

// String names the four priorities and prints any other as its number.
func (p Priority) String() string {
	if p >= 0 && int(p) < len(priorityNames) {
		return priorityNames[p]
	}
	return strconv.Itoa(int(p))
}

// ParsePriority parses a priority name or a decimal number.
func ParsePriority(s string) (Priority, error) {
	for i, n := range priorityNames {
		if n == s {
			return Priority(i), nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, hotline.Errorf(hotline.EINVALID, "unknown priority %q", s).
			WithField("priority", "must be normal, repeat, elderly, escalation or a number")
	}
	return Priority(n), nil
}

// EffectKind is what an Effect asks the orchestration to do.
type EffectKind string

// The effects; see Effect.
const (
	EffectOffer          EffectKind = "offer"           // ring Agent with Call
	EffectOfferCancelled EffectKind = "offer_cancelled" // stop ringing Agent for Call; Reason says why
	EffectConnect        EffectKind = "connect"         // Agent accepted Call: bridge them
	EffectOverflow       EffectKind = "overflow"        // Call left its queue for Target (a queue, or "callback")
	EffectAnnounce       EffectKind = "announce"        // play Position and EstimatedWait to Call
	EffectAgentState     EffectKind = "agent_state"     // Agent's Status changed
	EffectRejected       EffectKind = "rejected"        // the queue was full and has no overflow
)

// EffectKinds lists every effect kind.
var EffectKinds = []EffectKind{EffectOffer, EffectOfferCancelled, EffectConnect, EffectOverflow, EffectAnnounce, EffectAgentState, EffectRejected}

func (k EffectKind) String() string { return string(k) }

// ParseEffectKind parses an effect kind.
func ParseEffectKind(s string) (EffectKind, error) { return parseEnum("effect", s, EffectKinds) }

// Why an offer ended without an answer (Effect.Reason of offer_cancelled,
// Event.Reason of ring_no_answer and ring_canceled).
const (
	CancelTaken     = "taken"     // ring_all: another agent answered
	CancelAbandoned = "abandoned" // the caller hung up
	CancelTimeout   = "timeout"   // rang RingTimeout without an answer
	CancelRejected  = "rejected"  // the agent pressed reject
	CancelOverflow  = "overflow"  // the call reached MaxWait and left the queue
	CancelWithdrawn = "withdrawn" // the agent went not ready, logged out, or lost its leg; or a warm transfer was withdrawn
)

// EventKind names an entry of the queue log. The vocabulary follows
// Asterisk's queue_log (contact-center-anchors.md §1.1).
type EventKind string

// The queue-log events.
const (
	EventEnter          EventKind = "enter"           // a call entered Queue (Reason "", "overflow", "transfer" or "warm_transfer")
	EventOffer          EventKind = "offer"           // Call offered to Agent
	EventRingNoAnswer   EventKind = "ring_no_answer"  // the offer ended unanswered: Reason "timeout" or "rejected"
	EventRingCanceled   EventKind = "ring_canceled"   // the offer was cancelled: Reason taken, abandoned, overflow, withdrawn
	EventConnect        EventKind = "connect"         // Agent answered Call after Wait (Reason "reconnect" after a Requeue)
	EventCompleteAgent  EventKind = "complete_agent"  // the agent hung up after Talk
	EventCompleteCaller EventKind = "complete_caller" // the caller hung up after Talk
	EventWrapUpEnd      EventKind = "wrap_up_end"     // after-call work ended (Reason "timeout" or "agent")
	EventAbandon        EventKind = "abandon"         // the caller hung up after Wait ("after_requeue" when it had been answered)
	EventTransfer       EventKind = "transfer"        // Agent handed Call over to queue Target (Reason: the agent it is for) after Talk: a blind transfer, or a warm one answered or left to run
	EventTransferCancel EventKind = "transfer_cancel" // a warm transfer's visit of Queue ended unanswered after Wait (Reason "agent": Agent withdrew it, "caller": the caller hung up)
	EventOverflow       EventKind = "overflow"        // Call left Queue for Target (Reason "max_wait" or "full")
	EventFull           EventKind = "full"            // Queue was full and had no overflow: the call was refused
	EventRequeue        EventKind = "requeue"         // Agent's leg dropped: Call back to the front of Queue
	EventPause          EventKind = "pause"           // Agent went not ready (Reason)
	EventUnpause        EventKind = "unpause"         // Agent went from not ready to ready
	EventLogin          EventKind = "login"           // Agent logged in (Reason "reconnect" when already in)
	EventLogout         EventKind = "logout"          // Agent logged out
)

// EventKinds lists every event kind.
var EventKinds = []EventKind{
	EventEnter, EventOffer, EventRingNoAnswer, EventRingCanceled, EventConnect,
	EventCompleteAgent, EventCompleteCaller, EventWrapUpEnd, EventAbandon, EventTransfer, EventTransferCancel,
	EventOverflow, EventFull, EventRequeue, EventPause, EventUnpause, EventLogin, EventLogout,
}

func (k EventKind) String() string { return string(k) }

// ParseEventKind parses an event kind.
func ParseEventKind(s string) (EventKind, error) { return parseEnum("event", s, EventKinds) }
