package api

import (
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// unitJSON is a unit on the wire, both ways.
type unitJSON struct {
	ID       hotline.UnitID `json:"id"`
	Name     string         `json:"name"`
	Tier     string         `json:"tier"`
	Parent   hotline.UnitID `json:"parent"`
	Kind     string         `json:"kind"`
	Aliases  []string       `json:"aliases"`
	Contact  string         `json:"contact"`
	Sample   bool           `json:"sample"`
	Disabled bool           `json:"disabled"`
}

func toUnitJSON(u *ticketing.Unit) unitJSON {
	return unitJSON{
		ID: u.ID, Name: u.Name, Tier: string(u.Tier), Parent: u.Parent, Kind: u.Kind,
		Aliases: nonNil(u.Aliases), Contact: u.Contact, Sample: u.Sample, Disabled: u.Disabled,
	}
}

func (j unitJSON) unit() *ticketing.Unit {
	return &ticketing.Unit{
		ID: j.ID, Name: j.Name, Tier: ticketing.Tier(j.Tier), Parent: j.Parent, Kind: j.Kind,
		Aliases: j.Aliases, Contact: j.Contact, Sample: j.Sample, Disabled: j.Disabled,
	}
}

// unitPatch changes a unit; absent fields stay as they are.
type unitPatch struct {
	Name     *string         `json:"name"`
	Tier     *string         `json:"tier"`
	Parent   *hotline.UnitID `json:"parent"`
	Kind     *string         `json:"kind"`
	Aliases  *[]string       `json:"aliases"`
	Contact  *string         `json:"contact"`
	Sample   *bool           `json:"sample"`
	Disabled *bool           `json:"disabled"`
}

func (p unitPatch) apply(u *ticketing.Unit) {
	set(&u.Name, p.Name)
	if p.Tier != nil {
		u.Tier = ticketing.Tier(*p.Tier)
	}
	set(&u.Parent, p.Parent)
	set(&u.Kind, p.Kind)
	set(&u.Aliases, p.Aliases)
	set(&u.Contact, p.Contact)
	set(&u.Sample, p.Sample)
	set(&u.Disabled, p.Disabled)
}

// set copies *v into *dst when v is given.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// categoryJSON is a category on the wire, both ways.
type categoryJSON struct {
	ID           hotline.CategoryID `json:"id"`
	Name         string             `json:"name"`
	Parent       hotline.CategoryID `json:"parent"`
	Indicator    string             `json:"indicator"`
	Urgency      string             `json:"urgency"`
	AutoDispatch bool               `json:"auto_dispatch"`
	Keywords     []string           `json:"keywords"`
	Disabled     bool               `json:"disabled"`
}

func toCategoryJSON(c *ticketing.Category) categoryJSON {
	return categoryJSON{
		ID: c.ID, Name: c.Name, Parent: c.Parent, Indicator: c.Indicator, Urgency: string(c.Urgency),
		AutoDispatch: c.AutoDispatch, Keywords: nonNil(c.Keywords), Disabled: c.Disabled,
	}
}

func (j categoryJSON) category() *ticketing.Category {
	return &ticketing.Category{
		ID: j.ID, Name: j.Name, Parent: j.Parent, Indicator: j.Indicator, Urgency: ticketing.Urgency(j.Urgency),
		AutoDispatch: j.AutoDispatch, Keywords: j.Keywords, Disabled: j.Disabled,
	}
}

// categoryPatch changes a category; absent fields stay as they are.
type categoryPatch struct {
	Name         *string             `json:"name"`
	Parent       *hotline.CategoryID `json:"parent"`
	Indicator    *string             `json:"indicator"`
	Urgency      *string             `json:"urgency"`
	AutoDispatch *bool               `json:"auto_dispatch"`
	Keywords     *[]string           `json:"keywords"`
	Disabled     *bool               `json:"disabled"`
}

func (p categoryPatch) apply(c *ticketing.Category) {
	set(&c.Name, p.Name)
	set(&c.Parent, p.Parent)
	set(&c.Indicator, p.Indicator)
	if p.Urgency != nil {
		c.Urgency = ticketing.Urgency(*p.Urgency)
	}
	set(&c.AutoDispatch, p.AutoDispatch)
	set(&c.Keywords, p.Keywords)
	set(&c.Disabled, p.Disabled)
}

// ruleJSON is a dispatch catalogue line on the wire, both ways.
type ruleJSON struct {
	ID       int64              `json:"id"`
	Category hotline.CategoryID `json:"category"`
	Area     hotline.UnitID     `json:"area"`
	Target   string             `json:"target"`
	Unit     hotline.UnitID     `json:"unit"`
	Kind     string             `json:"kind"`
	Priority int                `json:"priority"`
	Note     string             `json:"note"`
}

func toRuleJSON(r *ticketing.Rule) ruleJSON {
	return ruleJSON{
		ID: r.ID, Category: r.Category, Area: r.Area, Target: string(r.Target), Unit: r.Unit,
		Kind: r.Kind, Priority: r.Priority, Note: r.Note,
	}
}

func (j ruleJSON) rule() *ticketing.Rule {
	return &ticketing.Rule{
		ID: j.ID, Category: j.Category, Area: j.Area, Target: ticketing.TargetKind(j.Target), Unit: j.Unit,
		Kind: j.Kind, Priority: j.Priority, Note: j.Note,
	}
}

// articleJSON is a knowledge-base article on the wire. Validity dates are
// strings so a bad one can be named.
type articleJSON struct {
	ID        string             `json:"id"`
	Title     string             `json:"title"`
	Body      string             `json:"body"`
	Category  hotline.CategoryID `json:"category"`
	Keywords  []string           `json:"keywords"`
	ValidFrom string             `json:"valid_from,omitempty"`
	ValidTo   string             `json:"valid_to,omitempty"`
	Updated   string             `json:"updated,omitempty"`
	Version   int                `json:"version"`
}

func toArticleJSON(a *ticketing.Article) articleJSON {
	return articleJSON{
		ID: a.ID, Title: a.Title, Body: a.Body, Category: a.Category, Keywords: nonNil(a.Keywords),
		ValidFrom: stamp(a.ValidFrom), ValidTo: stamp(a.ValidTo), Updated: stamp(a.Updated), Version: a.Version,
	}
}

// article converts j; "updated" is the server's and ignored.
func (j articleJSON) article() (*ticketing.Article, error) {
	var v hotline.Invalid
	from := parseStamp(&v, "valid_from", j.ValidFrom)
	to := parseStamp(&v, "valid_to", j.ValidTo)
	if err := v.Err("invalid article"); err != nil {
		return nil, err
	}
	return &ticketing.Article{
		ID: j.ID, Title: j.Title, Body: j.Body, Category: j.Category, Keywords: j.Keywords,
		ValidFrom: from, ValidTo: to, Version: j.Version,
	}, nil
}

// parseStamp parses an optional RFC 3339 time, recording a problem in v.
func parseStamp(v *hotline.Invalid, field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		v.Add(field, "must be an RFC 3339 time such as 2026-11-27T09:00:00+08:00")
	}
	return t
}
