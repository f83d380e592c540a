package sqlite

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/cityhotline/hotline/ticketing"
)

// Group commit. Every SQLite commit appends the pages it touched to the WAL
// with a write system call each; a ticket touches a dozen pages (the row,
// seven indexes, the full-text index, events), and every call writes its
// record twice (when answered and when it ends), hundreds of times a second
// at peak. Writes submitted at the same moment therefore run in one
// transaction, each inside a savepoint of its own, so one bad write (a
// reused idempotency key, a duplicate call id) fails alone and a burst costs
// one commit instead of many. A lone write is committed at once.

const maxBatch = 64

// writeReq is one write for the batcher: run inside the batch's
// transaction, its outcome in err.
type writeReq struct {
	ctx  context.Context
	run  func(ctx context.Context, tx *wtx) error
	err  error
	done chan struct{}
}

// batcher owns the goroutine that commits the grouped writes.
type batcher struct {
	db   *DB
	reqs chan *writeReq
	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

func newBatcher(db *DB) *batcher {
	b := &batcher{db: db, reqs: make(chan *writeReq), stop: make(chan struct{})}
	b.wg.Add(1)
	go b.loop()
	return b
}

func (b *batcher) loop() {
	defer b.wg.Done()
	for {
		var first *writeReq
		select {
		case <-b.stop:
			return
		case first = <-b.reqs:
		}
		batch := []*writeReq{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		b.commit(batch)
	}
}

// commit creates the batch in one transaction and tells every caller.
func (b *batcher) commit(batch []*writeReq) {
	err := b.db.inTx(context.Background(), func(tx *wtx) error {
		for i, r := range batch {
			if r.err = r.ctx.Err(); r.err != nil {
				continue
			}
			sp := fmt.Sprintf("c%d", i)
			if _, err := tx.Exec("SAVEPOINT " + sp); err != nil {
				return fmt.Errorf("savepoint: %w", err)
			}
			if r.err = r.run(r.ctx, tx); r.err != nil {
				if _, err := tx.Exec("ROLLBACK TO " + sp); err != nil {
					return fmt.Errorf("rollback to savepoint: %w", err)
				}
			}
			if _, err := tx.Exec("RELEASE " + sp); err != nil {
				return fmt.Errorf("release savepoint: %w", err)
			}
		}
		return nil
	})
	for _, r := range batch {
		if err != nil && r.err == nil {
			r.err = err
		}
		close(r.done)
	}
}

// submit hands run to the batcher and waits for its commit.
func (b *batcher) submit(ctx context.Context, run func(ctx context.Context, tx *wtx) error) error {
	r := &writeReq{ctx: ctx, run: run, done: make(chan struct{})}
	select {
	case b.reqs <- r:
	case <-b.stop:
		return fmt.Errorf("the store is closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	<-r.done // once queued, the outcome is waited for: it may have committed
	return r.err
}

func (b *batcher) close() {
	b.once.Do(func() {
		close(b.stop)
		b.wg.Wait()
	})
}

// ticketCreate is one ticket to create, with its events and idempotency
// record; createTicket fills in the numbers.
type ticketCreate struct {
	t    ticketing.Ticket
	evs  []ticketing.Event
	idem *ticketing.Idempotency
}

// createTicket numbers and inserts one ticket with its events and
// idempotency record, inside the caller's transaction.
func createTicket(ctx context.Context, tx *wtx, r *ticketCreate) error {
	id, err := nextTicketID(ctx, tx, r.t.Created)
	if err != nil {
		return err
	}
	r.t.ID = id
	if err := insertTicket(ctx, tx, &r.t); err != nil {
		return err
	}
	if err := appendEvents(ctx, tx, r.t.ID, r.evs); err != nil {
		return err
	}
	if r.idem != nil {
		r.idem.Ticket = r.t.ID
		return insertIdempotency(ctx, tx, r.idem)
	}
	return nil
}

// CreateTicket numbers t from its Created day in Beijing time and stores it
// with its events and idempotency record atomically. On success it sets
// t.ID, t.Version (1), each event's Seq and Ticket, and idem.Ticket; on
// failure it leaves its arguments as they were.
func (db *DB) CreateTicket(ctx context.Context, t *ticketing.Ticket, evs []ticketing.Event, idem *ticketing.Idempotency) error {
	r := &ticketCreate{t: *t, evs: slices.Clone(evs)}
	r.t.Version = 1
	if idem != nil {
		c := *idem
		r.idem = &c
	}
	err := db.batch.submit(ctx, func(ctx context.Context, tx *wtx) error { return createTicket(ctx, tx, r) })
	if err != nil {
		return wrap(err, "create ticket")
	}
	*t = r.t
	copy(evs, r.evs)
	if idem != nil {
		*idem = *r.idem
	}
	return nil
}
