package ticketing

import (
	"context"
	"fmt"
	"regexp"

	"github.com/cityhotline/hotline"
)

// Reference data (units, categories, the catalogue) and the knowledge base
// are read by everyone signed in and changed by the admin; the knowledge
// base also by supervisors.

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func adminOnly(a hotline.Actor, what string) error {
	if a.Role != hotline.RoleAdmin {
		return hotline.Errorf(hotline.EFORBIDDEN, "only the admin may change %s", what)
	}
	return nil
}

// Units lists units.
func (s *Service) Units(ctx context.Context, f UnitFilter) ([]*Unit, error) {
	list, err := s.store.FindUnits(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("find units: %w", err)
	}
	return list, nil
}

// Unit returns one unit.
func (s *Service) Unit(ctx context.Context, id hotline.UnitID) (*Unit, error) {
	return s.store.FindUnitByID(ctx, id)
}

// CreateUnit adds a unit.
func (s *Service) CreateUnit(ctx context.Context, a hotline.Actor, u *Unit) error {
	if err := adminOnly(a, "units"); err != nil {
		return err
	}
	if err := s.validateUnit(ctx, u); err != nil {
		return err
	}
	if err := s.store.CreateUnit(ctx, u); err != nil {
		return fmt.Errorf("create unit %s: %w", u.ID, err)
	}
	s.invalidate()
	s.log.Debug("unit created", "unit", u.ID, "actor", a.UserID)
	return nil
}

// UpdateUnit changes a unit.
func (s *Service) UpdateUnit(ctx context.Context, a hotline.Actor, u *Unit) error {
	if err := adminOnly(a, "units"); err != nil {
		return err
	}
	if err := s.validateUnit(ctx, u); err != nil {
		return err
	}
	if err := s.store.UpdateUnit(ctx, u); err != nil {
		return fmt.Errorf("update unit %s: %w", u.ID, err)
	}
	s.invalidate()
	s.log.Info("unit updated", "unit", u.ID, "actor", a.UserID)
	return nil
}

func (s *Service) validateUnit(ctx context.Context, u *Unit) error {
	var v hotline.Invalid
	if !idPattern.MatchString(string(u.ID)) {
		v.Add("id", "1–64 letters, digits, '.', '_' or '-'")
	}
	checkText(&v, "name", u.Name, 100, true)
	if _, err := ParseTier(string(u.Tier)); err != nil {
		v.Add("tier", fieldProblem(err, "tier"))
	}
	if u.Parent != "" {
		p, err := s.store.FindUnitByID(ctx, u.Parent)
		switch {
		case err != nil:
			v.Add("parent", "unknown unit")
		case p.ID == u.ID:
			v.Add("parent", "a unit cannot be its own parent")
		case (u.Tier == TierStreet || u.Tier == TierDistrictDept) && p.Tier != TierDistrict:
			v.Add("parent", "must be a district")
		}
	} else if u.Tier == TierStreet || u.Tier == TierDistrictDept {
		v.Add("parent", "required: the district")
	}
	if u.Tier == TierDistrictDept && u.Kind == "" {
		v.Add("kind", "required for a district department")
	}
	for _, al := range u.Aliases {
		if len([]rune(al)) < 2 {
			v.Add("aliases", "each alias needs at least two characters")
		}
	}
	return v.Err("the unit is not valid")
}

// Categories lists the taxonomy.
func (s *Service) Categories(ctx context.Context) ([]*Category, error) {
	list, err := s.store.FindCategories(ctx)
	if err != nil {
		return nil, fmt.Errorf("find categories: %w", err)
	}
	return list, nil
}

// CreateCategory adds a category.
func (s *Service) CreateCategory(ctx context.Context, a hotline.Actor, c *Category) error {
	if err := adminOnly(a, "categories"); err != nil {
		return err
	}
	if err := s.validateCategory(ctx, c); err != nil {
		return err
	}
	if err := s.store.CreateCategory(ctx, c); err != nil {
		return fmt.Errorf("create category %s: %w", c.ID, err)
	}
	s.invalidate()
	return nil
}

// UpdateCategory changes a category.
func (s *Service) UpdateCategory(ctx context.Context, a hotline.Actor, c *Category) error {
	if err := adminOnly(a, "categories"); err != nil {
		return err
	}
	if err := s.validateCategory(ctx, c); err != nil {
		return err
	}
	if err := s.store.UpdateCategory(ctx, c); err != nil {
		return fmt.Errorf("update category %s: %w", c.ID, err)
	}
	s.invalidate()
	return nil
}

func (s *Service) validateCategory(ctx context.Context, c *Category) error {
	var v hotline.Invalid
	if !idPattern.MatchString(string(c.ID)) {
		v.Add("id", "1–64 letters, digits, '.', '_' or '-'")
	}
	checkText(&v, "name", c.Name, 100, true)
	if c.Urgency != "" {
		if _, err := ParseUrgency(string(c.Urgency)); err != nil {
			v.Add("urgency", fieldProblem(err, "urgency"))
		}
	}
	if c.Parent != "" {
		ref, err := s.refs(ctx)
		if err != nil {
			return err
		}
		if ref.categories[c.Parent] == nil || c.Parent == c.ID {
			v.Add("parent", "unknown category")
		}
		for _, anc := range ref.ancestry(c.Parent) {
			if anc == c.ID {
				v.Add("parent", "would make a cycle")
			}
		}
	}
	return v.Err("the category is not valid")
}

// Rules lists the dispatch catalogue.
func (s *Service) Rules(ctx context.Context) ([]*Rule, error) {
	list, err := s.store.FindRules(ctx)
	if err != nil {
		return nil, fmt.Errorf("find rules: %w", err)
	}
	return list, nil
}

// CreateRule adds a catalogue rule.
func (s *Service) CreateRule(ctx context.Context, a hotline.Actor, r *Rule) error {
	if err := s.checkRule(ctx, a, r); err != nil {
		return err
	}
	if err := s.store.CreateRule(ctx, r); err != nil {
		return fmt.Errorf("create rule: %w", err)
	}
	s.invalidate()
	s.log.Debug("catalogue rule created", "rule", r.ID, "category", r.Category, "actor", a.UserID)
	return nil
}

// UpdateRule changes a catalogue rule.
func (s *Service) UpdateRule(ctx context.Context, a hotline.Actor, r *Rule) error {
	if err := s.checkRule(ctx, a, r); err != nil {
		return err
	}
	if err := s.store.UpdateRule(ctx, r); err != nil {
		return fmt.Errorf("update rule %d: %w", r.ID, err)
	}
	s.invalidate()
	s.log.Info("catalogue rule updated", "rule", r.ID, "category", r.Category, "actor", a.UserID)
	return nil
}

// DeleteRule removes a catalogue rule.
func (s *Service) DeleteRule(ctx context.Context, a hotline.Actor, id int64) error {
	if err := adminOnly(a, "the catalogue"); err != nil {
		return err
	}
	if err := s.store.DeleteRule(ctx, id); err != nil {
		return fmt.Errorf("delete rule %d: %w", id, err)
	}
	s.invalidate()
	s.log.Info("catalogue rule deleted", "rule", id, "actor", a.UserID)
	return nil
}

func (s *Service) checkRule(ctx context.Context, a hotline.Actor, r *Rule) error {
	if err := adminOnly(a, "the catalogue"); err != nil {
		return err
	}
	ref, err := s.refs(ctx)
	if err != nil {
		return err
	}
	var v hotline.Invalid
	if ref.categories[r.Category] == nil {
		v.Add("category", "unknown category")
	}
	if r.Area != "" {
		if u := ref.units[r.Area]; u == nil || (u.Tier != TierDistrict && u.Tier != TierStreet) {
			v.Add("area", "must be a district or a street/town")
		}
	}
	if _, err := ParseTargetKind(string(r.Target)); err != nil {
		v.Add("target", fieldProblem(err, "target"))
	}
	switch r.Target {
	case TargetUnit:
		if !ref.dispatchable(r.Unit) {
			v.Add("unit", "unknown or disabled unit")
		}
	case TargetDistrictDept:
		if r.Kind == "" {
			v.Add("kind", "required: the kind of district department")
		}
	}
	return v.Err("the rule is not valid")
}

// SearchArticles finds valid knowledge-base articles for a query.
func (s *Service) SearchArticles(ctx context.Context, a hotline.Actor, q string, limit int) ([]*Article, error) {
	terms := QueryTerms(q)
	if len(terms) == 0 {
		return nil, hotline.Errorf(hotline.EINVALID, "empty query").WithField("q", "required")
	}
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	found, err := s.store.SearchArticles(ctx, terms, limit*2)
	if err != nil {
		return nil, fmt.Errorf("search articles: %w", err)
	}
	now := s.now()
	out := found[:0]
	for _, art := range found {
		if art.ValidAt(now) && len(out) < limit {
			out = append(out, art)
		}
	}
	return out, nil
}

// Article returns one article.
func (s *Service) Article(ctx context.Context, a hotline.Actor, id string) (*Article, error) {
	return s.store.FindArticleByID(ctx, id)
}

// CreateArticle adds an article.
func (s *Service) CreateArticle(ctx context.Context, a hotline.Actor, art *Article) error {
	if err := s.checkArticle(ctx, a, art); err != nil {
		return err
	}
	art.Updated, art.Version = s.now(), 1
	if err := s.store.CreateArticle(ctx, art); err != nil {
		return fmt.Errorf("create article %s: %w", art.ID, err)
	}
	return nil
}

// UpdateArticle changes an article; art.Version must be the stored version.
func (s *Service) UpdateArticle(ctx context.Context, a hotline.Actor, art *Article) error {
	if err := s.checkArticle(ctx, a, art); err != nil {
		return err
	}
	art.Updated = s.now()
	if err := s.store.UpdateArticle(ctx, art, art.Version); err != nil {
		return fmt.Errorf("update article %s: %w", art.ID, err)
	}
	return nil
}

func (s *Service) checkArticle(ctx context.Context, a hotline.Actor, art *Article) error {
	if a.Role != hotline.RoleAdmin && a.Role != hotline.RoleSupervisor {
		return hotline.Errorf(hotline.EFORBIDDEN, "only the admin and supervisors edit the knowledge base")
	}
	var v hotline.Invalid
	if !idPattern.MatchString(art.ID) {
		v.Add("id", "1–64 letters, digits, '.', '_' or '-'")
	}
	checkText(&v, "title", art.Title, maxTitle, true)
	checkText(&v, "body", art.Body, 20000, true)
	if art.Category != "" {
		ref, err := s.refs(ctx)
		if err != nil {
			return err
		}
		if ref.categories[art.Category] == nil {
			v.Add("category", "unknown category")
		}
	}
	if !art.ValidFrom.IsZero() && !art.ValidTo.IsZero() && !art.ValidTo.After(art.ValidFrom) {
		v.Add("valid_to", "must be after valid_from")
	}
	return v.Err("the article is not valid")
}
