package ticketing

import (
	"context"
	"fmt"
	"strings"

	"github.com/cityhotline/hotline"
)

// Who sees what:
//   - the centre (admin, agent, dispatcher, supervisor) sees every ticket whole;
//   - a unit sees the tickets it holds or is copied on, and nothing else (a
//     ticket that is not its own does not exist for it: ENOTFOUND);
//   - an analyst sees aggregates only, never a ticket.
// Contact numbers are masked in lists for units, and in the detail view for
// any unit but the one that holds the ticket; every unmasked read by a unit
// is recorded. A confidential ticket hides the citizen's name from units.

// MaxPage caps a page of tickets.
const MaxPage = 200

func visible(a hotline.Actor, t *Ticket) bool {
	switch {
	case a.Role.Centre():
		return true
	case a.Role == hotline.RoleUnit:
		return a.Unit != "" && (t.Unit == a.Unit || t.CopyUnit == a.Unit)
	}
	return false
}

func notFound(id hotline.TicketID) error {
	return hotline.Errorf(hotline.ENOTFOUND, "ticket %s not found", id)
}

// load fetches a ticket the actor may see.
func (s *Service) load(ctx context.Context, a hotline.Actor, id hotline.TicketID) (*Ticket, error) {
	if a.Role == hotline.RoleAnalyst {
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "analysts see aggregates only")
	}
	t, err := s.store.FindTicketByID(ctx, id)
	if hotline.ErrorCode(err) == hotline.ENOTFOUND {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("find ticket %s: %w", id, err)
	}
	if !visible(a, t) {
		return nil, notFound(id)
	}
	return t, nil
}

// Ticket returns one ticket as the actor may see it.
func (s *Service) Ticket(ctx context.Context, a hotline.Actor, id hotline.TicketID) (*Ticket, error) {
	t, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if a.Role == hotline.RoleUnit {
		if t.Unit != a.Unit {
			maskCitizen(t)
			return t, nil
		}
		if t.Confidential {
			t.CitizenName = ""
		}
		if t.ContactNumber != "" || t.CallerNumber != "" {
			acc := Access{Ticket: t.ID, Time: s.now(), Actor: a, Field: "contact"}
			if err := s.store.RecordAccess(ctx, acc); err != nil {
				return nil, fmt.Errorf("record contact read on %s: %w", t.ID, err)
			}
		}
	}
	return t, nil
}

// Tickets lists tickets the actor may see.
func (s *Service) Tickets(ctx context.Context, a hotline.Actor, f TicketFilter) ([]*Ticket, error) {
	switch {
	case a.Role == hotline.RoleAnalyst:
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "analysts see aggregates only")
	case a.Role == hotline.RoleUnit:
		if a.Unit == "" {
			return nil, hotline.Errorf(hotline.EFORBIDDEN, "this account is not attached to a unit")
		}
		f.Visible = a.Unit
	case !a.Role.Centre():
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "not allowed")
	}
	if f.Limit <= 0 || f.Limit > MaxPage {
		f.Limit = min(max(f.Limit, 50), MaxPage)
	}
	if f.Overdue && f.OverdueAt.IsZero() {
		f.OverdueAt = s.now()
	}
	switch f.Sort {
	case "", SortCreatedDesc, SortDeadline, SortDispatch:
	default:
		return nil, hotline.Errorf(hotline.EINVALID, "unknown sort %q", f.Sort).WithField("sort", "one of created, deadline, dispatch")
	}
	list, err := s.store.FindTickets(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("find tickets: %w", err)
	}
	if a.Role == hotline.RoleUnit {
		for _, t := range list {
			maskCitizen(t)
		}
	}
	return list, nil
}

// History returns a ticket's events, oldest first.
func (s *Service) History(ctx context.Context, a hotline.Actor, id hotline.TicketID) ([]Event, error) {
	if _, err := s.load(ctx, a, id); err != nil {
		return nil, err
	}
	evs, err := s.store.FindEvents(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", id, err)
	}
	return evs, nil
}

// Accesses returns who read a ticket's contact number. Centre only.
func (s *Service) Accesses(ctx context.Context, a hotline.Actor, id hotline.TicketID) ([]Access, error) {
	if !a.Role.Centre() {
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "only the centre audits contact reads")
	}
	if _, err := s.load(ctx, a, id); err != nil {
		return nil, err
	}
	list, err := s.store.FindAccesses(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("accesses of %s: %w", id, err)
	}
	return list, nil
}

func maskCitizen(t *Ticket) {
	t.CallerNumber = MaskNumber(t.CallerNumber)
	t.ContactNumber = MaskNumber(t.ContactNumber)
	if t.CitizenName != "" {
		t.CitizenName = maskName(t.CitizenName)
	}
}

// MaskNumber hides the middle of a phone number (138****5678) or the local
// part of an e-mail address.
func MaskNumber(s string) string {
	if s == "" {
		return ""
	}
	if at := strings.IndexByte(s, '@'); at >= 0 {
		return string([]rune(s[:at])[:min(1, len(s[:at]))]) + "***" + s[at:]
	}
	r := []rune(s)
	switch {
	case len(r) >= 11:
		return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
	case len(r) >= 7:
		return string(r[:2]) + strings.Repeat("*", len(r)-4) + string(r[len(r)-2:])
	}
	return strings.Repeat("*", len(r))
}

func maskName(s string) string {
	r := []rune(s)
	return string(r[:1]) + strings.Repeat("*", len(r)-1)
}
