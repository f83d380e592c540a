package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// updateTicketSQL stores a ticket if its version is still $2 and appends
// its events, in one statement. $1 id, $2 version, $3 … columns, then the
// event arrays.
var updateTicketSQL = func() string {
	sets := make([]string, len(ticketColumns))
	for i, c := range ticketColumns {
		sets[i] = fmt.Sprintf("%s = $%d", c, i+3)
	}
	return `WITH up AS (
		UPDATE tickets SET ` + strings.Join(sets, ", ") + `, version = version + 1
		WHERE id = $1 AND version = $2
		RETURNING id, version
	), ev AS (
		` + eventInsert("up", len(ticketColumns)+3) + `
	)
	SELECT up.version, ARRAY(SELECT seq FROM ev ORDER BY seq) FROM up`
}()

// FindTicketByID returns the ticket with id, or ENOTFOUND.
func (db *DB) FindTicketByID(ctx context.Context, id hotline.TicketID) (*ticketing.Ticket, error) {
	row := db.pool.QueryRow(ctx, `SELECT `+ticketSelect+` FROM tickets WHERE id = $1`, string(id))
	t, err := scanTicket(row)
	if err != nil {
		return nil, fmt.Errorf("find ticket %s: %w", id, classify(err, "ticket "+string(id)))
	}
	return t, nil
}

// UpdateTicket stores t if its stored version is still version, appending
// evs, all or nothing. On success t.Version is the new version and evs have
// their Ticket and Seq. A stale version gives ECONFLICT carrying the current
// ticket; a missing ticket ENOTFOUND.
func (db *DB) UpdateTicket(ctx context.Context, t *ticketing.Ticket, version int, evs []ticketing.Event) error {
	ea, err := newEventArrays(evs)
	if err != nil {
		return fmt.Errorf("update ticket %s: %w", t.ID, err)
	}
	args := append([]any{string(t.ID), version}, ticketValues(t)...)
	args = append(args, ea.args()...)
	var newVersion int
	var seqs []int64
	err = db.pool.QueryRow(ctx, updateTicketSQL, args...).Scan(&newVersion, &seqs)
	if errors.Is(err, pgx.ErrNoRows) {
		return db.updateMissed(ctx, t.ID, version)
	}
	if err != nil {
		return fmt.Errorf("update ticket %s: %w", t.ID, err)
	}
	t.Version = newVersion
	numberEvents(evs, t.ID, seqs)
	return nil
}

// updateMissed explains why an update matched no row.
func (db *DB) updateMissed(ctx context.Context, id hotline.TicketID, version int) error {
	cur, err := db.FindTicketByID(ctx, id)
	if err != nil {
		return fmt.Errorf("update ticket %s: %w", id, err)
	}
	e := hotline.Errorf(hotline.ECONFLICT, "ticket %s changed: version %d, not %d", id, cur.Version, version)
	e.Current = cur
	return e
}

// ticketsToCheckSQL is the SLA sweep's query, served by tickets_next_check.
var ticketsToCheckSQL = `SELECT ` + ticketSelect + ` FROM tickets
	WHERE next_check IS NOT NULL AND next_check <= $1
	ORDER BY next_check, id`

// FindTicketsToCheck returns tickets whose NextCheck is set and not after
// at, by NextCheck then ID; a limit of 0 means all.
func (db *DB) FindTicketsToCheck(ctx context.Context, at time.Time, limit int) ([]*ticketing.Ticket, error) {
	rows, err := db.pool.Query(ctx, ticketsToCheckSQL+limitClause(limit, 0), at)
	if err != nil {
		return nil, fmt.Errorf("find tickets to check: %w", err)
	}
	ts, err := scanTickets(rows)
	if err != nil {
		return nil, fmt.Errorf("find tickets to check: %w", err)
	}
	return ts, nil
}

// FindIdempotency returns the record of user's key, or ENOTFOUND.
func (db *DB) FindIdempotency(ctx context.Context, user hotline.UserID, key string) (*ticketing.Idempotency, error) {
	i := &ticketing.Idempotency{}
	err := db.pool.QueryRow(ctx, `SELECT user_id, key, hash, ticket FROM idempotency WHERE user_id = $1 AND key = $2`,
		string(user), key).Scan(&i.User, &i.Key, &i.Hash, &i.Ticket)
	if err != nil {
		return nil, fmt.Errorf("find idempotency key: %w", classify(err, "idempotency key"))
	}
	return i, nil
}

// RecordAccess records that someone read a ticket's contact number.
func (db *DB) RecordAccess(ctx context.Context, a ticketing.Access) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO accesses (ticket, time, actor_id, actor_name, actor_role, actor_unit, field)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		string(a.Ticket), ts(a.Time), string(a.Actor.UserID), a.Actor.Name, string(a.Actor.Role), string(a.Actor.Unit), a.Field)
	if err != nil {
		return fmt.Errorf("record access to %s: %w", a.Ticket, err)
	}
	return nil
}

// FindAccesses returns who read a ticket's contact number, by time then
// insertion.
func (db *DB) FindAccesses(ctx context.Context, id hotline.TicketID) ([]ticketing.Access, error) {
	rows, err := db.pool.Query(ctx, `SELECT ticket, time, actor_id, actor_name, actor_role, actor_unit, field
		FROM accesses WHERE ticket = $1 ORDER BY time NULLS FIRST, id`, string(id))
	if err != nil {
		return nil, fmt.Errorf("find accesses to %s: %w", id, err)
	}
	as, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ticketing.Access, error) {
		var a ticketing.Access
		err := row.Scan(&a.Ticket, timeDest{&a.Time}, &a.Actor.UserID, &a.Actor.Name, &a.Actor.Role, &a.Actor.Unit, &a.Field)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("find accesses to %s: %w", id, err)
	}
	return as, nil
}
