package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

var _ ticketing.ClaimStore = (*DB)(nil)

const (
	claimCols = "ticket, unit, kind, state, reason, evidence, callback, month, filed_by, filed_by_name, filed, " +
		"ruled_by, ruled_by_name, ruled, note, version"
	foreignKeyViolation = "23503"
)

var (
	claimSelect = "id, " + claimCols
	claimInsert = `INSERT INTO claims (` + claimCols + `) VALUES (` + callPlaceholders(1, 16) + `) RETURNING id`
	claimUpdate = `UPDATE claims SET (` + claimCols + `) = (` + callPlaceholders(1, 16) + `) WHERE id = $17 AND version = $18`
	// claimEventInsert appends one event to a ticket's history.
	claimEventInsert = `INSERT INTO events (ticket, time, actor_id, actor_name, actor_role, actor_unit, action,
		from_state, to_state, reason, diff) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)`
)

func claimName(id int64) string { return fmt.Sprintf("claim %d", id) }

// claimValues returns c's stored columns in claimCols order, with version.
func claimValues(c *ticketing.Claim, version int) []any {
	return []any{string(c.Ticket), string(c.Unit), string(c.Kind), string(c.State), c.Reason, c.Evidence, c.Callback,
		c.Month.Key(), string(c.FiledBy), c.FiledByName, ts(c.Filed), string(c.RuledBy), c.RuledByName, ts(c.Ruled),
		c.Note, version}
}

func scanClaim(row pgx.Row) (*ticketing.Claim, error) {
	c := new(ticketing.Claim)
	var month int
	err := row.Scan(&c.ID, &c.Ticket, &c.Unit, &c.Kind, &c.State, &c.Reason, &c.Evidence, &c.Callback, &month,
		&c.FiledBy, &c.FiledByName, timeDest{&c.Filed}, &c.RuledBy, &c.RuledByName, timeDest{&c.Ruled}, &c.Note, &c.Version)
	if err != nil {
		return nil, err
	}
	c.Month = ticketing.MonthOfKey(month)
	return c, nil
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == uniqueViolation
}

// appendEvent adds ev to the ticket's history inside tx.
func appendEvent(ctx context.Context, tx pgx.Tx, ticket hotline.TicketID, ev ticketing.Event) error {
	diff, err := encodeDiff(ev.Diff)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, claimEventInsert, string(ticket), ts(ev.Time), string(ev.Actor.UserID), ev.Actor.Name,
		string(ev.Actor.Role), string(ev.Actor.Unit), ev.Action, string(ev.From), string(ev.To), ev.Reason, diff)
	return err
}

// CreateClaim stores a new claim with Version 1 and appends ev to its
// ticket's history, in one transaction. A second pending claim of the same
// ticket and kind is ECONFLICT; a missing ticket ENOTFOUND.
func (db *DB) CreateClaim(ctx context.Context, c *ticketing.Claim, ev ticketing.Event) error {
	var id int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, claimInsert, claimValues(c, 1)...).Scan(&id); err != nil {
			if isUniqueViolation(err) {
				return hotline.Errorf(hotline.ECONFLICT, "ticket %s already has a pending %s claim", c.Ticket, c.Kind)
			}
			if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == foreignKeyViolation {
				return hotline.Errorf(hotline.ENOTFOUND, "ticket %s not found", c.Ticket)
			}
			return err
		}
		return appendEvent(ctx, tx, c.Ticket, ev)
	})
	if err != nil {
		return fmt.Errorf("create claim on ticket %s: %w", c.Ticket, err)
	}
	c.ID, c.Version = id, 1
	return nil
}

// UpdateClaim replaces the claim when its stored version is version, bumps
// c.Version, appends ev to the ticket's history and, when exclude, takes
// the ticket out of the assessment — all in one transaction. ECONFLICT
// (Current: the stored claim) or ENOTFOUND otherwise.
func (db *DB) UpdateClaim(ctx context.Context, c *ticketing.Claim, version int, ev ticketing.Event, exclude bool) error {
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, claimUpdate, append(claimValues(c, version+1), c.ID, version)...)
		if isUniqueViolation(err) {
			return hotline.Errorf(hotline.ECONFLICT, "ticket %s already has a pending %s claim", c.Ticket, c.Kind)
		}
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return claimMissed(ctx, tx, c.ID, version)
		}
		if err := appendEvent(ctx, tx, c.Ticket, ev); err != nil {
			return err
		}
		if exclude {
			return excludeTicket(ctx, tx, c.Ticket)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update %s: %w", claimName(c.ID), err)
	}
	c.Version = version + 1
	return nil
}

// claimMissed explains an update that touched no row.
func claimMissed(ctx context.Context, tx pgx.Tx, id int64, version int) error {
	cur, err := scanClaim(tx.QueryRow(ctx, `SELECT `+claimSelect+` FROM claims WHERE id = $1`, id))
	if err != nil {
		return classify(err, claimName(id))
	}
	e := hotline.Errorf(hotline.ECONFLICT, "%s is at version %d, not %d", claimName(id), cur.Version, version)
	e.Current = cur
	return e
}

// excludeTicket is SetExcluded(ticket, true) inside tx: under the ticket's
// answers lock, the exclusion row and the mark on its callback records.
func excludeTicket(ctx context.Context, tx pgx.Tx, ticket hotline.TicketID) error {
	if _, err := tx.Exec(ctx, lockTicketAnswers, string(ticket)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO assessment_exclusions (ticket) VALUES ($1) ON CONFLICT DO NOTHING`, string(ticket)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE callback_answers SET excluded = true WHERE ticket = $1 AND NOT excluded`, string(ticket))
	return err
}

// FindClaimByID returns one claim or ENOTFOUND.
func (db *DB) FindClaimByID(ctx context.Context, id int64) (*ticketing.Claim, error) {
	c, err := scanClaim(db.pool.QueryRow(ctx, `SELECT `+claimSelect+` FROM claims WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", claimName(id), classify(err, claimName(id)))
	}
	return c, nil
}

// FindClaims returns the claims f selects by filing time, then id.
func (db *DB) FindClaims(ctx context.Context, f ticketing.ClaimFilter) ([]*ticketing.Claim, error) {
	q := &callConds{}
	q.eq("state", string(f.State))
	q.eq("kind", string(f.Kind))
	q.eq("unit", string(f.Unit))
	q.eq("ticket", string(f.Ticket))
	if f.Month != (ticketing.Month{}) {
		q.add("month = %s", f.Month.Key())
	}
	sql := `SELECT ` + claimSelect + ` FROM claims`
	if len(q.conds) > 0 {
		sql += " WHERE " + strings.Join(q.conds, " AND ")
	}
	rows, err := db.pool.Query(ctx, sql+` ORDER BY filed, id`+limitClause(max(f.Limit, 0), f.Offset), q.args...)
	if err != nil {
		return nil, fmt.Errorf("find claims: %w", err)
	}
	defer rows.Close()
	out := []*ticketing.Claim{}
	for rows.Next() {
		c, err := scanClaim(rows)
		if err != nil {
			return nil, fmt.Errorf("find claims: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find claims: %w", err)
	}
	return out, nil
}
