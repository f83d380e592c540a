package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cityhotline/hotline/agent"
)

var _ interface {
	CreateQueueEvents(ctx context.Context, events []agent.Event) error
	FindQueueEvents(ctx context.Context, f agent.EventFilter) ([]agent.Event, error)
} = (*DB)(nil)

// queueEventColumns are the stored columns of an event, in the order of
// queueEventValues and the scan in FindQueueEvents.
var queueEventColumns = []string{
	"at", "kind", "queue", "call_id", "agent", "reason", "wait_ms", "talk_ms", "target", "wrap_up_ms", "state",
}

var queueEventSelect = `SELECT ` + strings.Join(queueEventColumns, ", ") + ` FROM queue_events`

// queueEventValues returns e's values in queueEventColumns order: the
// durations in milliseconds, a zero time as NULL (which the table refuses).
func queueEventValues(e *agent.Event) []any {
	return []any{
		ts(e.At), string(e.Kind), e.Queue, string(e.Call), string(e.Agent), e.Reason,
		e.Wait.Milliseconds(), e.Talk.Milliseconds(), e.Target, e.WrapUp.Milliseconds(), string(e.State),
	}
}

// CreateQueueEvents appends a batch of queue-log events with one COPY, in
// the batch's order (the order of their ids). COPY is one statement: the
// batch is stored whole or not at all.
func (db *DB) CreateQueueEvents(ctx context.Context, events []agent.Event) error {
	if len(events) == 0 {
		return nil
	}
	_, err := db.pool.CopyFrom(ctx, pgx.Identifier{"queue_events"}, queueEventColumns,
		pgx.CopyFromSlice(len(events), func(i int) ([]any, error) { return queueEventValues(&events[i]), nil }))
	if err != nil {
		return fmt.Errorf("create %d queue events: %w", len(events), err)
	}
	return nil
}

// FindQueueEvents returns the events f selects in time order, those of the
// same instant in the order they were stored.
func (db *DB) FindQueueEvents(ctx context.Context, f agent.EventFilter) ([]agent.Event, error) {
	sql, args := queueEventQuery(f)
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("find queue events: %w", err)
	}
	var e agent.Event
	var wait, talk, wrapUp int64
	dests := []any{timeDest{&e.At}, &e.Kind, &e.Queue, &e.Call, &e.Agent, &e.Reason,
		&wait, &talk, &e.Target, &wrapUp, &e.State}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (agent.Event, error) {
		if err := row.Scan(dests...); err != nil {
			return agent.Event{}, err
		}
		ev := e
		ev.Wait = time.Duration(wait) * time.Millisecond
		ev.Talk = time.Duration(talk) * time.Millisecond
		ev.WrapUp = time.Duration(wrapUp) * time.Millisecond
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("find queue events: %w", err)
	}
	return out, nil
}

// queueEventQuery is the SELECT of FindQueueEvents.
func queueEventQuery(f agent.EventFilter) (string, []any) {
	q := &callConds{}
	if !f.From.IsZero() {
		q.add("at >= %s", f.From)
	}
	if !f.To.IsZero() {
		q.add("at < %s", f.To)
	}
	q.eq("queue", f.Queue)
	q.eq("agent", string(f.Agent))
	sql := queueEventSelect
	if len(q.conds) > 0 {
		sql += " WHERE " + strings.Join(q.conds, " AND ")
	}
	return sql + ` ORDER BY at, id`, q.args
}
