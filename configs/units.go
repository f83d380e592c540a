package configs

import (
	"fmt"
	"io/fs"
	"strings"
	"unicode/utf8"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

type unitsFile struct {
	DistrictDepartments []deptTemplate `yaml:"district_departments"`
	Units               []unitEntry    `yaml:"units"`
}

// deptTemplate is one kind of district department, expanded for every
// district into `<district id>.<kind>`, named `<区名><name>`.
type deptTemplate struct {
	Kind    string `yaml:"kind"`
	Name    string `yaml:"name"`
	Contact string `yaml:"contact"`
}

type unitEntry struct {
	ID       string   `yaml:"id"`
	Name     string   `yaml:"name"`
	Tier     string   `yaml:"tier"`
	Parent   string   `yaml:"parent"`
	Kind     string   `yaml:"kind"`
	Aliases  []string `yaml:"aliases"`
	Contact  string   `yaml:"contact"`
	Sample   bool     `yaml:"sample"`
	Disabled bool     `yaml:"disabled"`
}

// loadUnits returns the units of units.yaml with the district departments
// expanded, and the set of department kinds.
func loadUnits(fsys fs.FS) ([]*ticketing.Unit, map[string]bool, error) {
	var f unitsFile
	lines, err := decodeFile(fsys, UnitsFile, "units", &f)
	if err != nil {
		return nil, nil, err
	}
	p := &problems{file: UnitsFile}
	kinds := checkTemplate(p, f.DistrictDepartments)
	p.lines = lines
	units := make([]*ticketing.Unit, 0, len(f.Units))
	for i, e := range f.Units {
		units = append(units, unitFromEntry(p, i, e))
	}
	n := len(units)
	units = append(units, expandDepartments(units, f.DistrictDepartments)...)
	checkUnits(p, units, n, kinds)
	if err := p.err(); err != nil {
		return nil, nil, err
	}
	return units, kinds, nil
}

func checkTemplate(p *problems, tmpl []deptTemplate) map[string]bool {
	kinds := map[string]bool{}
	for _, d := range tmpl {
		switch {
		case d.Kind == "" || strings.ContainsAny(d.Kind, ". \t"):
			p.add(-1, "district_departments: kind %q must be a non-empty slug without dots or spaces", d.Kind)
		case kinds[d.Kind]:
			p.add(-1, "district_departments: kind %q listed twice", d.Kind)
		case d.Name == "":
			p.add(-1, "district_departments: kind %q has no name", d.Kind)
		}
		kinds[d.Kind] = true
	}
	return kinds
}

func unitFromEntry(p *problems, i int, e unitEntry) *ticketing.Unit {
	tier, err := ticketing.ParseTier(e.Tier)
	if err != nil {
		p.add(i, "unit %q: %v", e.ID, err)
	}
	if e.ID == "" {
		p.add(i, "unit without id")
	}
	if e.Name == "" {
		p.add(i, "unit %q: no name", e.ID)
	}
	return &ticketing.Unit{
		ID: hotline.UnitID(e.ID), Name: e.Name, Tier: tier, Parent: hotline.UnitID(e.Parent),
		Kind: e.Kind, Aliases: e.Aliases, Contact: e.Contact, Sample: e.Sample, Disabled: e.Disabled,
	}
}

// expandDepartments builds every district's departments from the template.
func expandDepartments(units []*ticketing.Unit, tmpl []deptTemplate) []*ticketing.Unit {
	var out []*ticketing.Unit
	for _, d := range units {
		if d.Tier != ticketing.TierDistrict {
			continue
		}
		for _, t := range tmpl {
			out = append(out, &ticketing.Unit{
				ID:       hotline.UnitID(string(d.ID) + "." + t.Kind),
				Name:     d.Name + t.Name,
				Tier:     ticketing.TierDistrictDept,
				Parent:   d.ID,
				Kind:     t.Kind,
				Contact:  t.Contact,
				Disabled: d.Disabled,
			})
		}
	}
	return out
}

// checkUnits validates ids, parents and aliases. Units from index listed
// on are expanded departments: their problems are reported on the file.
func checkUnits(p *problems, units []*ticketing.Unit, listed int, kinds map[string]bool) {
	byID := map[hotline.UnitID]*ticketing.Unit{}
	for i, u := range units {
		if _, dup := byID[u.ID]; dup && u.ID != "" {
			p.add(entry(i, listed), "unit %q: duplicate id", u.ID)
		}
		byID[u.ID] = u
	}
	for i, u := range units {
		if msg := parentProblem(u, byID, kinds); msg != "" {
			p.add(entry(i, listed), "unit %q: %s", u.ID, msg)
		}
	}
	checkAliases(p, units, listed)
}

// parentProblem says what is wrong with u's parent and kind, or "".
func parentProblem(u *ticketing.Unit, byID map[hotline.UnitID]*ticketing.Unit, kinds map[string]bool) string {
	parent, ok := byID[u.Parent]
	switch {
	case u.Parent == "" && (u.Tier == ticketing.TierStreet || u.Tier == ticketing.TierDistrictDept):
		return "a " + string(u.Tier) + " needs a parent district"
	case u.Parent == "":
		return ""
	case !ok:
		return fmt.Sprintf("unknown parent %q", u.Parent)
	case u.Parent == u.ID:
		return "is its own parent"
	case (u.Tier == ticketing.TierStreet || u.Tier == ticketing.TierDistrictDept) && parent.Tier != ticketing.TierDistrict:
		return fmt.Sprintf("parent %q of a %s must be a district, not a %s", u.Parent, u.Tier, parent.Tier)
	case u.Tier == ticketing.TierDistrictDept && !kinds[u.Kind]:
		return fmt.Sprintf("kind %q is not in district_departments", u.Kind)
	}
	return ""
}

// checkAliases rejects one-character aliases and any alias that names two
// units (as an alias of both, or as one's alias and the other's name).
func checkAliases(p *problems, units []*ticketing.Unit, listed int) {
	owner := map[string]hotline.UnitID{}
	for _, u := range units {
		if u.Name != "" {
			owner[u.Name] = u.ID
		}
	}
	for i, u := range units {
		seen := map[string]bool{}
		for _, a := range u.Aliases {
			switch {
			case utf8.RuneCountInString(strings.TrimSpace(a)) < 2:
				p.add(entry(i, listed), "unit %q: alias %q is shorter than two characters", u.ID, a)
			case seen[a]:
				p.add(entry(i, listed), "unit %q: alias %q listed twice", u.ID, a)
			case owner[a] != "" && owner[a] != u.ID:
				p.add(entry(i, listed), "unit %q: alias %q also names unit %q", u.ID, a, owner[a])
			}
			seen[a] = true
			if owner[a] == "" {
				owner[a] = u.ID
			}
		}
	}
}

// entry is the index of unit i in the file, or -1 for an expanded
// department, which has no entry of its own.
func entry(i, listed int) int {
	if i < listed {
		return i
	}
	return -1
}
