package agent

import (
	"slices"
	"time"

	"github.com/cityhotline/hotline"
)

// EventFilter selects entries of a stored queue log (a store's
// FindQueueEvents). Zero fields select everything.
type EventFilter struct {
	From  time.Time      // At at or after From
	To    time.Time      // At before To
	Queue string         // events of this queue only
	Agent hotline.UserID // events of this agent only
}

// Restore loads events of a past run, read back from a store, into the
// in-memory queue log, so that KPIs (the wallboard's "today") count them.
// It changes no agent, call or queue state, delivers nothing to Config.Log
// and does not count in an agent's CallsToday. Events older than Retention
// or later than the ACD's time are left out; the rest are merged into the
// log in time order, before the ACD's own events of the same instant. Call
// it once, before the ACD takes calls: restoring the same events twice
// counts them twice.
func (a *ACD) Restore(events []Event) {
	past := slices.Clone(events)
	slices.SortStableFunc(past, func(x, y Event) int { return x.At.Compare(y.At) })
	tx := a.begin()
	defer a.mu.Unlock()
	lo, _ := slices.BinarySearchFunc(past, tx.now.Add(-Retention), compareAt)
	hi, _ := slices.BinarySearchFunc(past, tx.now, compareAt)
	for hi < len(past) && past[hi].At.Equal(tx.now) {
		hi++ // events of this very instant are not in the future
	}
	past = past[lo:hi]
	if len(past) == 0 {
		return
	}
	// A new array: a KPIs computation may still be reading the old one.
	merged := make([]Event, 0, len(past)+len(a.events))
	own := a.events
	for _, e := range past {
		i := 0
		for i < len(own) && own[i].At.Before(e.At) {
			i++
		}
		merged = append(merged, own[:i]...)
		own = own[i:]
		merged = append(merged, e)
	}
	a.events = append(merged, own...)
}

func compareAt(e Event, t time.Time) int { return e.At.Compare(t) }
