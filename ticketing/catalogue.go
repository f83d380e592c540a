package ticketing

import (
	"fmt"
	"sort"

	"github.com/cityhotline/hotline"
)

// refData is an in-memory snapshot of the reference data: units, categories
// and the dispatch catalogue, with the indexes that intake needs.
type refData struct {
	units      map[hotline.UnitID]*Unit
	deptOf     map[hotline.UnitID]map[string]hotline.UnitID // district → kind → department
	categories map[hotline.CategoryID]*Category
	leaf       map[hotline.CategoryID]bool
	rules      []*Rule
	resolver   *Resolver
}

func newRefData(units []*Unit, cats []*Category, rules []*Rule, regions []Region) *refData {
	d := &refData{
		units:      map[hotline.UnitID]*Unit{},
		deptOf:     map[hotline.UnitID]map[string]hotline.UnitID{},
		categories: map[hotline.CategoryID]*Category{},
		leaf:       map[hotline.CategoryID]bool{},
		rules:      rules,
		resolver:   NewResolver(units, regions),
	}
	for _, u := range units {
		d.units[u.ID] = u
		if u.Tier == TierDistrictDept && u.Kind != "" && !u.Disabled {
			if d.deptOf[u.Parent] == nil {
				d.deptOf[u.Parent] = map[string]hotline.UnitID{}
			}
			d.deptOf[u.Parent][u.Kind] = u.ID
		}
	}
	for _, c := range cats {
		d.categories[c.ID] = c
		d.leaf[c.ID] = true
	}
	for _, c := range cats {
		if c.Parent != "" {
			d.leaf[c.Parent] = false
		}
	}
	return d
}

// ancestry returns the category and its ancestors, nearest first.
func (d *refData) ancestry(id hotline.CategoryID) []hotline.CategoryID {
	var out []hotline.CategoryID
	for c := d.categories[id]; c != nil && len(out) < 16; c = d.categories[c.Parent] {
		out = append(out, c.ID)
	}
	return out
}

// dispatchable reports whether u can receive orders.
func (d *refData) dispatchable(id hotline.UnitID) bool {
	u := d.units[id]
	return u != nil && !u.Disabled && u.Tier != TierCentre
}

// suggest applies the catalogue: the rules for the category (nearest
// category first), the most specific area first, then by priority; the first
// rule whose target resolves wins. When none does, the district takes the
// order (区政府兜底).
func (d *refData) suggest(cat hotline.CategoryID, area Area) *Suggestion {
	s := &Suggestion{District: area.District, Street: area.Street}
	if c := d.categories[cat]; c != nil {
		s.Urgency = c.Urgency
	}
	depth := map[hotline.CategoryID]int{}
	for i, c := range d.ancestry(cat) {
		depth[c] = i
	}
	var candidates []*Rule
	for _, r := range d.rules {
		if _, ok := depth[r.Category]; !ok {
			continue
		}
		if r.Area != "" && r.Area != area.District && r.Area != area.Street {
			continue
		}
		candidates = append(candidates, r)
	}
	sort.SliceStable(candidates, func(i, j int) bool {
		a, b := candidates[i], candidates[j]
		if depth[a.Category] != depth[b.Category] {
			return depth[a.Category] < depth[b.Category]
		}
		if sa, sb := d.areaRank(a.Area), d.areaRank(b.Area); sa != sb {
			return sa > sb
		}
		if a.Priority != b.Priority {
			return a.Priority < b.Priority
		}
		return a.ID < b.ID
	})
	for _, r := range candidates {
		if u := d.target(r, area); u != "" {
			s.Unit, s.Rule = u, r.ID
			s.Reason = fmt.Sprintf("catalogue rule %d (%s → %s)", r.ID, r.Category, r.Target)
			break
		}
	}
	if s.Unit == "" && d.dispatchable(area.District) {
		s.Unit = area.District
		s.Reason = "owner unclear: the district takes it"
	}
	if u := d.units[s.Unit]; u != nil && u.Tier == TierStreet {
		s.CopyUnit = u.Parent
	}
	if s.Unit == "" {
		s.Reason = "no rule applies and no district resolved: dispatch by hand"
	}
	return s
}

func (d *refData) areaRank(id hotline.UnitID) int {
	if id == "" {
		return 0
	}
	if u := d.units[id]; u != nil && u.Tier == TierStreet {
		return 2
	}
	return 1
}

func (d *refData) target(r *Rule, area Area) hotline.UnitID {
	var u hotline.UnitID
	switch r.Target {
	case TargetUnit:
		u = r.Unit
	case TargetStreet:
		u = area.Street
	case TargetDistrict:
		u = area.District
	case TargetDistrictDept:
		u = d.deptOf[area.District][r.Kind]
	}
	if u == "" || !d.dispatchable(u) {
		return ""
	}
	return u
}
