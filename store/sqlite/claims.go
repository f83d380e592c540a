package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

var _ ticketing.ClaimStore = (*DB)(nil)

// claimColumns lists every stored field of c except its id and month (a
// struct, stored as its YYYYMM key after these columns).
func claimColumns(c *ticketing.Claim) []column {
	return []column{
		{"ticket", &c.Ticket}, {"unit", &c.Unit}, {"kind", &c.Kind}, {"state", &c.State},
		{"reason", &c.Reason}, {"evidence", &c.Evidence}, {"callback", &c.Callback},
		{"filed_by", &c.FiledBy}, {"filed_by_name", &c.FiledByName}, {"filed", &c.Filed},
		{"ruled_by", &c.RuledBy}, {"ruled_by_name", &c.RuledByName}, {"ruled", &c.Ruled},
		{"note", &c.Note}, {"version", &c.Version},
	}
}

var (
	claimNames      = names(claimColumns(&ticketing.Claim{}), "")
	claimInsert     = `INSERT INTO claims (` + claimNames + `, month) VALUES (` + placeholders(len(claimColumns(&ticketing.Claim{}))+1) + `) RETURNING id`
	claimUpdate     = `UPDATE claims SET ` + assignments(claimColumns(&ticketing.Claim{})) + `, month = ? WHERE id = ? AND version = ?`
	claimSelectList = `id, ` + claimNames + `, month`
)

// claimArgs returns c's stored columns, month last, with the given version.
func claimArgs(c *ticketing.Claim, version int) ([]any, error) {
	s := *c
	s.Version = version
	args, err := values(claimColumns(&s))
	if err != nil {
		return nil, err
	}
	return append(args, c.Month.Key()), nil
}

func scanClaim(row scanner) (*ticketing.Claim, error) {
	c := new(ticketing.Claim)
	var month int
	dst := append([]any{&c.ID}, dests(claimColumns(c))...)
	if err := row.Scan(append(dst, &month)...); err != nil {
		return nil, err
	}
	c.Month = ticketing.MonthOfKey(month)
	return c, nil
}

func claimName(id int64) string { return "claim " + strconv.FormatInt(id, 10) }

// CreateClaim stores a new claim with Version 1 and appends ev to its
// ticket's history, in one transaction. A second pending claim of the same
// ticket and kind is ECONFLICT; a missing ticket ENOTFOUND.
func (db *DB) CreateClaim(ctx context.Context, c *ticketing.Claim, ev ticketing.Event) error {
	what := "create claim on ticket " + string(c.Ticket)
	args, err := claimArgs(c, 1)
	if err != nil {
		return wrap(err, what)
	}
	var id int64
	err = db.inTx(ctx, func(tx *wtx) error {
		if err := tx.QueryRowContext(ctx, claimInsert, args...).Scan(&id); err != nil {
			switch {
			case isUnique(err):
				return hotline.Errorf(hotline.ECONFLICT, "ticket %s already has a pending %s claim", c.Ticket, c.Kind)
			case isForeignKey(err):
				return hotline.Errorf(hotline.ENOTFOUND, "ticket %s not found", c.Ticket)
			}
			return err
		}
		return appendEvents(ctx, tx, c.Ticket, []ticketing.Event{ev})
	})
	if err != nil {
		return wrap(err, what)
	}
	c.ID, c.Version = id, 1
	return nil
}

// UpdateClaim replaces the claim when its stored version is version, bumps
// c.Version, appends ev to the ticket's history and, when exclude, takes
// the ticket out of the assessment — all in one transaction. ECONFLICT
// (Current: the stored claim) or ENOTFOUND otherwise.
func (db *DB) UpdateClaim(ctx context.Context, c *ticketing.Claim, version int, ev ticketing.Event, exclude bool) error {
	what := "update " + claimName(c.ID)
	args, err := claimArgs(c, version+1)
	if err != nil {
		return wrap(err, what)
	}
	err = db.inTx(ctx, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, claimUpdate, append(args, c.ID, version)...)
		if isUnique(err) {
			return hotline.Errorf(hotline.ECONFLICT, "ticket %s already has a pending %s claim", c.Ticket, c.Kind)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return claimMissed(ctx, tx, c.ID, version)
		}
		if err := appendEvents(ctx, tx, c.Ticket, []ticketing.Event{ev}); err != nil {
			return err
		}
		if exclude {
			return excludeTicket(ctx, tx, c.Ticket)
		}
		return nil
	})
	if err != nil {
		return wrap(err, what)
	}
	c.Version = version + 1
	return nil
}

// claimMissed explains an update that touched no row.
func claimMissed(ctx context.Context, tx *wtx, id int64, version int) error {
	cur, err := scanClaim(tx.QueryRowContext(ctx, `SELECT `+claimSelectList+` FROM claims WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return hotline.Errorf(hotline.ENOTFOUND, "%s not found", claimName(id))
	}
	if err != nil {
		return err
	}
	e := hotline.Errorf(hotline.ECONFLICT, "%s is at version %d, not %d", claimName(id), cur.Version, version)
	e.Current = cur
	return e
}

// excludeTicket is SetExcluded(ticket, true) inside tx: the exclusion row
// and the mark on the ticket's callback records.
func excludeTicket(ctx context.Context, tx *wtx, ticket hotline.TicketID) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO assessment_exclusions (ticket) VALUES (?) ON CONFLICT DO NOTHING`, string(ticket)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE callback_answers SET excluded = 1 WHERE ticket = ? AND excluded <> 1`, string(ticket))
	return err
}

// FindClaimByID returns one claim or ENOTFOUND.
func (db *DB) FindClaimByID(ctx context.Context, id int64) (*ticketing.Claim, error) {
	c, err := scanClaim(db.read.QueryRowContext(ctx, `SELECT `+claimSelectList+` FROM claims WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, "find "+claimName(id), claimName(id)+" not found")
	}
	return c, nil
}

// FindClaims returns the claims f selects by filing time, then id.
func (db *DB) FindClaims(ctx context.Context, f ticketing.ClaimFilter) ([]*ticketing.Claim, error) {
	w := &where{}
	w.eq("state", string(f.State))
	w.eq("kind", string(f.Kind))
	w.eq("unit", string(f.Unit))
	w.eq("ticket", string(f.Ticket))
	if f.Month != (ticketing.Month{}) {
		w.add("month = ?", f.Month.Key())
	}
	q := `SELECT ` + claimSelectList + ` FROM claims` + w.String() + ` ORDER BY filed, id LIMIT ? OFFSET ?`
	rows, err := db.read.QueryContext(ctx, q, append(w.args, sqlLimit(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, wrap(err, "find claims")
	}
	defer rows.Close()
	out := []*ticketing.Claim{}
	for rows.Next() {
		c, err := scanClaim(rows)
		if err != nil {
			return nil, wrap(err, "find claims")
		}
		out = append(out, c)
	}
	return out, wrap(rows.Err(), "find claims")
}
