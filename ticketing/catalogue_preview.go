package ticketing

import (
	"context"
	"fmt"

	"github.com/cityhotline/hotline"
)

// PreviewScan is how many of the most recent tickets (in the rule's area)
// a catalogue preview looks at.
const PreviewScan = 1000

// RuleMatch is a recent ticket that a catalogue rule covers: its category
// is the rule's or a descendant, and it lies in the rule's area.
type RuleMatch struct {
	Ticket *Ticket
	Unit   hotline.UnitID // what the catalogue (with the rule) names today
	Rule   int64          // the rule that wins today; 0: none (the district takes it)
	Routes bool           // the rule itself wins: it would have routed this ticket
}

// RuleTickets returns the recent tickets that stored rule id covers, newest
// first, at most limit, each with what the catalogue names for it today.
// Centre roles only: the answer lists tickets.
func (s *Service) RuleTickets(ctx context.Context, a hotline.Actor, id int64, limit int) (*Rule, []RuleMatch, error) {
	if !a.Role.Centre() {
		return nil, nil, hotline.Errorf(hotline.EFORBIDDEN, "only the centre reads the orders a rule routes")
	}
	ref, err := s.refs(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range ref.rules {
		if r.ID == id {
			ms, err := s.preview(ctx, ref, r, limit)
			return r, ms, err
		}
	}
	return nil, nil, hotline.Errorf(hotline.ENOTFOUND, "no catalogue rule %d", id)
}

// PreviewRule answers what RuleTickets would for r before it is saved:
// r replaces the stored rule of its ID, or is added when its ID is 0. The
// rule is checked as CreateRule checks it; nothing is stored.
func (s *Service) PreviewRule(ctx context.Context, a hotline.Actor, r *Rule, limit int) ([]RuleMatch, error) {
	if err := s.checkRule(ctx, a, r); err != nil {
		return nil, err
	}
	ref, err := s.refs(ctx)
	if err != nil {
		return nil, err
	}
	found := r.ID == 0
	for _, old := range ref.rules {
		if old.ID == r.ID {
			found = true
		}
	}
	if !found {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "no catalogue rule %d", r.ID)
	}
	return s.preview(ctx, ref, r, limit)
}

// preview applies the catalogue with r in place to the recent tickets
// that r covers.
func (s *Service) preview(ctx context.Context, ref *refData, r *Rule, limit int) ([]RuleMatch, error) {
	if limit <= 0 || limit > MaxPage {
		limit = 50
	}
	probe := *r
	if probe.ID == 0 {
		probe.ID = -1 // a new rule: an id no stored rule has
	}
	with := *ref
	with.rules = make([]*Rule, 0, len(ref.rules)+1)
	for _, old := range ref.rules {
		if old.ID != probe.ID {
			with.rules = append(with.rules, old)
		}
	}
	with.rules = append(with.rules, &probe)

	f := TicketFilter{Sort: SortCreatedDesc, Limit: PreviewScan}
	if u := ref.units[r.Area]; u != nil && u.Tier == TierStreet {
		f.Street = r.Area
	} else if r.Area != "" {
		f.District = r.Area
	}
	recent, err := s.store.FindTickets(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("preview rule %d: %w", r.ID, err)
	}
	var out []RuleMatch
	for _, t := range recent {
		if !covers(ref, r.Category, t.Category) {
			continue
		}
		sg := with.suggest(t.Category, Area{District: t.District, Street: t.Street})
		m := RuleMatch{Ticket: t, Unit: sg.Unit, Rule: sg.Rule, Routes: sg.Rule == probe.ID}
		if m.Rule == -1 {
			m.Rule = 0
		}
		out = append(out, m)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// covers reports whether category cat is rule category rc or under it.
func covers(ref *refData, rc, cat hotline.CategoryID) bool {
	for _, c := range ref.ancestry(cat) {
		if c == rc {
			return true
		}
	}
	return false
}
