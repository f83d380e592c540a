package ivr

import (
	"strings"

	"github.com/cityhotline/hotline"
)

// Outcome is how a run ended: "enqueued:<queue>", "transferred", "hangup",
// "caller_hangup" or "error".
type Outcome string

// The outcomes without a queue; Enqueued builds the others.
const (
	OutcomeTransferred  Outcome = "transferred"
	OutcomeHangup       Outcome = "hangup"
	OutcomeCallerHangup Outcome = "caller_hangup"
	OutcomeError        Outcome = "error"
)

const enqueuedPrefix = "enqueued:"

// Enqueued is the outcome of a call handed to queue.
func Enqueued(queue string) Outcome { return Outcome(enqueuedPrefix + queue) }

func (o Outcome) String() string { return string(o) }

// Queue returns the queue of an enqueued outcome.
func (o Outcome) Queue() (string, bool) {
	q, ok := strings.CutPrefix(string(o), enqueuedPrefix)
	return q, ok && q != ""
}

// ParseOutcome parses an outcome as String writes it.
func ParseOutcome(s string) (Outcome, error) {
	o := Outcome(s)
	switch o {
	case OutcomeTransferred, OutcomeHangup, OutcomeCallerHangup, OutcomeError:
		return o, nil
	}
	if _, ok := o.Queue(); ok {
		return o, nil
	}
	return "", hotline.Errorf(hotline.EINVALID, "unknown IVR outcome %q", s)
}
