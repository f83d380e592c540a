// Package agent is the ACD (automatic call distribution) of the 12345
// hotline: agents and their presence, queues, skills, and the router that
// offers waiting calls to agents. It follows Asterisk's app_queue and
// FreeSWITCH's mod_callcenter (contact-center-anchors.md §1.1, §1.2).
//
// # Model
//
// The ACD is pure domain logic. It holds all its state behind one mutex,
// starts no goroutines and does no I/O; time comes from an injected
// hotline.Clock. It never calls out while it holds its lock: every mutating
// method returns the Effects it caused, in order (ring this agent, stop
// ringing, bridge, announce, overflow, agent status changed), and the
// orchestration (package call) carries them out. Timeouts are not timers:
// the driver sleeps until NextDeadline and calls Tick, which returns the
// effects of what timed out.
//
// A call enters a queue with Enqueue. It waits in the queue's list, ordered
// by: calls put back at the front (Requeue, Transfer) first, then higher
// Priority, then earlier placement. It is offered to one agent (to every
// ready agent under ring_all); the agent answers (Answer), rejects (Reject)
// or lets it ring out (RingTimeout); then it is connected until Complete,
// Transfer, TransferWarm or Requeue. The caller may hang up while waiting
// (Abandon). After MaxWait, or at once when the queue holds MaxLen calls,
// it overflows to another queue or to "callback" (the orchestration offers
// to call back); a full queue without overflow refuses it (EffectRejected).
//
// After each operation the ACD offers every call that can be offered: calls
// in the order above across all queues, each by its queue's strategy among
// the ready agents with the queue's skill. So an agent that becomes ready is
// offered the best waiting call of all the queues it serves (highest
// priority, then longest waiting), and an arriving call is offered to the
// agent its strategy prefers. A call is not offered again to an agent who
// missed it while another agent could take it. An agent has at most one
// offer at a time. A call with Call.Agent set (a transfer to an agent) is
// offered to that agent only, whatever its skills.
//
// # Agent states
//
//	offline   ──Login──────────────▶ not_ready(login)
//	not_ready ──SetReady───────────▶ ready
//	ready     ──SetNotReady────────▶ not_ready(reason)
//	ready     ──(offer)────────────▶ offered
//	offered   ──Answer─────────────▶ on_call
//	offered   ──Reject, ring-out───▶ ready, or not_ready(no_answer) after MaxNoAnswer in a row
//	offered   ──taken, abandoned,
//	            overflow───────────▶ ready (keeping its place in the idle order)
//	offered   ──SetNotReady────────▶ not_ready(reason); the call is offered elsewhere
//	on_call   ──Complete, Transfer─▶ wrap_up (ready at once when the queue's WrapUp < 0)
//	on_call   ──TransferWarm───────▶ on_call, until the target answers (then wrap_up) or it is cancelled
//	on_call   ──Requeue────────────▶ not_ready(other); the call goes back to the front
//	wrap_up   ──WrapUp elapses,
//	            EndWrapUp──────────▶ ready (or the not-ready reason asked for during the call)
//	wrap_up   ──SetReady───────────▶ ready
//	wrap_up   ──SetNotReady────────▶ not_ready(reason)
//	any but on_call ──Logout───────▶ offline
//
// Not-ready reasons: break 小休, training 培训, meeting 会议, other 其他
// (chosen by the agent), no_answer and login (set by the ACD). SetNotReady
// during a call records the reason, applied when the call's wrap-up ends.
// Login again while logged in (the desk reconnected) keeps the state.
//
// # Warm transfer
//
// TransferWarm offers a connected call to a queue or an agent like
// Transfer, but the transferring agent stays on it: on_call, offered
// nothing else, while the call waits at the front of the target queue
// (Waiting.WarmTransfer, with Agent still the transferring agent). The
// offers ring out, are rejected and move on under the usual rules; the call
// neither overflows nor hears announcements. When an agent answers, the
// call moves in one step: the transferring agent goes to wrap-up, its
// handling logged as a transfer (so it counts in AHT as a handled call),
// and the answering agent is connected (connect). CancelTransfer withdraws
// it: offers cancelled ("withdrawn"), the visit logged as transfer_cancel,
// the call connected to the transferring agent as before. If that agent
// hangs up (Complete by "agent") the transfer goes on as a blind one, the
// call waiting alone from then on; if its leg is lost (Requeue) the same,
// with the agent set not_ready; if the caller hangs up (Complete by
// "caller") the call ends and its offers are cancelled ("abandoned"). A
// second warm or blind transfer while one is pending is ECONFLICT.
//
// # Strategies
//
// Among the ready agents with the queue's skill (and, first, those not
// offered this call before):
//
//   - longest_idle (default): the agent ready the longest (earliest Idle).
//     Idle restarts whenever the agent becomes ready, except after an offer
//     that ended through no fault of its own (taken, abandoned, overflow).
//   - fewest_calls: fewest calls answered today; ties go to longest idle.
//   - round_robin: the next agent by ID after the one offered last,
//     wrapping around.
//   - ring_all: every such agent at once; the first Answer wins and the
//     others get offer_cancelled("taken").
//   - skill_weighted: the highest level in the queue's skill; ties go to
//     longest idle.
//
// Remaining ties go to the lower ID, so routing never depends on map order.
//
// # Announcements and estimated wait
//
// Every AnnounceEvery a waiting call that is not ringing an agent gets an
// EffectAnnounce with its Position and EstimatedWait. The estimate follows
// Asterisk's holdtime: each queue keeps a running average of the waits of
// its answered calls, avg = (3·avg + wait)/4, and
//
//	EstimatedWait = avg × Position ÷ max(1, agents logged in and not in not_ready)
//
// It is zero until a call of the queue has been answered.
//
// # Queue log and KPIs
//
// Every change is logged as an Event, in the vocabulary of Asterisk's
// queue_log (enter, offer, ring_no_answer, connect, complete_agent,
// complete_caller, abandon, transfer, overflow, pause, unpause, login,
// logout, requeue, and ring_canceled, wrap_up_end, full, transfer_cancel).
// Events that change an agent's state carry the new State; the event that
// ends a wrap-up carries its length. Config.Log receives them in order, after the lock is
// released; the ACD also keeps the last 48 hours in memory (Retention) for
// KPIs. A store keeps the log for longer (a store's FindQueueEvents takes an
// EventFilter): Restore loads a previous run's events back into memory, and
// ComputeKPISeries computes the KPIs of any windows of a stored log as KPIs
// does of the one in memory. The formulas (contact-center-anchors.md §1.11), over queue visits
// (a call's stay in one queue):
//
//	ServiceLevel = answered within ServiceLevel ÷ (answered + abandoned)
//	ASA          = Σ wait of answered calls ÷ answered
//	AbandonRate  = abandoned ÷ offered (visits that entered the queue)
//	AHT          = (Σ talk + Σ wrap-up) ÷ handled (completed or transferred)
//	Occupancy    = time on_call or wrap_up ÷ time ready, offered, on_call or wrap_up
//
// AbandonedShort counts abandons within 5 s (Asterisk's SL2 idea). A call
// requeued after it was answered is not answered or abandoned a second
// time. See KPI for the details.
package agent
