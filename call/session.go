package call

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/cityhotline/hotline/ivr"
	"github.com/cityhotline/hotline/media"
	"github.com/cityhotline/hotline/sip"
)

// session is the IVR's view of a call: prompts played on the trunk leg,
// keys read from it, attributes kept for the flow.
type session struct {
	call       *sip.Call
	leg        *media.TrunkLeg
	prompts    *Prompts
	overloaded func() bool

	mu    sync.Mutex
	attrs map[string]string
}

var _ ivr.Session = (*session)(nil)

func newSession(c *sip.Call, leg *media.TrunkLeg, p *Prompts, overloaded func() bool) *session {
	return &session{call: c, leg: leg, prompts: p, overloaded: overloaded, attrs: map[string]string{
		"caller": c.From(), "callee": c.To(), "trunk": c.Trunk(),
	}}
}

// Play plays prompts in order in the call's language; with bargeIn a key
// stops playback and is returned.
func (s *session) Play(ctx context.Context, prompts []string, bargeIn bool) (rune, error) {
	lang := s.Attr("lang")
	for _, ref := range prompts {
		wav, err := s.prompts.WAV(lang, ref)
		if err != nil {
			return media.NoDigit, err
		}
		if !bargeIn {
			if err := s.leg.PlayNoBargeIn(ctx, bytes.NewReader(wav)); err != nil {
				return media.NoDigit, hangupErr(s.call, err)
			}
			continue
		}
		d, err := s.leg.Play(ctx, bytes.NewReader(wav))
		if err != nil {
			return media.NoDigit, hangupErr(s.call, err)
		}
		if d != media.NoDigit {
			return d, nil
		}
	}
	return media.NoDigit, nil
}

// Collect reads keys until Max keys, the terminator, or a timeout: Timeout
// for the first key, InterDigit between keys. It returns what was pressed,
// the terminator included; "" when nothing was.
func (s *session) Collect(ctx context.Context, spec ivr.CollectSpec) (string, error) {
	var got []rune
	wait := spec.Timeout
	for spec.Max <= 0 || len(got) < spec.Max {
		if wait <= 0 {
			wait = 5 * time.Second
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return string(got), hangupErr(s.call, ctx.Err())
		case <-s.call.Done():
			t.Stop()
			return string(got), ivr.ErrHangup
		case <-t.C:
			return string(got), nil
		case d := <-s.leg.Digits():
			t.Stop()
			got = append(got, d)
			if spec.Terminator != 0 && d == spec.Terminator {
				return string(got), nil
			}
		}
		wait = spec.InterDigit
		if wait <= 0 {
			wait = spec.Timeout
		}
	}
	return string(got), nil
}

// Enqueue notes the queue; the caller then waits on hold (HandleCall).
func (s *session) Enqueue(ctx context.Context, queue string, attrs map[string]string, priority int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attrs["queue"] = queue
	for k, v := range attrs {
		s.attrs["queue."+k] = v
	}
	return nil
}

// Transfer is not available until the ACD exists.
func (s *session) Transfer(ctx context.Context, target string) error {
	return errTransfer
}

// Hangup ends the call.
func (s *session) Hangup(ctx context.Context, cause string) error {
	return s.call.Hangup(ctx, sip.EndLocalHangup)
}

// Attr returns an attribute; "queue_overloaded" is live.
func (s *session) Attr(name string) string {
	if name == "queue_overloaded" {
		if s.overloaded != nil && s.overloaded() {
			return "true"
		}
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attrs[name]
}

// SetAttr sets an attribute.
func (s *session) SetAttr(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attrs[name] = value
}
