package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

var _ ticketing.CallbackStore = (*DB)(nil)

// Callbacks are written one statement at a time on the writer pool, like
// call records. Answers and exclusions are written in a write transaction:
// the final and excluded marks of the ticket's records change with them.

// callbackColumns lists every stored field of cb except its id.
func callbackColumns(cb *ticketing.Callback) []column {
	return []column{
		{"tickets", &cb.Tickets}, {"contact_number", &cb.ContactNumber}, {"due", &cb.Due},
		{"attempts", &cb.Attempts}, {"state", &cb.State}, {"last_result", &cb.LastResult},
		{"history", &cb.History}, {"reason", &cb.Reason}, {"version", &cb.Version}, {"planned", &cb.Planned},
	}
}

func callbackSelect(cb *ticketing.Callback) []column {
	return append([]column{{"id", &cb.ID}}, callbackColumns(cb)...)
}

// answerColumns lists every stored field of r except its id and Excluded.
func answerColumns(r *ticketing.CallbackRecord) []column {
	return []column{
		{"callback_id", &r.Callback}, {"ticket", &r.Ticket}, {"unit", &r.Unit}, {"tier", &r.Tier},
		{"called_at", &r.CalledAt}, {"reached", &r.Reached}, {"contacted", &r.Contacted},
		{"resolved", &r.Resolved}, {"satisfaction", &r.Satisfaction}, {"manual", &r.Manual},
		{"by_user", &r.By}, {"recording", &r.Recording},
	}
}

// answerSelect is every column a record is scanned from, in scan order.
func answerSelect(r *ticketing.CallbackRecord) []column {
	return append(append([]column{{"id", &r.ID}}, answerColumns(r)...), column{"excluded", &r.Excluded})
}

var (
	callbackSelectList = names(callbackSelect(&ticketing.Callback{}), "")
	callbackInsert     = `INSERT INTO callbacks (` + names(callbackColumns(&ticketing.Callback{}), "") +
		`) VALUES (` + placeholders(len(callbackColumns(&ticketing.Callback{}))) + `) RETURNING id`
	callbackUpdate = `UPDATE callbacks SET ` + assignments(callbackColumns(&ticketing.Callback{})) +
		` WHERE id = ? AND version = ?`

	answerNames = names(answerColumns(&ticketing.CallbackRecord{}), "")
	// The record's month and excluded mark follow the other columns: ?
	// for the month, then the ticket again.
	answerInsert = `INSERT INTO callback_answers (` + answerNames + `, month, excluded) VALUES (` +
		placeholders(len(answerColumns(&ticketing.CallbackRecord{}))+1) + `, ` + excludedOf + `)
		ON CONFLICT (callback_id, ticket, called_at) WHERE callback_id <> 0 DO UPDATE SET ` +
		upsertAssignments(answerColumns(&ticketing.CallbackRecord{})) +
		`, month = excluded.month, excluded = excluded.excluded RETURNING id`
	answerUpdate = `UPDATE callback_answers SET ` + assignments(answerColumns(&ticketing.CallbackRecord{})) +
		`, month = ?, excluded = ` + excludedOf + ` WHERE id = ?`
	answerSelectSQL = `SELECT ` + names(answerSelect(&ticketing.CallbackRecord{}), "") + ` FROM callback_answers`
)

// excludedOf is true when the ticket (a parameter) is excluded.
const excludedOf = `EXISTS (SELECT 1 FROM assessment_exclusions WHERE ticket = ?)`

// upsertAssignments is "a = excluded.a, …" for an upsert (excluded is
// SQLite's name for the row that was to be inserted).
func upsertAssignments(cols []column) string {
	s := ""
	for i, c := range cols {
		if i > 0 {
			s += ", "
		}
		s += c.name + " = excluded." + c.name
	}
	return s
}

// storedCallback is the copy of cb that is written: history times in UTC
// microseconds, so they come back as they went in.
func storedCallback(cb *ticketing.Callback) *ticketing.Callback {
	s := *cb
	s.History = make([]ticketing.CallbackAttempt, len(cb.History))
	for i, a := range cb.History {
		s.History[i] = ticketing.CallbackAttempt{Started: utcMicro(a.Started), Ended: utcMicro(a.Ended), Result: a.Result}
	}
	if s.Tickets == nil {
		s.Tickets = []hotline.TicketID{}
	}
	return &s
}

func utcMicro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMicro(t.UnixMicro()).UTC()
}

func callbackName(id int64) string { return "callback " + strconv.FormatInt(id, 10) }

// CreateCallback stores a new callback, assigning its ID and Version 1.
func (db *DB) CreateCallback(ctx context.Context, cb *ticketing.Callback) error {
	s := storedCallback(cb)
	s.Version = 1
	args, err := values(callbackColumns(s))
	if err != nil {
		return wrap(err, "create callback")
	}
	var id int64
	if err := db.write.QueryRowContext(ctx, callbackInsert, args...).Scan(&id); err != nil {
		return wrap(err, "create callback")
	}
	cb.ID, cb.Version = id, 1
	return nil
}

// UpdateCallback replaces the callback when its stored version is version
// and bumps cb.Version; ECONFLICT (Current: the stored callback) or
// ENOTFOUND otherwise.
func (db *DB) UpdateCallback(ctx context.Context, cb *ticketing.Callback, version int) error {
	what := "update " + callbackName(cb.ID)
	s := storedCallback(cb)
	s.Version = version + 1
	args, err := values(callbackColumns(s))
	if err != nil {
		return wrap(err, what)
	}
	res, err := db.write.ExecContext(ctx, callbackUpdate, append(args, cb.ID, version)...)
	if err != nil {
		return wrap(err, what)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return wrap(err, what)
		}
		return db.callbackConflict(ctx, cb.ID, version)
	}
	cb.Version = version + 1
	return nil
}

// callbackConflict explains an update that touched no row.
func (db *DB) callbackConflict(ctx context.Context, id int64, version int) error {
	cur, err := db.FindCallbackByID(ctx, id)
	if err != nil {
		return err
	}
	e := hotline.Errorf(hotline.ECONFLICT, "%s is at version %d, not %d", callbackName(id), cur.Version, version)
	e.Current = cur
	return e
}

// FindCallbackByID returns one callback or ENOTFOUND.
func (db *DB) FindCallbackByID(ctx context.Context, id int64) (*ticketing.Callback, error) {
	cb := new(ticketing.Callback)
	err := db.write.QueryRowContext(ctx, `SELECT `+callbackSelectList+` FROM callbacks WHERE id = ?`, id).
		Scan(dests(callbackSelect(cb))...)
	if err != nil {
		return nil, notFound(err, "find "+callbackName(id), callbackName(id)+" not found")
	}
	return cb, nil
}

// FindCallbacks returns the callbacks f selects by due time, then id.
func (db *DB) FindCallbacks(ctx context.Context, f ticketing.CallbackFilter) ([]*ticketing.Callback, error) {
	w := &where{}
	if len(f.States) > 0 {
		args := make([]any, len(f.States))
		for i, s := range f.States {
			args[i] = string(s)
		}
		w.add("state IN ("+placeholders(len(args))+")", args...)
	}
	if !f.DueBefore.IsZero() {
		w.add("due <= ?", f.DueBefore.UnixMicro())
	}
	if !f.From.IsZero() {
		w.add("due >= ?", f.From.UnixMicro())
	}
	if !f.To.IsZero() {
		w.add("due < ?", f.To.UnixMicro())
	}
	if f.Ticket != "" {
		w.add("EXISTS (SELECT 1 FROM json_each(callbacks.tickets) WHERE value = ?)", string(f.Ticket))
	}
	if f.Unit != "" {
		w.add(`EXISTS (SELECT 1 FROM json_each(callbacks.tickets) j JOIN tickets t ON t.id = j.value
			WHERE t.unit = ?)`, string(f.Unit))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	q := `SELECT ` + callbackSelectList + ` FROM callbacks` + w.String() +
		` ORDER BY due NULLS FIRST, id LIMIT ? OFFSET ?`
	rows, err := db.read.QueryContext(ctx, q, append(w.args, limit, max(f.Offset, 0))...)
	cbs, err := queryAll(rows, err, callbackSelect)
	return cbs, wrap(err, "find callbacks")
}

// RecordAnswers stores a callback record: by r.ID when set (ENOTFOUND if
// missing), otherwise inserted or, for the same survey call and ticket,
// updated; r.ID is set. The final marks of the ticket's records follow.
func (db *DB) RecordAnswers(ctx context.Context, r *ticketing.CallbackRecord) error {
	what := "record answers of ticket " + string(r.Ticket)
	if r.CalledAt.IsZero() {
		return hotline.Errorf(hotline.EINVALID, "%s: no call time", what).WithField("called_at", "required")
	}
	args, err := values(answerColumns(r))
	if err != nil {
		return wrap(err, what)
	}
	args = append(args, ticketing.MonthOf(r.CalledAt).Key(), string(r.Ticket))
	var id int64
	err = db.inTx(ctx, func(tx *wtx) error {
		tickets := []any{string(r.Ticket)}
		if r.ID == 0 {
			if err := tx.QueryRowContext(ctx, answerInsert, args...).Scan(&id); err != nil {
				return err
			}
			return markFinals(ctx, tx, tickets...)
		}
		var old string
		err := tx.QueryRowContext(ctx, `SELECT ticket FROM callback_answers WHERE id = ?`, r.ID).Scan(&old)
		if err != nil {
			return notFound(err, "find callback record", "callback record "+strconv.FormatInt(r.ID, 10)+" not found")
		}
		if _, err := tx.ExecContext(ctx, answerUpdate, append(args, r.ID)...); err != nil {
			return err
		}
		id = r.ID
		return markFinals(ctx, tx, append(tickets, old)...)
	})
	if err != nil {
		return wrap(err, what)
	}
	r.ID = id
	return nil
}

// clearSQL is true for a record that reached the citizen with three clear
// answers (ticketing.CallbackAnswers.Valid but for the exclusion).
const clearSQL = `(reached AND contacted IN ('yes', 'no') AND resolved IN ('yes', 'no')
	AND satisfaction IN ('satisfied', 'basically', 'dissatisfied'))`

// finalsSQL recomputes the final mark of the records where selects: the
// latest clear one per ticket, unit, tier and month (Tally's rule).
func finalsSQL(where string) string {
	return `UPDATE callback_answers SET final = f.is_final
	FROM (SELECT id, clear AND row_number() OVER (
			PARTITION BY ticket, unit, tier, month, clear ORDER BY called_at DESC, id DESC) = 1 AS is_final
		FROM (SELECT id, ticket, unit, tier, month, called_at, ` + clearSQL + ` AS clear
			FROM callback_answers ` + where + `) s) f
	WHERE callback_answers.id = f.id AND callback_answers.final <> f.is_final`
}

// markFinals recomputes the final marks of the tickets' records.
func markFinals(ctx context.Context, tx *wtx, tickets ...any) error {
	_, err := tx.ExecContext(ctx, finalsSQL(`WHERE ticket IN (`+placeholders(len(tickets))+`)`), tickets...)
	return err
}

// FindAnswers lists the ticket's callback records by call time, then id.
func (db *DB) FindAnswers(ctx context.Context, ticket hotline.TicketID) ([]*ticketing.CallbackRecord, error) {
	rows, err := db.read.QueryContext(ctx, answerSelectSQL+` WHERE ticket = ? ORDER BY called_at, id`, string(ticket))
	rs, err := queryAll(rows, err, answerSelect)
	return rs, wrap(err, "find answers of ticket "+string(ticket))
}

// SetExcluded takes the ticket out of the assessment, or puts it back, and
// marks its records accordingly.
func (db *DB) SetExcluded(ctx context.Context, ticket hotline.TicketID, excluded bool) error {
	q := `DELETE FROM assessment_exclusions WHERE ticket = ?`
	if excluded {
		q = `INSERT INTO assessment_exclusions (ticket) VALUES (?) ON CONFLICT DO NOTHING`
	}
	err := db.inTx(ctx, func(tx *wtx) error {
		if _, err := tx.ExecContext(ctx, q, string(ticket)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE callback_answers SET excluded = ? WHERE ticket = ? AND excluded <> ?`,
			excluded, string(ticket), excluded)
		return err
	})
	return wrap(err, "set exclusion of ticket "+string(ticket))
}

// assessmentSQL reads the month's counts of a tier per unit from
// assessment_rollup, which triggers on callback_answers keep (migration
// 0011): the counts ticketing.Tally gives — every record counts in
// callbacks; of the valid ones only the final record of each ticket (kept
// by finalsSQL), unless the ticket is excluded (the excluded mark, kept by
// SetExcluded). A few hundred rows, however many answers the month has.
// Units whose records all moved away keep a row of zeros: not listed.
const assessmentSQL = `
SELECT unit, callbacks, valid, contacted, resolved, satisfied, basically
FROM assessment_rollup WHERE month = ? AND tier = ? AND callbacks > 0
ORDER BY unit`

// AssessmentCounts returns the counting fields of the month's UnitScores
// of the tier, by unit: the same as ticketing.Tally over the stored records.
func (db *DB) AssessmentCounts(ctx context.Context, month ticketing.Month, tier ticketing.Tier) ([]ticketing.UnitScore, error) {
	what := "assessment counts " + month.String() + " " + string(tier)
	rows, err := db.read.QueryContext(ctx, assessmentSQL, month.Key(), string(tier))
	if err != nil {
		return nil, wrap(err, what)
	}
	defer rows.Close()
	out := []ticketing.UnitScore{}
	for rows.Next() {
		s := ticketing.UnitScore{Tier: tier, Month: month}
		if err := rows.Scan(&s.Unit, &s.Callbacks, &s.Valid, &s.Contacted, &s.Resolved, &s.Satisfied, &s.Basically); err != nil {
			return nil, wrap(err, what)
		}
		out = append(out, s)
	}
	return out, wrap(rows.Err(), what)
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
	var raw string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, callbackSwitchKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return ticketing.CallbackSwitch{}, nil
	}
	if err != nil {
		return ticketing.CallbackSwitch{}, wrap(err, "find the callback switch")
	}
	var v switchJSON
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return ticketing.CallbackSwitch{}, wrap(err, "decode the callback switch")
	}
	return ticketing.CallbackSwitch{Paused: v.Paused, Since: utcMicro(v.Since), By: hotline.UserID(v.By),
		ByName: v.ByName, Reason: v.Reason}, nil
}

// SaveCallbackSwitch stores the scheduler-wide pause.
func (db *DB) SaveCallbackSwitch(ctx context.Context, sw ticketing.CallbackSwitch) error {
	b, err := json.Marshal(switchJSON{Paused: sw.Paused, Since: utcMicro(sw.Since), By: string(sw.By),
		ByName: sw.ByName, Reason: sw.Reason})
	if err != nil {
		return wrap(err, "encode the callback switch")
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, callbackSwitchKey, string(b))
	return wrap(err, "save the callback switch")
}
