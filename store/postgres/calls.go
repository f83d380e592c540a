package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/cityhotline/hotline"
)

var _ interface {
	CreateCall(ctx context.Context, c *hotline.CallRecord) error
	UpdateCall(ctx context.Context, c *hotline.CallRecord) error
	FindCallByID(ctx context.Context, id hotline.CallID) (*hotline.CallRecord, error)
	FindCalls(ctx context.Context, f hotline.CallFilter) ([]*hotline.CallRecord, error)
} = (*DB)(nil)

// callColumns are the stored columns of a call record other than id, in
// the order of callValues and callDests.
var callColumns = []string{
	"sip_call_id", "direction", "caller", "callee", "trunk", "arrived", "answered", "ended",
	"ivr_path", "digits", "queue", "agent", "ticket", "end_reason", "sip_cause", "recording",
	"rtp_received", "rtp_lost",
}

var (
	callSelect = "id, " + strings.Join(callColumns, ", ")
	callInsert = `INSERT INTO calls (` + callSelect + `) VALUES (` + callPlaceholders(1, len(callColumns)+1) + `)`
	callUpdate = func() string {
		sets := make([]string, len(callColumns))
		for i, c := range callColumns {
			sets[i] = fmt.Sprintf("%s = $%d", c, i+2)
		}
		return `UPDATE calls SET ` + strings.Join(sets, ", ") + ` WHERE id = $1`
	}()
)

func callPlaceholders(first, n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = fmt.Sprintf("$%d", first+i)
	}
	return strings.Join(ps, ", ")
}

// callValues returns c's id followed by its values in callColumns order.
func callValues(c *hotline.CallRecord) []any {
	path := c.IVRPath
	if path == nil {
		path = []string{}
	}
	return []any{
		string(c.ID), c.SIPCallID, c.Direction, c.Caller, c.Callee, c.Trunk, ts(c.Arrived), ts(c.Answered), ts(c.Ended),
		path, c.Digits, c.Queue, string(c.Agent), string(c.Ticket), c.EndReason, c.SIPCause, c.Recording,
		c.RTPReceived, c.RTPLost,
	}
}

// callDests returns scan destinations for callSelect into c.
func callDests(c *hotline.CallRecord) []any {
	return []any{
		&c.ID, &c.SIPCallID, &c.Direction, &c.Caller, &c.Callee, &c.Trunk,
		timeDest{&c.Arrived}, timeDest{&c.Answered}, timeDest{&c.Ended},
		&c.IVRPath, &c.Digits, &c.Queue, &c.Agent, &c.Ticket, &c.EndReason, &c.SIPCause, &c.Recording,
		&c.RTPReceived, &c.RTPLost,
	}
}

func scanCall(row pgx.Row) (*hotline.CallRecord, error) {
	c := new(hotline.CallRecord)
	if err := row.Scan(callDests(c)...); err != nil {
		return nil, err
	}
	if len(c.IVRPath) == 0 {
		c.IVRPath = nil
	}
	return c, nil
}

// CreateCall stores a new call record; ECONFLICT if its id exists.
func (db *DB) CreateCall(ctx context.Context, c *hotline.CallRecord) error {
	if _, err := db.pool.Exec(ctx, callInsert, callValues(c)...); err != nil {
		return fmt.Errorf("create call %s: %w", c.ID, classify(err, "call "+string(c.ID)))
	}
	return nil
}

// UpdateCall replaces every field of the record with c's id; ENOTFOUND if
// there is none.
func (db *DB) UpdateCall(ctx context.Context, c *hotline.CallRecord) error {
	tag, err := db.pool.Exec(ctx, callUpdate, callValues(c)...)
	if err != nil {
		return fmt.Errorf("update call %s: %w", c.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("call " + string(c.ID))
	}
	return nil
}

// FindCallByID returns one call record or ENOTFOUND.
func (db *DB) FindCallByID(ctx context.Context, id hotline.CallID) (*hotline.CallRecord, error) {
	c, err := scanCall(db.pool.QueryRow(ctx, `SELECT `+callSelect+` FROM calls WHERE id = $1`, string(id)))
	if err != nil {
		return nil, fmt.Errorf("find call %s: %w", id, classify(err, "call "+string(id)))
	}
	return c, nil
}

// FindCalls returns the records f selects, newest arrival first (records
// without an arrival last), then by id descending. A Limit of 0 means 50;
// more than 500 means 500.
func (db *DB) FindCalls(ctx context.Context, f hotline.CallFilter) ([]*hotline.CallRecord, error) {
	sql, args := findCallsSQL(f)
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("find calls: %w", err)
	}
	defer rows.Close()
	var out []*hotline.CallRecord
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, fmt.Errorf("find calls: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find calls: %w", err)
	}
	return out, nil
}

// callConds accumulates the WHERE conditions of a call query.
type callConds struct {
	conds []string
	args  []any
}

func (q *callConds) add(cond string, v any) {
	q.args = append(q.args, v)
	q.conds = append(q.conds, fmt.Sprintf(cond, fmt.Sprintf("$%d", len(q.args))))
}

func (q *callConds) eq(col, v string) {
	if v != "" {
		q.add(col+" = %s", v)
	}
}

func findCallsSQL(f hotline.CallFilter) (string, []any) {
	q := &callConds{}
	if !f.From.IsZero() {
		q.add("arrived >= %s", f.From)
	}
	if !f.To.IsZero() {
		q.add("arrived < %s", f.To)
	}
	q.eq("caller", f.Caller)
	q.eq("queue", f.Queue)
	q.eq("direction", f.Direction)
	q.eq("end_reason", f.EndReason)
	sql := `SELECT ` + callSelect + ` FROM calls`
	if len(q.conds) > 0 {
		sql += " WHERE " + strings.Join(q.conds, " AND ")
	}
	return sql + ` ORDER BY arrived DESC NULLS LAST, id DESC` + limitClause(f.PageSize(), f.Offset), q.args
}
