package ticketing

import (
	"cmp"
	"slices"
	"strings"

	"github.com/cityhotline/hotline"
)

// UrgentTheme is one heading of the daily urgent-sensitive brief (急难敏感
// 简报): tickets in its categories (or below them) or with one of its
// keywords in the title or content.
type UrgentTheme struct {
	ID         string
	Name       string
	Categories []hotline.CategoryID
	Keywords   []string
}

// DefaultUrgentThemes are the brief's headings, in the order it lists them:
// 扬言 (threats of extreme acts, by keyword: there is no such category) and
// the shipped categories 供暖, 消防安全 and 供水. A ticket is listed once,
// under the first theme it matches.
func DefaultUrgentThemes() []UrgentTheme {
	return []UrgentTheme{
		{ID: "threat", Name: "扬言", Keywords: []string{
			"扬言", "跳楼", "自杀", "轻生", "自焚", "寻短见", "不想活", "同归于尽", "报复社会", "极端行为",
		}},
		{ID: "heating", Name: "供暖", Categories: []hotline.CategoryID{"heating"}},
		{ID: "fire", Name: "消防安全", Categories: []hotline.CategoryID{"fire"}},
		{ID: "water", Name: "供水", Categories: []hotline.CategoryID{"water"}},
	}
}

// UrgentQueryOf is the store query that finds the candidates of themes.
func UrgentQueryOf(p Period, themes []UrgentTheme, limit int) UrgentQuery {
	q := UrgentQuery{From: p.From, To: p.To, Limit: limit}
	for _, th := range themes {
		q.Categories = append(q.Categories, th.Categories...)
		q.Keywords = append(q.Keywords, th.Keywords...)
	}
	return q
}

// UrgentBrief themes the candidate tickets and lists them by theme, then
// time, then number; a ticket that matches no theme is left out. names
// (id → name) gives the place of a ticket without an address.
func UrgentBrief(tickets []UrgentTicket, themes []UrgentTheme, names map[string]string) []UrgentItem {
	out := []UrgentItem{}
	order := map[string]int{}
	for i, th := range themes {
		order[th.ID] = i
	}
	for _, t := range tickets {
		th, ok := themeOf(&t, themes)
		if !ok {
			continue
		}
		out = append(out, UrgentItem{
			Theme: th, ID: string(t.ID), Time: t.Created, Place: place(&t, names),
			Summary: summary(&t), Category: string(t.Category),
		})
	}
	slices.SortStableFunc(out, func(a, b UrgentItem) int {
		return cmp.Or(order[a.Theme]-order[b.Theme], a.Time.Compare(b.Time), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// themeOf is the first theme t matches.
func themeOf(t *UrgentTicket, themes []UrgentTheme) (string, bool) {
	for _, th := range themes {
		for _, c := range th.Categories {
			if t.Category == c || strings.HasPrefix(string(t.Category), string(c)+".") {
				return th.ID, true
			}
		}
		for _, k := range th.Keywords {
			if strings.Contains(t.Title, k) || strings.Contains(t.Content, k) {
				return th.ID, true
			}
		}
	}
	return "", false
}

// place is the address, else the street's or district's name.
func place(t *UrgentTicket, names map[string]string) string {
	if t.Address != "" {
		return oneLine(t.Address, 60)
	}
	for _, id := range []hotline.UnitID{t.Street, t.District} {
		if id == "" {
			continue
		}
		if n := names[string(id)]; n != "" {
			return n
		}
		return string(id)
	}
	return ""
}

// summary is the title, or the start of the content.
func summary(t *UrgentTicket) string {
	if strings.TrimSpace(t.Title) != "" {
		return oneLine(t.Title, 60)
	}
	return oneLine(t.Content, 60)
}
