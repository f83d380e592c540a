package ivr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
)

// DefaultMaxSteps bounds how many nodes one run visits.
const DefaultMaxSteps = 1000

// Engine runs flows. Its fields are read-only once it is in use, so one
// Engine serves every call; WithLogger gives a call its own logger.
type Engine struct {
	Clock    hotline.Clock  // SystemClock when nil
	Calendar Calendar       // Monday to Friday without holidays when nil
	Location *time.Location // for time and day conditions; Asia/Shanghai when nil

	// SayNumber and SayDigits turn a number or a digit string into prompt
	// names in a language ("zh", "en"); media provides them.
	SayNumber func(n int, lang string) []string
	SayDigits func(digits, lang string) []string

	// OnChoice, when set, is told every valid menu choice (for
	// hotline_ivr_choices_total{flow,digit}).
	OnChoice func(flow, digit string)

	Logger          *slog.Logger // discards when nil
	MaxSteps        int          // DefaultMaxSteps when zero
	DefaultLanguage string       // when the attribute lang is unset; "zh" when empty
}

// WithLogger returns a copy of e that logs to l (a per-call logger that
// carries call_id).
func (e *Engine) WithLogger(l *slog.Logger) *Engine {
	c := *e
	c.Logger = l
	return &c
}

// Result is what a run did.
type Result struct {
	Path    []string          // node ids visited, in order
	Digits  string            // every key pressed, in order, terminators included
	Outcome Outcome           // how the flow ended
	Attrs   map[string]string // attributes the flow set
}

// Run walks flow f over s from its start node until a terminal node, the
// caller hanging up (OutcomeCallerHangup, nil error), an error, or
// MaxSteps nodes (OutcomeError, ErrStepLimit). f must have passed Validate.
func (e *Engine) Run(ctx context.Context, f *Flow, s Session) (Result, error) {
	if f == nil || s == nil {
		return Result{Outcome: OutcomeError}, errors.New("ivr: Run needs a flow and a session")
	}
	r := &run{e: e, flow: f, s: s, log: e.logger().With("flow", f.Name), attrs: map[string]string{}}
	res, err := r.walk(ctx)
	res.Attrs = r.attrs
	r.log.Info("ivr flow ended", "outcome", res.Outcome, "path", strings.Join(res.Path, ">"), "err", err)
	return res, err
}

func (e *Engine) logger() *slog.Logger {
	if e.Logger != nil {
		return e.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (e *Engine) now() time.Time {
	var t time.Time
	if e.Clock != nil {
		t = e.Clock.Now()
	} else {
		t = time.Now()
	}
	if e.Location != nil {
		return t.In(e.Location)
	}
	return t.In(beijing)
}

func (e *Engine) calendar() Calendar {
	if e.Calendar != nil {
		return e.Calendar
	}
	return weekdays{}
}

// beijing is the default zone of time and day conditions. China has kept
// UTC+8 without daylight saving since 1991.
var beijing = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// weekdays is the calendar without holidays.
type weekdays struct{}

func (weekdays) Workday(t time.Time) bool {
	return t.Weekday() != time.Saturday && t.Weekday() != time.Sunday
}
func (weekdays) Holiday(time.Time) bool { return false }

// run is the state of one walk through a flow.
type run struct {
	e       *Engine
	flow    *Flow
	s       Session
	log     *slog.Logger
	res     Result
	attrs   map[string]string
	pending rune // a key pressed during a barge-in prompt, not yet used
}

func (r *run) walk(ctx context.Context) (Result, error) {
	limit := r.e.MaxSteps
	if limit <= 0 {
		limit = DefaultMaxSteps
	}
	id := r.flow.Start
	for step := 0; ; step++ {
		if step >= limit {
			r.res.Outcome = OutcomeError
			return r.res, fmt.Errorf("ivr flow %s at node %s after %d steps: %w", r.flow.Name, id, step, ErrStepLimit)
		}
		if err := ctx.Err(); err != nil {
			r.res.Outcome = OutcomeError
			return r.res, fmt.Errorf("ivr flow %s before node %s: %w", r.flow.Name, id, err)
		}
		n := r.flow.Nodes[id]
		if n == nil {
			r.res.Outcome = OutcomeError
			return r.res, fmt.Errorf("ivr flow %s: unknown node %q", r.flow.Name, id)
		}
		r.res.Path = append(r.res.Path, id)
		next, err := r.step(ctx, n)
		if err != nil {
			return r.fail(n, err)
		}
		if next == "" {
			return r.res, nil
		}
		id = next
	}
}

// fail ends the run after node n returned err.
func (r *run) fail(n *Node, err error) (Result, error) {
	if errors.Is(err, ErrHangup) {
		r.res.Outcome = OutcomeCallerHangup
		return r.res, nil
	}
	r.res.Outcome = OutcomeError
	return r.res, fmt.Errorf("ivr flow %s node %s (%s): %w", r.flow.Name, n.ID, n.Kind, err)
}

// step runs one node and returns the next node id, "" when the flow ended.
func (r *run) step(ctx context.Context, n *Node) (string, error) {
	r.log.Debug("ivr node", "node", n.ID, "kind", n.Kind)
	switch n.Kind {
	case KindPlay:
		return n.Next, r.play(ctx, n.Play.Prompts, n.Play.BargeIn)
	case KindCollect:
		return n.Next, r.collect(ctx, n.Collect)
	case KindMenu:
		return r.menu(ctx, n.Menu)
	case KindBranch:
		return r.branch(n.Branch)
	case KindSet:
		for _, a := range n.Set {
			r.setAttr(a.Attr, a.Value)
		}
		return n.Next, nil
	case KindGoto:
		return n.Next, nil
	case KindSayNumber, KindSayDigits:
		return n.Next, r.say(ctx, n)
	case KindEnqueue, KindTransfer, KindHangup:
		return "", r.end(ctx, n)
	}
	return "", fmt.Errorf("unknown node kind %v", n.Kind)
}

// attr reads an attribute the flow set, else the session's.
func (r *run) attr(name string) string {
	if v, ok := r.attrs[name]; ok {
		return v
	}
	return r.s.Attr(name)
}

func (r *run) setAttr(name, value string) {
	r.attrs[name] = value
	r.s.SetAttr(name, value)
}

// AttrLanguage is the attribute holding the call's language ("zh", "en").
const AttrLanguage = "lang"

func (r *run) language() string {
	if l := r.attr(AttrLanguage); l != "" {
		return l
	}
	if r.e.DefaultLanguage != "" {
		return r.e.DefaultLanguage
	}
	return "zh"
}

// play plays prompts. A barge-in prompt is skipped while a key is pending:
// that key has already interrupted it.
func (r *run) play(ctx context.Context, prompts []string, bargeIn bool) error {
	if len(prompts) == 0 || (bargeIn && r.pending != 0) {
		return nil
	}
	d, err := r.s.Play(ctx, prompts, bargeIn)
	if err != nil {
		return fmt.Errorf("play %s: %w", strings.Join(prompts, ","), err)
	}
	if bargeIn && d != 0 {
		r.pending = d
		r.res.Digits += string(d)
	}
	return nil
}

// takePending returns and clears the pending key.
func (r *run) takePending() string {
	if r.pending == 0 {
		return ""
	}
	k := string(r.pending)
	r.pending = 0
	return k
}

// keys waits for up to max keys through the session and records them.
func (r *run) keys(ctx context.Context, spec CollectSpec) (string, error) {
	got, err := r.s.Collect(ctx, spec)
	if err != nil {
		return "", fmt.Errorf("collect: %w", err)
	}
	r.res.Digits += got
	return got, nil
}

func (r *run) collect(ctx context.Context, c *Collect) error {
	if err := r.play(ctx, c.Prompts, true); err != nil {
		return err
	}
	term := c.Terminator
	if term == 0 {
		term = '#'
	}
	timeout, inter := orDefault(c.Timeout, DefaultTimeout), orDefault(c.InterDigit, DefaultInterDigit)
	in := r.takePending()
	if in != "" {
		timeout = inter
	}
	if !strings.HasSuffix(in, string(term)) && len(in) < c.Max {
		got, err := r.keys(ctx, CollectSpec{Max: c.Max - len(in), Timeout: timeout, InterDigit: inter, Terminator: term})
		if err != nil {
			return err
		}
		in += got
	}
	r.setAttr(c.Attr, strings.TrimSuffix(in, string(term)))
	return nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func (r *run) menu(ctx context.Context, m *Menu) (string, error) {
	retries := m.Retries
	if retries <= 0 {
		retries = DefaultRetries
	}
	var before []string // the invalid or no-input prompt for the next attempt
	for attempt := 1; attempt <= retries; attempt++ {
		key, err := r.menuKey(ctx, m, before)
		if err != nil {
			return "", err
		}
		if next, ok := m.option(key); ok {
			if m.Attr != "" {
				r.setAttr(m.Attr, key)
			}
			if r.e.OnChoice != nil {
				r.e.OnChoice(r.flow.Name, key)
			}
			return next, nil
		}
		before = m.Invalid
		if key == "" {
			before = m.NoInput
		}
		r.log.Debug("ivr menu retry", "attempt", attempt, "no_input", key == "")
	}
	return m.OnExhausted, nil
}

// menuKey plays before and the menu prompts with barge-in and returns the
// key pressed, "" when none came within the timeout.
func (r *run) menuKey(ctx context.Context, m *Menu, before []string) (string, error) {
	prompts := append(append([]string(nil), before...), m.Prompts...)
	if err := r.play(ctx, prompts, true); err != nil {
		return "", err
	}
	if k := r.takePending(); k != "" {
		return k, nil
	}
	return r.keys(ctx, CollectSpec{Max: 1, Timeout: orDefault(m.Timeout, DefaultTimeout)})
}

func (m *Menu) option(key string) (string, bool) {
	for _, o := range m.Options {
		if o.Digit == key && key != "" {
			return o.Next, true
		}
	}
	return "", false
}

// end runs a terminal node and records the outcome.
func (r *run) end(ctx context.Context, n *Node) error {
	switch n.Kind {
	case KindEnqueue:
		q := n.Enqueue
		attrs := map[string]string{}
		for _, name := range q.Attrs {
			if v := r.attr(name); v != "" {
				attrs[name] = v
			}
		}
		if err := r.s.Enqueue(ctx, q.Queue, attrs, q.Priority); err != nil {
			return fmt.Errorf("enqueue into %s: %w", q.Queue, err)
		}
		r.res.Outcome = Enqueued(q.Queue)
	case KindTransfer:
		if err := r.s.Transfer(ctx, n.Transfer.Target); err != nil {
			return fmt.Errorf("transfer to %s: %w", n.Transfer.Target, err)
		}
		r.res.Outcome = OutcomeTransferred
	case KindHangup:
		cause := n.Hangup.Cause
		if cause == "" {
			cause = "normal"
		}
		if err := r.s.Hangup(ctx, cause); err != nil {
			return fmt.Errorf("hang up (%s): %w", cause, err)
		}
		r.res.Outcome = OutcomeHangup
	}
	return nil
}
