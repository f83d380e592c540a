package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// eventArrays holds a batch of events as parallel arrays, to insert them in
// one statement with unnest. It copies what it holds from the events.
type eventArrays struct {
	time                         []*time.Time
	actorID, actorName           []string
	actorRole, actorUnit, action []string
	from, to, reason             []string
	diff                         []*string
}

func newEventArrays(evs []ticketing.Event) (*eventArrays, error) {
	a := &eventArrays{}
	for i := range evs {
		e := &evs[i]
		var tm *time.Time
		if !e.Time.IsZero() {
			at := e.Time
			tm = &at
		}
		diff, err := encodeDiff(e.Diff)
		if err != nil {
			return nil, fmt.Errorf("event %d (%s): %w", i, e.Action, err)
		}
		a.time = append(a.time, tm)
		a.actorID = append(a.actorID, string(e.Actor.UserID))
		a.actorName = append(a.actorName, e.Actor.Name)
		a.actorRole = append(a.actorRole, string(e.Actor.Role))
		a.actorUnit = append(a.actorUnit, string(e.Actor.Unit))
		a.action = append(a.action, e.Action)
		a.from = append(a.from, string(e.From))
		a.to = append(a.to, string(e.To))
		a.reason = append(a.reason, e.Reason)
		a.diff = append(a.diff, diff)
	}
	return a, nil
}

// append adds b's events after a's.
func (a *eventArrays) append(b *eventArrays) {
	a.time = append(a.time, b.time...)
	a.actorID = append(a.actorID, b.actorID...)
	a.actorName = append(a.actorName, b.actorName...)
	a.actorRole = append(a.actorRole, b.actorRole...)
	a.actorUnit = append(a.actorUnit, b.actorUnit...)
	a.action = append(a.action, b.action...)
	a.from = append(a.from, b.from...)
	a.to = append(a.to, b.to...)
	a.reason = append(a.reason, b.reason...)
	a.diff = append(a.diff, b.diff...)
}

// args returns the arrays in the order of eventInsert's placeholders.
func (a *eventArrays) args() []any {
	return []any{a.time, a.actorID, a.actorName, a.actorRole, a.actorUnit, a.action, a.from, a.to, a.reason, a.diff}
}

// eventInsert is a data-modifying CTE body that appends the events held in
// eventArrays (placeholders from $first) to the ticket named by src.id, in
// order, returning their seq.
func eventInsert(src string, first int) string {
	p := func(i int) string { return fmt.Sprintf("$%d", first+i) }
	return `INSERT INTO events (ticket, time, actor_id, actor_name, actor_role, actor_unit, action, from_state, to_state, reason, diff)
		SELECT ` + src + `.id, e.time, e.actor_id, e.actor_name, e.actor_role, e.actor_unit, e.action, e.from_state, e.to_state, e.reason, e.diff::jsonb
		FROM ` + src + `, unnest(` + p(0) + `::timestamptz[], ` + p(1) + `::text[], ` + p(2) + `::text[], ` + p(3) + `::text[], ` + p(4) + `::text[], ` +
		p(5) + `::text[], ` + p(6) + `::text[], ` + p(7) + `::text[], ` + p(8) + `::text[], ` + p(9) + `::text[])
			WITH ORDINALITY AS e(time, actor_id, actor_name, actor_role, actor_unit, action, from_state, to_state, reason, diff, ord)
		ORDER BY e.ord
		RETURNING seq`
}

func encodeDiff(d map[string]ticketing.Change) (*string, error) {
	if len(d) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode diff: %w", err)
	}
	s := string(b)
	return &s, nil
}

// numberEvents fills in the Ticket and Seq the store gave evs.
func numberEvents(evs []ticketing.Event, id hotline.TicketID, seqs []int64) {
	for i := range evs {
		evs[i].Ticket = id
		if i < len(seqs) {
			evs[i].Seq = seqs[i]
		}
	}
}

// FindEvents returns a ticket's history, oldest first. An unknown ticket
// has none.
func (db *DB) FindEvents(ctx context.Context, id hotline.TicketID) ([]ticketing.Event, error) {
	rows, err := db.pool.Query(ctx, `SELECT seq, ticket, time, actor_id, actor_name, actor_role, actor_unit,
			action, from_state, to_state, reason, diff
		FROM events WHERE ticket = $1 ORDER BY seq`, string(id))
	if err != nil {
		return nil, fmt.Errorf("find events of %s: %w", id, err)
	}
	evs, err := pgx.CollectRows(rows, scanEvent)
	if err != nil {
		return nil, fmt.Errorf("find events of %s: %w", id, err)
	}
	return evs, nil
}

func scanEvent(row pgx.CollectableRow) (ticketing.Event, error) {
	var e ticketing.Event
	var diff []byte
	err := row.Scan(&e.Seq, &e.Ticket, timeDest{&e.Time}, &e.Actor.UserID, &e.Actor.Name, &e.Actor.Role,
		&e.Actor.Unit, &e.Action, &e.From, &e.To, &e.Reason, &diff)
	if err != nil {
		return e, err
	}
	if len(diff) > 0 {
		if err := json.Unmarshal(diff, &e.Diff); err != nil {
			return e, fmt.Errorf("decode diff of event %d: %w", e.Seq, err)
		}
	}
	return e, nil
}
