package agent

import (
	"slices"
	"time"

	"github.com/cityhotline/hotline"
)

// Event is one entry of the queue log, modelled on Asterisk's queue_log
// (contact-center-anchors.md §1.1). Events come in time order.
type Event struct {
	At     time.Time
	Kind   EventKind
	Queue  string
	Call   hotline.CallID
	Agent  hotline.UserID
	Reason string        // see the EventKind constants
	Wait   time.Duration // time in queue: connect, abandon, overflow, offer, complete_*
	Talk   time.Duration // complete_*, transfer, requeue

	Target string        // overflow: a queue or "callback"; transfer: the queue
	WrapUp time.Duration // on the event that ended an agent's wrap-up: how long it lasted
	State  State         // the agent's state after the event, on every event that changed it
}

// ShortAbandon is the wait under which an abandoned call counts as a short
// abandon (AbandonedShort).
const ShortAbandon = 5 * time.Second

// KPI are the queue figures of contact-center-anchors.md §1.11, computed
// from the queue log. A "queue visit" is a call's stay in one queue, from
// enter to connect, abandon or overflow; a transferred or overflowed call
// makes a new visit in the queue it enters. A warm transfer's visit that is
// withdrawn (transfer_cancel) counts as offered, but neither answered nor
// abandoned: the caller was talking to an agent all along.
type KPI struct {
	// Offered is the number of queue visits: enter events.
	Offered int
	// Answered is the number of visits answered: connect events, not
	// counting the reconnect of a requeued call.
	Answered int
	// Abandoned is the number of visits the caller hung up: abandon events
	// (not counting a requeued call that had been answered).
	Abandoned int
	// AbandonedShort counts the abandons after a wait of at most 5 s
	// (ShortAbandon), Asterisk's SL2 idea: callers who barely waited.
	AbandonedShort int
	// AnsweredWithinSL counts the answers after a wait of at most the
	// service-level threshold (the queue's ServiceLevel).
	AnsweredWithinSL int

	// ServiceLevel = AnsweredWithinSL / (Answered + Abandoned), 0..1: the
	// share of calls answered within the threshold, abandoned calls counting
	// as failures (stricter than Asterisk's SL, which divides by answered
	// only). 0 when nothing was answered or abandoned.
	ServiceLevel float64
	// ASA (average speed of answer) = Σ wait of answered / Answered.
	ASA time.Duration
	// AbandonRate = Abandoned / Offered, 0..1 (Amazon Connect:
	// abandoned ÷ queued). 0 when nothing was offered.
	AbandonRate float64
	// AHT (average handle time) = (Σ talk + Σ wrap-up) / Handled, where
	// talk is that of complete_agent, complete_caller and transfer events
	// and wrap-up the length of each after-call work that ended.
	AHT time.Duration
	// Occupancy = time on_call or wrap_up ÷ time ready, offered, on_call or
	// wrap_up (logged in, not counting not_ready), 0..1, over the agents'
	// state timelines in the window. With a queue, over the agents who
	// worked its calls in the window (an event of the queue names them).
	// 0 when not computable.
	Occupancy float64

	Handled    int // complete_agent + complete_caller + transfer events (the AHT divisor)
	Overflowed int // visits that left by overflow (max_wait or full)
	Rejected   int // calls refused by a full queue without overflow
}

// ComputeKPIs computes the KPIs of a queue log with one service-level
// threshold. Every event counts; the occupancy window runs from the first
// event to the last. See KPI for each formula.
func ComputeKPIs(events []Event, sl time.Duration) KPI {
	if len(events) == 0 {
		return KPI{}
	}
	return computeKPIs(events, "", func(string) time.Duration { return sl }, events[0].At, events[len(events)-1].At)
}

// ComputeKPISeries computes, for a queue log read back from a store, the
// KPIs of queue ("" for all) over each window [bounds[i], bounds[i+1]),
// as KPIs does over the in-memory log: only the events of a window count,
// and occupancy is measured over the window, each agent in the state its
// latest earlier event gave it. events must be in time order and may begin
// before bounds[0] (to give the agents' states then) and end after the last
// bound; bounds must increase. Every queue's answers are measured against
// sl. It returns len(bounds)-1 KPIs.
func ComputeKPISeries(events []Event, queue string, sl time.Duration, bounds []time.Time) []KPI {
	if len(bounds) < 2 {
		return nil
	}
	threshold := func(string) time.Duration { return sl }
	// Each logged-in agent's state at the start of the window, as the
	// event that set it.
	carried := map[hotline.UserID]Event{}
	carry := func(evs []Event) {
		for _, e := range evs {
			switch {
			case e.State == "" || e.Agent == "":
			case e.State == StateOffline:
				delete(carried, e.Agent)
			default:
				carried[e.Agent] = Event{At: e.At, Agent: e.Agent, State: e.State}
			}
		}
	}
	lo, _ := slices.BinarySearchFunc(events, bounds[0], compareAt)
	carry(events[:lo])
	out := make([]KPI, 0, len(bounds)-1)
	for w := 1; w < len(bounds); w++ {
		hi, _ := slices.BinarySearchFunc(events, bounds[w], compareAt)
		hi = max(lo, hi)
		// The carried states come first, dated before the window: they
		// count for nothing but the agents' timelines.
		window := make([]Event, 0, len(carried)+hi-lo)
		for _, e := range carried {
			window = append(window, e)
		}
		window = append(window, events[lo:hi]...)
		out = append(out, computeKPIs(window, queue, threshold, bounds[w-1], bounds[w]))
		carry(events[lo:hi])
		lo = hi
	}
	return out
}

// KPIs computes the KPIs of one queue ("" for all) over the events of the
// window [from, to) still kept (Retention). A zero from means since the
// oldest kept event; a zero to, or one not before now, means up to and
// including now. Each queue's answers are
// measured against its own ServiceLevel.
func (a *ACD) KPIs(queue string, from, to time.Time) KPI {
	tx := a.begin()
	events := a.events // append-only below len: safe to read after unlocking
	sl := make(map[string]time.Duration, len(a.queues))
	for _, q := range a.queues {
		sl[q.cfg.Name] = q.cfg.ServiceLevel
	}
	now := tx.now
	a.mu.Unlock()

	if from.IsZero() && len(events) > 0 {
		from = events[0].At
	}
	end := len(events) // up to now, the events of this instant included
	if to.IsZero() || !to.Before(now) {
		to = now
	} else {
		end, _ = slices.BinarySearchFunc(events, to, func(e Event, t time.Time) int { return e.At.Compare(t) })
	}
	return computeKPIs(events[:end], queue, func(q string) time.Duration { return sl[q] }, from, to)
}

// computeKPIs counts the events of queue ("" for all) from from on, and
// measures occupancy over [from, to]. events must end by to.
func computeKPIs(events []Event, queue string, sl func(queue string) time.Duration, from, to time.Time) KPI {
	var k KPI
	var wait, handle time.Duration
	worked := map[hotline.UserID]bool{} // agents with an event of the queue
	for _, e := range events {
		if (queue != "" && e.Queue != queue) || e.At.Before(from) {
			continue
		}
		handle += e.WrapUp
		if e.Agent != "" {
			worked[e.Agent] = true
		}
		switch e.Kind {
		case EventEnter:
			k.Offered++
		case EventConnect:
			if e.Reason == "reconnect" {
				break
			}
			k.Answered++
			wait += e.Wait
			if e.Wait <= sl(e.Queue) {
				k.AnsweredWithinSL++
			}
		case EventAbandon:
			if e.Reason == "after_requeue" {
				break
			}
			k.Abandoned++
			if e.Wait <= ShortAbandon {
				k.AbandonedShort++
			}
		case EventCompleteAgent, EventCompleteCaller, EventTransfer:
			k.Handled++
			handle += e.Talk
		case EventOverflow:
			k.Overflowed++
		case EventFull:
			k.Rejected++
		}
	}
	if n := k.Answered + k.Abandoned; n > 0 {
		k.ServiceLevel = float64(k.AnsweredWithinSL) / float64(n)
	}
	if k.Answered > 0 {
		k.ASA = wait / time.Duration(k.Answered)
	}
	if k.Offered > 0 {
		k.AbandonRate = float64(k.Abandoned) / float64(k.Offered)
	}
	if k.Handled > 0 {
		k.AHT = handle / time.Duration(k.Handled)
	}
	k.Occupancy = occupancy(events, from, to, func(id hotline.UserID) bool { return queue == "" || worked[id] })
	return k
}

// occupancy = busy ÷ staffed over the agents' state timelines clipped to
// [from, to]: busy is on_call + wrap_up, staffed is busy + ready + offered.
// A timeline is rebuilt from the events that carry State; the last state of
// each agent lasts until to.
func occupancy(events []Event, from, to time.Time, include func(hotline.UserID) bool) float64 {
	type spell struct {
		state State
		since time.Time
	}
	var busy, staffed time.Duration
	add := func(s spell, end time.Time) {
		start := s.since
		if start.Before(from) {
			start = from
		}
		if end.After(to) {
			end = to
		}
		d := end.Sub(start)
		if d <= 0 {
			return
		}
		switch s.state {
		case StateOnCall, StateWrapUp:
			busy += d
			staffed += d
		case StateReady, StateOffered:
			staffed += d
		}
	}
	current := map[hotline.UserID]spell{}
	for _, e := range events {
		if e.State == "" || e.Agent == "" || !include(e.Agent) {
			continue
		}
		if s, ok := current[e.Agent]; ok {
			add(s, e.At)
		}
		current[e.Agent] = spell{e.State, e.At}
	}
	for _, s := range current {
		add(s, to)
	}
	if staffed == 0 {
		return 0
	}
	return float64(busy) / float64(staffed)
}
