package hotline

import "time"

// Event is something that happened, published to whoever listens (metrics,
// websocket hubs, the callback scheduler).
type Event struct {
	Type   string // e.g. "ticket.created", "ticket.dispatched", "sla.red"
	Time   time.Time
	Ticket TicketID
	Unit   UnitID
	Data   map[string]string
}

// Publisher receives events. Implementations must not block for long.
type Publisher interface {
	Publish(Event)
}

// PublisherFunc adapts a function to Publisher.
type PublisherFunc func(Event)

// Publish calls f.
func (f PublisherFunc) Publish(e Event) { f(e) }

// Discard is a Publisher that drops everything.
var Discard Publisher = PublisherFunc(func(Event) {})
