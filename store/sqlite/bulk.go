package sqlite

// Bulk loading, for hotlinectl seed and benchmarks: the same rows the
// normal paths write (CreateTicket, CreateCall, CreateCallback,
// RecordAnswers), a whole batch in one write transaction with the
// prepared statements of the cache, instead of one commit each.

import (
	"context"
	"fmt"
	"slices"

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
	copies := make([]ticketing.Ticket, len(ts))
	cevs := make([][]ticketing.Event, len(ts))
	for i, t := range ts {
		if t.Created.IsZero() {
			return hotline.Errorf(hotline.EINVALID, "load tickets: ticket %d has no creation time", i).WithField("created", "required")
		}
		copies[i], cevs[i] = *t, slices.Clone(evs[i])
		copies[i].Version = max(t.Version, 1)
	}
	err := db.inTx(ctx, func(tx *wtx) error {
		if err := numberBulk(ctx, tx, copies); err != nil {
			return err
		}
		for i := range copies {
			if err := insertTicket(ctx, tx, &copies[i]); err != nil {
				return err
			}
			if err := appendEvents(ctx, tx, copies[i].ID, cevs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return wrap(err, "load tickets")
	}
	for i, t := range ts {
		*t = copies[i]
		copy(evs[i], cevs[i])
	}
	return nil
}

// numberBulk bumps each day's sequence once by its number of tickets and
// numbers the tickets of the day in order.
func numberBulk(ctx context.Context, tx *wtx, ts []ticketing.Ticket) error {
	counts := map[string]int64{}
	var days []string
	for i := range ts {
		d := ticketno.Day(ts[i].Created)
		if counts[d] == 0 {
			days = append(days, d)
		}
		counts[d]++
	}
	slices.Sort(days)
	next := map[string]int64{}
	for _, d := range days {
		var last int64
		err := tx.QueryRowContext(ctx, `INSERT INTO ticket_seq (day, n) VALUES (?, ?)
			ON CONFLICT (day) DO UPDATE SET n = n + excluded.n RETURNING n`, d, counts[d]).Scan(&last)
		if err != nil {
			return fmt.Errorf("number tickets for %s: %w", d, err)
		}
		next[d] = last - counts[d] + 1
	}
	for i := range ts {
		d := ticketno.Day(ts[i].Created)
		ts[i].ID = ticketno.ID(d, next[d])
		next[d]++
	}
	return nil
}

// LoadCalls stores call records in one transaction.
func (db *DB) LoadCalls(ctx context.Context, cs []*hotline.CallRecord) error {
	err := db.inTx(ctx, func(tx *wtx) error {
		for _, c := range cs {
			args, err := values(callSelect(storedCall(c)))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, callInsert, args...); err != nil {
				return conflict(err, "insert call "+string(c.ID), "call "+string(c.ID)+" already exists")
			}
		}
		return nil
	})
	return wrap(err, "load calls")
}

// LoadCallbacks stores callbacks (each with Version 1) and, for each,
// the answer records recs[i], whose Callback is set to the callback's new
// ID, in one transaction; the records' final marks are recomputed for
// their tickets as RecordAnswers does.
func (db *DB) LoadCallbacks(ctx context.Context, cbs []*ticketing.Callback, recs [][]*ticketing.CallbackRecord) error {
	if len(cbs) != len(recs) {
		return fmt.Errorf("load callbacks: %d callbacks but %d answer lists", len(cbs), len(recs))
	}
	ids := make([]int64, len(cbs))
	recIDs := make([][]int64, len(cbs))
	err := db.inTx(ctx, func(tx *wtx) error {
		first := int64(0)
		for i, cb := range cbs {
			if err := insertCallback(ctx, tx, cb, &ids[i]); err != nil {
				return err
			}
			for _, r := range recs[i] {
				id, err := insertAnswer(ctx, tx, r, ids[i])
				if err != nil {
					return err
				}
				if first == 0 {
					first = id
				}
				recIDs[i] = append(recIDs[i], id)
			}
		}
		if first == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, finalsSQL(`WHERE ticket IN (SELECT ticket FROM callback_answers WHERE id >= ?)`), first)
		return err
	})
	if err != nil {
		return wrap(err, "load callbacks")
	}
	for i, cb := range cbs {
		cb.ID, cb.Version = ids[i], 1
		for j, r := range recs[i] {
			r.Callback, r.ID = ids[i], recIDs[i][j]
		}
	}
	return nil
}

func insertCallback(ctx context.Context, tx *wtx, cb *ticketing.Callback, id *int64) error {
	s := storedCallback(cb)
	s.Version = 1
	args, err := values(callbackColumns(s))
	if err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, callbackInsert, args...).Scan(id)
}

func insertAnswer(ctx context.Context, tx *wtx, r *ticketing.CallbackRecord, callback int64) (int64, error) {
	if r.CalledAt.IsZero() {
		return 0, hotline.Errorf(hotline.EINVALID, "callback record of ticket %s: no call time", r.Ticket).WithField("called_at", "required")
	}
	c := *r
	c.Callback = callback
	args, err := values(answerColumns(&c))
	if err != nil {
		return 0, err
	}
	args = append(args, ticketing.MonthOf(c.CalledAt).Key(), string(c.Ticket))
	var id int64
	err = tx.QueryRowContext(ctx, answerInsert, args...).Scan(&id)
	return id, err
}
