package ticketing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
)

// CallbackDesk is the people's side of the satisfaction callbacks: the
// supervisors' control of the robot (list, pause and resume it as a whole,
// pause, resume, skip or re-run one ticket's callback) and the callback
// agents' answers for calls made by hand. Every change to a ticket's
// callback is written into the ticket's history with who made it.
type CallbackDesk struct {
	tickets *Service
	store   CallbackStore
	policy  CallbackPolicy
	cal     *Calendar
	reopen  bool
	log     *slog.Logger
}

// NewCallbackDesk returns the desk over the ticketing service and the
// callback store. p and cal time re-runs as the scheduler does; reopen is
// the scheduler's ReopenOnDissatisfied, applied to answers entered by hand.
func NewCallbackDesk(tickets *Service, st CallbackStore, p CallbackPolicy, cal *Calendar, reopen bool) *CallbackDesk {
	return &CallbackDesk{tickets: tickets, store: st, policy: p, cal: cal, reopen: reopen,
		log: tickets.log.With("component", "callbacks")}
}

// CallbackOp is a supervisor's action on one ticket's callback.
type CallbackOp string

// Callback operations.
const (
	OpPause  CallbackOp = "pause"  // hold the pending callback
	OpResume CallbackOp = "resume" // release a held one
	OpSkip   CallbackOp = "skip"   // do not call (a reason is required)
	OpRerun  CallbackOp = "rerun"  // call again, from the first attempt, at the next calling moment
)

// CallbackOps lists every operation.
var CallbackOps = []CallbackOp{OpPause, OpResume, OpSkip, OpRerun}

func (o CallbackOp) String() string { return string(o) }

// ParseCallbackOp parses an operation.
func ParseCallbackOp(s string) (CallbackOp, error) { return parseEnum("op", s, CallbackOps) }

// controls lets supervisors and the admin steer the robot.
func controls(a hotline.Actor) error {
	if a.Role == hotline.RoleSupervisor || a.Role == hotline.RoleAdmin {
		return nil
	}
	return hotline.Errorf(hotline.EFORBIDDEN, "a %s may not control the callbacks; supervisors do", a.Role)
}

// Callbacks lists the scheduled callbacks f selects, by due time;
// supervisors and the admin.
func (d *CallbackDesk) Callbacks(ctx context.Context, a hotline.Actor, f CallbackFilter) ([]*Callback, error) {
	if err := controls(a); err != nil {
		return nil, err
	}
	cbs, err := d.store.FindCallbacks(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("find callbacks: %w", err)
	}
	return cbs, nil
}

// TicketCallbacks returns a ticket's callbacks and answer records (robot's
// and manual) to whoever may read the ticket; units see them without the
// citizen's number and without the citizen's other tickets.
func (d *CallbackDesk) TicketCallbacks(ctx context.Context, a hotline.Actor, id hotline.TicketID) ([]*Callback, []*CallbackRecord, error) {
	if _, err := d.tickets.load(ctx, a, id); err != nil {
		return nil, nil, err
	}
	cbs, err := d.store.FindCallbacks(ctx, CallbackFilter{Ticket: id})
	if err != nil {
		return nil, nil, fmt.Errorf("callbacks of %s: %w", id, err)
	}
	recs, err := d.store.FindAnswers(ctx, id)
	if err != nil {
		return nil, nil, fmt.Errorf("answers of %s: %w", id, err)
	}
	if !a.Role.Centre() {
		// A unit learns neither the number nor the citizen's other
		// tickets asked about in the same call.
		for _, cb := range cbs {
			cb.ContactNumber, cb.Tickets = "", []hotline.TicketID{id}
		}
	}
	return cbs, recs, nil
}

// Switch returns the scheduler-wide pause; supervisors and the admin.
func (d *CallbackDesk) Switch(ctx context.Context, a hotline.Actor) (CallbackSwitch, error) {
	if err := controls(a); err != nil {
		return CallbackSwitch{}, err
	}
	return d.store.FindCallbackSwitch(ctx)
}

// SetPaused pauses (or resumes) the whole scheduler: no callback starts
// while paused; calls in progress finish. It is stored, so a restart stays
// paused, and records who switched it, when and why. Switching to the
// state it is in changes nothing.
func (d *CallbackDesk) SetPaused(ctx context.Context, a hotline.Actor, paused bool, reason string) (CallbackSwitch, error) {
	if err := controls(a); err != nil {
		return CallbackSwitch{}, err
	}
	var v hotline.Invalid
	reason = checkText(&v, "reason", reason, maxReason, false)
	if err := v.Err("invalid reason"); err != nil {
		return CallbackSwitch{}, err
	}
	cur, err := d.store.FindCallbackSwitch(ctx)
	if err != nil {
		return CallbackSwitch{}, fmt.Errorf("read the callback switch: %w", err)
	}
	if cur.Paused == paused {
		return cur, nil
	}
	sw := CallbackSwitch{Paused: paused, Since: d.tickets.now(), By: a.UserID, ByName: a.Name, Reason: reason}
	if err := d.store.SaveCallbackSwitch(ctx, sw); err != nil {
		return CallbackSwitch{}, fmt.Errorf("store the callback switch: %w", err)
	}
	d.log.Info("callback scheduler switched", "paused", paused, "actor", a.UserID, "reason", reason)
	return sw, nil
}

// Control pauses, resumes, skips or re-runs one ticket's callback;
// supervisors and the admin. The callback acted on is CurrentCallback's.
// When it also asks about the citizen's other tickets, pause, resume and
// skip split this ticket off (Detach) so the others keep their call, and
// a re-run makes a new callback for this ticket alone.
//
//   - pause: a pending callback is held (a held one stays held); a call in
//     progress is not interrupted (ECONFLICT).
//   - resume: a held callback is released (a pending one stays so); its
//     due time stands.
//   - skip (reason required): a pending or held callback ends without a
//     call.
//   - rerun: when the last callback is finished (done, unreachable,
//     skipped) or there is none, and the ticket may be called (Eligible,
//     else ECONFLICT with the reason), the ticket is called again from the
//     first attempt at the next calling moment; the earlier history stays.
//
// Each change is an event "callback_<op>" in the ticket's history.
func (d *CallbackDesk) Control(ctx context.Context, a hotline.Actor, id hotline.TicketID, op CallbackOp, reason string) (*Callback, error) {
	if err := controls(a); err != nil {
		return nil, err
	}
	if _, err := ParseCallbackOp(string(op)); err != nil {
		return nil, err
	}
	var v hotline.Invalid
	reason = checkText(&v, "reason", reason, maxReason, op == OpSkip)
	if err := v.Err("invalid " + string(op)); err != nil {
		return nil, err
	}
	t, err := d.tickets.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	have, err := d.store.FindCallbacks(ctx, CallbackFilter{Ticket: id})
	if err != nil {
		return nil, fmt.Errorf("callbacks of %s: %w", id, err)
	}
	cur := CurrentCallback(have, id)
	now := d.tickets.now()
	var out *Callback
	var from CallbackState
	if op == OpRerun {
		out, from, err = d.rerun(ctx, t, cur, now)
	} else {
		out, from, err = d.change(ctx, id, cur, op, reason)
	}
	if err != nil || (from == "" && op != OpRerun) { // failed, or nothing changed
		return out, err
	}
	text := fmt.Sprintf("callback %d: %s → %s", out.ID, orNone(from), out.State)
	if reason != "" {
		text += "; " + reason
	}
	d.audit(ctx, a, id, "callback_"+string(op), text)
	return out, nil
}

func orNone(s CallbackState) string {
	if s == "" {
		return "none"
	}
	return string(s)
}

// change applies pause, resume or skip to cur. A call that changes
// nothing returns cur and no state (and is not audited: out is nil).
func (d *CallbackDesk) change(ctx context.Context, id hotline.TicketID, cur *Callback, op CallbackOp, reason string) (*Callback, CallbackState, error) {
	if cur == nil {
		return nil, "", hotline.Errorf(hotline.ECONFLICT, "ticket %s has no callback to %s", id, op)
	}
	var f func(Callback) (Callback, error)
	switch op {
	case OpPause:
		if cur.State == CallbackPaused && len(cur.Tickets) == 1 {
			return cur, "", nil
		}
		f = Pause
	case OpResume:
		if cur.State == CallbackPending {
			return cur, "", nil
		}
		f = Resume
	case OpSkip:
		f = func(cb Callback) (Callback, error) { return Skip(cb, reason) }
	}
	// Check on the whole callback first, so an impossible change splits
	// nothing off.
	if _, err := f(*cur); err != nil {
		return nil, "", err
	}
	out, err := d.apply(ctx, cur, id, f)
	return out, cur.State, err
}

// apply stores f(cur), splitting the ticket off first when cur asks about
// others too: the rest is stored without it (a lost race fails here,
// before anything else changes), then its own callback is created.
func (d *CallbackDesk) apply(ctx context.Context, cur *Callback, id hotline.TicketID, f func(Callback) (Callback, error)) (*Callback, error) {
	rest, own, split := Detach(*cur, id)
	if !split {
		next, err := f(*cur)
		if err != nil {
			return nil, err
		}
		if err := d.store.UpdateCallback(ctx, &next, cur.Version); err != nil {
			return nil, d.raced(err, cur.ID)
		}
		return &next, nil
	}
	next, err := f(own)
	if err != nil {
		return nil, err
	}
	if err := d.store.UpdateCallback(ctx, &rest, cur.Version); err != nil {
		return nil, d.raced(err, cur.ID)
	}
	if err := d.store.CreateCallback(ctx, &next); err != nil {
		// The ticket is on no callback now: the planner gives it a new one.
		return nil, fmt.Errorf("create the callback of %s split off callback %d: %w", id, cur.ID, err)
	}
	return &next, nil
}

// raced explains a lost version race (the robot picked the callback, or
// another supervisor acted first).
func (d *CallbackDesk) raced(err error, id int64) error {
	var e *hotline.Error
	if errors.As(err, &e) && e.Code == hotline.ECONFLICT {
		out := hotline.Errorf(hotline.ECONFLICT, "callback %d changed meanwhile (the robot may have started the call); reload and try again", id)
		out.Current = e.Current
		return out
	}
	return fmt.Errorf("update callback %d: %w", id, err)
}

// rerun calls the ticket again: cur itself when it is finished and asks
// about this ticket alone, else a new callback.
func (d *CallbackDesk) rerun(ctx context.Context, t *Ticket, cur *Callback, now time.Time) (*Callback, CallbackState, error) {
	if cur != nil && !cur.State.Final() {
		return nil, "", hotline.Errorf(hotline.ECONFLICT, "ticket %s's callback %d is %s already; nothing to re-run", t.ID, cur.ID, cur.State)
	}
	if ok, why := Eligible(t); !ok {
		return nil, "", hotline.Errorf(hotline.ECONFLICT, "ticket %s may not be called back: %s", t.ID, why)
	}
	number := NormalizeNumber(t.ContactNumber)
	if cur != nil && len(cur.Tickets) == 1 {
		next, err := Rerun(*cur, now, d.policy, d.cal)
		if err != nil {
			return nil, "", err
		}
		next.Planned, next.ContactNumber = now, number
		if err := d.store.UpdateCallback(ctx, &next, cur.Version); err != nil {
			return nil, "", d.raced(err, cur.ID)
		}
		return &next, cur.State, nil
	}
	cb := &Callback{Tickets: []hotline.TicketID{t.ID}, ContactNumber: number, State: CallbackPending,
		Due: IntoWindow(now, d.policy, d.cal), Planned: now}
	if err := d.store.CreateCallback(ctx, cb); err != nil {
		return nil, "", fmt.Errorf("create callback for %s: %w", t.ID, err)
	}
	from := CallbackState("")
	if cur != nil {
		from = cur.State
	}
	return cb, from, nil
}

// audit appends an event to the ticket's history, retrying when the
// ticket changes meanwhile. The change it records is already stored, so a
// failure is logged, not returned.
func (d *CallbackDesk) audit(ctx context.Context, a hotline.Actor, id hotline.TicketID, action, text string) {
	ctx = context.WithoutCancel(ctx)
	var err error
	for range 5 {
		var t *Ticket
		if t, err = d.tickets.store.FindTicketByID(ctx, id); err != nil {
			break
		}
		ev := Event{Time: d.tickets.now(), Actor: a, Action: action, From: t.State, To: t.State, Reason: text}
		if err = d.tickets.store.UpdateTicket(ctx, t, t.Version, []Event{ev}); err == nil {
			d.tickets.publish("ticket."+action, t, map[string]string{"action": action, "from": string(t.State), "to": string(t.State)})
			return
		}
		if hotline.ErrorCode(err) != hotline.ECONFLICT {
			break
		}
	}
	d.log.Error("could not write the callback audit event", "ticket_id", id, "action", action, "err", err)
}

// ManualAnswers is what a human callback agent entered after calling the
// citizen (a call made by a person, not the robot). Unknown (or empty)
// answers were not given.
type ManualAnswers struct {
	Reached      bool // the citizen was reached; false: the call failed and no answer may be given
	Contacted    YesNo
	Resolved     YesNo
	Satisfaction Satisfaction
	Note         string
	CalledAt     time.Time // when the call was made; zero: now. The month it counts in.
}

// ManualResult is what entering answers did.
type ManualResult struct {
	Record   *CallbackRecord
	Valid    bool // counts in the three rates (有效回访), the ticket not being excluded
	Reopened bool // the ticket went back to its unit
}

// maxClockSkew is how far in the future a manual call time may lie.
const maxClockSkew = time.Minute

// EnterAnswers stores the answers a callback agent (role agent or
// supervisor, or the admin) got on a call made by hand, with the same
// rules as the robot's:
//
//   - the ticket must be one a callback is about: dispatched to a unit,
//     replied (or closed after the reply) or, under Art. 23, overdue with
//     no reply; not merged, and the citizen did not decline callbacks
//     (ECONFLICT otherwise). Confidential tickets may be called by a
//     person; only the robot skips them.
//   - answers are yes/no/unknown and satisfied/basically/dissatisfied/
//     unknown; none may be given when the citizen was not reached; the
//     call time is not in the future nor before the reply (or the missed
//     deadline) it is about (EINVALID naming the field).
//   - the record is valid (有效回访) only when the citizen was reached and
//     all three answers are clear; partial answers are kept.
//   - "unresolved" or "dissatisfied" reopens a replied or closed ticket
//     for its unit when the policy reopens (as after the robot's call).
//   - a reached citizen settles the ticket's robot callback for this
//     round: a pending or held one is skipped ("answered by hand"), and
//     when there is none yet the round is marked done so the robot does
//     not call again.
//
// The record carries Manual and By; the ticket's history gets a
// "callback_answers" event by the agent.
func (d *CallbackDesk) EnterAnswers(ctx context.Context, a hotline.Actor, id hotline.TicketID, in ManualAnswers) (*ManualResult, error) {
	switch a.Role {
	case hotline.RoleAgent, hotline.RoleSupervisor, hotline.RoleAdmin:
	default:
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "a %s may not enter callback answers; callback agents do", a.Role)
	}
	t, err := d.tickets.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := manualCallable(t); err != nil {
		return nil, err
	}
	now := d.tickets.now()
	rec, note, err := manualRecord(t, a, in, now)
	if err != nil {
		return nil, err
	}
	if u, err := d.tickets.store.FindUnitByID(ctx, t.Unit); err == nil {
		rec.Tier = u.Tier
	} else {
		d.log.Error("unit of a manual callback", "ticket_id", id, "unit", t.Unit, "err", err)
	}
	if err := d.store.RecordAnswers(ctx, rec); err != nil {
		return nil, fmt.Errorf("record answers of %s: %w", id, err)
	}
	ans := rec.Answers()
	res := &ManualResult{Record: rec, Valid: ans.Valid()}
	d.audit(ctx, a, id, "callback_answers", manualText(rec, res.Valid, note))
	if rec.Reached {
		d.settle(ctx, a, t, now)
	}
	if d.reopen && rec.Reached && CallsForReopen(rec.Resolved, rec.Satisfaction) && Reopenable(t.State) {
		reason := "回访不满意 (人工回访, " + cmp.Or(a.Name, string(a.UserID)) + ")"
		if _, err := d.tickets.Act(ctx, hotline.System, id, "reopen", ActionInput{Reason: reason}); err != nil {
			d.log.Error("reopen after a manual callback", "ticket_id", id, "err", err)
		} else {
			res.Reopened = true
		}
	}
	return res, nil
}

// manualCallable is Eligible less the robot-only rules (confidential, no
// number): whether a callback may be about t at all.
func manualCallable(t *Ticket) error {
	why := ""
	switch {
	case t.NoCallback:
		why = "the citizen declined callbacks"
	case t.MergedInto != "" || t.Triage == TriageMerged:
		why = "it was merged into " + string(t.MergedInto)
	case t.Unit == "":
		why = "it was not dispatched to a unit"
	default:
		why = notRepliedReason(t)
	}
	if why == "" {
		return nil
	}
	return conflict(t, "ticket %s takes no callback answers: %s", t.ID, why)
}

// manualRecord checks in and builds the record; note is the checked note.
func manualRecord(t *Ticket, a hotline.Actor, in ManualAnswers, now time.Time) (*CallbackRecord, string, error) {
	var v hotline.Invalid
	answer := func(field, given string, unknown string, allowed ...string) {
		switch {
		case given == "" || given == unknown:
		case !slices.Contains(allowed, given):
			v.Add(field, "must be one of "+strings.Join(allowed, ", ")+" (or left out)")
		case !in.Reached:
			v.Add(field, "must be left out when the citizen was not reached")
		}
	}
	answer("contacted", string(in.Contacted), string(AnswerUnknown), string(AnswerYes), string(AnswerNo))
	answer("resolved", string(in.Resolved), string(AnswerUnknown), string(AnswerYes), string(AnswerNo))
	answer("satisfaction", string(in.Satisfaction), string(SatisfactionUnknown),
		string(Satisfied), string(BasicallySatisfied), string(Dissatisfied))
	note := checkText(&v, "note", in.Note, maxReason, false)
	called := in.CalledAt
	if called.IsZero() {
		called = now
	}
	trigger, byDeadline := CallbackTrigger(t)
	switch {
	case called.After(now.Add(maxClockSkew)):
		v.Add("called_at", "must not be in the future")
	case called.Before(trigger) && byDeadline:
		v.Add("called_at", "must not be before the reply deadline it is about ("+trigger.In(Beijing).Format(time.DateTime)+")")
	case called.Before(trigger):
		v.Add("called_at", "must not be before the unit's reply ("+trigger.In(Beijing).Format(time.DateTime)+")")
	}
	if err := v.Err("invalid callback answers"); err != nil {
		return nil, "", err
	}
	rec := &CallbackRecord{Ticket: t.ID, Unit: t.Unit, CalledAt: called.UTC().Truncate(time.Microsecond), Reached: in.Reached,
		Contacted: orYesNo(in.Contacted), Resolved: orYesNo(in.Resolved), Satisfaction: orSatisfaction(in.Satisfaction),
		Manual: true, By: a.UserID}
	return rec, note, nil
}

func orYesNo(a YesNo) YesNo {
	if a == "" {
		return AnswerUnknown
	}
	return a
}

func orSatisfaction(s Satisfaction) Satisfaction {
	if s == "" {
		return SatisfactionUnknown
	}
	return s
}

// manualText is the history text of answers entered by hand.
func manualText(r *CallbackRecord, valid bool, note string) string {
	parts := []string{"人工回访", "reached=" + yesNo(r.Reached)}
	if r.Reached {
		parts = append(parts, "contacted="+string(r.Contacted), "resolved="+string(r.Resolved),
			"satisfaction="+string(r.Satisfaction))
	}
	if valid {
		parts = append(parts, "(valid)")
	} else {
		parts = append(parts, "(not valid)")
	}
	s := strings.Join(parts, " ")
	if note != "" {
		s += "; " + note
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// settle ends the robot's round for t after a person reached the citizen:
// a pending or held callback asking about t is skipped (split off when it
// asks about other tickets too); with none and the round not yet made, a
// skipped callback planned now marks it made. A callback that is calling
// right now is left alone: its answers come later and count if later.
func (d *CallbackDesk) settle(ctx context.Context, a hotline.Actor, t *Ticket, now time.Time) {
	have, err := d.store.FindCallbacks(ctx, CallbackFilter{Ticket: t.ID})
	if err != nil {
		d.log.Error("callbacks of a ticket answered by hand", "ticket_id", t.ID, "err", err)
		return
	}
	reason := "answered by hand (" + cmp.Or(a.Name, string(a.UserID)) + ")"
	cur := CurrentCallback(have, t.ID)
	switch {
	case cur != nil && (cur.State == CallbackPending || cur.State == CallbackPaused):
		if _, err := d.apply(ctx, cur, t.ID, func(cb Callback) (Callback, error) { return Skip(cb, reason) }); err != nil {
			d.log.Error("skip the robot's callback after a manual one", "ticket_id", t.ID, "callback", cur.ID, "err", err)
		}
	case !Covered(t, have):
		cb := &Callback{Tickets: []hotline.TicketID{t.ID}, ContactNumber: NormalizeNumber(t.ContactNumber),
			Due: now, Planned: now, State: CallbackSkipped, Reason: reason}
		if err := d.store.CreateCallback(ctx, cb); err != nil {
			d.log.Error("mark the callback round answered by hand", "ticket_id", t.ID, "err", err)
		}
	}
}
