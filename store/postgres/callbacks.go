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

var _ ticketing.CallbackStore = (*DB)(nil)

const (
	callbackCols = "tickets, contact_number, due, attempts, state, last_result, history, reason, version, planned"
	answerCols   = "callback_id, ticket, unit, tier, called_at, month, reached, contacted, resolved, satisfaction, manual, by_user, recording"
	// answerReadCols are the columns FindAnswers scans.
	answerReadCols = "callback_id, ticket, unit, tier, called_at, reached, contacted, resolved, satisfaction, manual, by_user, recording"
)

var (
	callbackSelect = "id, " + callbackCols
	callbackInsert = `INSERT INTO callbacks (` + callbackCols + `) VALUES (` + callPlaceholders(1, 10) + `) RETURNING id`
	callbackUpdate = `UPDATE callbacks SET (` + callbackCols + `) = (` + callPlaceholders(1, 10) + `)
		WHERE id = $11 AND version = $12`

	answerInsert = `INSERT INTO callback_answers (` + answerCols + `, excluded) VALUES (` + callPlaceholders(1, 13) + `, ` + excludedOf("$2") + `)
		ON CONFLICT (callback_id, ticket, called_at) WHERE callback_id <> 0
		DO UPDATE SET (` + answerCols + `, excluded) = (` + excludedList(answerCols) + `, excluded.excluded)
		RETURNING id, ticket`
	answerUpdate = `WITH old AS (SELECT id, ticket FROM callback_answers WHERE id = $14 FOR UPDATE)
		UPDATE callback_answers a SET (` + answerCols + `, excluded) = (` + callPlaceholders(1, 13) + `, ` + excludedOf("$2") + `)
		FROM old WHERE a.id = old.id RETURNING a.id, old.ticket`
	answerSelectSQL = `SELECT a.id, ` + prefixList(answerReadCols, "a.") + `, a.excluded FROM callback_answers a`
)

func prefixList(cols, p string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

func excludedList(cols string) string { return prefixList(cols, "excluded.") }

// excludedOf is true when the ticket (a parameter) is excluded.
func excludedOf(ticket string) string {
	return `EXISTS (SELECT 1 FROM assessment_exclusions WHERE ticket = ` + ticket + `)`
}

// lockTicketAnswers serialises the writers of one ticket's callback records
// (answers, exclusion) until the transaction ends, so the final and excluded
// marks see every record. The two-key form keeps it apart from the
// migration lock's one-key space.
const lockTicketAnswers = `SELECT pg_advisory_xact_lock(12345, hashtext($1))`

func callbackName(id int64) string { return fmt.Sprintf("callback %d", id) }

// callbackValues returns cb's stored columns in callbackCols order, with
// the given version; history times in UTC.
func callbackValues(cb *ticketing.Callback, version int) []any {
	tickets := make([]string, len(cb.Tickets))
	for i, t := range cb.Tickets {
		tickets[i] = string(t)
	}
	history := make([]ticketing.CallbackAttempt, len(cb.History))
	for i, a := range cb.History {
		history[i] = ticketing.CallbackAttempt{Started: utcMicro(a.Started), Ended: utcMicro(a.Ended), Result: a.Result}
	}
	return []any{tickets, cb.ContactNumber, ts(cb.Due), cb.Attempts, string(cb.State), string(cb.LastResult),
		history, cb.Reason, version, ts(cb.Planned)}
}

func utcMicro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMicro(t.UnixMicro()).UTC()
}

func scanCallback(row pgx.Row) (*ticketing.Callback, error) {
	cb := new(ticketing.Callback)
	var tickets []string
	err := row.Scan(&cb.ID, &tickets, &cb.ContactNumber, timeDest{&cb.Due}, &cb.Attempts, &cb.State,
		&cb.LastResult, &cb.History, &cb.Reason, &cb.Version, timeDest{&cb.Planned})
	if err != nil {
		return nil, err
	}
	for _, t := range tickets {
		cb.Tickets = append(cb.Tickets, hotline.TicketID(t))
	}
	if len(cb.History) == 0 {
		cb.History = nil
	}
	return cb, nil
}

// CreateCallback stores a new callback, assigning its ID and Version 1.
func (db *DB) CreateCallback(ctx context.Context, cb *ticketing.Callback) error {
	var id int64
	if err := db.pool.QueryRow(ctx, callbackInsert, callbackValues(cb, 1)...).Scan(&id); err != nil {
		return fmt.Errorf("create callback: %w", err)
	}
	cb.ID, cb.Version = id, 1
	return nil
}

// UpdateCallback replaces the callback when its stored version is version
// and bumps cb.Version; ECONFLICT (Current: the stored callback) or
// ENOTFOUND otherwise.
func (db *DB) UpdateCallback(ctx context.Context, cb *ticketing.Callback, version int) error {
	args := append(callbackValues(cb, version+1), cb.ID, version)
	tag, err := db.pool.Exec(ctx, callbackUpdate, args...)
	if err != nil {
		return fmt.Errorf("update %s: %w", callbackName(cb.ID), err)
	}
	if tag.RowsAffected() == 0 {
		cur, err := db.FindCallbackByID(ctx, cb.ID)
		if err != nil {
			return fmt.Errorf("update %s: %w", callbackName(cb.ID), err)
		}
		e := hotline.Errorf(hotline.ECONFLICT, "%s is at version %d, not %d", callbackName(cb.ID), cur.Version, version)
		e.Current = cur
		return e
	}
	cb.Version = version + 1
	return nil
}

// FindCallbackByID returns one callback or ENOTFOUND.
func (db *DB) FindCallbackByID(ctx context.Context, id int64) (*ticketing.Callback, error) {
	cb, err := scanCallback(db.pool.QueryRow(ctx, `SELECT `+callbackSelect+` FROM callbacks WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", callbackName(id), classify(err, callbackName(id)))
	}
	return cb, nil
}

// FindCallbacks returns the callbacks f selects by due time, then id.
func (db *DB) FindCallbacks(ctx context.Context, f ticketing.CallbackFilter) ([]*ticketing.Callback, error) {
	q := &callConds{}
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, s := range f.States {
			states[i] = string(s)
		}
		q.add("state = ANY(%s)", states)
	}
	if !f.DueBefore.IsZero() {
		q.add("due <= %s", f.DueBefore)
	}
	if !f.From.IsZero() {
		q.add("due >= %s", f.From)
	}
	if !f.To.IsZero() {
		q.add("due < %s", f.To)
	}
	if f.Ticket != "" {
		q.add("tickets @> ARRAY[%s::text]", string(f.Ticket))
	}
	if f.Unit != "" {
		q.add("EXISTS (SELECT 1 FROM tickets t WHERE t.id = ANY(callbacks.tickets) AND t.unit = %s)", string(f.Unit))
	}
	sql := `SELECT ` + callbackSelect + ` FROM callbacks`
	if len(q.conds) > 0 {
		sql += " WHERE " + strings.Join(q.conds, " AND ")
	}
	sql += ` ORDER BY due NULLS FIRST, id` + limitClause(max(f.Limit, 0), f.Offset)
	rows, err := db.pool.Query(ctx, sql, q.args...)
	if err != nil {
		return nil, fmt.Errorf("find callbacks: %w", err)
	}
	defer rows.Close()
	var out []*ticketing.Callback
	for rows.Next() {
		cb, err := scanCallback(rows)
		if err != nil {
			return nil, fmt.Errorf("find callbacks: %w", err)
		}
		out = append(out, cb)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find callbacks: %w", err)
	}
	return out, nil
}

func answerValues(r *ticketing.CallbackRecord) []any {
	return []any{r.Callback, string(r.Ticket), string(r.Unit), string(r.Tier), r.CalledAt, ticketing.MonthOf(r.CalledAt).Key(), r.Reached,
		string(r.Contacted), string(r.Resolved), string(r.Satisfaction), r.Manual, string(r.By), r.Recording}
}

// RecordAnswers stores a callback record: by r.ID when set (ENOTFOUND if
// missing), otherwise inserted or, for the same survey call and ticket,
// updated; r.ID is set.
func (db *DB) RecordAnswers(ctx context.Context, r *ticketing.CallbackRecord) error {
	what := "record answers of ticket " + string(r.Ticket)
	if r.CalledAt.IsZero() {
		return hotline.Errorf(hotline.EINVALID, "%s: no call time", what).WithField("called_at", "required")
	}
	var id int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		// One writer per ticket at a time, so finals see every record.
		if _, err := tx.Exec(ctx, lockTicketAnswers, string(r.Ticket)); err != nil {
			return err
		}
		q, args := answerInsert, answerValues(r)
		if r.ID != 0 {
			q, args = answerUpdate, append(args, r.ID)
		}
		var old string
		if err := tx.QueryRow(ctx, q, args...).Scan(&id, &old); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return notFound(fmt.Sprintf("callback record %d", r.ID))
			}
			return err
		}
		_, err := tx.Exec(ctx, finalsSQL(`WHERE ticket = ANY($1)`), []string{string(r.Ticket), old})
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	r.ID = id
	return nil
}

// clearSQL is true for a record that reached the citizen with three clear
// answers (ticketing.CallbackAnswers.Valid but for the exclusion).
const clearSQL = `(reached AND contacted IN ('yes', 'no') AND resolved IN ('yes', 'no')
	AND satisfaction IN ('satisfied', 'basically', 'dissatisfied'))`

// finalsSQL recomputes the final flag of the records where selects: the
// latest clear one per ticket, unit, tier and month (Tally's rule).
func finalsSQL(where string) string {
	return `UPDATE callback_answers a SET final = f.is_final
	FROM (SELECT id, clear AND row_number() OVER (
			PARTITION BY ticket, unit, tier, month, clear ORDER BY called_at DESC, id DESC) = 1 AS is_final
		FROM (SELECT id, ticket, unit, tier, month, called_at, ` + clearSQL + ` AS clear
			FROM callback_answers ` + where + `) s) f
	WHERE a.id = f.id AND a.final <> f.is_final`
}

// FindAnswers lists the ticket's callback records by call time, then id.
func (db *DB) FindAnswers(ctx context.Context, ticket hotline.TicketID) ([]*ticketing.CallbackRecord, error) {
	rows, err := db.pool.Query(ctx, answerSelectSQL+` WHERE a.ticket = $1 ORDER BY a.called_at, a.id`, string(ticket))
	if err != nil {
		return nil, fmt.Errorf("find answers of ticket %s: %w", ticket, err)
	}
	defer rows.Close()
	var out []*ticketing.CallbackRecord
	for rows.Next() {
		r := new(ticketing.CallbackRecord)
		err := rows.Scan(&r.ID, &r.Callback, &r.Ticket, &r.Unit, &r.Tier, timeDest{&r.CalledAt}, &r.Reached,
			&r.Contacted, &r.Resolved, &r.Satisfaction, &r.Manual, &r.By, &r.Recording, &r.Excluded)
		if err != nil {
			return nil, fmt.Errorf("find answers of ticket %s: %w", ticket, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find answers of ticket %s: %w", ticket, err)
	}
	return out, nil
}

// SetExcluded takes the ticket out of the assessment, or puts it back, and
// marks its records accordingly.
func (db *DB) SetExcluded(ctx context.Context, ticket hotline.TicketID, excluded bool) error {
	q := `DELETE FROM assessment_exclusions WHERE ticket = $1`
	if excluded {
		q = `INSERT INTO assessment_exclusions (ticket) VALUES ($1) ON CONFLICT DO NOTHING`
	}
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockTicketAnswers, string(ticket)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, q, string(ticket)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE callback_answers SET excluded = $2 WHERE ticket = $1 AND excluded <> $2`,
			string(ticket), excluded)
		return err
	})
	if err != nil {
		return fmt.Errorf("set exclusion of ticket %s: %w", ticket, err)
	}
	return nil
}

// assessmentSQL reads the month's counts of a tier per unit from
// assessment_rollup, which triggers on callback_answers keep (migration
// 0010): the counts ticketing.Tally gives — every record counts in
// callbacks; of the valid ones only the final record of each ticket (kept
// by finalsSQL), unless the ticket is excluded (the excluded mark, kept by
// SetExcluded). A few hundred rows, however many answers the month has.
// Units whose records all moved away keep a row of zeros: not listed.
const assessmentSQL = `
SELECT unit, callbacks, valid, contacted, resolved, satisfied, basically
FROM assessment_rollup WHERE month = $1 AND tier = $2 AND callbacks > 0
ORDER BY unit`

// AssessmentCounts returns the counting fields of the month's UnitScores
// of the tier, by unit: the same as ticketing.Tally over the stored records.
func (db *DB) AssessmentCounts(ctx context.Context, month ticketing.Month, tier ticketing.Tier) ([]ticketing.UnitScore, error) {
	rows, err := db.pool.Query(ctx, assessmentSQL, month.Key(), string(tier))
	if err != nil {
		return nil, fmt.Errorf("assessment counts %s %s: %w", month, tier, err)
	}
	defer rows.Close()
	out := []ticketing.UnitScore{}
	for rows.Next() {
		s := ticketing.UnitScore{Tier: tier, Month: month}
		if err := rows.Scan(&s.Unit, &s.Callbacks, &s.Valid, &s.Contacted, &s.Resolved, &s.Satisfied, &s.Basically); err != nil {
			return nil, fmt.Errorf("assessment counts %s %s: %w", month, tier, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("assessment counts %s %s: %w", month, tier, err)
	}
	return out, nil
}

// callbackSwitchKey is the settings row of the scheduler-wide pause.
const callbackSwitchKey = "callbacks.switch"

// switchJSON is the stored form of a ticketing.CallbackSwitch.
type switchJSON struct {
	Paused bool      `json:"paused"`
	Since  time.Time `json:"since"`
	By     string    `json:"by"`
	ByName string    `json:"by_name"`
	Reason string    `json:"reason"`
}

// FindCallbackSwitch returns the scheduler-wide pause; the zero switch
// when none was ever stored.
func (db *DB) FindCallbackSwitch(ctx context.Context) (ticketing.CallbackSwitch, error) {
	var v switchJSON
	err := db.pool.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, callbackSwitchKey).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return ticketing.CallbackSwitch{}, nil
	}
	if err != nil {
		return ticketing.CallbackSwitch{}, fmt.Errorf("find the callback switch: %w", err)
	}
	sw := ticketing.CallbackSwitch{Paused: v.Paused, By: hotline.UserID(v.By), ByName: v.ByName, Reason: v.Reason}
	if !v.Since.IsZero() {
		sw.Since = v.Since.UTC()
	}
	return sw, nil
}

// SaveCallbackSwitch stores the scheduler-wide pause.
func (db *DB) SaveCallbackSwitch(ctx context.Context, sw ticketing.CallbackSwitch) error {
	v := switchJSON{Paused: sw.Paused, Since: utcMicro(sw.Since), By: string(sw.By), ByName: sw.ByName, Reason: sw.Reason}
	_, err := db.pool.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, callbackSwitchKey, v)
	if err != nil {
		return fmt.Errorf("save the callback switch: %w", err)
	}
	return nil
}
