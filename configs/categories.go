package configs

import (
	"io/fs"
	"slices"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// Indicators are the 七有 and 五性 indicators a category may count towards.
var Indicators = []string{
	"幼有所育", "学有所教", "劳有所得", "病有所医", "老有所养", "住有所居", "弱有所扶", // 七有
	"便利性", "宜居性", "多样性", "公正性", "安全性", // 五性
}

type categoriesFile struct {
	Categories []categoryEntry `yaml:"categories"`
}

type categoryEntry struct {
	ID           string   `yaml:"id"`
	Name         string   `yaml:"name"`
	Parent       string   `yaml:"parent"`
	Urgency      string   `yaml:"urgency"`
	Indicator    string   `yaml:"indicator"`
	AutoDispatch bool     `yaml:"auto_dispatch"`
	Keywords     []string `yaml:"keywords"`
	Disabled     bool     `yaml:"disabled"`
}

func loadCategories(fsys fs.FS) ([]*ticketing.Category, error) {
	var f categoriesFile
	lines, err := decodeFile(fsys, CategoriesFile, "categories", &f)
	if err != nil {
		return nil, err
	}
	p := &problems{file: CategoriesFile, lines: lines}
	cats := make([]*ticketing.Category, 0, len(f.Categories))
	for i, e := range f.Categories {
		cats = append(cats, categoryFromEntry(p, i, e))
	}
	checkCategories(p, cats)
	if err := p.err(); err != nil {
		return nil, err
	}
	return cats, nil
}

func categoryFromEntry(p *problems, i int, e categoryEntry) *ticketing.Category {
	if e.ID == "" {
		p.add(i, "category without id")
	}
	if e.Name == "" {
		p.add(i, "category %q: no name", e.ID)
	}
	var urgency ticketing.Urgency
	if e.Urgency != "" {
		u, err := ticketing.ParseUrgency(e.Urgency)
		if err != nil {
			p.add(i, "category %q: %v", e.ID, err)
		}
		urgency = u
	}
	if e.Indicator != "" && !slices.Contains(Indicators, e.Indicator) {
		p.add(i, "category %q: unknown indicator %q (want one of the 七有 or 五性)", e.ID, e.Indicator)
	}
	return &ticketing.Category{
		ID: hotline.CategoryID(e.ID), Name: e.Name, Parent: hotline.CategoryID(e.Parent),
		Indicator: e.Indicator, Urgency: urgency, AutoDispatch: e.AutoDispatch,
		Keywords: e.Keywords, Disabled: e.Disabled,
	}
}

// checkCategories validates ids, parents (no unknown parent, no cycle) and
// that every leaf has an urgency.
func checkCategories(p *problems, cats []*ticketing.Category) {
	byID := map[hotline.CategoryID]*ticketing.Category{}
	for i, c := range cats {
		if _, dup := byID[c.ID]; dup && c.ID != "" {
			p.add(i, "category %q: duplicate id", c.ID)
		}
		byID[c.ID] = c
	}
	parents := map[hotline.CategoryID]bool{}
	for i, c := range cats {
		if c.Parent == "" {
			continue
		}
		parents[c.Parent] = true
		if _, ok := byID[c.Parent]; !ok {
			p.add(i, "category %q: unknown parent %q", c.ID, c.Parent)
		} else if inCycle(c, byID) {
			p.add(i, "category %q: parent chain loops back to itself", c.ID)
		}
	}
	for i, c := range cats {
		if !parents[c.ID] && c.Urgency == "" {
			p.add(i, "category %q: a leaf needs an urgency", c.ID)
		}
	}
}

// inCycle reports whether following c's parents leads back to c.
func inCycle(c *ticketing.Category, byID map[hotline.CategoryID]*ticketing.Category) bool {
	for cur, steps := c, 0; cur != nil && cur.Parent != "" && steps <= len(byID); steps++ {
		cur = byID[cur.Parent]
		if cur == c {
			return true
		}
	}
	return false
}

// Leaves returns the categories that have no children: those that take
// tickets.
func Leaves(cats []*ticketing.Category) []*ticketing.Category {
	parents := map[hotline.CategoryID]bool{}
	for _, c := range cats {
		parents[c.Parent] = true
	}
	var out []*ticketing.Category
	for _, c := range cats {
		if !parents[c.ID] {
			out = append(out, c)
		}
	}
	return out
}
