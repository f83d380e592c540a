package sqlite

import (
	"context"
	"fmt"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

func unitColumns(u *ticketing.Unit) []column {
	return []column{
		{"id", &u.ID}, {"name", &u.Name}, {"tier", &u.Tier}, {"parent", &u.Parent}, {"kind", &u.Kind},
		{"aliases", &u.Aliases}, {"contact", &u.Contact}, {"sample", &u.Sample}, {"disabled", &u.Disabled},
	}
}

var unitSelectList = names(unitColumns(&ticketing.Unit{}), "")

// CreateUnit stores a new unit; ECONFLICT if the id exists.
func (db *DB) CreateUnit(ctx context.Context, u *ticketing.Unit) error {
	args, err := values(unitColumns(u))
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO units (`+unitSelectList+`) VALUES (`+placeholders(len(args))+`)`, args...)
	return conflict(err, "create unit "+string(u.ID), "unit "+string(u.ID)+" already exists")
}

// UpdateUnit replaces a unit; ENOTFOUND if missing.
func (db *DB) UpdateUnit(ctx context.Context, u *ticketing.Unit) error {
	cols := unitColumns(u)[1:]
	args, err := values(cols)
	if err != nil {
		return err
	}
	err = execOne(ctx, db.write, "unit "+string(u.ID)+" not found",
		`UPDATE units SET `+assignments(cols)+` WHERE id = ?`, append(args, u.ID)...)
	return wrap(err, "update unit "+string(u.ID))
}

// FindUnitByID returns a unit or ENOTFOUND.
func (db *DB) FindUnitByID(ctx context.Context, id hotline.UnitID) (*ticketing.Unit, error) {
	u := new(ticketing.Unit)
	err := db.read.QueryRowContext(ctx, `SELECT `+unitSelectList+` FROM units WHERE id = ?`, id).Scan(dests(unitColumns(u))...)
	if err != nil {
		return nil, notFound(err, "find unit "+string(id), "unit "+string(id)+" not found")
	}
	return u, nil
}

// FindUnits returns the units f selects, by id.
func (db *DB) FindUnits(ctx context.Context, f ticketing.UnitFilter) ([]*ticketing.Unit, error) {
	w := &where{}
	w.eq("tier", string(f.Tier))
	w.eq("parent", string(f.Parent))
	w.eq("kind", f.Kind)
	rows, err := db.read.QueryContext(ctx, `SELECT `+unitSelectList+` FROM units`+w.String()+` ORDER BY id`, w.args...)
	us, err := queryAll(rows, err, unitColumns)
	return us, wrap(err, "find units")
}

func categoryColumns(c *ticketing.Category) []column {
	return []column{
		{"id", &c.ID}, {"name", &c.Name}, {"parent", &c.Parent}, {"indicator", &c.Indicator},
		{"urgency", &c.Urgency}, {"auto_dispatch", &c.AutoDispatch}, {"keywords", &c.Keywords},
		{"disabled", &c.Disabled},
	}
}

var categorySelectList = names(categoryColumns(&ticketing.Category{}), "")

// CreateCategory stores a new category; ECONFLICT if the id exists.
func (db *DB) CreateCategory(ctx context.Context, c *ticketing.Category) error {
	args, err := values(categoryColumns(c))
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO categories (`+categorySelectList+`) VALUES (`+placeholders(len(args))+`)`, args...)
	return conflict(err, "create category "+string(c.ID), "category "+string(c.ID)+" already exists")
}

// UpdateCategory replaces a category; ENOTFOUND if missing.
func (db *DB) UpdateCategory(ctx context.Context, c *ticketing.Category) error {
	cols := categoryColumns(c)[1:]
	args, err := values(cols)
	if err != nil {
		return err
	}
	err = execOne(ctx, db.write, "category "+string(c.ID)+" not found",
		`UPDATE categories SET `+assignments(cols)+` WHERE id = ?`, append(args, c.ID)...)
	return wrap(err, "update category "+string(c.ID))
}

// FindCategories returns every category, by id.
func (db *DB) FindCategories(ctx context.Context) ([]*ticketing.Category, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+categorySelectList+` FROM categories ORDER BY id`)
	cs, err := queryAll(rows, err, categoryColumns)
	return cs, wrap(err, "find categories")
}

// ruleColumns leaves out the id, which the database assigns.
func ruleColumns(r *ticketing.Rule) []column {
	return []column{
		{"category", &r.Category}, {"area", &r.Area}, {"target", &r.Target}, {"unit", &r.Unit},
		{"kind", &r.Kind}, {"priority", &r.Priority}, {"note", &r.Note},
	}
}

func ruleSelect(r *ticketing.Rule) []column {
	return append([]column{{"id", &r.ID}}, ruleColumns(r)...)
}

var ruleSelectList = names(ruleSelect(&ticketing.Rule{}), "")

// CreateRule stores a catalogue rule and sets r.ID.
func (db *DB) CreateRule(ctx context.Context, r *ticketing.Rule) error {
	cols := ruleColumns(r)
	args, err := values(cols)
	if err != nil {
		return err
	}
	res, err := db.write.ExecContext(ctx, `INSERT INTO rules (`+names(cols, "")+`) VALUES (`+placeholders(len(args))+`)`, args...)
	if err != nil {
		return fmt.Errorf("create rule: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("create rule: %w", err)
	}
	r.ID = id
	return nil
}

// UpdateRule replaces a rule; ENOTFOUND if missing.
func (db *DB) UpdateRule(ctx context.Context, r *ticketing.Rule) error {
	cols := ruleColumns(r)
	args, err := values(cols)
	if err != nil {
		return err
	}
	err = execOne(ctx, db.write, fmt.Sprintf("rule %d not found", r.ID),
		`UPDATE rules SET `+assignments(cols)+` WHERE id = ?`, append(args, r.ID)...)
	return wrap(err, fmt.Sprintf("update rule %d", r.ID))
}

// DeleteRule removes a rule; ENOTFOUND if missing.
func (db *DB) DeleteRule(ctx context.Context, id int64) error {
	err := execOne(ctx, db.write, fmt.Sprintf("rule %d not found", id), `DELETE FROM rules WHERE id = ?`, id)
	return wrap(err, fmt.Sprintf("delete rule %d", id))
}

// FindRules returns the catalogue by priority, then id.
func (db *DB) FindRules(ctx context.Context) ([]*ticketing.Rule, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+ruleSelectList+` FROM rules ORDER BY priority, id`)
	rs, err := queryAll(rows, err, ruleSelect)
	return rs, wrap(err, "find rules")
}
