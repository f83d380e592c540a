package sip

// Metrics receives the gateway's counters. The lead connects it to
// metrics.Monitor; any method may be called from many goroutines.
type Metrics interface {
	// CallStarted counts a call that was accepted (inbound) or dialled
	// (outbound); it is active until CallEnded.
	CallStarted(direction Direction)
	// CallEnded counts a finished call: result is its EndReason.
	CallEnded(direction Direction, result EndReason)
	// InviteLatency is the time from an inbound INVITE to our 200 OK.
	InviteLatency(seconds float64)
	// Refused counts a request turned away before any call existed.
	Refused(reason RefuseReason)
	// ClockLate is how late the media clock served a tick of the prompts'
	// schedule (media.ClockOptions.OnTick): 50 times a second per shard.
	ClockLate(seconds float64)
	// RTPReceived counts, once a call's media ends, the RTP packets its
	// far end sent us and those lost on the way (media.TrunkLeg.RTPStats).
	RTPReceived(packets, lost uint64)
}

// RefuseReason is the closed label set of Metrics.Refused.
type RefuseReason string

// Refuse reasons.
const (
	RefusedMalformed   RefuseReason = "malformed"     // 400: RFC 3261 §8.2 check failed
	RefusedUnknownPeer RefuseReason = "unknown_peer"  // 403: source in no trunk
	RefusedAuth        RefuseReason = "auth"          // 407 challenge or wrong credentials
	RefusedRateLimited RefuseReason = "rate_limited"  // per-source token bucket empty
	RefusedOverload    RefuseReason = "overload"      // 503: MaxCalls reached
	RefusedCodec       RefuseReason = "codec"         // 488: no PCMU/PCMA offered
	RefusedSessionTime RefuseReason = "session_timer" // 422: Session-Expires below Min-SE
)

// NopMetrics discards everything.
type NopMetrics struct{}

func (NopMetrics) CallStarted(Direction)          {}
func (NopMetrics) CallEnded(Direction, EndReason) {}
func (NopMetrics) InviteLatency(float64)          {}
func (NopMetrics) Refused(RefuseReason)           {}
func (NopMetrics) ClockLate(float64)              {}
func (NopMetrics) RTPReceived(uint64, uint64)     {}

var _ Metrics = NopMetrics{}
