package configs

import (
	"fmt"
	"io/fs"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

type catalogueFile struct {
	Rules []ruleEntry `yaml:"rules"`
}

type ruleEntry struct {
	Category string `yaml:"category"`
	Area     string `yaml:"area"`
	Target   string `yaml:"target"`
	Unit     string `yaml:"unit"`
	Kind     string `yaml:"kind"`
	Priority int    `yaml:"priority"`
	Note     string `yaml:"note"`
}

// refs is what catalogue rules may refer to.
type refs struct {
	units map[hotline.UnitID]*ticketing.Unit
	kinds map[string]bool
	cats  map[hotline.CategoryID]bool
}

func loadCatalogue(fsys fs.FS, units []*ticketing.Unit, kinds map[string]bool, cats []*ticketing.Category) ([]*ticketing.Rule, error) {
	var f catalogueFile
	lines, err := decodeFile(fsys, CatalogueFile, "rules", &f)
	if err != nil {
		return nil, err
	}
	r := refs{units: map[hotline.UnitID]*ticketing.Unit{}, kinds: kinds, cats: categorySet(cats)}
	for _, u := range units {
		r.units[u.ID] = u
	}
	p := &problems{file: CatalogueFile, lines: lines}
	rules := make([]*ticketing.Rule, 0, len(f.Rules))
	for i, e := range f.Rules {
		rules = append(rules, ruleFromEntry(p, i, e, r))
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return rules, nil
}

func ruleFromEntry(p *problems, i int, e ruleEntry, r refs) *ticketing.Rule {
	if !r.cats[hotline.CategoryID(e.Category)] {
		p.add(i, "rule for %q: unknown category", e.Category)
	}
	if e.Priority < 0 {
		p.add(i, "rule for %q: priority %d is negative", e.Category, e.Priority)
	}
	if e.Area != "" {
		a, ok := r.units[hotline.UnitID(e.Area)]
		if !ok {
			p.add(i, "rule for %q: unknown area %q", e.Category, e.Area)
		} else if a.Tier != ticketing.TierDistrict && a.Tier != ticketing.TierStreet {
			p.add(i, "rule for %q: area %q is a %s, not a district or street", e.Category, e.Area, a.Tier)
		}
	}
	target, err := ticketing.ParseTargetKind(e.Target)
	if err != nil {
		p.add(i, "rule for %q: %v", e.Category, err)
	} else if msg := targetProblem(target, e, r); msg != "" {
		p.add(i, "rule for %q: %s", e.Category, msg)
	}
	return &ticketing.Rule{
		Category: hotline.CategoryID(e.Category), Area: hotline.UnitID(e.Area), Target: target,
		Unit: hotline.UnitID(e.Unit), Kind: e.Kind, Priority: e.Priority, Note: e.Note,
	}
}

// targetProblem says what is wrong with the unit and kind of a rule with
// the given target, or "".
func targetProblem(target ticketing.TargetKind, e ruleEntry, r refs) string {
	switch target {
	case ticketing.TargetUnit:
		if e.Kind != "" {
			return "target unit takes no kind"
		}
		if e.Unit == "" {
			return "target unit needs a unit"
		}
		if _, ok := r.units[hotline.UnitID(e.Unit)]; !ok {
			return fmt.Sprintf("unknown unit %q", e.Unit)
		}
	case ticketing.TargetDistrictDept:
		if e.Unit != "" {
			return "target district_dept takes a kind, not a unit"
		}
		if !r.kinds[e.Kind] {
			return fmt.Sprintf("kind %q is not in the district_departments of %s", e.Kind, UnitsFile)
		}
	default:
		if e.Unit != "" || e.Kind != "" {
			return fmt.Sprintf("target %s takes neither unit nor kind", target)
		}
	}
	return ""
}

func categorySet(cats []*ticketing.Category) map[hotline.CategoryID]bool {
	set := map[hotline.CategoryID]bool{}
	for _, c := range cats {
		set[c.ID] = true
	}
	return set
}

// Undispatchable returns the leaf categories that no area-independent
// catalogue rule covers (a rule on the leaf or one of its ancestors): a
// ticket of such a category could find no unit in some part of the city.
func (d *ReferenceData) Undispatchable() []hotline.CategoryID {
	covered := map[hotline.CategoryID]bool{}
	for _, r := range d.Rules {
		if r.Area == "" {
			covered[r.Category] = true
		}
	}
	byID := map[hotline.CategoryID]*ticketing.Category{}
	for _, c := range d.Categories {
		byID[c.ID] = c
	}
	var out []hotline.CategoryID
	for _, leaf := range Leaves(d.Categories) {
		if !coveredUp(leaf, byID, covered) {
			out = append(out, leaf.ID)
		}
	}
	return out
}

// coveredUp reports whether c or an ancestor is covered.
func coveredUp(c *ticketing.Category, byID map[hotline.CategoryID]*ticketing.Category, covered map[hotline.CategoryID]bool) bool {
	for steps := 0; c != nil && steps <= len(byID); steps++ {
		if covered[c.ID] {
			return true
		}
		c = byID[c.Parent]
	}
	return false
}
