package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cityhotline/hotline/agent"
)

var _ interface {
	CreateQueueEvents(ctx context.Context, events []agent.Event) error
	FindQueueEvents(ctx context.Context, f agent.EventFilter) ([]agent.Event, error)
} = (*DB)(nil)

// queueEventColumns are the stored columns of an event, in the order of
// queueEventValues and queueEventRow.dests.
const queueEventColumns = "at, kind, queue, call_id, agent, reason, wait_ms, talk_ms, target, wrap_up_ms, state"

const (
	queueEventWidth = 11  // columns per row
	queueEventChunk = 500 // rows per INSERT: 5,500 variables, well under SQLite's 32,766
)

// queueEventValues returns e's values in queueEventColumns order: the time
// in microseconds (NULL when zero, which the table refuses), the durations
// in milliseconds.
func queueEventValues(e *agent.Event) []any {
	return []any{
		timeValue(e.At), string(e.Kind), e.Queue, string(e.Call), string(e.Agent), e.Reason,
		e.Wait.Milliseconds(), e.Talk.Milliseconds(), e.Target, e.WrapUp.Milliseconds(), string(e.State),
	}
}

// queueEventRow scans one row of queueEventColumns.
type queueEventRow struct {
	e                  agent.Event
	wait, talk, wrapUp int64
}

func (r *queueEventRow) dests() []any {
	e := &r.e
	return []any{timeDest{&e.At}, &e.Kind, &e.Queue, &e.Call, &e.Agent, &e.Reason,
		&r.wait, &r.talk, &e.Target, &r.wrapUp, &e.State}
}

func (r *queueEventRow) event() agent.Event {
	e := r.e
	e.Wait = time.Duration(r.wait) * time.Millisecond
	e.Talk = time.Duration(r.talk) * time.Millisecond
	e.WrapUp = time.Duration(r.wrapUp) * time.Millisecond
	return e
}

// queueEventInsert is the INSERT of n rows.
func queueEventInsert(n int) string {
	row := "(" + placeholders(queueEventWidth) + ")"
	return `INSERT INTO queue_events (` + queueEventColumns + `) VALUES ` +
		strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// fullQueueEventInsert is the INSERT of a whole chunk, built once.
var fullQueueEventInsert = queueEventInsert(queueEventChunk)

// CreateQueueEvents appends a batch of queue-log events in one
// transaction, one multi-row INSERT per 500 events, in the batch's order.
// Like call records it runs on the writer pool outside inTx: the INSERT of
// a short batch is not worth a place in the statement cache.
func (db *DB) CreateQueueEvents(ctx context.Context, events []agent.Event) error {
	if len(events) == 0 {
		return nil
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create queue events: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // a no-op once committed
	args := make([]any, 0, queueEventWidth*min(len(events), queueEventChunk))
	for chunk := range slices.Chunk(events, queueEventChunk) {
		args = args[:0]
		for i := range chunk {
			args = append(args, queueEventValues(&chunk[i])...)
		}
		query := fullQueueEventInsert
		if len(chunk) < queueEventChunk {
			query = queueEventInsert(len(chunk))
		}
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("create %d queue events: %w", len(events), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create queue events: commit: %w", err)
	}
	return nil
}

// FindQueueEvents returns the events f selects in time order, those of the
// same instant in the order they were stored.
func (db *DB) FindQueueEvents(ctx context.Context, f agent.EventFilter) ([]agent.Event, error) {
	q, args := queueEventQuery(f)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find queue events: %w", err)
	}
	defer rows.Close()
	var out []agent.Event
	var r queueEventRow
	dests := r.dests()
	for rows.Next() {
		if err := rows.Scan(dests...); err != nil {
			return nil, fmt.Errorf("find queue events: %w", err)
		}
		out = append(out, r.event())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find queue events: %w", err)
	}
	return out, nil
}

// queueEventQuery is the SELECT of FindQueueEvents.
func queueEventQuery(f agent.EventFilter) (string, []any) {
	w := &where{}
	if !f.From.IsZero() {
		w.add("at >= ?", f.From.UnixMicro())
	}
	if !f.To.IsZero() {
		w.add("at < ?", f.To.UnixMicro())
	}
	w.eq("queue", f.Queue)
	w.eq("agent", string(f.Agent))
	return `SELECT ` + queueEventColumns + ` FROM queue_events` + w.String() + ` ORDER BY at, id`, w.args
}
