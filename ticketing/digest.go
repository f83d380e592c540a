package ticketing

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/cityhotline/hotline"
)

// A Digest is a handling unit's morning list of what is due (每日待办): the
// orders it holds whose next deadline has passed, falls today or tomorrow,
// the orders that arrived in the last day, those under supervision, and
// what awaits the centre's ruling. Each order appears once, under its most
// pressing heading, with the clock that is running.
type Digest struct {
	Unit      hotline.UnitID
	Day       time.Time // the Beijing day the digest is for (midnight)
	Generated time.Time
	Open      int // orders the unit holds (dispatched or in progress)

	Overdue     []DigestItem // a running clock is past its deadline
	DueToday    []DigestItem // the next deadline falls before midnight
	DueTomorrow []DigestItem // the next deadline falls tomorrow
	Arrived     []DigestItem // dispatched to the unit in the last 24 h, none of the above
	Supervised  []DigestItem // under supervision (督办) or urged, none of the above

	PendingReturns    int // orders the unit sent back, awaiting the centre's ruling
	PendingExtensions int // extensions the unit asked for, awaiting approval
	Truncated         bool
}

// DigestItem is one order in a digest.
type DigestItem struct {
	Ticket     hotline.TicketID
	Title      string
	Category   hotline.CategoryID
	State      State
	Clock      string // the running clock: accept, contact or reply ("" when none runs)
	Due        time.Time
	Light      Light
	Supervised bool
	Urges      int
}

// DigestLimit caps each heading's list; the counts in Open and the
// headings' lengths up to it are exact, Truncated says a list was cut.
const DigestLimit = 100

// BuildDigest sorts a unit's open orders into the digest for now's
// Beijing day. tickets are the orders the unit holds; others are ignored.
func BuildDigest(unit hotline.UnitID, tickets []*Ticket, now time.Time) *Digest {
	bj := now.In(Beijing)
	today := time.Date(bj.Year(), bj.Month(), bj.Day(), 0, 0, 0, 0, Beijing)
	tomorrow, after := today.AddDate(0, 0, 1), today.AddDate(0, 0, 2)
	d := &Digest{Unit: unit, Day: today, Generated: now}
	for _, t := range tickets {
		if t.Unit != unit {
			continue
		}
		if t.State == StateReturned {
			d.PendingReturns++
			continue
		}
		if !t.State.WithUnit() {
			continue
		}
		d.Open++
		if t.PendingExtension > 0 {
			d.PendingExtensions++
		}
		it := digestItem(t)
		switch {
		case !it.Due.IsZero() && !now.Before(it.Due):
			d.Overdue = append(d.Overdue, it)
		case !it.Due.IsZero() && it.Due.Before(tomorrow):
			d.DueToday = append(d.DueToday, it)
		case !it.Due.IsZero() && it.Due.Before(after):
			d.DueTomorrow = append(d.DueTomorrow, it)
		case !t.DispatchedAt.IsZero() && now.Sub(t.DispatchedAt) < 24*time.Hour:
			d.Arrived = append(d.Arrived, it)
		case t.Supervised || t.Urges > 0:
			d.Supervised = append(d.Supervised, it)
		}
	}
	for _, l := range []*[]DigestItem{&d.Overdue, &d.DueToday, &d.DueTomorrow, &d.Arrived, &d.Supervised} {
		sortDigest(*l)
		if len(*l) > DigestLimit {
			*l, d.Truncated = (*l)[:DigestLimit], true
		}
	}
	return d
}

// digestItem is t with its first running clock: accept, then contact, then
// reply. A paused order runs no clock.
func digestItem(t *Ticket) DigestItem {
	it := DigestItem{Ticket: t.ID, Title: t.Title, Category: t.Category, State: t.State,
		Supervised: t.Supervised, Urges: t.Urges}
	if !t.PausedAt.IsZero() {
		return it
	}
	for _, c := range t.clocks() {
		if c.done.IsZero() && !c.due.IsZero() {
			it.Clock, it.Due, it.Light = c.name, *c.due, *c.light
			break
		}
	}
	return it
}

// sortDigest orders by deadline (none last), then ticket number.
func sortDigest(l []DigestItem) {
	sort.Slice(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.Due.IsZero() != b.Due.IsZero() {
			return b.Due.IsZero()
		}
		if !a.Due.Equal(b.Due) {
			return a.Due.Before(b.Due)
		}
		return a.Ticket < b.Ticket
	})
}

// Digest returns unit's digest for today. A unit's staff may read only
// their own unit's; the centre and analysts may read any unit's.
func (s *Service) Digest(ctx context.Context, a hotline.Actor, unit hotline.UnitID) (*Digest, error) {
	switch {
	case a.Role == hotline.RoleUnit && a.Unit == "":
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "this account is not attached to a unit")
	case a.Role == hotline.RoleUnit && unit == "":
		unit = a.Unit
	case a.Role == hotline.RoleUnit && unit != a.Unit:
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "a unit reads only its own digest").WithField("unit", "not your unit")
	case a.Role != hotline.RoleUnit && !a.Role.Centre() && a.Role != hotline.RoleAnalyst:
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "not allowed")
	case unit == "":
		return nil, hotline.Errorf(hotline.EINVALID, "which unit's digest?").WithField("unit", "required")
	}
	if _, err := s.store.FindUnitByID(ctx, unit); err != nil {
		if hotline.ErrorCode(err) == hotline.ENOTFOUND {
			return nil, hotline.Errorf(hotline.ENOTFOUND, "no unit %q", unit).WithField("unit", "unknown unit")
		}
		return nil, fmt.Errorf("digest of %s: %w", unit, err)
	}
	list, err := s.store.FindTickets(ctx, TicketFilter{Unit: unit,
		States: []State{StateDispatched, StateInProgress, StateReturned}, Sort: SortDeadline})
	if err != nil {
		return nil, fmt.Errorf("digest of %s: %w", unit, err)
	}
	return BuildDigest(unit, list, s.now()), nil
}
