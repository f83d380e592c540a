package ticketing

import (
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// runAttempt runs one attempt: begin at start, end with result at end.
func runAttempt(t *testing.T, cb Callback, start, end string, result CallResult, p CallbackPolicy) Callback {
	t.Helper()
	cb, err := BeginAttempt(cb, bjs(start))
	if err != nil {
		t.Fatalf("BeginAttempt: %v", err)
	}
	cb, err = NextAttempt(cb, result, bjs(end), p, callbackCalendar())
	if err != nil {
		t.Fatalf("NextAttempt(%s): %v", result, err)
	}
	return cb
}

func newCallback(due string) Callback {
	return Callback{ID: 1, Tickets: []hotline.TicketID{"T1"}, ContactNumber: "13800138000", Due: bjs(due), State: CallbackPending}
}

func TestNextAttemptRetriesThenUnreachable(t *testing.T) {
	p := DefaultCallbackPolicy()
	cb := newCallback("2026-09-15 10:00:00")
	steps := []struct {
		start, end string
		result     CallResult
		state      CallbackState
		due        string
	}{
		// no answer at 10:00: retry 2 h later
		{"2026-09-15 10:00:00", "2026-09-15 10:01:00", ResultNoAnswer, CallbackPending, "2026-09-15 12:01:00"},
		// busy at 16:30: 4 h later is 20:30, past the window: next morning
		{"2026-09-15 16:30:00", "2026-09-15 16:30:05", ResultBusy, CallbackPending, "2026-09-16 09:00:00"},
		// third attempt fails: could not be reached
		{"2026-09-16 09:00:00", "2026-09-16 09:00:40", ResultUnreachable, CallbackUnreachable, "2026-09-16 09:00:00"},
	}
	for i, s := range steps {
		cb = runAttempt(t, cb, s.start, s.end, s.result, p)
		if cb.State != s.state || !cb.Due.Equal(bjs(s.due)) || cb.Attempts != i+1 || cb.LastResult != s.result {
			t.Fatalf("after attempt %d (%s): state %s due %s attempts %d last %s; want %s due %s",
				i+1, s.result, cb.State, cb.Due.In(Beijing), cb.Attempts, cb.LastResult, s.state, s.due)
		}
		h := cb.History[i]
		if len(cb.History) != i+1 || !h.Started.Equal(bjs(s.start)) || !h.Ended.Equal(bjs(s.end)) || h.Result != s.result {
			t.Fatalf("history after attempt %d = %+v", i+1, cb.History)
		}
	}
}

func TestNextAttemptRetryIntoHoliday(t *testing.T) {
	p := DefaultCallbackPolicy()
	cb := runAttempt(t, newCallback("2026-09-30 19:00:00"), "2026-09-30 19:00:00", "2026-09-30 19:00:30", ResultFailed, p)
	if cb.State != CallbackPending || !cb.Due.Equal(bjs("2026-10-08 09:00:00")) {
		t.Errorf("retry before National Day: %s due %s, want pending due 2026-10-08 09:00", cb.State, cb.Due.In(Beijing))
	}
	// Attempts beyond RetryAfter reuse its last pause.
	p.MaxAttempts, p.RetryAfter = 5, []time.Duration{time.Hour}
	cb = newCallback("2026-09-15 10:00:00")
	cb = runAttempt(t, cb, "2026-09-15 10:00:00", "2026-09-15 10:00:00", ResultNoAnswer, p)
	cb = runAttempt(t, cb, "2026-09-15 11:00:00", "2026-09-15 11:00:00", ResultNoAnswer, p)
	if !cb.Due.Equal(bjs("2026-09-15 12:00:00")) {
		t.Errorf("second retry due %s, want 12:00", cb.Due.In(Beijing))
	}
}

func TestNextAttemptReached(t *testing.T) {
	p := DefaultCallbackPolicy()
	for _, r := range []CallResult{ResultAnswered, ResultHungUp} {
		cb := runAttempt(t, newCallback("2026-09-15 10:00:00"), "2026-09-15 10:00:00", "2026-09-15 10:02:00", r, p)
		if cb.State != CallbackDone || cb.LastResult != r || cb.Attempts != 1 {
			t.Errorf("%s: state %s last %s attempts %d, want done", r, cb.State, cb.LastResult, cb.Attempts)
		}
	}
	// A last attempt that is answered is done, not unreachable.
	p.MaxAttempts = 1
	cb := runAttempt(t, newCallback("2026-09-15 10:00:00"), "2026-09-15 10:00:00", "2026-09-15 10:02:00", ResultAnswered, p)
	if cb.State != CallbackDone {
		t.Errorf("answered last attempt: %s", cb.State)
	}
}

func TestNextAttemptErrors(t *testing.T) {
	p, cal := DefaultCallbackPolicy(), callbackCalendar()
	now := bjs("2026-09-15 10:00:00")
	pending := newCallback("2026-09-15 10:00:00")
	if _, err := NextAttempt(pending, ResultAnswered, now, p, cal); hotline.ErrorCode(err) != hotline.ECONFLICT {
		t.Errorf("result for a pending callback: %v, want ECONFLICT", err)
	}
	calling, _ := BeginAttempt(pending, now)
	if _, err := NextAttempt(calling, "maybe", now, p, cal); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("unknown result: %v, want EINVALID", err)
	}
	if _, err := BeginAttempt(calling, now); hotline.ErrorCode(err) != hotline.ECONFLICT {
		t.Errorf("second BeginAttempt: %v, want ECONFLICT", err)
	}
	// A call recovered after a restart (no open history entry) still gets a record.
	recovered := Callback{ID: 2, State: CallbackCalling, Attempts: 1, Due: now}
	got, err := NextAttempt(recovered, ResultFailed, now, p, cal)
	if err != nil || len(got.History) != 1 || got.History[0].Result != ResultFailed || got.State != CallbackPending {
		t.Errorf("recovered call: %+v, %v", got, err)
	}
}

func TestNextAttemptDoesNotShareHistory(t *testing.T) {
	p := DefaultCallbackPolicy()
	calling, _ := BeginAttempt(newCallback("2026-09-15 10:00:00"), bjs("2026-09-15 10:00:00"))
	calling.History = append(make([]CallbackAttempt, 0, 4), calling.History...)
	a, _ := NextAttempt(calling, ResultBusy, bjs("2026-09-15 10:00:10"), p, callbackCalendar())
	if !calling.History[0].Ended.IsZero() || a.History[0].Result != ResultBusy {
		t.Errorf("NextAttempt changed its argument: %+v", calling.History)
	}
}

func TestCallbackPauseResumeSkipRerun(t *testing.T) {
	p, cal := DefaultCallbackPolicy(), callbackCalendar()
	cb := newCallback("2026-09-15 10:00:00")
	paused, err := Pause(cb)
	if err != nil || paused.State != CallbackPaused {
		t.Fatalf("Pause: %s, %v", paused.State, err)
	}
	if again, err := Pause(paused); err != nil || again.State != CallbackPaused {
		t.Errorf("Pause twice: %s, %v", again.State, err)
	}
	if got := Pick([]Callback{paused}, bjs("2026-09-15 11:00:00"), 0, p, cal); len(got) != 0 {
		t.Errorf("paused callback picked: %v", got)
	}
	resumed, err := Resume(paused)
	if err != nil || resumed.State != CallbackPending || !resumed.Due.Equal(cb.Due) {
		t.Errorf("Resume: %+v, %v", resumed, err)
	}
	calling, _ := BeginAttempt(cb, bjs("2026-09-15 10:00:00"))
	for name, f := range map[string]func(Callback) (Callback, error){
		"pause":  Pause,
		"resume": Resume,
		"skip":   func(c Callback) (Callback, error) { return Skip(c, "declined") },
		"rerun":  func(c Callback) (Callback, error) { return Rerun(c, bjs("2026-09-15 10:00:00"), p, cal) },
	} {
		if _, err := f(calling); hotline.ErrorCode(err) != hotline.ECONFLICT {
			t.Errorf("%s while calling: %v, want ECONFLICT", name, err)
		}
	}
	skipped, err := Skip(paused, "citizen declined callbacks")
	if err != nil || skipped.State != CallbackSkipped || skipped.Reason != "citizen declined callbacks" {
		t.Errorf("Skip: %+v, %v", skipped, err)
	}
	done := runAttempt(t, cb, "2026-09-15 10:00:00", "2026-09-15 10:03:00", ResultAnswered, p)
	rerun, err := Rerun(done, bjs("2026-09-15 21:00:00"), p, cal)
	if err != nil || rerun.State != CallbackPending || rerun.Attempts != 0 ||
		!rerun.Due.Equal(bjs("2026-09-16 09:00:00")) || len(rerun.History) != 1 {
		t.Errorf("Rerun: %+v, %v", rerun, err)
	}
}
