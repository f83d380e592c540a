package ticketing

import (
	"context"
	"fmt"

	"github.com/cityhotline/hotline"
)

// claimStore is what claims need of the store; both stores implement it.
type claimStore interface {
	ClaimStore
	FindAnswers(ctx context.Context, ticket hotline.TicketID) ([]*CallbackRecord, error)
}

func (s *Service) claimStore() (claimStore, error) {
	cs, ok := s.store.(claimStore)
	if !ok {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "the store keeps no claims")
	}
	return cs, nil
}

// FileClaim files an unreasonable-request claim or an assessment appeal on
// a ticket. Only the unit holding the ticket files (and the admin, on the
// holder's behalf); a copy may not. Rules, first failure wins:
//
//   - the ticket was dispatched to the unit and is not merged or returned
//     (ECONFLICT otherwise);
//   - kind is unreasonable or appeal, reason is given (EINVALID naming the
//     field);
//   - the ticket is not already out of the assessment, and has no pending
//     claim of the same kind (ECONFLICT);
//   - an appeal contests a callback result that counts against the unit:
//     the record named by in.Callback, or the unit's latest one (ECONFLICT
//     when there is none).
//
// The claim and a "claim" event in the ticket's history are stored together.
func (s *Service) FileClaim(ctx context.Context, a hotline.Actor, id hotline.TicketID, in ClaimInput) (*Claim, error) {
	switch {
	case a.Role == hotline.RoleUnit && a.Unit == "":
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "this account is not attached to a unit")
	case a.Role != hotline.RoleUnit && a.Role != hotline.RoleAdmin:
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "a %s may not file claims; the unit holding the ticket does", a.Role)
	}
	cs, err := s.claimStore()
	if err != nil {
		return nil, err
	}
	t, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	unit := a.Unit
	if a.Role == hotline.RoleAdmin {
		unit = t.Unit
	}
	if err := claimable(t, unit); err != nil {
		return nil, err
	}
	kind, reason, evidence, err := checkClaimInput(in)
	if err != nil {
		return nil, err
	}
	earlier, err := cs.FindClaims(ctx, ClaimFilter{Ticket: t.ID})
	if err != nil {
		return nil, fmt.Errorf("claims of %s: %w", t.ID, err)
	}
	if err := openClaims(earlier, kind); err != nil {
		return nil, err
	}
	records, err := cs.FindAnswers(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("callbacks of %s: %w", t.ID, err)
	}
	now := s.now()
	c := &Claim{Ticket: t.ID, Unit: unit, Kind: kind, State: ClaimPending, Reason: reason, Evidence: evidence,
		FiledBy: a.UserID, FiledByName: a.Name, Filed: now}
	if kind == ClaimAppeal {
		r, err := appealTarget(records, unit, in.Callback)
		if err != nil {
			return nil, err
		}
		c.Callback, c.Month = r.ID, MonthOf(r.CalledAt)
	} else {
		c.Month = claimMonth(records, unit, now)
	}
	if err := cs.CreateClaim(ctx, c, claimEvent(c, a, t, "claim", "", now)); err != nil {
		return nil, fmt.Errorf("file %s claim on %s: %w", kind, t.ID, err)
	}
	s.log.Info("claim filed", "ticket_id", t.ID, "claim", c.ID, "kind", kind, "unit", unit, "actor", a.UserID)
	return c, nil
}

// Claims lists claims by filing time, oldest first. Supervisors, dispatchers
// and the admin see every claim; unit staff only their own unit's (a filter
// on another unit finds nothing); other roles get EFORBIDDEN. Limit is
// capped at MaxPage (default 50).
func (s *Service) Claims(ctx context.Context, a hotline.Actor, f ClaimFilter) ([]*Claim, error) {
	switch a.Role {
	case hotline.RoleAdmin, hotline.RoleSupervisor, hotline.RoleDispatcher:
	case hotline.RoleUnit:
		if a.Unit == "" {
			return nil, hotline.Errorf(hotline.EFORBIDDEN, "this account is not attached to a unit")
		}
		if f.Unit != "" && f.Unit != a.Unit {
			return []*Claim{}, nil
		}
		f.Unit = a.Unit
	default:
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "a %s may not read claims", a.Role)
	}
	cs, err := s.claimStore()
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > MaxPage {
		f.Limit = min(max(f.Limit, 50), MaxPage)
	}
	list, err := cs.FindClaims(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("find claims: %w", err)
	}
	if list == nil {
		list = []*Claim{}
	}
	return list, nil
}

// RuleClaim approves or rejects a pending claim: supervisors and the admin
// only. A rejection needs a note (EINVALID naming note). An approved claim
// takes its ticket out of the assessment at once (every month it has
// callbacks in), in the same transaction as the ruling and its
// "approve_claim" or "reject_claim" event in the ticket's history. A claim
// already ruled, or one at another version than in.Version (when given),
// gives ECONFLICT.
func (s *Service) RuleClaim(ctx context.Context, a hotline.Actor, id int64, approve bool, in RulingInput) (*Claim, error) {
	if a.Role != hotline.RoleSupervisor && a.Role != hotline.RoleAdmin {
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "a %s may not rule on claims; a supervisor does", a.Role)
	}
	cs, err := s.claimStore()
	if err != nil {
		return nil, err
	}
	c, err := cs.FindClaimByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if in.Version != 0 && in.Version != c.Version {
		e := hotline.Errorf(hotline.ECONFLICT, "%s is at version %d, not %d", claimName(id), c.Version, in.Version)
		e.Current = c
		return nil, e
	}
	t, err := s.store.FindTicketByID(ctx, c.Ticket)
	if err != nil {
		return nil, fmt.Errorf("ticket of %s: %w", claimName(id), err)
	}
	version, from := c.Version, c.State
	if err := c.rule(a, approve, in.Note, s.now()); err != nil {
		return nil, err
	}
	action := "reject_claim"
	if approve {
		action = "approve_claim"
	}
	if err := cs.UpdateClaim(ctx, c, version, claimEvent(c, a, t, action, from, c.Ruled), approve); err != nil {
		return nil, fmt.Errorf("%s %d: %w", action, id, err)
	}
	s.log.Info("claim ruled", "ticket_id", c.Ticket, "claim", id, "kind", c.Kind, "state", c.State, "actor", a.UserID)
	return c, nil
}
