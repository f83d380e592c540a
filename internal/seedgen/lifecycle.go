package seedgen

import (
	"math"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// sim plays a ticket's lifecycle as the service would record it: each
// action at its time, the SLA sweep between actions, and nothing at or
// after the generator's end.
type sim struct {
	d    *dayGen
	t    *ticketing.Ticket
	evs  []ticketing.Event
	at   time.Time // time of the last action
	done bool      // the end was reached: nothing more happens
}

var (
	dispatcherActor = hotline.Actor{UserID: "dispatcher01", Name: "派单员一", Role: hotline.RoleDispatcher}
	supervisorActor = hotline.Actor{UserID: "supervisor01", Name: "督办员一", Role: hotline.RoleSupervisor}
)

func (d *dayGen) unitActor(u hotline.UnitID) hotline.Actor {
	name := string(u)
	if x := d.g.ref.units[u]; x != nil {
		name = x.Name
	}
	return hotline.Actor{UserID: hotline.UserID("u." + string(u)), Name: name + "承办人", Role: hotline.RoleUnit, Unit: u}
}

func (s *sim) sla() *ticketing.SLAConfig { return &s.d.g.cfg.SLA }

// act takes action at (or just after the previous action): the sweep's
// checks due before it first, then fn, the lights, the event. It reports
// false, and stops the ticket, when at is not before the end.
func (s *sim) act(at time.Time, a hotline.Actor, action, reason string, fn func(now time.Time)) bool {
	if s.done {
		return false
	}
	if at.Before(s.at) {
		at = s.at
	}
	at = at.Truncate(time.Second)
	if !at.Before(s.d.g.end) {
		s.finish()
		return false
	}
	s.sweep(at)
	before := *s.t
	fn(at)
	s.sla().Evaluate(s.t, at)
	s.t.Updated, s.at = at, at
	s.t.Version++
	s.evs = append(s.evs, ticketing.Event{Time: at, Actor: a, Action: action, From: before.State, To: s.t.State,
		Reason: reason, Diff: ticketing.Diff(&before, s.t)})
	return true
}

// sweep fires the SLA checks due before until, as the server's sweeper
// would at each check time.
func (s *sim) sweep(until time.Time) {
	for t := s.t; !t.NextCheck.IsZero() && !t.NextCheck.After(until) && t.NextCheck.Before(s.d.g.end); {
		now := t.NextCheck
		before := *t
		if len(s.sla().Evaluate(t, now)) == 0 {
			if t.NextCheck.Equal(before.NextCheck) {
				return
			}
			continue
		}
		t.Updated = now
		t.Version++
		s.evs = append(s.evs, ticketing.Event{Time: now, Actor: hotline.System, Action: "sla", From: t.State, To: t.State,
			Diff: ticketing.Diff(&before, t)})
	}
}

// finish runs the sweep up to the end and stops the ticket.
func (s *sim) finish() {
	if !s.done {
		s.sweep(s.d.g.end.Add(-time.Nanosecond))
		s.done = true
	}
}

func (s *sim) dispatchTo(unit hotline.UnitID, now time.Time) {
	t := s.t
	t.Unit, t.CopyUnit = unit, ""
	if u := s.d.g.ref.units[unit]; u != nil && u.Tier == ticketing.TierStreet {
		t.CopyUnit = u.Parent
	}
	t.State, t.DispatchedAt = ticketing.StateDispatched, now
	t.AcceptedAt, t.ContactedAt, t.RepliedAt = time.Time{}, time.Time{}, time.Time{}
	t.PendingReturn, t.PendingExtension, t.ExtensionReason = "", 0, ""
	s.sla().StartClocks(t, now)
	s.sla().Evaluate(t, now)
}

// ticket files r and plays its lifecycle, with its call and callback.
func (d *dayGen) ticket(r request) {
	t := d.intake(r)
	s := &sim{d: d, t: t, at: t.Created}
	s.intake(r)
	if t.Triage == ticketing.TriageDispatch {
		s.handle()
	}
	s.finish()
	if t.Version == 0 {
		t.Version = 1
	}
	d.b.Tickets = append(d.b.Tickets, t)
	d.b.Events = append(d.b.Events, s.evs)
	if d.g.cfg.Calls && t.Channel == ticketing.ChannelPhone {
		d.call(t, len(d.b.Tickets)-1)
	}
}

// intake records the request; clear-cut utility faults go straight to the
// catalogue's unit (automatic dispatch).
func (s *sim) intake(r request) {
	t, d := s.t, s.d
	agent := hotline.Actor{UserID: t.Agent, Name: "话务员" + string(t.Agent[len(t.Agent)-4:]), Role: hotline.RoleAgent}
	switch t.Triage {
	case ticketing.TriageDispatch:
		t.State = ticketing.StatePendingDispatch
	default:
		t.State, t.ClosedAt = ticketing.StateClosed, t.Created
	}
	t.Version = 1
	auto := false
	if t.Triage == ticketing.TriageDispatch {
		sug := d.g.ref.suggest(t.Category, r.place)
		t.SuggestedUnit = sug.Unit
		if r.cat.AutoDispatch && sug.Unit != "" {
			s.dispatchTo(sug.Unit, t.Created)
			auto = true
		}
	}
	s.evs = append(s.evs, ticketing.Event{Time: t.Created, Actor: agent, Action: "intake", To: t.State, Reason: t.TriageReason})
	if auto {
		s.evs = append(s.evs, ticketing.Event{Time: t.Created, Actor: agent, Action: "dispatch", From: ticketing.StatePendingDispatch,
			To: t.State, Reason: "automatic dispatch", Diff: map[string]ticketing.Change{"unit": {To: string(t.Unit)}}})
	}
}

// handle plays dispatch, acceptance, contact, reply, callback and close.
func (s *sim) handle() {
	rng, t := s.d.rng, s.t
	if t.State == ticketing.StatePendingDispatch {
		unit := t.SuggestedUnit
		if unit == "" {
			unit = t.District
		}
		if !s.act(t.Created.Add(logNormal(rng, 20*time.Minute, 0.8)), dispatcherActor, "dispatch", "", func(now time.Time) { s.dispatchTo(unit, now) }) {
			return
		}
	}
	if rng.IntN(25) == 0 && !s.returned() {
		return
	}
	if !s.round() {
		return
	}
	s.afterReply()
}

// returned plays a return (退单) and its approval: the centre sends the
// order on to the district that oversees the unit.
func (s *sim) returned() bool {
	rng, t := s.d.rng, s.t
	u := s.d.g.ref.units[t.Unit]
	if u == nil || u.Parent == "" || (u.Tier != ticketing.TierStreet && u.Tier != ticketing.TierDistrictDept) {
		return true
	}
	unit, to := t.Unit, u.Parent
	reason := "经核实，该诉求不属于本单位职责范围"
	if !s.act(t.DispatchedAt.Add(logNormal(rng, 50*time.Minute, 0.7)), s.d.unitActor(unit), "return", reason, func(time.Time) {
		t.State, t.PendingReturn = ticketing.StateReturned, reason
		t.Returns++
	}) {
		return false
	}
	return s.act(s.at.Add(logNormal(rng, 2*time.Hour, 0.6)), dispatcherActor, "approve_return", "", func(now time.Time) {
		t.PendingReturn = ""
		s.dispatchTo(to, now)
	})
}

// round plays one round of handling from dispatch to reply.
func (s *sim) round() bool {
	rng, t := s.d.rng, s.t
	unit := s.d.unitActor(t.Unit)
	acceptMedian := 35 * time.Minute
	if t.Urgency == ticketing.UrgencyEmergency {
		acceptMedian = 5 * time.Minute
	}
	if !s.act(t.DispatchedAt.Add(logNormal(rng, acceptMedian, 0.8)), unit, "accept", "", func(now time.Time) {
		s.sla().Evaluate(t, now)
		t.State, t.AcceptedAt = ticketing.StateInProgress, now
	}) {
		return false
	}
	if (t.Urgency == ticketing.UrgencyOrdinary || t.Urgency == ticketing.UrgencyComplex) && rng.IntN(20) == 0 && !s.extend() {
		return false
	}
	span := t.ReplyDue.Sub(t.DispatchedAt)
	replyAt := t.DispatchedAt.Add(time.Duration(float64(span) * 0.4 * expNorm(rng, 0.55)))
	if replyAt.Before(s.at.Add(10 * time.Minute)) {
		replyAt = s.at.Add(10 * time.Minute)
	}
	contactAt := t.AcceptedAt.Add(logNormal(rng, 3*time.Hour, 1.0) * span / (7 * 24 * time.Hour))
	if contactAt.Before(replyAt.Add(-time.Minute)) && !s.act(contactAt, unit, "contact", "已电话联系市民，了解诉求详情", func(now time.Time) {
		s.sla().Evaluate(t, now)
		t.ContactedAt = now
	}) {
		return false
	}
	if replyAt.After(t.ReplyDue.Add(2*time.Hour)) && !s.urge(t.ReplyDue.Add(2*time.Hour)) {
		return false
	}
	return s.reply(replyAt, unit)
}

func expNorm(rng interface{ NormFloat64() float64 }, sigma float64) float64 {
	x := sigma * rng.NormFloat64()
	switch {
	case x > 3:
		x = 3
	case x < -3:
		x = -3
	}
	return math.Exp(x)
}

// extend asks for a longer deadline; a supervisor approves most requests.
func (s *sim) extend() bool {
	rng, t := s.d.rng, s.t
	days := 7
	if t.Urgency == ticketing.UrgencyComplex {
		days = 15
	}
	reason := "涉及多个部门协调，需延长办理时限"
	if !s.act(s.at.Add(logNormal(rng, 24*time.Hour, 0.6)), s.d.unitActor(t.Unit), "extend", reason, func(time.Time) {
		t.PendingExtension, t.ExtensionReason = days, reason
	}) {
		return false
	}
	if rng.IntN(10) == 0 {
		return s.act(s.at.Add(logNormal(rng, 3*time.Hour, 0.6)), supervisorActor, "deny_extension", "请按原时限办理", func(time.Time) {
			t.PendingExtension, t.ExtensionReason = 0, ""
		})
	}
	return s.act(s.at.Add(logNormal(rng, 3*time.Hour, 0.6)), supervisorActor, "approve_extension", "", func(time.Time) {
		t.ReplyDue = s.sla().Calendar.Add(t.ReplyDue, time.Duration(days)*24*time.Hour, s.sla().Working[2])
		t.PendingExtension, t.ExtensionReason = 0, ""
		t.Extensions++
	})
}

// urge chases an overdue order; some are put under supervision first.
func (s *sim) urge(at time.Time) bool {
	t := s.t
	if !t.Supervised && s.d.rng.IntN(5) < 2 && !s.act(at, supervisorActor, "supervise", "超期未反馈，列入督办", func(time.Time) { t.Supervised = true }) {
		return false
	}
	return s.act(at.Add(10*time.Minute), supervisorActor, "urge", "超期未反馈，请尽快办理", func(time.Time) { t.Urges++ })
}

func (s *sim) reply(at time.Time, unit hotline.Actor) bool {
	rng, t := s.d.rng, s.t
	o := ticketing.OutcomeResolved
	switch x := rng.Float64(); {
	case x > 0.93:
		o = ticketing.OutcomeUnresolved
	case x > 0.78:
		o = ticketing.OutcomeExplained
	}
	content := oneOf(rng, replies[o])
	return s.act(at, unit, "reply", content, func(now time.Time) {
		s.sla().Evaluate(t, now)
		if t.ContactedAt.IsZero() {
			t.ContactedAt = now
		}
		t.State, t.RepliedAt, t.Outcome, t.ReplyContent = ticketing.StateReplied, now, o, content
		t.PendingExtension, t.ExtensionReason = 0, ""
	})
}

// afterReply plays the callback and the close; a dissatisfied citizen
// whose request is not resolved sometimes gets the order reopened.
func (s *sim) afterReply() {
	rng, t := s.d.rng, s.t
	closeAt := t.RepliedAt.Add(72 * time.Hour)
	if s.d.g.cfg.Callbacks {
		if rec, end := s.d.callback(s, len(s.d.b.Tickets)); !end.IsZero() {
			closeAt = end.Add(logNormal(rng, time.Hour, 0.5))
			if rec != nil && rec.Resolved == ticketing.AnswerNo && rec.Satisfaction == ticketing.Dissatisfied && t.Reopens == 0 && rng.IntN(4) == 0 {
				s.reopen(closeAt)
				return
			}
		}
	}
	s.act(closeAt, hotline.System, "close", "", func(now time.Time) {
		t.State, t.ClosedAt = ticketing.StateClosed, now
	})
}

// reopen sends the order back to its unit for a second round.
func (s *sim) reopen(at time.Time) {
	t := s.t
	if !s.act(at, supervisorActor, "reopen", "回访不满意，问题未解决，重新办理", func(now time.Time) {
		t.Reopens++
		t.ClosedAt, t.Outcome, t.ReplyContent = time.Time{}, "", ""
		s.dispatchTo(t.Unit, now)
	}) {
		return
	}
	if !s.round() {
		return
	}
	s.act(t.RepliedAt.Add(72*time.Hour), hotline.System, "close", "", func(now time.Time) {
		t.State, t.ClosedAt = ticketing.StateClosed, now
	})
}
