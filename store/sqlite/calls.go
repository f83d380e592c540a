package sqlite

import (
	"context"

	"github.com/cityhotline/hotline"
)

var _ interface {
	CreateCall(ctx context.Context, c *hotline.CallRecord) error
	UpdateCall(ctx context.Context, c *hotline.CallRecord) error
	FindCallByID(ctx context.Context, id hotline.CallID) (*hotline.CallRecord, error)
	FindCalls(ctx context.Context, f hotline.CallFilter) ([]*hotline.CallRecord, error)
} = (*DB)(nil)

// callColumns lists every stored field of c except its id.
func callColumns(c *hotline.CallRecord) []column {
	return []column{
		{"sip_call_id", &c.SIPCallID}, {"direction", &c.Direction}, {"caller", &c.Caller},
		{"callee", &c.Callee}, {"trunk", &c.Trunk}, {"arrived", &c.Arrived},
		{"answered", &c.Answered}, {"ended", &c.Ended}, {"ivr_path", &c.IVRPath},
		{"digits", &c.Digits}, {"queue", &c.Queue}, {"agent", &c.Agent}, {"ticket", &c.Ticket},
		{"end_reason", &c.EndReason}, {"sip_cause", &c.SIPCause}, {"recording", &c.Recording},
		{"rtp_received", &c.RTPReceived}, {"rtp_lost", &c.RTPLost},
	}
}

// callSelect is every column a record is scanned from, in scan order.
func callSelect(c *hotline.CallRecord) []column {
	return append([]column{{"id", &c.ID}}, callColumns(c)...)
}

var (
	callSelectList = names(callSelect(&hotline.CallRecord{}), "")
	callInsert     = `INSERT INTO calls (` + callSelectList + `) VALUES (` +
		placeholders(len(callSelect(&hotline.CallRecord{}))) + `)`
	callUpdate = `UPDATE calls SET ` + assignments(callColumns(&hotline.CallRecord{})) + ` WHERE id = ?`
)

// storedCall is the copy of c that is written: an absent IVR path is
// stored as an empty JSON array rather than null.
func storedCall(c *hotline.CallRecord) *hotline.CallRecord {
	s := *c
	if s.IVRPath == nil {
		s.IVRPath = []string{}
	}
	return &s
}

// Call records are group-committed with the tickets (batch.go): every call
// writes its record when answered and when it ends.

// CreateCall stores a new call record; ECONFLICT if its id exists.
func (db *DB) CreateCall(ctx context.Context, c *hotline.CallRecord) error {
	args, err := values(callSelect(storedCall(c)))
	if err != nil {
		return wrap(err, "create call "+string(c.ID))
	}
	err = db.batch.submit(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, callInsert, args...)
		return err
	})
	return conflict(err, "create call "+string(c.ID), "call "+string(c.ID)+" already exists")
}

// UpdateCall replaces every field of the record with c's id; ENOTFOUND if
// there is none.
func (db *DB) UpdateCall(ctx context.Context, c *hotline.CallRecord) error {
	args, err := values(callColumns(storedCall(c)))
	if err != nil {
		return wrap(err, "update call "+string(c.ID))
	}
	args = append(args, string(c.ID))
	err = db.batch.submit(ctx, func(ctx context.Context, tx *wtx) error {
		return execOne(ctx, tx, "call "+string(c.ID)+" not found", callUpdate, args...)
	})
	return wrap(err, "update call "+string(c.ID))
}

// FindCallByID returns one call record or ENOTFOUND.
func (db *DB) FindCallByID(ctx context.Context, id hotline.CallID) (*hotline.CallRecord, error) {
	c := new(hotline.CallRecord)
	err := db.read.QueryRowContext(ctx, `SELECT `+callSelectList+` FROM calls WHERE id = ?`, string(id)).
		Scan(dests(callSelect(c))...)
	if err != nil {
		return nil, notFound(err, "find call "+string(id), "call "+string(id)+" not found")
	}
	return c, nil
}

// FindCalls returns the records f selects, newest arrival first (records
// without an arrival last), then by id descending. A Limit of 0 means 50;
// more than 500 means 500.
func (db *DB) FindCalls(ctx context.Context, f hotline.CallFilter) ([]*hotline.CallRecord, error) {
	w := callWhere(f)
	q := `SELECT ` + callSelectList + ` FROM calls` + w.String() +
		` ORDER BY arrived DESC NULLS LAST, id DESC LIMIT ? OFFSET ?`
	rows, err := db.read.QueryContext(ctx, q, append(w.args, f.PageSize(), max(f.Offset, 0))...)
	cs, err := queryAll(rows, err, callSelect)
	return cs, wrap(err, "find calls")
}

func callWhere(f hotline.CallFilter) *where {
	w := &where{}
	if !f.From.IsZero() {
		w.add("arrived >= ?", f.From.UnixMicro())
	}
	if !f.To.IsZero() {
		w.add("arrived < ?", f.To.UnixMicro())
	}
	w.eq("caller", f.Caller)
	w.eq("queue", f.Queue)
	w.eq("direction", f.Direction)
	w.eq("end_reason", f.EndReason)
	return w
}
