package ivr

import (
	"context"
	"errors"
	"strings"
	"time"
)

// ErrHangup is what a Session returns (possibly wrapped) once the caller
// has hung up, also when the call's context was cancelled because of it.
// The engine ends the flow with OutcomeCallerHangup and no error; any other
// error (a cancelled context included) ends it with OutcomeError.
var ErrHangup = errors.New("caller hung up")

// ErrStepLimit ends a flow that visited more nodes than Engine.MaxSteps.
var ErrStepLimit = errors.New("ivr step limit reached")

// Session is a live call as the engine sees it. call/ implements it over a
// SIP dialog and its media; tests use a fake.
//
// Prompt names are references as written in the flow: a bare name is played
// in the language held by the attribute lang ("zh" or "en"); "en/name"
// fixes the language.
type Session interface {
	// Play plays the prompts in order. With bargeIn, the first key pressed
	// stops playback and is returned; otherwise keys are ignored and the
	// rune is 0.
	Play(ctx context.Context, prompts []string, bargeIn bool) (rune, error)
	// Collect waits for keys: up to spec.Max of them, spec.Timeout for the
	// first and spec.InterDigit for each later one, stopping early at
	// spec.Terminator. It returns the keys pressed in order, including the
	// terminator when it ended the input; "" when none came in time.
	Collect(ctx context.Context, spec CollectSpec) (string, error)
	// Enqueue hands the call to an ACD queue and returns once the queue has
	// it; the flow ends there.
	Enqueue(ctx context.Context, queue string, attrs map[string]string, priority int) error
	// Transfer sends the call to target (a queue, an extension or a number).
	Transfer(ctx context.Context, target string) error
	// Hangup ends the call with a cause (normal, busy, …).
	Hangup(ctx context.Context, cause string) error
	// Attr reads a call attribute: caller, callee, trunk, and live system
	// attributes such as queue_overloaded ("true" when the queues are full).
	Attr(name string) string
	// SetAttr records an attribute set by the flow (lang among them).
	SetAttr(name, value string)
}

// CollectSpec says how to wait for keys.
type CollectSpec struct {
	Max        int
	Timeout    time.Duration
	InterDigit time.Duration
	Terminator rune // 0: none
}

// Calendar tells working days from rest days. *ticketing.Calendar
// provides Workday; Holiday reports a public holiday.
type Calendar interface {
	Workday(t time.Time) bool
	Holiday(t time.Time) bool
}

// ResolvePrompt splits a prompt reference as a Session sees it into the
// language to play it in and the prompt name: "en/for-english" is English
// whatever lang is; a bare "greeting" is in lang (the attribute lang).
func ResolvePrompt(ref, lang string) (promptLang, name string) {
	if l, n, ok := strings.Cut(ref, "/"); ok {
		return l, n
	}
	return lang, ref
}
