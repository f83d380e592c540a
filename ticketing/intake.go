package ticketing

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cityhotline/hotline"
)

var (
	phonePattern = regexp.MustCompile(`^\+?[0-9][0-9\- ]{2,19}$`)
	emailPattern = regexp.MustCompile(`^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,63}$`)
)

// Limits on free text, in characters.
const (
	maxTitle   = 200
	maxAddress = 500
	maxName    = 50
	maxReason  = 2000
)

// Intake records a request (受理) and triages it: answered directly, handed
// to an emergency line, not dispatched with a reason, or dispatched. A
// dispatch goes straight to the unit when the category allows automatic
// dispatch and the catalogue names a unit (or the agent did); otherwise it
// waits for a dispatcher. With an idempotency key, a repeated request
// returns the ticket it created the first time (replay true).
func (s *Service) Intake(ctx context.Context, a hotline.Actor, in IntakeInput, idem IdemKey) (*Ticket, bool, error) {
	if !a.Role.Centre() {
		return nil, false, hotline.Errorf(hotline.EFORBIDDEN, "only the centre records requests")
	}
	if t, err := s.replay(ctx, a, idem); t != nil || err != nil {
		return t, t != nil, err
	}
	ref, err := s.refs(ctx)
	if err != nil {
		return nil, false, err
	}
	t, err := s.newTicket(ctx, a, ref, in)
	if err != nil {
		return nil, false, err
	}
	ev := Event{Time: t.Created, Actor: a, Action: "intake", To: t.State, Reason: t.TriageReason}
	evs := []Event{ev}
	if t.State == StateDispatched {
		evs = append(evs, Event{Time: t.Created, Actor: a, Action: "dispatch", From: StatePendingDispatch, To: t.State,
			Reason: "automatic dispatch", Diff: map[string]Change{"unit": {To: string(t.Unit)}}})
	}
	var rec *Idempotency
	if idem.Key != "" {
		rec = &Idempotency{Key: idem.Key, User: a.UserID, Hash: idem.Hash}
	}
	if err := s.store.CreateTicket(ctx, t, evs, rec); err != nil {
		if hotline.ErrorCode(err) == hotline.ECONFLICT && rec != nil {
			if t, err := s.replay(ctx, a, idem); t != nil || err != nil {
				return t, t != nil, err
			}
		}
		return nil, false, fmt.Errorf("create ticket: %w", err)
	}
	s.log.Info("ticket created", "ticket_id", t.ID, "triage", t.Triage, "state", t.State, "unit", t.Unit, "agent", a.UserID)
	s.publish("ticket.created", t, map[string]string{"type": string(t.Type), "outcome": string(t.Triage)})
	return t, false, nil
}

func (s *Service) replay(ctx context.Context, a hotline.Actor, idem IdemKey) (*Ticket, error) {
	if idem.Key == "" {
		return nil, nil
	}
	if len(idem.Key) > 200 {
		return nil, hotline.Errorf(hotline.EINVALID, "Idempotency-Key is too long").WithField("Idempotency-Key", "at most 200 characters")
	}
	rec, err := s.store.FindIdempotency(ctx, a.UserID, idem.Key)
	if hotline.ErrorCode(err) == hotline.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find idempotency key: %w", err)
	}
	if rec.Hash != idem.Hash {
		return nil, hotline.Errorf(hotline.ECONFLICT, "Idempotency-Key %q was used for a different request", idem.Key)
	}
	t, err := s.store.FindTicketByID(ctx, rec.Ticket)
	if err != nil {
		return nil, fmt.Errorf("replay ticket %s: %w", rec.Ticket, err)
	}
	return t, nil
}

// newTicket validates the input and builds the ticket, triaged.
func (s *Service) newTicket(ctx context.Context, a hotline.Actor, ref *refData, in IntakeInput) (*Ticket, error) {
	var v hotline.Invalid
	now := s.now()
	t := &Ticket{Created: now, Updated: now, Agent: a.UserID, Confidential: in.Confidential, NoCallback: in.NoCallback,
		CallID: hotline.CallID(in.CallID), RecordingID: in.RecordingID}
	t.Channel = parseOr(&v, "channel", in.Channel, ChannelPhone, ParseChannel)
	t.Type = parseOr(&v, "type", in.Type, "", ParseRequestType)
	if in.Type == "" {
		v.Add("type", "required: consult, help, complaint, report, suggestion or praise")
	}
	t.Triage = parseOr(&v, "triage", in.Triage, TriageDispatch, ParseTriage)
	t.CallerNumber = checkContact(&v, "caller_number", in.CallerNumber)
	t.ContactNumber = checkContact(&v, "contact_number", in.ContactNumber)
	if t.ContactNumber == "" {
		t.ContactNumber = t.CallerNumber
	}
	if t.ContactNumber == "" && in.ContactNumber == "" && in.CallerNumber == "" {
		v.Add("contact_number", "required: a phone number (or e-mail) to reach the citizen")
	}
	t.CitizenName = checkText(&v, "citizen_name", in.CitizenName, maxName, false)
	t.Content = checkText(&v, "content", in.Content, s.cfg.MaxContent, true)
	t.Title = checkText(&v, "title", in.Title, maxTitle, false)
	if t.Title == "" {
		t.Title = firstRunes(t.Content, 30)
	}
	t.Address = checkText(&v, "address", in.Address, maxAddress, false)
	t.Lat, t.Lng = checkPosition(&v, in.Lat, in.Lng)
	if in.Category != "" || t.Triage == TriageDispatch || t.Triage == TriageAnswered {
		t.Category = hotline.CategoryID(in.Category)
		switch leaf, known := ref.leaf[t.Category]; {
		case in.Category == "":
			v.Add("category", "required")
		case !known:
			v.Add("category", "unknown category")
		case !leaf:
			v.Add("category", "choose a leaf category, not a group")
		case ref.categories[t.Category].Disabled:
			v.Add("category", "category is disabled")
		}
	}
	s.triage(&v, ref, t, in)
	if err := v.Err("the request is not valid"); err != nil {
		return nil, err
	}
	area := ref.resolver.Resolve(t.Address, t.Lat, t.Lng)
	t.District, t.Street = area.District, area.Street
	t.Urgency = parseOr(&v, "urgency", in.Urgency, "", ParseUrgency)
	if t.Urgency == "" {
		t.Urgency = UrgencyOrdinary
		if c := ref.categories[t.Category]; c != nil && c.Urgency != "" {
			t.Urgency = c.Urgency
		}
	}
	if t.Triage == TriageDispatch {
		s.route(&v, ref, t, area, in.Unit)
	}
	return t, v.Err("the request is not valid")
}

// triage checks the outcome-specific fields and sets the resulting state.
func (s *Service) triage(v *hotline.Invalid, ref *refData, t *Ticket, in IntakeInput) {
	switch t.Triage {
	case TriageAnswered:
		t.State, t.ClosedAt = StateClosed, t.Created
		t.Article = in.Article
		t.TriageReason = checkText(v, "reason", in.Reason, maxReason, false)
		if in.Article == "" && t.TriageReason == "" {
			v.Add("article", "name the knowledge-base article used, or give the answer in reason")
		}
	case TriageEmergency:
		t.State, t.ClosedAt = StateClosed, t.Created
		line := parseOr(v, "handoff", in.Handoff, "", ParseEmergencyLine)
		if in.Handoff == "" {
			v.Add("handoff", "required: 110, 119, 120 or 122")
		}
		t.TriageReason = string(line)
	case TriageNoDispatch:
		t.State, t.ClosedAt = StateClosed, t.Created
		r := parseOr(v, "reason", in.Reason, "", ParseNoDispatchReason)
		if in.Reason == "" {
			v.Add("reason", "required: legal_channel, duplicate, secret, out_of_scope or unlawful")
		}
		t.TriageReason = string(r)
	default:
		t.State = StatePendingDispatch
	}
}

// route fills the catalogue's suggestion and dispatches at once when the
// category allows it or the agent named the unit.
func (s *Service) route(v *hotline.Invalid, ref *refData, t *Ticket, area Area, override string) {
	sug := ref.suggest(t.Category, area)
	t.SuggestedUnit = sug.Unit
	unit := sug.Unit
	if override != "" {
		if !ref.dispatchable(hotline.UnitID(override)) {
			v.Add("unit", "unknown or disabled unit")
			return
		}
		unit = hotline.UnitID(override)
	} else if c := ref.categories[t.Category]; c == nil || !c.AutoDispatch {
		return
	}
	if unit == "" {
		return
	}
	s.dispatchTo(ref, t, unit, t.Created)
}

// dispatchTo sends t to unit: copies a street's district, starts the clocks.
func (s *Service) dispatchTo(ref *refData, t *Ticket, unit hotline.UnitID, at time.Time) {
	t.Unit, t.CopyUnit = unit, ""
	if u := ref.units[unit]; u != nil && u.Tier == TierStreet {
		t.CopyUnit = u.Parent
	}
	t.State, t.DispatchedAt = StateDispatched, at
	t.AcceptedAt, t.ContactedAt, t.RepliedAt = zeroTime, zeroTime, zeroTime
	t.PendingReturn, t.PendingExtension, t.ExtensionReason = "", 0, ""
	sla := s.sla() // one set of rules for the new clocks
	sla.StartClocks(t, at)
	sla.Evaluate(t, at)
}

func parseOr[T ~string](v *hotline.Invalid, field, s string, def T, parse func(string) (T, error)) T {
	if s == "" {
		return def
	}
	x, err := parse(s)
	if err != nil {
		v.Add(field, fieldProblem(err, field))
		return def
	}
	return x
}

func fieldProblem(err error, field string) string {
	if e, ok := err.(*hotline.Error); ok && e.Fields[field] != "" {
		return e.Fields[field]
	}
	return err.Error()
}

func checkContact(v *hotline.Invalid, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if !phonePattern.MatchString(s) && !emailPattern.MatchString(s) {
		v.Add(field, "not a phone number or e-mail address")
		return ""
	}
	return s
}

func checkText(v *hotline.Invalid, field, s string, max int, required bool) string {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case !utf8.ValidString(s):
		v.Add(field, "not valid UTF-8")
	case required && n == 0:
		v.Add(field, "required")
	case n > max:
		v.Add(field, fmt.Sprintf("too long: %d characters, at most %d", n, max))
	default:
		return s
	}
	return ""
}

func checkPosition(v *hotline.Invalid, lat, lng *float64) (float64, float64) {
	if lat == nil && lng == nil {
		return 0, 0
	}
	if lat == nil || lng == nil {
		v.Add("lat", "give both lat and lng, or neither")
		return 0, 0
	}
	if math.IsNaN(*lat) || *lat < -90 || *lat > 90 {
		v.Add("lat", "must be between -90 and 90")
	}
	if math.IsNaN(*lng) || *lng < -180 || *lng > 180 {
		v.Add("lng", "must be between -180 and 180")
	}
	return *lat, *lng
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
