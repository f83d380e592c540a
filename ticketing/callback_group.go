package ticketing

import (
	"cmp"
	"slices"
	"time"

	"github.com/cityhotline/hotline"
)

// DueTicket is one eligible ticket with the time its callback falls due.
type DueTicket struct {
	Ticket  hotline.TicketID
	Contact string // as filed; Group normalises it
	Due     time.Time
}

// SkippedTicket is a ticket Plan left out, with the reason.
type SkippedTicket struct {
	Ticket hotline.TicketID
	Reason string
}

// Plan turns tickets into pending callbacks: ineligible ones are skipped
// with their reason, the rest are timed by CallbackDue and grouped by Group.
func Plan(tickets []*Ticket, p CallbackPolicy, cal *Calendar) ([]Callback, []SkippedTicket) {
	var due []DueTicket
	var skipped []SkippedTicket
	for _, t := range tickets {
		if ok, reason := Eligible(t); !ok {
			if t != nil {
				skipped = append(skipped, SkippedTicket{Ticket: t.ID, Reason: reason})
			}
			continue
		}
		at, ok := CallbackDue(t, p, cal)
		if !ok {
			skipped = append(skipped, SkippedTicket{Ticket: t.ID, Reason: "no reply and no deadline"})
			continue
		}
		due = append(due, DueTicket{Ticket: t.ID, Contact: t.ContactNumber, Due: at})
	}
	return Group(due, p.GroupSpan), skipped
}

// Group makes one pending callback per contact number for tickets whose due
// times lie within span of the earliest of them; the callback is due at the
// latest, so every ticket has waited its delay. A number with tickets further
// apart gets several callbacks. Tickets without a usable number are dropped
// (Eligible rejects them first). The result is ordered by due time, then
// number; tickets within a callback by due time, then id.
func Group(items []DueTicket, span time.Duration) []Callback {
	byNumber := map[string][]DueTicket{}
	for _, it := range items {
		if n := NormalizeNumber(it.Contact); n != "" {
			byNumber[n] = append(byNumber[n], it)
		}
	}
	var out []Callback
	for number, its := range byNumber {
		out = append(out, groupNumber(number, its, span)...)
	}
	slices.SortFunc(out, func(a, b Callback) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.ContactNumber, b.ContactNumber))
	})
	return out
}

// groupNumber splits one number's tickets into runs no wider than span.
func groupNumber(number string, its []DueTicket, span time.Duration) []Callback {
	slices.SortFunc(its, func(a, b DueTicket) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.Ticket, b.Ticket))
	})
	var out []Callback
	for i := 0; i < len(its); {
		cb := Callback{ContactNumber: number, State: CallbackPending}
		first := its[i].Due
		for ; i < len(its) && its[i].Due.Sub(first) <= span; i++ {
			if !slices.Contains(cb.Tickets, its[i].Ticket) {
				cb.Tickets = append(cb.Tickets, its[i].Ticket)
			}
			cb.Due = its[i].Due
		}
		out = append(out, cb)
	}
	return out
}

// Pick chooses the callbacks to start at now: pending ones that are due, at
// most MaxConcurrent minus running of them, oldest due first (ties by id,
// then number). Outside the calling window, or on a holiday, it picks none;
// paused, calling and finished callbacks are never picked.
func Pick(due []Callback, now time.Time, running int, p CallbackPolicy, cal *Calendar) []Callback {
	free := p.MaxConcurrent - running
	if free <= 0 || !InWindow(now, p, cal) {
		return nil
	}
	var ready []Callback
	for _, cb := range due {
		if cb.State == CallbackPending && !cb.Due.After(now) {
			ready = append(ready, cb)
		}
	}
	slices.SortStableFunc(ready, func(a, b Callback) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.ID, b.ID), cmp.Compare(a.ContactNumber, b.ContactNumber))
	})
	return ready[:min(free, len(ready))]
}
