package configs

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// shippedStreets is how many streets and towns units.yaml ships: all of
// Beijing's 343.
const shippedStreets = 343

func loadShipped(t *testing.T) *ReferenceData {
	t.Helper()
	d, err := LoadReference(Reference())
	if err != nil {
		t.Fatalf("shipped reference data does not load: %v", err)
	}
	return d
}

func unitsByTier(d *ReferenceData) map[ticketing.Tier][]*ticketing.Unit {
	out := map[ticketing.Tier][]*ticketing.Unit{}
	for _, u := range d.Units {
		out[u.Tier] = append(out[u.Tier], u)
	}
	return out
}

func TestShippedDistricts(t *testing.T) {
	want := map[hotline.UnitID]string{
		"110101": "东城区", "110102": "西城区", "110105": "朝阳区", "110106": "丰台区",
		"110107": "石景山区", "110108": "海淀区", "110109": "门头沟区", "110111": "房山区",
		"110112": "通州区", "110113": "顺义区", "110114": "昌平区", "110115": "大兴区",
		"110116": "怀柔区", "110117": "平谷区", "110118": "密云区", "110119": "延庆区",
	}
	tiers := unitsByTier(loadShipped(t))
	districts := tiers[ticketing.TierDistrict]
	if len(districts) != len(want) {
		t.Fatalf("got %d districts, want %d", len(districts), len(want))
	}
	for _, d := range districts {
		if want[d.ID] != d.Name {
			t.Errorf("district %s is named %q, want %q", d.ID, d.Name, want[d.ID])
		}
	}
	if c := tiers[ticketing.TierCentre]; len(c) != 1 || c[0].ID != "centre" {
		t.Errorf("want exactly one centre with id centre, got %v", c)
	}
}

func TestShippedStreets(t *testing.T) {
	tiers := unitsByTier(loadShipped(t))
	streets := tiers[ticketing.TierStreet]
	if len(streets) != shippedStreets {
		t.Fatalf("got %d streets, want %d", len(streets), shippedStreets)
	}
	perDistrict := map[hotline.UnitID]int{}
	idPattern := regexp.MustCompile(`^(\d{6})-(\d{3})$`)
	for _, s := range streets {
		perDistrict[s.Parent]++
		m := idPattern.FindStringSubmatch(string(s.ID))
		if m == nil || m[1] != string(s.Parent) {
			t.Errorf("street %s (%s): id is not <parent district>-NNN", s.ID, s.Name)
		}
		if !s.Sample {
			t.Errorf("street %s (%s) is not marked sample", s.ID, s.Name)
		}
	}
	for _, d := range tiers[ticketing.TierDistrict] {
		if perDistrict[d.ID] == 0 {
			t.Errorf("district %s (%s) has no street", d.ID, d.Name)
		}
	}
}

func TestShippedAliasesAreNoTraps(t *testing.T) {
	d := loadShipped(t)
	for _, u := range d.Units {
		for _, a := range u.Aliases {
			for _, v := range d.Units {
				if v == u {
					continue
				}
				if strings.Contains(v.Name, a) {
					t.Errorf("alias %q of %s (%s) is inside the name of %s (%s)", a, u.ID, u.Name, v.ID, v.Name)
				}
				for _, b := range v.Aliases {
					if strings.Contains(b, a) {
						t.Errorf("alias %q of %s (%s) is inside alias %q of %s", a, u.ID, u.Name, b, v.ID)
					}
				}
			}
		}
	}
}

func TestShippedContactsAreNumbers(t *testing.T) {
	digits := regexp.MustCompile(`^[0-9]{3,12}$`)
	for _, u := range loadShipped(t).Units {
		if u.Contact != "" && !digits.MatchString(u.Contact) {
			t.Errorf("unit %s: contact %q is not a telephone number", u.ID, u.Contact)
		}
	}
}

func TestDistrictDepartmentsExpanded(t *testing.T) {
	d := loadShipped(t)
	tiers := unitsByTier(d)
	depts := tiers[ticketing.TierDistrictDept]
	if len(depts) == 0 || len(depts)%16 != 0 {
		t.Fatalf("got %d district departments, want a multiple of 16", len(depts))
	}
	var hrss *ticketing.Unit
	for _, u := range depts {
		if u.ID == "110105.hrss" {
			hrss = u
		}
	}
	if hrss == nil {
		t.Fatal("no unit 110105.hrss")
	}
	want := ticketing.Unit{ID: "110105.hrss", Name: "朝阳区人力资源和社会保障局", Tier: ticketing.TierDistrictDept, Parent: "110105", Kind: "hrss"}
	if hrss.Name != want.Name || hrss.Parent != want.Parent || hrss.Kind != want.Kind {
		t.Errorf("got %+v, want %+v", *hrss, want)
	}
}

func TestShippedCategories(t *testing.T) {
	d := loadShipped(t)
	leaves := Leaves(d.Categories)
	if len(leaves) < 25 {
		t.Fatalf("got %d leaf categories, want at least 25", len(leaves))
	}
	for _, c := range leaves {
		if c.Urgency == "" {
			t.Errorf("leaf %s has no urgency", c.ID)
		}
		if len(c.Keywords) == 0 {
			t.Errorf("leaf %s has no keywords", c.ID)
		}
		if c.AutoDispatch && c.Urgency != ticketing.UrgencyUtility && c.Urgency != ticketing.UrgencyEmergency {
			t.Errorf("leaf %s is auto-dispatched but %s, not a utility fault", c.ID, c.Urgency)
		}
	}
}

func TestEveryLeafIsDispatchable(t *testing.T) {
	d := loadShipped(t)
	if got := d.Undispatchable(); len(got) != 0 {
		t.Errorf("no area-independent catalogue rule covers %v", got)
	}
}

func TestUndispatchableFindsUncoveredLeaf(t *testing.T) {
	d := &ReferenceData{
		Categories: []*ticketing.Category{
			{ID: "a"}, {ID: "a.x", Parent: "a"}, {ID: "b"}, {ID: "c"},
		},
		Rules: []*ticketing.Rule{
			{Category: "a", Target: ticketing.TargetStreet},
			{Category: "b", Area: "110101", Target: ticketing.TargetDistrict}, // area-only: not enough
		},
	}
	got := d.Undispatchable()
	if len(got) != 2 || got[0] != "b" || got[1] != "c" {
		t.Errorf("got %v, want [b c]", got)
	}
}

// bestRule mimics the catalogue: among rules on the category or an
// ancestor whose area is empty or the district, the lowest priority wins.
func bestRule(d *ReferenceData, cat hotline.CategoryID, district hotline.UnitID) *ticketing.Rule {
	parent := map[hotline.CategoryID]hotline.CategoryID{}
	for _, c := range d.Categories {
		parent[c.ID] = c.Parent
	}
	var best *ticketing.Rule
	for c := cat; c != ""; c = parent[c] {
		for _, r := range d.Rules {
			if r.Category == c && (r.Area == "" || r.Area == district) && (best == nil || r.Priority < best.Priority) {
				best = r
			}
		}
	}
	return best
}

func TestShippedCatalogueIntent(t *testing.T) {
	d := loadShipped(t)
	tests := []struct {
		cat      hotline.CategoryID
		district hotline.UnitID
		target   ticketing.TargetKind
		unitKind string // unit id for TargetUnit, kind for TargetDistrictDept
	}{
		{"heating.cold", "110105", ticketing.TargetUnit, "soe.heating"},
		{"heating.cold", "110119", ticketing.TargetDistrictDept, "urban"},
		{"water.outage", "110108", ticketing.TargetUnit, "soe.water"},
		{"gas.leak", "110101", ticketing.TargetUnit, "soe.gas"},
		{"power.outage", "110112", ticketing.TargetUnit, "soe.power"},
		{"transit.bus", "110105", ticketing.TargetUnit, "soe.bus"},
		{"transit.subway", "110105", ticketing.TargetUnit, "soe.subway"},
		{"cabletv", "110105", ticketing.TargetUnit, "soe.gehua"},
		{"sanitation.streetlight", "110105", ticketing.TargetStreet, ""},
		{"noise.living", "110105", ticketing.TargetStreet, ""},
		{"noise.construction", "110105", ticketing.TargetDistrictDept, "enforcement"},
		{"labour.wages", "110105", ticketing.TargetDistrictDept, "hrss"},
		{"road.signal", "110105", ticketing.TargetDistrictDept, "traffic"},
		{"property.elevator", "110105", ticketing.TargetDistrictDept, "market"},
	}
	for _, tt := range tests {
		r := bestRule(d, tt.cat, tt.district)
		if r == nil {
			t.Errorf("%s in %s: no rule", tt.cat, tt.district)
			continue
		}
		got := r.Kind
		if r.Target == ticketing.TargetUnit {
			got = string(r.Unit)
		}
		if r.Target != tt.target || got != tt.unitKind {
			t.Errorf("%s in %s: got %s %q, want %s %q", tt.cat, tt.district, r.Target, got, tt.target, tt.unitKind)
		}
	}
}

func TestShippedArticles(t *testing.T) {
	d := loadShipped(t)
	if len(d.Articles) < 10 {
		t.Fatalf("got %d articles, want at least 10", len(d.Articles))
	}
	for _, a := range d.Articles {
		if strings.HasSuffix(a.Body, "\n") {
			t.Errorf("article %s: body not trimmed", a.ID)
		}
	}
}
