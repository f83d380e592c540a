package ivr_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cityhotline/hotline/ivr"
)

// fakeSession is a hand-written Session: func fields decide what the
// caller does, and every call is recorded.
type fakeSession struct {
	PlayFunc     func(prompts []string, bargeIn bool) (rune, error)
	CollectFunc  func(spec ivr.CollectSpec) (string, error)
	EnqueueFunc  func(queue string, attrs map[string]string, priority int) error
	TransferFunc func(target string) error
	HangupFunc   func(cause string) error

	attrs    map[string]string
	played   [][]string
	collects []ivr.CollectSpec
	enqueued *enqueueCall
	target   string
	cause    string
}

type enqueueCall struct {
	queue    string
	attrs    map[string]string
	priority int
}

var _ ivr.Session = (*fakeSession)(nil)

func (s *fakeSession) Play(_ context.Context, prompts []string, bargeIn bool) (rune, error) {
	s.played = append(s.played, prompts)
	if s.PlayFunc == nil {
		return 0, nil
	}
	return s.PlayFunc(prompts, bargeIn)
}

func (s *fakeSession) Collect(_ context.Context, spec ivr.CollectSpec) (string, error) {
	s.collects = append(s.collects, spec)
	if s.CollectFunc == nil {
		return "", ivr.ErrHangup
	}
	return s.CollectFunc(spec)
}

func (s *fakeSession) Enqueue(_ context.Context, queue string, attrs map[string]string, priority int) error {
	s.enqueued = &enqueueCall{queue, attrs, priority}
	if s.EnqueueFunc == nil {
		return nil
	}
	return s.EnqueueFunc(queue, attrs, priority)
}

func (s *fakeSession) Transfer(_ context.Context, target string) error {
	s.target = target
	if s.TransferFunc == nil {
		return nil
	}
	return s.TransferFunc(target)
}

func (s *fakeSession) Hangup(_ context.Context, cause string) error {
	s.cause = cause
	if s.HangupFunc == nil {
		return nil
	}
	return s.HangupFunc(cause)
}

func (s *fakeSession) Attr(name string) string { return s.attrs[name] }

func (s *fakeSession) SetAttr(name, value string) {
	if s.attrs == nil {
		s.attrs = map[string]string{}
	}
	s.attrs[name] = value
}

// playedAll is every prompt played, in order, joined by spaces.
func (s *fakeSession) playedAll() string {
	var all []string
	for _, p := range s.played {
		all = append(all, p...)
	}
	return strings.Join(all, " ")
}

// caller builds a fake whose caller presses barge[p] during a barge-in
// playback that includes prompt p (once each) and answers each Collect with the next of keys;
// "" is silence until the timeout, "hangup" hangs up, and after the last
// entry the caller hangs up.
func caller(barge map[string]rune, keys ...string) *fakeSession {
	s := &fakeSession{}
	s.PlayFunc = func(prompts []string, bargeIn bool) (rune, error) {
		for _, p := range prompts {
			if d, ok := barge[p]; ok && bargeIn {
				delete(barge, p)
				return d, nil
			}
		}
		return 0, nil
	}
	s.CollectFunc = func(ivr.CollectSpec) (string, error) {
		if len(keys) == 0 {
			return "", ivr.ErrHangup
		}
		k := keys[0]
		keys = keys[1:]
		if k == "hangup" {
			return "", fmt.Errorf("media ended: %w", ivr.ErrHangup)
		}
		return k, nil
	}
	return s
}

// fakeCalendar marks the days listed as holidays; weekends are rest days.
type fakeCalendar struct{ holidays map[string]bool }

func (c fakeCalendar) Holiday(t time.Time) bool { return c.holidays[t.Format(time.DateOnly)] }

func (c fakeCalendar) Workday(t time.Time) bool {
	wd := t.Weekday()
	return !c.Holiday(t) && wd != time.Saturday && wd != time.Sunday
}

// fixedClock is a clock stopped at one instant.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }
