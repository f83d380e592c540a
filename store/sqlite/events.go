package sqlite

import (
	"context"
	"fmt"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

func eventColumns(e *ticketing.Event) []column {
	return []column{
		{"ticket", &e.Ticket}, {"time", &e.Time},
		{"actor_id", &e.Actor.UserID}, {"actor_name", &e.Actor.Name},
		{"actor_role", &e.Actor.Role}, {"actor_unit", &e.Actor.Unit},
		{"action", &e.Action}, {"from_state", &e.From}, {"to_state", &e.To},
		{"reason", &e.Reason}, {"diff", &e.Diff},
	}
}

func eventSelect(e *ticketing.Event) []column {
	return append([]column{{"seq", &e.Seq}}, eventColumns(e)...)
}

var (
	eventInsert = `INSERT INTO events (` + names(eventColumns(&ticketing.Event{}), "") + `) VALUES (` +
		placeholders(len(eventColumns(&ticketing.Event{}))) + `) RETURNING seq`
	eventSelectList = names(eventSelect(&ticketing.Event{}), "")
)

// appendEvents stores evs for ticket id, setting their Ticket and Seq.
func appendEvents(ctx context.Context, tx *wtx, id hotline.TicketID, evs []ticketing.Event) error {
	for i := range evs {
		e := &evs[i]
		e.Ticket = id
		args, err := values(eventColumns(e))
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, eventInsert, args...).Scan(&e.Seq); err != nil {
			return fmt.Errorf("append %s event: %w", e.Action, err)
		}
	}
	return nil
}

// FindEvents returns a ticket's history in Seq order.
func (db *DB) FindEvents(ctx context.Context, id hotline.TicketID) ([]ticketing.Event, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+eventSelectList+` FROM events WHERE ticket = ? ORDER BY seq`, id)
	evs, err := queryAll(rows, err, eventSelect)
	if err != nil {
		return nil, fmt.Errorf("find events of %s: %w", id, err)
	}
	out := make([]ticketing.Event, len(evs))
	for i, e := range evs {
		out[i] = *e
	}
	return out, nil
}

func accessColumns(a *ticketing.Access) []column {
	return []column{
		{"ticket", &a.Ticket}, {"time", &a.Time},
		{"actor_id", &a.Actor.UserID}, {"actor_name", &a.Actor.Name},
		{"actor_role", &a.Actor.Role}, {"actor_unit", &a.Actor.Unit},
		{"field", &a.Field},
	}
}

var accessSelectList = names(accessColumns(&ticketing.Access{}), "")

// RecordAccess notes that someone read a citizen's contact details.
func (db *DB) RecordAccess(ctx context.Context, a ticketing.Access) error {
	args, err := values(accessColumns(&a))
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO accesses (`+accessSelectList+`) VALUES (`+placeholders(len(args))+`)`, args...)
	if isForeignKey(err) {
		return hotline.Errorf(hotline.ENOTFOUND, "ticket %s not found", a.Ticket)
	}
	return wrap(err, "record access to "+string(a.Ticket))
}

// FindAccesses returns who read a ticket's contact details, oldest first.
func (db *DB) FindAccesses(ctx context.Context, id hotline.TicketID) ([]ticketing.Access, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+accessSelectList+` FROM accesses WHERE ticket = ? ORDER BY time, rowid`, id)
	as, err := queryAll(rows, err, accessColumns)
	if err != nil {
		return nil, fmt.Errorf("find accesses of %s: %w", id, err)
	}
	out := make([]ticketing.Access, len(as))
	for i, a := range as {
		out[i] = *a
	}
	return out, nil
}
