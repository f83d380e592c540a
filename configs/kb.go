package configs

import (
	"io/fs"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

type kbFile struct {
	Articles []articleEntry `yaml:"articles"`
}

type articleEntry struct {
	ID        string   `yaml:"id"`
	Title     string   `yaml:"title"`
	Body      string   `yaml:"body"`
	Category  string   `yaml:"category"`
	Keywords  []string `yaml:"keywords"`
	ValidFrom string   `yaml:"valid_from"`
	ValidTo   string   `yaml:"valid_to"`
}

func loadKB(fsys fs.FS, cats []*ticketing.Category) ([]*ticketing.Article, error) {
	var f kbFile
	lines, err := decodeFile(fsys, KBFile, "articles", &f)
	if err != nil {
		return nil, err
	}
	known := categorySet(cats)
	p := &problems{file: KBFile, lines: lines}
	seen := map[string]bool{}
	articles := make([]*ticketing.Article, 0, len(f.Articles))
	for i, e := range f.Articles {
		if seen[e.ID] && e.ID != "" {
			p.add(i, "article %q: duplicate id", e.ID)
		}
		seen[e.ID] = true
		articles = append(articles, articleFromEntry(p, i, e, known))
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return articles, nil
}

func articleFromEntry(p *problems, i int, e articleEntry, known map[hotline.CategoryID]bool) *ticketing.Article {
	a := &ticketing.Article{
		ID: e.ID, Title: strings.TrimSpace(e.Title), Body: strings.TrimSpace(e.Body),
		Category: hotline.CategoryID(e.Category), Keywords: e.Keywords, Version: 1,
	}
	switch {
	case a.ID == "":
		p.add(i, "article without id")
	case a.Title == "":
		p.add(i, "article %q: no title", a.ID)
	case a.Body == "":
		p.add(i, "article %q: no body", a.ID)
	case !known[a.Category]:
		p.add(i, "article %q: unknown category %q", a.ID, a.Category)
	}
	a.ValidFrom = optionalDate(p, i, a.ID, "valid_from", e.ValidFrom)
	a.ValidTo = optionalDate(p, i, a.ID, "valid_to", e.ValidTo)
	if !a.ValidFrom.IsZero() && !a.ValidTo.IsZero() && !a.ValidTo.After(a.ValidFrom) {
		p.add(i, "article %q: valid_to %s is not after valid_from %s", a.ID, e.ValidTo, e.ValidFrom)
	}
	return a
}

func optionalDate(p *problems, i int, id, field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := parseDate(s)
	if err != nil {
		p.add(i, "article %q: %s: %v", id, field, err)
	}
	return t
}
