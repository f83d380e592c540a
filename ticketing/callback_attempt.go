package ticketing

import (
	"time"

	"github.com/cityhotline/hotline"
)

// The transitions below are pure: each returns a changed copy of the
// callback (sharing no slice with its argument) or an error, and leaves
// storing it, under the store's optimistic version check, to the caller.
//
//	pending ──Begin──▶ calling ──Next(answered|hung_up)──▶ done
//	   ▲                  │ Next(no_answer|busy|unreachable|failed)
//	   └──── retry ◀──────┤ (attempts left)
//	                      └──▶ unreachable (MaxAttempts reached)
//	pending ⇄ paused (Pause, Resume); pending|paused ──Skip──▶ skipped;
//	done|unreachable|skipped ──Rerun──▶ pending

// BeginAttempt marks a picked callback as calling at now and counts the
// attempt, so a restart in the middle of the call knows it was made.
func BeginAttempt(cb Callback, now time.Time) (Callback, error) {
	if cb.State != CallbackPending {
		return cb, callbackConflict(cb, "start a call")
	}
	next := cb.clone()
	next.State = CallbackCalling
	next.Attempts++
	next.History = append(next.History, CallbackAttempt{Started: now})
	return next, nil
}

// NextAttempt records how the current call ended at now and decides what
// follows. Reached (answered, or hung up mid-survey: the answers already
// given are kept by the survey, and whether they make a valid callback is
// the assessment's business) → done. Otherwise a retry RetryAfter later,
// moved into the calling window, until MaxAttempts calls were made → the
// citizen "could not be reached". A failed call counts as an attempt too,
// so a broken trunk cannot make the robot call forever.
func NextAttempt(cb Callback, result CallResult, now time.Time, p CallbackPolicy, cal *Calendar) (Callback, error) {
	if _, err := ParseCallResult(string(result)); err != nil {
		return cb, err
	}
	if cb.State != CallbackCalling {
		return cb, callbackConflict(cb, "record a call result")
	}
	next := cb.clone()
	next.LastResult = result
	next.closeAttempt(result, now)
	switch {
	case result.Reached():
		next.State = CallbackDone
	case next.Attempts >= p.MaxAttempts:
		next.State = CallbackUnreachable
	default:
		next.State = CallbackPending
		next.Due = IntoWindow(now.Add(p.retryAfter(next.Attempts)), p, cal)
	}
	return next, nil
}

// closeAttempt fills in the open history entry, or adds one when the call
// was never begun here (a record recovered after a restart).
func (c *Callback) closeAttempt(result CallResult, now time.Time) {
	n := len(c.History)
	if n == 0 || !c.History[n-1].Ended.IsZero() {
		c.History = append(c.History, CallbackAttempt{Started: now})
		n++
	}
	c.History[n-1].Ended, c.History[n-1].Result = now, result
}

// Pause holds a pending callback; Pick never picks a paused one. Pausing a
// paused callback changes nothing. A call in progress is not interrupted:
// pause it after the call ends.
func Pause(cb Callback) (Callback, error) {
	switch cb.State {
	case CallbackPaused:
		return cb.clone(), nil
	case CallbackPending:
		next := cb.clone()
		next.State = CallbackPaused
		return next, nil
	}
	return cb, callbackConflict(cb, "pause")
}

// Resume returns a paused callback to pending; its due time stands, so an
// overdue one is picked at the next chance inside the window.
func Resume(cb Callback) (Callback, error) {
	switch cb.State {
	case CallbackPending:
		return cb.clone(), nil
	case CallbackPaused:
		next := cb.clone()
		next.State = CallbackPending
		return next, nil
	}
	return cb, callbackConflict(cb, "resume")
}

// Skip ends a callback that is no longer wanted (a ticket turned
// confidential, the citizen declined) without calling.
func Skip(cb Callback, reason string) (Callback, error) {
	if cb.State != CallbackPending && cb.State != CallbackPaused {
		return cb, callbackConflict(cb, "skip")
	}
	next := cb.clone()
	next.State, next.Reason = CallbackSkipped, reason
	return next, nil
}

// Rerun schedules a finished callback again from the first attempt, at the
// first calling moment from now. The history is kept.
func Rerun(cb Callback, now time.Time, p CallbackPolicy, cal *Calendar) (Callback, error) {
	if !cb.State.Final() {
		return cb, callbackConflict(cb, "re-run")
	}
	next := cb.clone()
	next.State, next.Attempts, next.Reason = CallbackPending, 0, ""
	next.Due = IntoWindow(now, p, cal)
	return next, nil
}

func callbackConflict(cb Callback, action string) error {
	e := hotline.Errorf(hotline.ECONFLICT, "cannot %s: callback %d is %s", action, cb.ID, cb.State)
	e.Current = cb
	return e
}
