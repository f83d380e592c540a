package ticketing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/cityhotline/hotline"
)

// step is one lifecycle action: who may take it, from which states, and
// what it does to the ticket. The admin may take every action.
type step struct {
	roles  []hotline.Role
	from   []State
	holder bool // a unit must hold the ticket (copies may only look)
	needs  string
	run    func(s *Service, c *actCtx) error
}

// actCtx is what a step works on.
type actCtx struct {
	ctx context.Context
	ref *refData
	t   *Ticket
	in  ActionInput
	now time.Time
	ev  *Event
	a   hotline.Actor
}

var (
	unitRole   = []hotline.Role{hotline.RoleUnit}
	dispatcher = []hotline.Role{hotline.RoleDispatcher}
	oversight  = []hotline.Role{hotline.RoleDispatcher, hotline.RoleSupervisor}
	anyone     = []hotline.Role{hotline.RoleUnit, hotline.RoleAgent, hotline.RoleDispatcher, hotline.RoleSupervisor}
	withUnit   = []State{StateDispatched, StateInProgress}
	openStates = []State{StatePendingDispatch, StateDispatched, StateReturned, StateInProgress, StateReplied}
)

var steps = map[string]step{
	"dispatch":          {roles: dispatcher, from: []State{StatePendingDispatch}, run: (*Service).dispatch},
	"accept":            {roles: unitRole, from: []State{StateDispatched}, holder: true, run: (*Service).accept},
	"contact":           {roles: unitRole, from: []State{StateInProgress}, holder: true, run: (*Service).contact},
	"note":              {roles: anyone, from: openStates, needs: "content", run: func(*Service, *actCtx) error { return nil }},
	"reply":             {roles: unitRole, from: []State{StateInProgress}, holder: true, needs: "content", run: (*Service).reply},
	"return":            {roles: unitRole, from: withUnit, holder: true, needs: "reason", run: (*Service).returnTicket},
	"approve_return":    {roles: dispatcher, from: []State{StateReturned}, run: (*Service).approveReturn},
	"reject_return":     {roles: dispatcher, from: []State{StateReturned}, needs: "reason", run: (*Service).rejectReturn},
	"extend":            {roles: unitRole, from: withUnit, holder: true, needs: "reason", run: (*Service).extend},
	"approve_extension": {roles: oversight, from: withUnit, run: (*Service).approveExtension},
	"deny_extension":    {roles: oversight, from: withUnit, needs: "reason", run: (*Service).denyExtension},
	"supervise":         {roles: oversight, from: openStates, needs: "reason", run: (*Service).supervise},
	"urge":              {roles: oversight, from: withUnit, needs: "reason", run: (*Service).urge},
	"merge":             {roles: oversight, from: openStates, needs: "into", run: (*Service).merge},
	"reopen":            {roles: oversight, from: []State{StateReplied, StateClosed}, needs: "reason", run: (*Service).reopen},
	"close":             {roles: oversight, from: []State{StatePendingDispatch, StateReplied}, run: (*Service).close},
	"archive":           {roles: oversight, from: []State{StateClosed}, run: (*Service).archive},
	"pause":             {roles: oversight, from: withUnit, needs: "reason", run: (*Service).pause},
	"resume":            {roles: oversight, from: withUnit, run: (*Service).resume},
}

// Actions lists the lifecycle actions, for routing.
func Actions() []string {
	names := make([]string, 0, len(steps))
	for n := range steps {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Act takes a lifecycle action on a ticket. Of two concurrent actions on
// one ticket one wins; the other gets ECONFLICT carrying the current ticket.
func (s *Service) Act(ctx context.Context, a hotline.Actor, id hotline.TicketID, action string, in ActionInput) (*Ticket, error) {
	t, err := s.act(ctx, a, id, action, in)
	return maskedFor(a, t), maskedErr(a, err)
}

// maskedFor hides the citizen's contact from a unit in what an action
// returns: the unit reads it through Ticket, where the read is recorded.
func maskedFor(a hotline.Actor, t *Ticket) *Ticket {
	if t == nil || a.Role != hotline.RoleUnit {
		return t
	}
	c := *t
	maskCitizen(&c)
	return &c
}

func maskedErr(a hotline.Actor, err error) error {
	var e *hotline.Error
	if !errors.As(err, &e) || e.Current == nil {
		return err
	}
	if t, ok := e.Current.(*Ticket); ok {
		masked := *e
		masked.Current = maskedFor(a, t)
		return &masked
	}
	return err
}

func (s *Service) act(ctx context.Context, a hotline.Actor, id hotline.TicketID, action string, in ActionInput) (*Ticket, error) {
	st, ok := steps[action]
	if !ok {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "unknown action %q", action)
	}
	t, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := allowed(a, st, t, action); err != nil {
		return nil, err
	}
	if in.Version != 0 && in.Version != t.Version {
		return nil, conflict(t, "ticket %s is at version %d, not %d", t.ID, t.Version, in.Version)
	}
	if !slices.Contains(st.from, t.State) {
		return nil, conflict(t, "cannot %s ticket %s: it is %s", action, t.ID, t.State)
	}
	if err := checkNeeds(st.needs, in); err != nil {
		return nil, err
	}
	ref, err := s.refs(ctx)
	if err != nil {
		return nil, err
	}
	before := *t
	now := s.now()
	ev := &Event{Time: now, Actor: a, Action: action, From: t.State, Reason: in.Reason}
	if action == "note" || action == "reply" {
		ev.Reason = in.Content
	}
	c := &actCtx{ctx: ctx, ref: ref, t: t, in: in, now: now, ev: ev, a: a}
	if err := st.run(s, c); err != nil {
		return nil, err
	}
	s.sla().Evaluate(t, now)
	t.Updated = now
	ev.To, ev.Diff = t.State, Diff(&before, t)
	if err := s.store.UpdateTicket(ctx, t, before.Version, []Event{*ev}); err != nil {
		return nil, s.updateFailed(ctx, id, err)
	}
	s.log.Info("ticket action", "ticket_id", t.ID, "action", action, "from", before.State, "to", t.State, "actor", a.UserID)
	s.publish("ticket."+action, t, map[string]string{"action": action, "from": string(before.State), "to": string(t.State)})
	if action == "merge" {
		s.noteMerged(ctx, a, t)
	}
	return t, nil
}

func allowed(a hotline.Actor, st step, t *Ticket, action string) error {
	if a.Role == hotline.RoleAdmin {
		return nil
	}
	if !slices.Contains(st.roles, a.Role) {
		return hotline.Errorf(hotline.EFORBIDDEN, "a %s may not %s", a.Role, action)
	}
	if a.Role == hotline.RoleUnit && (st.holder || action == "note") && t.Unit != a.Unit {
		return hotline.Errorf(hotline.EFORBIDDEN, "ticket %s is held by another unit; a copy may only be read", t.ID)
	}
	return nil
}

func checkNeeds(field string, in ActionInput) error {
	var v string
	switch field {
	case "":
		return nil
	case "content":
		v = in.Content
	case "reason":
		v = in.Reason
	case "into":
		v = in.Into
	}
	var inv hotline.Invalid
	if v = checkText(&inv, field, v, maxReason*2, true); v == "" {
		return inv.Err(field + " is required")
	}
	return nil
}

func conflict(t *Ticket, format string, args ...any) error {
	e := hotline.Errorf(hotline.ECONFLICT, format, args...)
	e.Current = t
	return e
}

// updateFailed turns a lost race into ECONFLICT with the winner's ticket.
func (s *Service) updateFailed(ctx context.Context, id hotline.TicketID, err error) error {
	if hotline.ErrorCode(err) != hotline.ECONFLICT {
		return fmt.Errorf("update ticket %s: %w", id, err)
	}
	cur, ferr := s.store.FindTicketByID(ctx, id)
	if ferr != nil {
		return errors.Join(err, ferr)
	}
	return conflict(cur, "ticket %s was changed by someone else; it is now %s (version %d)", id, cur.State, cur.Version)
}

func (s *Service) unitFor(c *actCtx, field string) (hotline.UnitID, error) {
	if c.in.Unit != "" {
		if !c.ref.dispatchable(hotline.UnitID(c.in.Unit)) {
			return "", hotline.Errorf(hotline.EINVALID, "unknown unit %q", c.in.Unit).WithField("unit", "unknown or disabled unit")
		}
		return hotline.UnitID(c.in.Unit), nil
	}
	sug := c.ref.suggest(c.t.Category, Area{District: c.t.District, Street: c.t.Street})
	if sug.Unit == "" {
		return "", hotline.Errorf(hotline.EINVALID, "the catalogue names no unit for this ticket").WithField(field, "name the unit")
	}
	return sug.Unit, nil
}

func (s *Service) dispatch(c *actCtx) error {
	u, err := s.unitFor(c, "unit")
	if err != nil {
		return err
	}
	if c.in.Reason == "" && u != c.t.SuggestedUnit && c.t.SuggestedUnit != "" {
		c.ev.Reason = "override of the catalogue's " + string(c.t.SuggestedUnit)
	}
	s.dispatchTo(c.ref, c.t, u, c.now)
	return nil
}

func (s *Service) accept(c *actCtx) error {
	s.sla().Evaluate(c.t, c.now) // a late acceptance is recorded red
	c.t.State, c.t.AcceptedAt = StateInProgress, c.now
	return nil
}

func (s *Service) contact(c *actCtx) error {
	if !c.t.ContactedAt.IsZero() {
		return conflict(c.t, "first contact with the citizen is already recorded; add a note instead")
	}
	s.sla().Evaluate(c.t, c.now)
	c.t.ContactedAt = c.now
	c.ev.Reason = c.in.Content
	return nil
}

func (s *Service) reply(c *actCtx) error {
	o, err := ParseOutcome(c.in.Outcome)
	if err != nil || c.in.Outcome == "" {
		return hotline.Errorf(hotline.EINVALID, "reply needs an outcome").WithField("outcome", "one of resolved, explained, unresolved")
	}
	s.sla().Evaluate(c.t, c.now)
	if c.t.ContactedAt.IsZero() {
		c.t.ContactedAt = c.now // replying to the citizen is contacting them
	}
	c.t.State, c.t.RepliedAt, c.t.Outcome, c.t.ReplyContent = StateReplied, c.now, o, c.in.Content
	c.t.PendingExtension, c.t.ExtensionReason = 0, ""
	return nil
}

func (s *Service) returnTicket(c *actCtx) error {
	c.t.State, c.t.PendingReturn = StateReturned, c.in.Reason
	c.t.Returns++
	return nil
}

func (s *Service) approveReturn(c *actCtx) error {
	c.t.PendingReturn = ""
	if c.in.Unit == "" {
		c.t.State, c.t.Unit, c.t.CopyUnit = StatePendingDispatch, "", ""
		return nil
	}
	u, err := s.unitFor(c, "unit")
	if err != nil {
		return err
	}
	if u == c.t.Unit {
		return hotline.Errorf(hotline.EINVALID, "the return was approved: send it to another unit").WithField("unit", "must differ from the unit that returned it")
	}
	s.dispatchTo(c.ref, c.t, u, c.now)
	return nil
}

func (s *Service) rejectReturn(c *actCtx) error {
	c.t.PendingReturn = ""
	c.t.State = StateDispatched
	if !c.t.AcceptedAt.IsZero() {
		c.t.State = StateInProgress
	}
	return nil
}

func (s *Service) extend(c *actCtx) error {
	if c.t.PendingExtension > 0 {
		return conflict(c.t, "an extension of %d days is already awaiting a decision", c.t.PendingExtension)
	}
	if c.in.Days < 1 || c.in.Days > s.cfg.MaxExtend {
		return hotline.Errorf(hotline.EINVALID, "bad extension").WithField("days", fmt.Sprintf("between 1 and %d", s.cfg.MaxExtend))
	}
	c.t.PendingExtension, c.t.ExtensionReason = c.in.Days, c.in.Reason
	return nil
}

func (s *Service) approveExtension(c *actCtx) error {
	if c.t.PendingExtension == 0 {
		return conflict(c.t, "no extension is awaiting a decision")
	}
	days := c.t.PendingExtension
	if c.in.Days != 0 {
		if c.in.Days < 1 || c.in.Days > s.cfg.MaxExtend {
			return hotline.Errorf(hotline.EINVALID, "bad extension").WithField("days", fmt.Sprintf("between 1 and %d", s.cfg.MaxExtend))
		}
		days = c.in.Days
	}
	sla := s.sla()
	c.t.ReplyDue = sla.Calendar.Add(c.t.ReplyDue, time.Duration(days)*24*time.Hour, sla.Working[2])
	c.t.PendingExtension, c.t.ExtensionReason = 0, ""
	c.t.Extensions++
	return nil
}

func (s *Service) denyExtension(c *actCtx) error {
	if c.t.PendingExtension == 0 {
		return conflict(c.t, "no extension is awaiting a decision")
	}
	c.t.PendingExtension, c.t.ExtensionReason = 0, ""
	return nil
}

func (s *Service) supervise(c *actCtx) error {
	if c.t.Supervised {
		return conflict(c.t, "ticket %s is already under supervision", c.t.ID)
	}
	c.t.Supervised = true
	return nil
}

func (s *Service) urge(c *actCtx) error {
	c.t.Urges++
	return nil
}

func (s *Service) merge(c *actCtx) error {
	into := hotline.TicketID(c.in.Into)
	if into == c.t.ID {
		return hotline.Errorf(hotline.EINVALID, "a ticket cannot be merged into itself").WithField("into", "another ticket")
	}
	surv, err := s.store.FindTicketByID(c.ctx, into)
	if err != nil || !surv.State.Open() || surv.MergedInto != "" {
		return hotline.Errorf(hotline.EINVALID, "cannot merge into %s", into).WithField("into", "must be an open ticket")
	}
	c.t.State, c.t.MergedInto, c.t.Triage, c.t.ClosedAt = StateClosed, into, TriageMerged, c.now
	c.t.PendingReturn, c.t.PendingExtension, c.t.ExtensionReason = "", 0, ""
	return nil
}

// noteMerged appends a "merged_from" event to the surviving ticket.
func (s *Service) noteMerged(ctx context.Context, a hotline.Actor, merged *Ticket) {
	for range 3 {
		surv, err := s.store.FindTicketByID(ctx, merged.MergedInto)
		if err != nil {
			break
		}
		ev := Event{Time: s.now(), Actor: a, Action: "merged_from", From: surv.State, To: surv.State,
			Reason: "merged ticket " + string(merged.ID)}
		if err = s.store.UpdateTicket(ctx, surv, surv.Version, []Event{ev}); err == nil {
			return
		}
	}
	s.log.Warn("could not note the merge on the surviving ticket", "ticket_id", merged.ID, "into", merged.MergedInto)
}

func (s *Service) reopen(c *actCtx) error {
	if c.t.MergedInto != "" {
		return conflict(c.t, "ticket %s was merged into %s; reopen that one", c.t.ID, c.t.MergedInto)
	}
	c.t.Reopens++
	c.t.ClosedAt, c.t.Outcome, c.t.ReplyContent = zeroTime, "", ""
	if c.t.Unit == "" || !c.ref.dispatchable(c.t.Unit) {
		c.t.State, c.t.Triage = StatePendingDispatch, TriageDispatch
		return nil
	}
	s.dispatchTo(c.ref, c.t, c.t.Unit, c.now)
	return nil
}

func (s *Service) close(c *actCtx) error {
	if c.t.State == StatePendingDispatch {
		r, err := ParseNoDispatchReason(c.in.Reason)
		if err != nil {
			return hotline.Errorf(hotline.EINVALID, "closing an undispatched ticket needs a reason").
				WithField("reason", "one of legal_channel, duplicate, secret, out_of_scope, unlawful")
		}
		c.t.Triage, c.t.TriageReason = TriageNoDispatch, string(r)
	}
	c.t.State, c.t.ClosedAt = StateClosed, c.now
	return nil
}

func (s *Service) archive(c *actCtx) error {
	c.t.State = StateArchived
	return nil
}

func (s *Service) pause(c *actCtx) error {
	if !c.t.PausedAt.IsZero() {
		return conflict(c.t, "the clocks of ticket %s are already paused", c.t.ID)
	}
	s.sla().Evaluate(c.t, c.now)
	c.t.PausedAt = c.now
	return nil
}

func (s *Service) resume(c *actCtx) error {
	if c.t.PausedAt.IsZero() {
		return conflict(c.t, "the clocks of ticket %s are not paused", c.t.ID)
	}
	c.t.shiftClocks(c.now.Sub(c.t.PausedAt))
	c.t.PausedAt = zeroTime
	return nil
}
