package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// strs is a text[] argument: nil is the empty array, as the columns are
// NOT NULL.
func strs(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// emptyNil turns a loaded empty array into nil.
func emptyNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// CreateUnit stores a new unit; ECONFLICT if the id exists.
func (db *DB) CreateUnit(ctx context.Context, u *ticketing.Unit) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO units (id, name, tier, parent, kind, aliases, contact, sample, disabled)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		string(u.ID), u.Name, string(u.Tier), string(u.Parent), u.Kind, strs(u.Aliases), u.Contact, u.Sample, u.Disabled)
	if err != nil {
		return fmt.Errorf("create unit %s: %w", u.ID, classify(err, "unit "+string(u.ID)))
	}
	return nil
}

// UpdateUnit stores u over the unit with its id; ENOTFOUND if missing.
func (db *DB) UpdateUnit(ctx context.Context, u *ticketing.Unit) error {
	tag, err := db.pool.Exec(ctx, `UPDATE units SET name = $2, tier = $3, parent = $4, kind = $5, aliases = $6,
		contact = $7, sample = $8, disabled = $9 WHERE id = $1`,
		string(u.ID), u.Name, string(u.Tier), string(u.Parent), u.Kind, strs(u.Aliases), u.Contact, u.Sample, u.Disabled)
	if err != nil {
		return fmt.Errorf("update unit %s: %w", u.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("unit " + string(u.ID))
	}
	return nil
}

const unitSelect = `SELECT id, name, tier, parent, kind, aliases, contact, sample, disabled FROM units`

func scanUnit(row pgx.CollectableRow) (*ticketing.Unit, error) {
	u := &ticketing.Unit{}
	err := row.Scan(&u.ID, &u.Name, &u.Tier, &u.Parent, &u.Kind, &u.Aliases, &u.Contact, &u.Sample, &u.Disabled)
	u.Aliases = emptyNil(u.Aliases)
	return u, err
}

// FindUnitByID returns the unit with id, or ENOTFOUND.
func (db *DB) FindUnitByID(ctx context.Context, id hotline.UnitID) (*ticketing.Unit, error) {
	rows, err := db.pool.Query(ctx, unitSelect+` WHERE id = $1`, string(id))
	if err != nil {
		return nil, fmt.Errorf("find unit %s: %w", id, err)
	}
	u, err := pgx.CollectExactlyOneRow(rows, scanUnit)
	if err != nil {
		return nil, fmt.Errorf("find unit %s: %w", id, classify(err, "unit "+string(id)))
	}
	return u, nil
}

// FindUnits returns the units f selects, by id.
func (db *DB) FindUnits(ctx context.Context, f ticketing.UnitFilter) ([]*ticketing.Unit, error) {
	q := &query{}
	q.eq("tier", string(f.Tier))
	q.eq("parent", string(f.Parent))
	q.eq("kind", f.Kind)
	rows, err := db.pool.Query(ctx, unitSelect+q.where()+` ORDER BY id`, q.args...)
	if err != nil {
		return nil, fmt.Errorf("find units: %w", err)
	}
	us, err := pgx.CollectRows(rows, scanUnit)
	if err != nil {
		return nil, fmt.Errorf("find units: %w", err)
	}
	return us, nil
}

// CreateCategory stores a new category; ECONFLICT if the id exists.
func (db *DB) CreateCategory(ctx context.Context, c *ticketing.Category) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO categories (id, name, parent, indicator, urgency, auto_dispatch, keywords, disabled)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		string(c.ID), c.Name, string(c.Parent), c.Indicator, string(c.Urgency), c.AutoDispatch, strs(c.Keywords), c.Disabled)
	if err != nil {
		return fmt.Errorf("create category %s: %w", c.ID, classify(err, "category "+string(c.ID)))
	}
	return nil
}

// UpdateCategory stores c over the category with its id; ENOTFOUND if
// missing.
func (db *DB) UpdateCategory(ctx context.Context, c *ticketing.Category) error {
	tag, err := db.pool.Exec(ctx, `UPDATE categories SET name = $2, parent = $3, indicator = $4, urgency = $5,
		auto_dispatch = $6, keywords = $7, disabled = $8 WHERE id = $1`,
		string(c.ID), c.Name, string(c.Parent), c.Indicator, string(c.Urgency), c.AutoDispatch, strs(c.Keywords), c.Disabled)
	if err != nil {
		return fmt.Errorf("update category %s: %w", c.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("category " + string(c.ID))
	}
	return nil
}

// FindCategories returns every category, by id.
func (db *DB) FindCategories(ctx context.Context) ([]*ticketing.Category, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, name, parent, indicator, urgency, auto_dispatch, keywords, disabled
		FROM categories ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("find categories: %w", err)
	}
	cs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*ticketing.Category, error) {
		c := &ticketing.Category{}
		err := row.Scan(&c.ID, &c.Name, &c.Parent, &c.Indicator, &c.Urgency, &c.AutoDispatch, &c.Keywords, &c.Disabled)
		c.Keywords = emptyNil(c.Keywords)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("find categories: %w", err)
	}
	return cs, nil
}

// CreateRule stores a new catalogue rule and sets r.ID.
func (db *DB) CreateRule(ctx context.Context, r *ticketing.Rule) error {
	var id int64
	err := db.pool.QueryRow(ctx, `INSERT INTO rules (category, area, target, unit, kind, priority, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		string(r.Category), string(r.Area), string(r.Target), string(r.Unit), r.Kind, r.Priority, r.Note).Scan(&id)
	if err != nil {
		return fmt.Errorf("create rule: %w", err)
	}
	r.ID = id
	return nil
}

// UpdateRule stores r over the rule with its id; ENOTFOUND if missing.
func (db *DB) UpdateRule(ctx context.Context, r *ticketing.Rule) error {
	tag, err := db.pool.Exec(ctx, `UPDATE rules SET category = $2, area = $3, target = $4, unit = $5, kind = $6,
		priority = $7, note = $8 WHERE id = $1`,
		r.ID, string(r.Category), string(r.Area), string(r.Target), string(r.Unit), r.Kind, r.Priority, r.Note)
	if err != nil {
		return fmt.Errorf("update rule %d: %w", r.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return notFound(fmt.Sprintf("rule %d", r.ID))
	}
	return nil
}

// DeleteRule removes a rule; ENOTFOUND if missing.
func (db *DB) DeleteRule(ctx context.Context, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM rules WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete rule %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return notFound(fmt.Sprintf("rule %d", id))
	}
	return nil
}

// FindRules returns the catalogue, by priority then id.
func (db *DB) FindRules(ctx context.Context) ([]*ticketing.Rule, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, category, area, target, unit, kind, priority, note
		FROM rules ORDER BY priority, id`)
	if err != nil {
		return nil, fmt.Errorf("find rules: %w", err)
	}
	rs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*ticketing.Rule, error) {
		r := &ticketing.Rule{}
		return r, row.Scan(&r.ID, &r.Category, &r.Area, &r.Target, &r.Unit, &r.Kind, &r.Priority, &r.Note)
	})
	if err != nil {
		return nil, fmt.Errorf("find rules: %w", err)
	}
	return rs, nil
}
