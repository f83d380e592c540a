package postgres

// Creating tickets in batches (group commit).
//
// Every ticket of a day takes the next number from its ticket_seq row, and
// that row stays locked until the creating transaction has committed, WAL
// flush included. One transaction per ticket would serialise every create
// behind the disk's flush latency (≈ 1 ms on the development machine, so
// at most ≈ 800 creates/s whatever the number of connections). Instead a
// goroutine owned by DB takes all the creates that are waiting and stores
// them in one transaction: one bump of each day's row, the tickets by COPY,
// their events and idempotency records in one statement, one commit. If that transaction fails (typically an
// idempotency key already used), each of its tickets is retried alone so
// that every caller gets its own answer; the failed transaction rolled
// back whole, so the numbering keeps no gaps.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/store/internal/ticketno"
	"github.com/cityhotline/hotline/ticketing"
)

const (
	maxCreateBatch     = 128              // tickets per transaction at most
	createBatchTimeout = 30 * time.Second // for one batch's transaction
)

// errClosed is returned by CreateTicket after Close.
var errClosed = errors.New("postgres store is closed")

// createReq is one waiting CreateTicket: its arguments already encoded, so
// that the batching goroutine never touches the caller's values.
type createReq struct {
	ctx    context.Context
	day    string
	values []any // ticketValues
	events *eventArrays
	idem   *ticketing.Idempotency // a copy
	done   chan createResult      // buffered: the worker never blocks on it
}

type createResult struct {
	id   hotline.TicketID
	seqs []int64
	err  error
}

// ticketCopyColumns are the columns that insertTickets copies.
var ticketCopyColumns = append([]string{"id", "version"}, ticketColumns...)

// batchRecordsSQL appends the events of a batch of new tickets, in order,
// and records their idempotency keys. $1 the events' tickets, $2 … $11
// the event arrays, $12 … $15 the idempotency users, keys, hashes and
// tickets.
var batchRecordsSQL = `WITH ev AS (
		INSERT INTO events (ticket, time, actor_id, actor_name, actor_role, actor_unit, action, from_state, to_state, reason, diff)
		SELECT e.ticket, e.time, e.actor_id, e.actor_name, e.actor_role, e.actor_unit, e.action, e.from_state, e.to_state, e.reason, e.diff::jsonb
		FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
				$7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
			WITH ORDINALITY AS e(ticket, time, actor_id, actor_name, actor_role, actor_unit, action, from_state, to_state, reason, diff, ord)
		ORDER BY e.ord
		RETURNING seq
	), idem AS (
		INSERT INTO idempotency (user_id, key, hash, ticket)
		SELECT * FROM unnest($12::text[], $13::text[], $14::text[], $15::text[])
	)
	SELECT ARRAY(SELECT seq FROM ev ORDER BY seq)`

// CreateTicket numbers t from its Created day (Beijing time) and the daily
// sequence, and stores it with its events and idempotency record, all or
// nothing. On success it sets t.ID, t.Version = 1, the events' Ticket and
// Seq and idem.Ticket; on failure they are left as they were. A caller
// that gives up (ctx done) after its ticket was handed to the batch may
// still find the ticket created.
func (db *DB) CreateTicket(ctx context.Context, t *ticketing.Ticket, evs []ticketing.Event, idem *ticketing.Idempotency) error {
	if t.Created.IsZero() {
		return hotline.Errorf(hotline.EINVALID, "create ticket: no creation time").WithField("created", "required")
	}
	ea, err := newEventArrays(evs)
	if err != nil {
		return fmt.Errorf("create ticket: %w", err)
	}
	req := &createReq{ctx: ctx, day: ticketno.Day(t.Created), values: ticketValues(t), events: ea,
		done: make(chan createResult, 1)}
	if idem != nil {
		c := *idem
		req.idem = &c
	}
	res := db.submitCreate(req)
	if res.err != nil {
		return res.err
	}
	t.ID, t.Version = res.id, 1
	numberEvents(evs, t.ID, res.seqs)
	if idem != nil {
		idem.Ticket = t.ID
	}
	return nil
}

// submitCreate hands req to the batching goroutine and waits for its answer.
func (db *DB) submitCreate(req *createReq) createResult {
	select {
	case db.creates <- req:
	case <-req.ctx.Done():
		return createResult{err: fmt.Errorf("create ticket: %w", req.ctx.Err())}
	case <-db.createsDone:
		return createResult{err: fmt.Errorf("create ticket: %w", errClosed)}
	}
	select {
	case res := <-req.done:
		return res
	case <-req.ctx.Done():
		return createResult{err: fmt.Errorf("create ticket: %w", req.ctx.Err())}
	case <-db.createsDone:
		select {
		case res := <-req.done: // answered just before the worker stopped
			return res
		default:
			return createResult{err: fmt.Errorf("create ticket: %w", errClosed)}
		}
	}
}

// createLoop is the batching goroutine: it runs until ctx is done.
func (db *DB) createLoop(ctx context.Context) {
	defer close(db.createsDone)
	for {
		var first *createReq
		select {
		case first = <-db.creates:
		case <-ctx.Done():
			return
		}
		batch := []*createReq{first}
	drain:
		for len(batch) < maxCreateBatch {
			select {
			case r := <-db.creates:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		db.createBatch(ctx, batch)
	}
}

// createBatch stores the live requests of batch together, or each alone if
// together fails, and answers every one.
func (db *DB) createBatch(ctx context.Context, batch []*createReq) {
	ctx, cancel := context.WithTimeout(ctx, createBatchTimeout)
	defer cancel()
	live := batch[:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- createResult{err: fmt.Errorf("create ticket: %w", err)}
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	res, err := db.insertTickets(ctx, live)
	if err == nil {
		for i, r := range live {
			r.done <- res[i]
		}
		return
	}
	if len(live) == 1 {
		live[0].done <- createResult{err: createError(err, live[0].idem)}
		return
	}
	for _, r := range live {
		res, err := db.insertTickets(ctx, []*createReq{r})
		if err != nil {
			r.done <- createResult{err: createError(err, r.idem)}
			continue
		}
		r.done <- res[0]
	}
}

// insertTickets numbers and inserts reqs in one transaction: the tickets
// by COPY, then their events and idempotency records in one statement.
func (db *DB) insertTickets(ctx context.Context, reqs []*createReq) ([]createResult, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(ctx) }() // a no-op once committed
	ids, err := numberTickets(ctx, tx, reqs)
	if err != nil {
		return nil, err
	}
	rows := make([][]any, len(reqs))
	for i, r := range reqs {
		rows[i] = append([]any{string(ids[i]), 1}, r.values...)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"tickets"}, ticketCopyColumns, pgx.CopyFromRows(rows)); err != nil {
		return nil, err
	}
	args, events := batchRecordArgs(reqs, ids)
	var seqs []int64
	if err := tx.QueryRow(ctx, batchRecordsSQL, args...).Scan(&seqs); err != nil {
		return nil, err
	}
	if len(seqs) != events {
		return nil, fmt.Errorf("stored %d events, want %d", len(seqs), events)
	}
	res := make([]createResult, len(reqs))
	for i, r := range reqs {
		n := len(r.events.action)
		res[i] = createResult{id: ids[i], seqs: seqs[:n:n]}
		seqs = seqs[n:]
	}
	return res, tx.Commit(ctx)
}

// batchRecordArgs returns the arguments of batchRecordsSQL and the number
// of events.
func batchRecordArgs(reqs []*createReq, ids []hotline.TicketID) ([]any, int) {
	all := &eventArrays{}
	var tickets, users, keys, hashes, idemTickets []string
	for i, r := range reqs {
		all.append(r.events)
		for range r.events.action {
			tickets = append(tickets, string(ids[i]))
		}
		if r.idem != nil {
			users = append(users, string(r.idem.User))
			keys = append(keys, r.idem.Key)
			hashes = append(hashes, r.idem.Hash)
			idemTickets = append(idemTickets, string(ids[i]))
		}
	}
	args := append([]any{tickets}, all.args()...)
	return append(args, users, keys, hashes, idemTickets), len(tickets)
}

// numberTickets bumps each day's sequence by its number of tickets, days
// in order (so that concurrent batches lock them in the same order), and
// returns the ids in request order.
func numberTickets(ctx context.Context, tx pgx.Tx, reqs []*createReq) ([]hotline.TicketID, error) {
	counts := map[string]int64{}
	for _, r := range reqs {
		counts[r.day]++
	}
	days := make([]string, 0, len(counts))
	for d := range counts {
		days = append(days, d)
	}
	slices.Sort(days)
	ns := make([]int64, len(days))
	for i, d := range days {
		ns[i] = counts[d]
	}
	rows, err := tx.Query(ctx, `INSERT INTO ticket_seq AS s (day, n)
		SELECT day, n FROM unnest($1::text[], $2::bigint[]) AS u(day, n) ORDER BY day
		ON CONFLICT (day) DO UPDATE SET n = s.n + excluded.n
		RETURNING day, n`, days, ns)
	if err != nil {
		return nil, err
	}
	next := map[string]int64{}
	var day string
	var last int64
	_, err = pgx.ForEachRow(rows, []any{&day, &last}, func() error {
		next[day] = last - counts[day] + 1
		return nil
	})
	if err != nil {
		return nil, err
	}
	ids := make([]hotline.TicketID, len(reqs))
	for i, r := range reqs {
		ids[i] = ticketno.ID(r.day, next[r.day])
		next[r.day]++
	}
	return ids, nil
}

// createError classifies a failed create: a used idempotency key is
// ECONFLICT.
func createError(err error, idem *ticketing.Idempotency) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == uniqueViolation && pe.TableName == "idempotency" && idem != nil {
		return hotline.Errorf(hotline.ECONFLICT, "idempotency key %q already used", idem.Key)
	}
	return fmt.Errorf("create ticket: %w", classify(err, "ticket"))
}
