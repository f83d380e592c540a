package metrics

import (
	"strings"

	"github.com/cityhotline/hotline"
)

// CallStarted counts a call as active.
func (m *Monitor) CallStarted() { m.callsActive.Inc() }

// CallEnded counts a finished call and removes it from the active ones.
// direction: inbound|outbound; result: answered|abandoned|rejected|busy|
// no_answer|failed|completed|transferred.
func (m *Monitor) CallEnded(direction, result string) {
	m.callsActive.Dec()
	m.calls.WithLabelValues(directions.of(direction), callResults.of(result)).Inc()
}

// InviteAnswered observes the time from an INVITE to our 200 OK.
func (m *Monitor) InviteAnswered(seconds float64) { m.inviteSecs.Observe(seconds) }

// ClockLate observes how late the media clock served a tick of the prompts'
// schedule; past 20 ms callers hear a packet late.
func (m *Monitor) ClockLate(seconds float64) { m.clockLate.Observe(seconds) }

// RTPReceived counts a finished call's RTP packets from its far end and
// those lost on the way.
func (m *Monitor) RTPReceived(packets, lost uint64) {
	m.rtpReceived.Add(float64(packets))
	m.rtpLost.Add(float64(lost))
}

// SIPRefused counts a refused SIP request (malformed, unknown_peer, auth,
// rate_limited, overload, codec, session_timer).
func (m *Monitor) SIPRefused(reason string) {
	m.sipRefused.WithLabelValues(refuseReasons.of(reason)).Inc()
}

// IVRChoice counts a keypad choice in an IVR flow (digit 0-9, *, #, timeout
// or invalid).
func (m *Monitor) IVRChoice(flow, digit string) {
	m.ivrChoices.WithLabelValues(name(flow), digits.of(digit)).Inc()
}

// QueueWaiting sets the number of callers waiting in a queue.
func (m *Monitor) QueueWaiting(queue string, n int) {
	m.queueWaiting.WithLabelValues(name(queue)).Set(float64(n))
}

// OfferLatency observes the time from a call or agent becoming available to
// the offer queued on the agent's WebSocket.
func (m *Monitor) OfferLatency(seconds float64) { m.offerSecs.Observe(seconds) }

// QueueWait observes how long an answered caller waited in queue.
func (m *Monitor) QueueWait(queue string, seconds float64) {
	m.queueWait.WithLabelValues(queue).Observe(seconds)
}

// Agents sets the number of agents in a presence state.
func (m *Monitor) Agents(state string, n int) {
	m.agents.WithLabelValues(agentStates.of(state)).Set(float64(n))
}

// TicketCreated counts a recorded ticket by request type and triage outcome
// (dispatch|answered|emergency|no_dispatch).
func (m *Monitor) TicketCreated(typ, outcome string) {
	m.tickets.WithLabelValues(ticketTypes.of(typ), ticketOutcomes.of(outcome)).Inc()
}

// TicketAction counts a lifecycle action (dispatch, accept, reply, ...).
func (m *Monitor) TicketAction(action string) {
	m.actions.WithLabelValues(actions.of(action)).Inc()
}

// SLA counts a clock (accept|contact|reply) turning yellow or red.
func (m *Monitor) SLA(clock, light string) {
	m.sla.WithLabelValues(clocks.of(clock), lights.of(light)).Inc()
}

// Callback counts a finished satisfaction callback by result.
func (m *Monitor) Callback(result string) {
	m.callbacks.WithLabelValues(callbackResult.of(result)).Inc()
}

// Publisher returns a hotline.Publisher that counts domain events:
// "ticket.created" (Data "type" and "outcome"), "ticket.<action>",
// "sla.yellow" and "sla.red" (Data "clock"). Other events are ignored.
func (m *Monitor) Publisher() hotline.Publisher {
	return hotline.PublisherFunc(m.observe)
}

func (m *Monitor) observe(e hotline.Event) {
	kind, rest, ok := strings.Cut(e.Type, ".")
	if !ok {
		return
	}
	switch {
	case kind == "ticket" && rest == "created":
		m.TicketCreated(e.Data["type"], e.Data["outcome"])
	case kind == "ticket":
		m.TicketAction(rest)
	case kind == "sla":
		m.SLA(e.Data["clock"], rest)
	}
}
