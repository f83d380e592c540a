package ticketing

import (
	"strings"
	"time"
)

// DueAt is when the callback for a reply given at replied falls due: Delay
// later, moved forward into the next calling window.
func DueAt(replied time.Time, p CallbackPolicy, cal *Calendar) time.Time {
	return IntoWindow(replied.Add(p.Delay), p, cal)
}

// DeadlineDueAt is when the callback for a ticket whose reply deadline passed
// with no reply falls due. Art. 23 of the Regulation: "诉求办理时限期满" the
// hotline centre calls the citizen back to learn how the request was
// handled. The scheduling rule applies the same Delay as after a
// reply (HOTLINE_CALLBACK_DELAY): the deadline plus Delay, moved into the
// next calling window. The delay also lets a reply that comes just late
// reach the citizen before they are asked.
func DeadlineDueAt(deadline time.Time, p CallbackPolicy, cal *Calendar) time.Time {
	return IntoWindow(deadline.Add(p.Delay), p, cal)
}

// CallbackDue is when the callback for t falls due: after its reply, or
// after its reply deadline when the unit let it pass (Art. 23). ok is false
// when the ticket has neither. It does not check eligibility; see Eligible.
func CallbackDue(t *Ticket, p CallbackPolicy, cal *Calendar) (due time.Time, ok bool) {
	switch trigger, byDeadline := CallbackTrigger(t); {
	case trigger.IsZero():
		return time.Time{}, false
	case byDeadline:
		return DeadlineDueAt(trigger, p, cal), true
	default:
		return DueAt(trigger, p, cal), true
	}
}

// CallbackTrigger is the event a callback for t answers: the unit's reply
// (RepliedAt), or, with no reply, the reply deadline (ReplyDue, Art. 23;
// byDeadline true). Zero when t has neither. A reopen clears RepliedAt and
// starts a new deadline, so each round of handling has a trigger of its
// own; see Covered.
func CallbackTrigger(t *Ticket) (at time.Time, byDeadline bool) {
	switch {
	case t == nil:
		return time.Time{}, false
	case !t.RepliedAt.IsZero():
		return t.RepliedAt, false
	case !t.ReplyDue.IsZero():
		return t.ReplyDue, true
	}
	return time.Time{}, false
}

// InWindow reports whether a call may start at t: inside the window, on a
// calling day.
func InWindow(t time.Time, p CallbackPolicy, cal *Calendar) bool {
	start := midnight(t)
	off := t.Sub(start)
	return callingDay(t, p, cal) && off >= p.Window.From && off < p.Window.To
}

// IntoWindow returns t when a call may start then, else the start of the
// next calling window: that day's when t is before it, else the next
// calling day's. A calendar with no calling day for ten years yields the
// last day looked at.
func IntoWindow(t time.Time, p CallbackPolicy, cal *Calendar) time.Time {
	cur := t
	for range maxCalendarDays {
		day := midnight(cur)
		if callingDay(cur, p, cal) {
			from, to := day.Add(p.Window.From), day.Add(p.Window.To)
			if cur.Before(from) {
				return from
			}
			if cur.Before(to) {
				return cur
			}
		}
		cur = nextMidnight(cur)
	}
	return cur
}

// callingDay reports whether calls may be made on t's day.
func callingDay(t time.Time, p CallbackPolicy, cal *Calendar) bool {
	return !p.SkipHolidays || cal == nil || !cal.Holiday(t)
}

func midnight(t time.Time) time.Time {
	y, m, d := t.In(Beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Beijing)
}

// Eligible reports whether t may get a satisfaction callback; when not,
// reason says why, for the skip record. Tickets qualify once replied (or
// closed after a reply), or, under Art. 23, while their reply deadline is
// overdue (red reply light) with no reply.
func Eligible(t *Ticket) (ok bool, reason string) {
	if reason := ineligible(t); reason != "" {
		return false, reason
	}
	return true, ""
}

func ineligible(t *Ticket) string {
	switch {
	case t == nil:
		return "no ticket"
	case t.Confidential:
		return "confidential"
	case t.NoCallback:
		return "citizen declined callbacks"
	case t.MergedInto != "" || t.Triage == TriageMerged:
		return "merged into " + string(t.MergedInto)
	case NormalizeNumber(t.ContactNumber) == "":
		return "no contact number"
	case t.Unit == "":
		return "no handling unit (not dispatched)"
	}
	return notRepliedReason(t)
}

func notRepliedReason(t *Ticket) string {
	switch {
	case t.State == StateReplied:
		return ""
	case t.State == StateClosed && !t.RepliedAt.IsZero():
		return ""
	case t.State.WithUnit() && t.RepliedAt.IsZero() && t.ReplyLight == LightRed && !t.ReplyDue.IsZero():
		return "" // Art. 23: the deadline passed without a reply
	case t.State == StateArchived:
		return "archived"
	}
	return "not replied (" + string(t.State) + ")"
}

// NormalizeNumber reduces a phone number to the digits that identify it, so
// "138-0013-8000", "+86 13800138000" and "13800138000" group together. It
// returns "" when no digit is left.
func NormalizeNumber(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	n := b.String()
	for _, cc := range []string{"0086", "86"} {
		if rest, ok := strings.CutPrefix(n, cc); ok && len(rest) == 11 && rest[0] == '1' {
			return rest
		}
	}
	return n
}
