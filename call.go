package hotline

import "time"

// CallRecord is the record of one telephone call (CDR): who called whom
// over which trunk, when it arrived, was answered and ended, the IVR path
// and keys, the queue, how it ended and where it was recorded.
type CallRecord struct {
	ID        CallID
	SIPCallID string
	Direction string // inbound | outbound
	Caller    string // the calling number (from P-Asserted-Identity or From)
	Callee    string // the number called, e.g. 12345
	Trunk     string
	Arrived   time.Time
	Answered  time.Time // zero: never answered
	Ended     time.Time // zero: still going
	IVRPath   []string  // flow nodes visited, in order
	Digits    string    // every key pressed, in order
	Queue     string    // the queue the IVR put the call in
	Agent     UserID    // the agent who took it
	Ticket    TicketID  // the work order filed from it
	EndReason string    // remote_hangup, local_hangup, cancelled, media_timeout, ...
	SIPCause  int       // the final SIP status where one applies
	Recording string    // recording id (file name under the recordings directory)
}

// Duration is how long the call lasted from arrival to end (zero while it
// is still going).
func (c *CallRecord) Duration() time.Duration {
	if c.Ended.IsZero() {
		return 0
	}
	return c.Ended.Sub(c.Arrived)
}

// CallFilter selects call records. Zero fields do not filter.
type CallFilter struct {
	From, To  time.Time // arrived in [From, To)
	Caller    string
	Queue     string
	Direction string
	EndReason string
	Limit     int // 0: CallPageDefault; more than CallPageMax: CallPageMax
	Offset    int
}

// Paging of call records.
const (
	CallPageDefault = 50
	CallPageMax     = 500
)

// PageSize is f.Limit with the default and the cap applied.
func (f CallFilter) PageSize() int {
	switch {
	case f.Limit <= 0:
		return CallPageDefault
	case f.Limit > CallPageMax:
		return CallPageMax
	}
	return f.Limit
}
