package configs

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cityhotline/hotline"
)

// A small, valid reference set that each broken case changes in one place.
const (
	okUnits = `
district_departments:
  - {kind: hrss, name: 人力资源和社会保障局}
units:
  - {id: centre, name: 热线中心, tier: centre}
  - {id: "110101", name: 东城区, tier: district}
  - {id: 110101-001, name: 东华门街道, tier: street, parent: "110101", aliases: [东华门], sample: true}
  - {id: city.police, name: 北京市公安局, tier: city_dept}
`
	okCategories = `
categories:
  - {id: heating, name: 供暖}
  - {id: heating.cold, name: 供暖不热, parent: heating, urgency: utility, indicator: 住有所居}
  - {id: other, name: 其他, urgency: complex}
`
	okCatalogue = `
rules:
  - {category: heating, target: unit, unit: city.police, priority: 10}
  - {category: heating, area: "110101", target: district_dept, kind: hrss, priority: 2}
  - {category: other, target: street, priority: 10}
`
	okKB = `
articles:
  - {id: kb.a, title: 标题, body: 正文, category: heating, valid_from: 2026-01-01, valid_to: 2027-01-01}
`
)

func refFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		UnitsFile:      {Data: []byte(okUnits)},
		CategoriesFile: {Data: []byte(okCategories)},
		CatalogueFile:  {Data: []byte(okCatalogue)},
		KBFile:         {Data: []byte(okKB)},
	}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

func TestLoadReferenceMinimal(t *testing.T) {
	d, err := LoadReference(refFS(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Units) != 5 { // four listed and 110101.hrss
		t.Errorf("got %d units, want 5", len(d.Units))
	}
	if len(d.Categories) != 3 || len(d.Rules) != 3 || len(d.Articles) != 1 {
		t.Errorf("got %d categories, %d rules, %d articles; want 3, 3, 1", len(d.Categories), len(d.Rules), len(d.Articles))
	}
	a := d.Articles[0]
	if a.ValidFrom.Format("2006-01-02 15:04 -0700") != "2026-01-01 00:00 +0800" {
		t.Errorf("valid_from %v, want midnight in Asia/Shanghai", a.ValidFrom)
	}
}

// with returns okUnits (or another base) with old replaced by new, failing
// loudly if the base does not contain old, so a case cannot silently test
// the unbroken data.
func with(t *testing.T, base, old, new string) string {
	t.Helper()
	if !strings.Contains(base, old) {
		t.Fatalf("base does not contain %q", old)
	}
	return strings.Replace(base, old, new, 1)
}

func TestLoadReferenceRejects(t *testing.T) {
	cold := `{id: heating.cold, name: 供暖不热, parent: heating, urgency: utility, indicator: 住有所居}`
	rule := `{category: heating, target: unit, unit: city.police, priority: 10}`
	article := `{id: kb.a, title: 标题, body: 正文, category: heating, valid_from: 2026-01-01, valid_to: 2027-01-01}`
	tests := []struct {
		name, file, data, want string
	}{
		{"unknown unit key", UnitsFile, with(t, okUnits, "sample: true", "sample: true, colour: red"), "units.yaml: unmarshal errors:\n  line 7: field colour not found"},
		{"unknown top-level key", UnitsFile, okUnits + "extra: 1\n", "field extra not found"},
		{"malformed yaml", UnitsFile, "units: [\n", "units.yaml: "},
		{"empty units file", UnitsFile, "", "units.yaml: file is empty"},
		{"duplicate unit id", UnitsFile, okUnits + "  - {id: city.police, name: 公安, tier: city_dept}\n", `units.yaml:9: unit "city.police": duplicate id`},
		{"expanded id clashes", UnitsFile, okUnits + "  - {id: 110101.hrss, name: 人社, tier: city_dept}\n", `unit "110101.hrss": duplicate id`},
		{"unknown parent", UnitsFile, with(t, okUnits, `parent: "110101"`, `parent: "110199"`), `units.yaml:7: unit "110101-001": unknown parent "110199"`},
		{"street under a city dept", UnitsFile, with(t, okUnits, `parent: "110101"`, `parent: city.police`), `parent "city.police" of a street must be a district, not a city_dept`},
		{"street without parent", UnitsFile, with(t, okUnits, `parent: "110101", `, ``), `unit "110101-001": a street needs a parent district`},
		{"bad tier", UnitsFile, with(t, okUnits, "tier: street", "tier: town"), `unit "110101-001": unknown tier "town"`},
		{"unit without name", UnitsFile, with(t, okUnits, "name: 东华门街道, ", ""), `unit "110101-001": no name`},
		{"one-character alias", UnitsFile, with(t, okUnits, "aliases: [东华门]", "aliases: [东]"), `alias "东" is shorter than two characters`},
		{"alias shared by two units", UnitsFile, okUnits + `  - {id: 110101-002, name: 景山街道, tier: street, parent: "110101", aliases: [东华门]}` + "\n", `unit "110101-002": alias "东华门" also names unit "110101-001"`},
		{"alias is another unit's name", UnitsFile, with(t, okUnits, "aliases: [东华门]", "aliases: [东城区]"), `alias "东城区" also names unit "110101"`},
		{"duplicate department kind", UnitsFile, with(t, okUnits, "  - {kind: hrss", "  - {kind: hrss, name: 人社}\n  - {kind: hrss"), `district_departments: kind "hrss" listed twice`},
		{"department kind not in template", UnitsFile, okUnits + `  - {id: x.health, name: 卫健委, tier: district_dept, parent: "110101", kind: health}` + "\n", `kind "health" is not in district_departments`},
		{"unknown category key", CategoriesFile, with(t, okCategories, "urgency: complex", "urgency: complex, colour: red"), "categories.yaml: unmarshal errors:\n  line 5: field colour not found"},
		{"unknown category parent", CategoriesFile, with(t, okCategories, "parent: heating", "parent: heat"), `categories.yaml:4: category "heating.cold": unknown parent "heat"`},
		{"leaf without urgency", CategoriesFile, with(t, okCategories, "parent: heating, urgency: utility, ", "parent: heating, "), `category "heating.cold": a leaf needs an urgency`},
		{"bad urgency", CategoriesFile, with(t, okCategories, "urgency: utility", "urgency: urgent"), `category "heating.cold": unknown urgency "urgent"`},
		{"bad indicator", CategoriesFile, with(t, okCategories, "indicator: 住有所居", "indicator: 幸福感"), `unknown indicator "幸福感"`},
		{"duplicate category", CategoriesFile, okCategories + "  - " + cold + "\n", `category "heating.cold": duplicate id`},
		{"category cycle", CategoriesFile, with(t, okCategories, "{id: heating, name: 供暖}", "{id: heating, name: 供暖, parent: heating.cold}"), `parent chain loops back to itself`},
		{"rule unknown category", CatalogueFile, with(t, okCatalogue, rule, "{category: heat, target: street}"), `catalogue.yaml:3: rule for "heat": unknown category`},
		{"rule unknown unit", CatalogueFile, with(t, okCatalogue, "unit: city.police", "unit: soe.heating"), `rule for "heating": unknown unit "soe.heating"`},
		{"rule unit target without unit", CatalogueFile, with(t, okCatalogue, rule, "{category: heating, target: unit}"), `target unit needs a unit`},
		{"rule unknown area", CatalogueFile, with(t, okCatalogue, `area: "110101"`, `area: "110199"`), `rule for "heating": unknown area "110199"`},
		{"rule area not a district", CatalogueFile, with(t, okCatalogue, `area: "110101"`, `area: city.police`), `area "city.police" is a city_dept, not a district or street`},
		{"rule bad target", CatalogueFile, with(t, okCatalogue, "target: street", "target: town"), `rule for "other": unknown target "town"`},
		{"rule kind not in template", CatalogueFile, with(t, okCatalogue, "kind: hrss", "kind: health"), `kind "health" is not in the district_departments of units.yaml`},
		{"rule street with unit", CatalogueFile, with(t, okCatalogue, "target: street", "target: street, unit: city.police"), `target street takes neither unit nor kind`},
		{"unknown rule key", CatalogueFile, with(t, okCatalogue, "priority: 2", "priority: 2, weight: 1"), "field weight not found"},
		{"article unknown category", KBFile, with(t, okKB, "category: heating", "category: heat"), `kb.yaml:3: article "kb.a": unknown category "heat"`},
		{"article bad date", KBFile, with(t, okKB, "valid_from: 2026-01-01", "valid_from: 2026-13-01"), `article "kb.a": valid_from: "2026-13-01" is not a date`},
		{"article ends before it starts", KBFile, with(t, okKB, "valid_to: 2027-01-01", "valid_to: 2025-01-01"), `valid_to 2025-01-01 is not after valid_from 2026-01-01`},
		{"duplicate article", KBFile, okKB + "  - " + article + "\n", `article "kb.a": duplicate id`},
		{"article without body", KBFile, with(t, okKB, "body: 正文, ", ""), `article "kb.a": no body`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadReference(refFS(map[string]string{tt.file: tt.data}))
			if err == nil {
				t.Fatalf("loaded without error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
			if code := hotline.ErrorCode(err); code != hotline.EINVALID {
				t.Errorf("error code %q, want %q", code, hotline.EINVALID)
			}
		})
	}
}

func TestLoadReferenceMissingFile(t *testing.T) {
	fsys := refFS(nil)
	delete(fsys, KBFile)
	_, err := LoadReference(fsys)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v, want a not-exist error", err)
	}
}

func TestLoadReferenceCapsProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("units:\n")
	for range 30 {
		b.WriteString("  - {id: x, name: X, tier: city_dept}\n")
	}
	_, err := LoadReference(refFS(map[string]string{UnitsFile: b.String()}))
	if err == nil || !strings.Contains(err.Error(), "… and 9 more") {
		t.Errorf("got %v, want 20 problems and a count of the rest", err)
	}
}

func FuzzLoadReference(f *testing.F) {
	shipped, err := fs.ReadFile(Reference(), UnitsFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(shipped)
	f.Add([]byte(okUnits))
	f.Add([]byte("units: [{id: a, tier: street, parent: a}]"))
	f.Add([]byte("district_departments: [{kind: a.b}]\nunits: {}"))
	f.Add([]byte("&a [*a]"))
	base := fstest.MapFS{}
	for _, name := range []string{CategoriesFile, CatalogueFile, KBFile} {
		b, err := fs.ReadFile(Reference(), name)
		if err != nil {
			f.Fatal(err)
		}
		base[name] = &fstest.MapFile{Data: b}
	}
	f.Fuzz(func(t *testing.T, units []byte) {
		fsys := fstest.MapFS{UnitsFile: {Data: units}}
		for name, file := range base {
			fsys[name] = file
		}
		d, err := LoadReference(fsys)
		if err == nil && d == nil {
			t.Fatal("no data and no error")
		}
		if err != nil && hotline.ErrorCode(err) != hotline.EINVALID {
			t.Fatalf("bad units.yaml gave a non-EINVALID error: %v", err)
		}
	})
}
