package agent

import (
	"time"

	"github.com/cityhotline/hotline"
)

// warmTransfer is a pending warm (attended) transfer: the call waits in its
// new queue for the target while the transferring agent still talks to the
// caller. It keeps what the call was before, to put it back on a cancel.
type warmTransfer struct {
	from      *agent
	q         *queue         // the queue of from's visit
	enqueued  time.Time      // when that visit began
	connected time.Time      // when from answered
	prevAgent hotline.UserID // Call.Agent and Call.Note before the transfer
	prevNote  string
}

// event is the queue-log event that ends from's part in c, of kind
// transfer, complete_agent or complete_caller.
func (w *warmTransfer) event(kind EventKind, c hotline.CallID, now time.Time) Event {
	return Event{Kind: kind, Queue: w.q.cfg.Name, Call: c, Wait: w.connected.Sub(w.enqueued), Talk: now.Sub(w.connected)}
}

// TransferWarm is a warm (attended) transfer. The call is offered as by
// Transfer (at the front of queue, "" keeping its queue; for agent to only
// when to is set), but agent from stays on the call, on_call and offered
// nothing else, until the target answers. Then Answer moves the call: from
// goes to wrap-up, its handling logged as a transfer, and the target is
// connected. Until then the offers ring out and move on as for any waiting
// call, but the call neither overflows (MaxWait) nor hears announcements.
//
// CancelTransfer withdraws the transfer. Complete by from leaves the call to
// its target, a blind transfer from then on; Complete by "caller" ends it.
// The new queue visit is logged as an enter with Reason "warm_transfer",
// ended by a connect or, unanswered, by transfer_cancel. ECONFLICT when the
// call is not connected to from, or a warm transfer of it is pending.
func (a *ACD) TransferWarm(callID hotline.CallID, from hotline.UserID, queueName string, to hotline.UserID, note string) ([]Effect, error) {
	tx := a.begin()
	fromAg, c, err := tx.connected(from, callID)
	if err != nil {
		return tx.fail(err)
	}
	q, target, err := tx.checkTransfer(c, from, queueName, to)
	if err != nil {
		return tx.fail(err)
	}
	c.warm = &warmTransfer{from: fromAg, q: c.q, enqueued: c.enqueued, connected: c.connected,
		prevAgent: c.Call.Agent, prevNote: c.Call.Note}
	c.Call.Agent, c.Call.Note, c.target = to, note, target
	c.enqueued, c.answered = tx.now, false
	tx.log(Event{Kind: EventEnter, Queue: q.cfg.Name, Call: c.ID, Agent: to, Reason: "warm_transfer"})
	tx.place(c, q, true)
	c.nextAnnounce = time.Time{} // the caller is talking to from
	return tx.commit(), nil
}

// CancelTransfer withdraws agent from's pending warm transfer of a call: the
// offers are cancelled ("withdrawn"), the visit of the target queue ends
// (transfer_cancel) and the call is connected to from as before. ECONFLICT
// when no warm transfer of from's is pending (the target may have answered
// a moment ago).
func (a *ACD) CancelTransfer(callID hotline.CallID, from hotline.UserID) ([]Effect, error) {
	tx := a.begin()
	ag, c, err := tx.talking(from, callID)
	if err != nil {
		return tx.fail(err)
	}
	if c.warm == nil {
		return tx.fail(hotline.Errorf(hotline.ECONFLICT, "no warm transfer of call %s is pending", callID).
			WithField("call", "no warm transfer pending"))
	}
	w := tx.cancelWarm(c, "agent", CancelWithdrawn)
	c.q, c.state, c.agent, c.connected = w.q, callConnected, ag, w.connected
	c.enqueued, c.answered, c.target = w.enqueued, true, nil
	c.Call.Agent, c.Call.Note = w.prevAgent, w.prevNote
	return tx.commit(), nil
}

// cancelWarm ends the visit of a warm transfer that nobody answered,
// logging transfer_cancel (Reason why), and cancels its offers (cancel).
// The call is out of its queue's list and no longer warm; it returns what
// the transfer kept.
func (tx *txn) cancelWarm(c *call, why, cancel string) *warmTransfer {
	w := c.warm
	tx.log(Event{Kind: EventTransferCancel, Queue: c.q.cfg.Name, Call: c.ID, Agent: w.from.id, Reason: why,
		Wait: tx.now.Sub(c.enqueued)})
	c.q.remove(c)
	c.warm = nil
	tx.cancelOffers(c, cancel)
	return w
}

// handOver ends the transferring agent's part in a warm transfer, because
// the target answers or the agent leaves: it is logged as a transfer, after
// which the agent wraps up the call in its own queue.
func (tx *txn) handOver(c *call) {
	w := c.warm
	c.warm = nil
	ev := w.event(EventTransfer, c.ID, tx.now)
	ev.Target, ev.Reason = c.q.cfg.Name, string(c.Call.Agent)
	tx.wrapUp(w.from, w.q, ev)
}

// waitAlone turns a call whose transferring agent left into an ordinary
// waiting call: MaxWait and the announcements count from now.
func (tx *txn) waitAlone(c *call) {
	c.queuedAt = tx.now
	if d := c.q.cfg.AnnounceEvery; d > 0 {
		c.nextAnnounce = tx.now.Add(d)
	}
}
