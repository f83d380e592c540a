package postgres

// Bulk loading, for hotlinectl seed and benchmarks: the same rows the
// normal paths write (CreateTicket, CreateCall, CreateCallback,
// RecordAnswers), many per transaction. Tickets go in by COPY after one
// bump of each day's sequence, their events in one statement; calls by COPY;
// callbacks and their answers pipelined in one batch each.

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/store/internal/ticketno"
	"github.com/cityhotline/hotline/ticketing"
)

// LoadTickets numbers ts from their Created day (after every ticket of that
// day already stored) and stores them with their histories evs[i], all in
// one transaction. On success each ticket's ID is set, its Version is kept
// when at least 1 (a ticket generated with its history) and set to 1
// otherwise, and its events get their Ticket and Seq.
func (db *DB) LoadTickets(ctx context.Context, ts []*ticketing.Ticket, evs [][]ticketing.Event) error {
	if len(ts) != len(evs) {
		return fmt.Errorf("load tickets: %d tickets but %d histories", len(ts), len(evs))
	}
	if len(ts) == 0 {
		return nil
	}
	reqs := make([]*createReq, len(ts))
	for i, t := range ts {
		if t.Created.IsZero() {
			return hotline.Errorf(hotline.EINVALID, "load tickets: ticket %d has no creation time", i).WithField("created", "required")
		}
		ea, err := newEventArrays(evs[i])
		if err != nil {
			return fmt.Errorf("load tickets: %w", err)
		}
		reqs[i] = &createReq{day: ticketno.Day(t.Created), values: ticketValues(t), events: ea}
	}
	var ids []hotline.TicketID
	var seqs []int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var err error
		if ids, err = numberTickets(ctx, tx, reqs); err != nil {
			return err
		}
		rows := make([][]any, len(reqs))
		for i, r := range reqs {
			rows[i] = append([]any{string(ids[i]), max(ts[i].Version, 1)}, r.values...)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"tickets"}, ticketCopyColumns, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		args, n := batchRecordArgs(reqs, ids)
		if err := tx.QueryRow(ctx, batchRecordsSQL, args...).Scan(&seqs); err != nil {
			return err
		}
		if len(seqs) != n {
			return fmt.Errorf("stored %d events, want %d", len(seqs), n)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("load tickets: %w", classify(err, "ticket"))
	}
	for i, t := range ts {
		t.ID, t.Version = ids[i], max(t.Version, 1)
		n := len(evs[i])
		numberEvents(evs[i], t.ID, seqs[:n:n])
		seqs = seqs[n:]
	}
	return nil
}

// LoadCalls stores call records by COPY in one transaction.
func (db *DB) LoadCalls(ctx context.Context, cs []*hotline.CallRecord) error {
	if len(cs) == 0 {
		return nil
	}
	rows := make([][]any, len(cs))
	for i, c := range cs {
		rows[i] = callValues(c)
	}
	cols := append([]string{"id"}, callColumns...)
	if _, err := db.pool.CopyFrom(ctx, pgx.Identifier{"calls"}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("load calls: %w", classify(err, "call"))
	}
	return nil
}

// LoadCallbacks stores callbacks (each with Version 1) and, for each,
// the answer records recs[i], whose Callback is set to the callback's new
// ID, in one transaction; the records' final marks are recomputed for
// their tickets as RecordAnswers does.
func (db *DB) LoadCallbacks(ctx context.Context, cbs []*ticketing.Callback, recs [][]*ticketing.CallbackRecord) error {
	if len(cbs) != len(recs) {
		return fmt.Errorf("load callbacks: %d callbacks but %d answer lists", len(cbs), len(recs))
	}
	if len(cbs) == 0 {
		return nil
	}
	ids := make([]int64, len(cbs))
	var recIDs []int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for i, cb := range cbs {
			b.Queue(callbackInsert, callbackValues(cb, 1)...).QueryRow(func(row pgx.Row) error { return row.Scan(&ids[i]) })
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		var err error
		recIDs, err = loadAnswers(ctx, tx, ids, recs)
		return err
	})
	if err != nil {
		return fmt.Errorf("load callbacks: %w", err)
	}
	k := 0
	for i, cb := range cbs {
		cb.ID, cb.Version = ids[i], 1
		for _, r := range recs[i] {
			r.Callback, r.ID = ids[i], recIDs[k]
			k++
		}
	}
	return nil
}

// loadAnswers inserts the records of callbacks ids and marks the finals of
// their tickets; it returns the records' ids in order.
func loadAnswers(ctx context.Context, tx pgx.Tx, ids []int64, recs [][]*ticketing.CallbackRecord) ([]int64, error) {
	b := &pgx.Batch{}
	var out []int64
	var tickets []string
	for i, rs := range recs {
		for _, r := range rs {
			if r.CalledAt.IsZero() {
				return nil, hotline.Errorf(hotline.EINVALID, "callback record of ticket %s: no call time", r.Ticket).WithField("called_at", "required")
			}
			c := *r
			c.Callback = ids[i]
			k := len(out)
			out = append(out, 0)
			tickets = append(tickets, string(r.Ticket))
			b.Queue(answerInsert, answerValues(&c)...).QueryRow(func(row pgx.Row) error {
				var ticket string
				return row.Scan(&out[k], &ticket)
			})
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	_, err := tx.Exec(ctx, finalsSQL(`WHERE ticket = ANY($1)`), tickets)
	return out, err
}

// bulkTables are the tables whose secondary indexes DeferIndexes drops: the
// big ones, which the bulk loaders only append to. The callback tables keep
// theirs: LoadCallbacks reads them to mark the final answers.
var bulkTables = []string{"tickets", "events", "calls"}

// DeferIndexes drops the secondary (non-unique) indexes of the tickets,
// events and calls tables before a bulk load into an empty store, and
// returns the function that builds them again from their saved
// definitions: building an index once over millions of rows is many times
// faster than updating it row by row. Until rebuild has run, queries on
// those tables are slow; run it even when the load fails.
func (db *DB) DeferIndexes(ctx context.Context) (rebuild func(context.Context) error, err error) {
	rows, err := db.pool.Query(ctx, `SELECT i.relname, pg_get_indexdef(x.indexrelid)
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class c ON c.oid = x.indrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relname = ANY($1) AND NOT x.indisunique
		ORDER BY i.relname`, bulkTables)
	if err != nil {
		return nil, fmt.Errorf("defer indexes: %w", err)
	}
	var names, defs []string
	var name, def string
	if _, err := pgx.ForEachRow(rows, []any{&name, &def}, func() error {
		names, defs = append(names, name), append(defs, def)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("defer indexes: %w", err)
	}
	rebuild = func(ctx context.Context) error { return db.buildIndexes(ctx, defs) }
	for i, n := range names {
		if _, err := db.pool.Exec(ctx, `DROP INDEX `+pgx.Identifier{n}.Sanitize()); err != nil {
			return nil, errors.Join(fmt.Errorf("defer indexes: drop %s: %w", n, err), db.buildIndexes(ctx, defs[:i]))
		}
	}
	return rebuild, nil
}

// buildIndexes runs the index definitions on one connection with a large
// maintenance_work_mem (index builds sort in it).
func (db *DB) buildIndexes(ctx context.Context, defs []string) error {
	if len(defs) == 0 {
		return nil
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("build indexes: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET maintenance_work_mem = '512MB'`); err != nil {
		return fmt.Errorf("build indexes: %w", err)
	}
	for _, def := range defs {
		if _, err := conn.Exec(ctx, def); err != nil {
			return fmt.Errorf("build indexes: %s: %w", def, err)
		}
	}
	_, err = conn.Exec(ctx, `RESET maintenance_work_mem`)
	return err
}
