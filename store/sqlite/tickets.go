package sqlite

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/store/internal/ticketno"
	"github.com/cityhotline/hotline/ticketing"
)

// ticketColumns lists every stored field of t except id, version and the
// derived search text.
func ticketColumns(t *ticketing.Ticket) []column {
	return []column{
		{"channel", &t.Channel}, {"caller_number", &t.CallerNumber}, {"contact_number", &t.ContactNumber},
		{"citizen_name", &t.CitizenName}, {"type", &t.Type}, {"category", &t.Category},
		{"title", &t.Title}, {"content", &t.Content}, {"address", &t.Address},
		{"district", &t.District}, {"street", &t.Street}, {"lat", &t.Lat}, {"lng", &t.Lng},
		{"urgency", &t.Urgency}, {"confidential", &t.Confidential}, {"no_callback", &t.NoCallback},
		{"call_id", &t.CallID}, {"recording_id", &t.RecordingID}, {"agent", &t.Agent},
		{"state", &t.State}, {"triage", &t.Triage}, {"triage_reason", &t.TriageReason},
		{"article", &t.Article}, {"merged_into", &t.MergedInto},
		{"suggested_unit", &t.SuggestedUnit}, {"unit", &t.Unit}, {"copy_unit", &t.CopyUnit},
		{"created", &t.Created}, {"updated", &t.Updated}, {"dispatched_at", &t.DispatchedAt},
		{"accepted_at", &t.AcceptedAt}, {"contacted_at", &t.ContactedAt},
		{"replied_at", &t.RepliedAt}, {"closed_at", &t.ClosedAt},
		{"accept_due", &t.AcceptDue}, {"contact_due", &t.ContactDue}, {"reply_due", &t.ReplyDue},
		{"accept_light", &t.AcceptLight}, {"contact_light", &t.ContactLight}, {"reply_light", &t.ReplyLight},
		{"next_check", &t.NextCheck}, {"paused_at", &t.PausedAt},
		{"outcome", &t.Outcome}, {"reply_content", &t.ReplyContent},
		{"pending_return", &t.PendingReturn}, {"pending_extension", &t.PendingExtension},
		{"extension_reason", &t.ExtensionReason},
		{"supervised", &t.Supervised}, {"returns", &t.Returns}, {"extensions", &t.Extensions},
		{"reopens", &t.Reopens}, {"urges", &t.Urges},
	}
}

// ticketSelect is every column a *Ticket is scanned from, in scan order.
func ticketSelect(t *ticketing.Ticket) []column {
	return append([]column{{"id", &t.ID}, {"version", &t.Version}}, ticketColumns(t)...)
}

var ticketSelectList = names(ticketSelect(&ticketing.Ticket{}), "")

func ticketSearch(t *ticketing.Ticket) string {
	return ticketing.IndexText(t.Title, t.Content, t.Address)
}

// nextTicketID bumps the daily sequence of created's Beijing day.
func nextTicketID(ctx context.Context, tx *wtx, created time.Time) (hotline.TicketID, error) {
	day := ticketno.Day(created)
	var n int64
	err := tx.QueryRowContext(ctx, `INSERT INTO ticket_seq (day, n) VALUES (?, 1)
		ON CONFLICT (day) DO UPDATE SET n = n + 1 RETURNING n`, day).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("number ticket for %s: %w", day, err)
	}
	return ticketno.ID(day, n), nil
}

var ticketInsert = `INSERT INTO tickets (` + ticketSelectList + `, search) VALUES (` +
	placeholders(len(ticketSelect(&ticketing.Ticket{}))+1) + `)`

// ticketInsertArgs are the arguments of ticketInsert for t.
func ticketInsertArgs(t *ticketing.Ticket) ([]any, error) {
	args, err := values(ticketSelect(t))
	if err != nil {
		return nil, err
	}
	return append(args, ticketSearch(t)), nil
}

func insertTicket(ctx context.Context, tx *wtx, t *ticketing.Ticket) error {
	args, err := ticketInsertArgs(t)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, ticketInsert, args...)
	return conflict(err, "insert ticket "+string(t.ID), "ticket "+string(t.ID)+" already exists")
}

func insertIdempotency(ctx context.Context, tx *wtx, i *ticketing.Idempotency) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO idempotency (user_id, key, hash, ticket) VALUES (?, ?, ?, ?)`,
		i.User, i.Key, i.Hash, i.Ticket)
	return conflict(err, "insert idempotency key", fmt.Sprintf("idempotency key %q was already used", i.Key))
}

// UpdateTicket stores t if its stored version is still version, with
// t.Version bumped, and appends evs; otherwise ECONFLICT (Current holds the
// stored ticket) or ENOTFOUND.
func (db *DB) UpdateTicket(ctx context.Context, t *ticketing.Ticket, version int, evs []ticketing.Event) error {
	c := *t
	c.Version = version + 1
	cevs := slices.Clone(evs)
	err := db.inTx(ctx, func(tx *wtx) error {
		if err := updateTicket(ctx, tx, &c, version); err != nil {
			return err
		}
		return appendEvents(ctx, tx, c.ID, cevs)
	})
	if err != nil {
		return wrap(err, "update ticket "+string(t.ID))
	}
	*t = c
	copy(evs, cevs)
	return nil
}

func updateTicket(ctx context.Context, tx *wtx, t *ticketing.Ticket, version int) error {
	cols := ticketColumns(t)
	args, err := values(cols)
	if err != nil {
		return err
	}
	q := `UPDATE tickets SET ` + assignments(cols) + `, search = ?, version = ? WHERE id = ? AND version = ?`
	args = append(args, ticketSearch(t), t.Version, t.ID, version)
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	current, err := scanTicket(tx.QueryRowContext(ctx, `SELECT `+ticketSelectList+` FROM tickets WHERE id = ?`, t.ID))
	if err != nil {
		return notFound(err, "reload ticket", "ticket "+string(t.ID)+" not found")
	}
	e := hotline.Errorf(hotline.ECONFLICT, "ticket %s was changed by someone else (version %d, not %d)", t.ID, current.Version, version)
	e.Current = current
	return e
}

func scanTicket(row scanner) (*ticketing.Ticket, error) {
	t := new(ticketing.Ticket)
	if err := row.Scan(dests(ticketSelect(t))...); err != nil {
		return nil, err
	}
	return t, nil
}

// FindTicketByID returns one ticket or ENOTFOUND.
func (db *DB) FindTicketByID(ctx context.Context, id hotline.TicketID) (*ticketing.Ticket, error) {
	t, err := scanTicket(db.read.QueryRowContext(ctx, `SELECT `+ticketSelectList+` FROM tickets WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, "find ticket "+string(id), "ticket "+string(id)+" not found")
	}
	return t, nil
}

// FindTicketsToCheck returns tickets whose NextCheck is set and not after
// t, soonest first, at most limit (all when limit is 0).
func (db *DB) FindTicketsToCheck(ctx context.Context, t time.Time, limit int) ([]*ticketing.Ticket, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+ticketSelectList+` FROM tickets
		WHERE next_check IS NOT NULL AND next_check <= ? ORDER BY next_check, id LIMIT ?`,
		t.UnixMicro(), sqlLimit(limit))
	ts, err := queryAll(rows, err, ticketSelect)
	return ts, wrap(err, "find tickets to check")
}

// sqlLimit maps "0: no limit" to SQLite's -1.
func sqlLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}

// FindIdempotency returns the record of a user's key or ENOTFOUND.
func (db *DB) FindIdempotency(ctx context.Context, user hotline.UserID, key string) (*ticketing.Idempotency, error) {
	i := &ticketing.Idempotency{}
	err := db.read.QueryRowContext(ctx, `SELECT user_id, key, hash, ticket FROM idempotency WHERE user_id = ? AND key = ?`,
		user, key).Scan(&i.User, &i.Key, &i.Hash, &i.Ticket)
	if err != nil {
		return nil, notFound(err, "find idempotency key", fmt.Sprintf("idempotency key %q not found", key))
	}
	return i, nil
}
