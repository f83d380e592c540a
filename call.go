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
	// RTP packets the caller's side sent us, and those lost on the way
	// (RFC 3550 counting): how well the caller was heard.
	RTPReceived, RTPLost int64
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

// MaxCallBuckets bounds the counts per step of arrival time the stores
// answer (ten years of half hours).
const MaxCallBuckets = 10 * 366 * 48

// Buckets checks f's window for counting calls per step of arrival time
// (From and To required, From before To, a step of a second or more, at
// most MaxCallBuckets steps) and returns the number of steps; the last may
// be shorter.
func (f CallFilter) Buckets(step time.Duration) (int, error) {
	switch {
	case f.From.IsZero() || f.To.IsZero() || !f.From.Before(f.To):
		return 0, Errorf(EINVALID, "count calls: from and to are required, from before to").WithField("from", "required, before to")
	case step < time.Second:
		return 0, Errorf(EINVALID, "count calls: step %v is under a second", step).WithField("step", "at least 1s")
	}
	n := (f.To.Sub(f.From) + step - 1) / step
	if n > MaxCallBuckets {
		return 0, Errorf(EINVALID, "count calls: %d steps, more than %d", n, MaxCallBuckets).WithField("step", "too many steps")
	}
	return int(n), nil
}

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
