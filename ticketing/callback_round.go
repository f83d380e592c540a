package ticketing

import (
	"slices"
	"time"

	"github.com/cityhotline/hotline"
)

// Rounds. A ticket can need more than one callback: the unit replies, the
// citizen is dissatisfied, the ticket is reopened for the same unit, and
// the unit replies again; or the deadline passes with no reply (Art. 23)
// and the unit replies later. Each of these is a trigger (CallbackTrigger)
// and each trigger gets one round of callback: a callback planned at or
// after it. Covered tells the planner whether the current trigger already
// has its round.
//
// The assessment counts, per ticket, unit and month, the latest valid
// callback (Tally: 最终满意度, the opinion after the last handling), so a
// second round after a reopen replaces the first one's answers in the
// month's rates, and a first round that could not reach the citizen or got
// no clear opinion never counts. That is the usual rule (首次 vs 最终满意度
// in the 12345 callback records, rules §9.3) and the one the stores keep
// in their "final" mark; the planner only has to make sure that the second
// round happens.

// Covered reports whether the ticket's current trigger is answered by one
// of have (callbacks of any ticket; those not asking about t are ignored):
//
//   - one that asks about t is not final (pending, paused or calling): it
//     asks about t as it stands when it calls, so a reply that arrives
//     while an Art. 23 callback waits is asked about in that call;
//   - or one that asks about t was planned at or after the trigger: the
//     round for this reply or deadline was made, whatever its outcome
//     (done, unreachable, skipped by a supervisor, answered by hand).
//
// A ticket with no trigger is covered: there is nothing to ask about. A
// callback stored before Planned existed (zero) counts as planned at its
// due time, which is never before the trigger it was planned for.
func Covered(t *Ticket, have []*Callback) bool {
	trigger, _ := CallbackTrigger(t)
	if trigger.IsZero() {
		return true
	}
	for _, cb := range have {
		if cb == nil || !slices.Contains(cb.Tickets, t.ID) {
			continue
		}
		if !cb.State.Final() || !cb.plannedAt().Before(trigger) {
			return true
		}
	}
	return false
}

// plannedAt is Planned, or Due for a callback stored without it.
func (c *Callback) plannedAt() time.Time {
	if c.Planned.IsZero() {
		return c.Due
	}
	return c.Planned
}

// Detach splits ticket off a callback that asks about several: rest is cb
// without it; own is a new callback (no ID, no version) for the ticket
// alone, with cb's number, due and planned times and state, and no
// attempts. ok is false when cb does not ask about the ticket or asks
// about nothing else (act on cb itself then). A supervisor's pause or skip
// of one ticket thus leaves the citizen's other tickets on their call.
func Detach(cb Callback, ticket hotline.TicketID) (rest, own Callback, ok bool) {
	i := slices.Index(cb.Tickets, ticket)
	if i < 0 || len(cb.Tickets) < 2 {
		return cb, Callback{}, false
	}
	rest = cb.clone()
	rest.Tickets = slices.Delete(rest.Tickets, i, i+1)
	own = Callback{Tickets: []hotline.TicketID{ticket}, ContactNumber: cb.ContactNumber, Due: cb.Due,
		Planned: cb.Planned, State: cb.State}
	return rest, own, true
}

// CurrentCallback is the callback of have that asks about ticket and that
// a supervisor acts on: the one not final (pending, paused or calling), or
// else the latest planned (ties: the higher id). nil when none asks about
// it.
func CurrentCallback(have []*Callback, ticket hotline.TicketID) *Callback {
	var cur *Callback
	for _, cb := range have {
		if cb == nil || !slices.Contains(cb.Tickets, ticket) {
			continue
		}
		switch {
		case cur == nil:
			cur = cb
		case !cb.State.Final() && cur.State.Final():
			cur = cb
		case cb.State.Final() != cur.State.Final():
		case cb.plannedAt().After(cur.plannedAt()) || (cb.plannedAt().Equal(cur.plannedAt()) && cb.ID > cur.ID):
			cur = cb
		}
	}
	return cur
}

// CallsForReopen reports whether answers send a ticket back to its unit
// (when the policy reopens at all): the citizen says the problem is not
// resolved, or is dissatisfied. The robot's and the callback agents'
// answers follow the same rule.
func CallsForReopen(resolved YesNo, sat Satisfaction) bool {
	return resolved == AnswerNo || sat == Dissatisfied
}

// Reopenable reports whether a ticket in state s can be reopened after a
// callback: it was replied (or closed after the reply). An Art. 23
// callback on a ticket still with its unit reopens nothing: the ticket is
// still being handled.
func Reopenable(s State) bool { return s == StateReplied || s == StateClosed }
