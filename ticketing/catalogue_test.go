package ticketing

import (
	"testing"

	"github.com/cityhotline/hotline"
)

// A small world: two districts, three streets (one name shared by both
// districts), district departments, a utility, and a catalogue.
func testUnits() []*Unit {
	return []*Unit{
		{ID: "centre", Name: "12345", Tier: TierCentre},
		{ID: "110105", Name: "朝阳区", Tier: TierDistrict},
		{ID: "110108", Name: "海淀区", Tier: TierDistrict},
		{ID: "110105-001", Name: "建外街道", Tier: TierStreet, Parent: "110105", Aliases: []string{"建国门外"}},
		{ID: "110105-002", Name: "望京街道", Tier: TierStreet, Parent: "110105", Aliases: []string{"望京"}},
		{ID: "110105-003", Name: "东风地区", Tier: TierStreet, Parent: "110105"},
		{ID: "110108-001", Name: "东风地区", Tier: TierStreet, Parent: "110108"}, // same name, other district
		{ID: "110108-002", Name: "中关村街道", Tier: TierStreet, Parent: "110108", Aliases: []string{"中关村"}},
		{ID: "110105.hrss", Name: "朝阳区人力资源和社会保障局", Tier: TierDistrictDept, Parent: "110105", Kind: "hrss"},
		{ID: "soe.heating", Name: "北京市热力集团", Tier: TierEnterprise},
		{ID: "soe.off", Name: "停用单位", Tier: TierEnterprise, Disabled: true},
	}
}

func testCategories() []*Category {
	return []*Category{
		{ID: "heating", Name: "供暖"},
		{ID: "heating.cold", Name: "供暖不热", Parent: "heating", Urgency: UrgencyUtility, AutoDispatch: true},
		{ID: "city", Name: "市容环卫"},
		{ID: "city.streetlight", Name: "路灯", Parent: "city", Urgency: UrgencyOrdinary},
		{ID: "labour", Name: "劳动社保"},
		{ID: "labour.wages", Name: "欠薪", Parent: "labour", Urgency: UrgencyOrdinary},
		{ID: "other", Name: "其他", Urgency: UrgencyOrdinary},
	}
}

func testRules() []*Rule {
	return []*Rule{
		{ID: 1, Category: "heating", Target: TargetUnit, Unit: "soe.heating", Priority: 1},
		{ID: 2, Category: "city", Target: TargetStreet, Priority: 1},
		{ID: 3, Category: "city", Target: TargetDistrict, Priority: 2},
		{ID: 4, Category: "labour", Target: TargetDistrictDept, Kind: "hrss", Priority: 1},
		{ID: 5, Category: "city.streetlight", Area: "110108-002", Target: TargetUnit, Unit: "110108", Priority: 1},
		{ID: 6, Category: "other", Target: TargetUnit, Unit: "soe.off", Priority: 1},
	}
}

func testRef() *refData { return newRefData(testUnits(), testCategories(), testRules(), nil) }

func TestResolveAddress(t *testing.T) {
	r := testRef().resolver
	cases := []struct {
		addr             string
		district, street hotline.UnitID
	}{
		{"北京市朝阳区建外街道永安里小区3号楼", "110105", "110105-001"},
		{"朝阳区 建国门外 大街1号", "110105", "110105-001"},
		{"望京西园三区", "110105", "110105-002"},    // street alone implies its district
		{"海淀区东风地区某村", "110108", "110108-001"}, // shared name, district decides
		{"东风地区某村", "", ""},                    // shared name, no district: unresolved
		{"海淀区某路", "110108", ""},               // district only
		{"海淀区望京", "110108", ""},               // street of another district is ignored
		{"上海市浦东新区", "", ""},
	}
	for _, tc := range cases {
		a := r.Resolve(tc.addr, 0, 0)
		if a.District != tc.district || a.Street != tc.street {
			t.Errorf("Resolve(%q) = %+v, want %s/%s", tc.addr, a, tc.district, tc.street)
		}
	}
}

func TestResolvePosition(t *testing.T) {
	geo := []byte(`{"type":"FeatureCollection","features":[
	 {"type":"Feature","properties":{"unit":"110108"},"geometry":{"type":"Polygon","coordinates":[[[116.0,39.9],[116.4,39.9],[116.4,40.1],[116.0,40.1],[116.0,39.9]]]}},
	 {"type":"Feature","properties":{"unit":"110108-002"},"geometry":{"type":"MultiPolygon","coordinates":[[[[116.30,39.97],[116.33,39.97],[116.33,40.00],[116.30,40.00],[116.30,39.97]],[[116.31,39.98],[116.32,39.98],[116.32,39.99],[116.31,39.99],[116.31,39.98]]]]}}]}`)
	regions, err := ParseRegions(geo)
	if err != nil {
		t.Fatal(err)
	}
	r := NewResolver(testUnits(), regions)
	for _, tc := range []struct {
		lat, lng         float64
		district, street hotline.UnitID
	}{
		{39.975, 116.305, "110108", "110108-002"}, // in the street polygon
		{39.985, 116.315, "110108", ""},           // in its hole: district only
		{39.95, 116.1, "110108", ""},
		{31.2, 121.5, "", ""}, // Shanghai
	} {
		a := r.Resolve("", tc.lat, tc.lng)
		if a.District != tc.district || a.Street != tc.street {
			t.Errorf("Resolve(%v,%v) = %+v, want %s/%s", tc.lat, tc.lng, a, tc.district, tc.street)
		}
	}
	// No polygon hit: the address decides.
	if a := r.Resolve("朝阳区望京", 31.2, 121.5); a.Street != "110105-002" || a.Method != "address" {
		t.Errorf("fallback to address = %+v", a)
	}
}

func TestParseRegionsErrors(t *testing.T) {
	for name, in := range map[string]string{
		"not json":     `{`,
		"wrong type":   `{"type":"Feature"}`,
		"no unit":      `{"type":"FeatureCollection","features":[{"properties":{},"geometry":{"type":"Polygon","coordinates":[]}}]}`,
		"point":        `{"type":"FeatureCollection","features":[{"properties":{"unit":"x"},"geometry":{"type":"Point","coordinates":[1,2]}}]}`,
		"short ring":   `{"type":"FeatureCollection","features":[{"properties":{"unit":"x"},"geometry":{"type":"Polygon","coordinates":[[[1,2],[3,4]]]}}]}`,
		"empty coords": `{"type":"FeatureCollection","features":[{"properties":{"unit":"x"},"geometry":{"type":"MultiPolygon","coordinates":[]}}]}`,
	} {
		if _, err := ParseRegions([]byte(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSuggest(t *testing.T) {
	ref := testRef()
	cases := []struct {
		name     string
		cat      hotline.CategoryID
		addr     string
		unit     hotline.UnitID
		copyUnit hotline.UnitID
	}{
		{"heating anywhere goes to the heating group", "heating.cold", "海淀区中关村大街1号", "soe.heating", ""},
		{"a street light goes to the street, copied to the district", "city.streetlight", "朝阳区望京西园", "110105-002", "110105"},
		{"an area rule beats the general one", "city.streetlight", "海淀区中关村南大街", "110108", ""},
		{"no street: the fallback rule names the district", "city.streetlight", "朝阳区某路", "110105", ""},
		{"district department by kind", "labour.wages", "朝阳区建外街道", "110105.hrss", ""},
		{"no department of that kind: the district takes it", "labour.wages", "海淀区某公司", "110108", ""},
		{"disabled unit is skipped; district takes it", "other", "朝阳区", "110105", ""},
		{"nothing resolves", "city.streetlight", "某地", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := ref.suggest(tc.cat, ref.resolver.Resolve(tc.addr, 0, 0))
			if s.Unit != tc.unit || s.CopyUnit != tc.copyUnit {
				t.Errorf("suggest = %+v, want unit %q copy %q", s, tc.unit, tc.copyUnit)
			}
			if s.Reason == "" {
				t.Error("no reason given")
			}
		})
	}
}

func FuzzResolveAddress(f *testing.F) {
	r := testRef().resolver
	f.Add("北京市朝阳区建外街道永安里", 39.9, 116.4)
	f.Add("", 0.0, 0.0)
	f.Add("\xff海淀区东风地区", -91.0, 500.0)
	f.Fuzz(func(t *testing.T, addr string, lat, lng float64) {
		a := r.Resolve(addr, lat, lng)
		if a.Street != "" && a.District == "" {
			t.Fatalf("street %s without district for %q", a.Street, addr)
		}
		if (a.District != "") != (a.Method != "") {
			t.Fatalf("method %q with district %q", a.Method, a.District)
		}
	})
}
