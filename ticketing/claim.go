package ticketing

import (
	"context"
	"fmt"
	"time"

	"github.com/cityhotline/hotline"
)

// Claims (不合理诉求申请 and 考核申诉) are how a unit asks that a ticket not
// count in its assessment. 12345-rules.md §6 and §15 (after a public 12345
// ticket schema, grade C): per ticket, an unreasonable-request claim
// (是否不合理诉求单 / 不合理诉求查否单) and an assessment appeal (考核申诉单 /
// 申诉查否), each with the applicant unit, time, reason and reviewer, decide
// whether the ticket is 纳入考核; approved ones leave the denominator of the
// three rates. The rules state no filing window (Beijing's 分类处置规则 was not
// retrieved), so none is enforced; claims are filed by the unit that holds
// the ticket and ruled by a supervisor.

// ClaimKind is what a claim asks for.
type ClaimKind string

// Claim kinds.
const (
	// ClaimUnreasonable (不合理诉求): the citizen's demand is unlawful or
	// unreasonable, so the ticket should not be assessed at all.
	ClaimUnreasonable ClaimKind = "unreasonable"
	// ClaimAppeal (考核申诉): a callback result that counts against the unit
	// is contested.
	ClaimAppeal ClaimKind = "appeal"
)

// ClaimKinds lists every kind.
var ClaimKinds = []ClaimKind{ClaimUnreasonable, ClaimAppeal}

func (k ClaimKind) String() string { return string(k) }

// ParseClaimKind parses a claim kind.
func ParseClaimKind(s string) (ClaimKind, error) { return parseEnum("kind", s, ClaimKinds) }

// ClaimState is where a claim stands.
type ClaimState string

// Claim states.
const (
	ClaimPending  ClaimState = "pending"  // awaiting a supervisor's ruling
	ClaimApproved ClaimState = "approved" // the ticket left the assessment
	ClaimRejected ClaimState = "rejected" // 查否: the ticket still counts
)

// ClaimStates lists every state.
var ClaimStates = []ClaimState{ClaimPending, ClaimApproved, ClaimRejected}

func (s ClaimState) String() string { return string(s) }

// ParseClaimState parses a claim state.
func ParseClaimState(s string) (ClaimState, error) { return parseEnum("state", s, ClaimStates) }

// Claim is one unreasonable-request claim or assessment appeal of a ticket.
type Claim struct {
	ID       int64            // assigned by the store
	Ticket   hotline.TicketID // the ticket it is about
	Unit     hotline.UnitID   // the unit that filed it: the ticket's holder
	Kind     ClaimKind
	State    ClaimState
	Reason   string
	Evidence string // what the unit offers in support: a note, a document reference
	Callback int64  // appeals: the contested callback record (CallbackRecord.ID)
	// Month is the assessment month the claim is about: an appeal's, that
	// of the contested callback; an unreasonable-request claim's, that of
	// the unit's latest callback of the ticket, or the filing month when
	// there is none yet.
	Month Month

	FiledBy     hotline.UserID
	FiledByName string
	Filed       time.Time

	RuledBy     hotline.UserID // zero while pending
	RuledByName string
	Ruled       time.Time
	Note        string // the supervisor's note on the ruling

	Version int // optimistic concurrency, bumped by the store
}

// ClaimFilter selects claims. Zero fields select all.
type ClaimFilter struct {
	State  ClaimState
	Kind   ClaimKind
	Unit   hotline.UnitID
	Ticket hotline.TicketID
	Month  Month
	Limit  int // 0 means no limit (the service caps it)
	Offset int
}

// ClaimStore keeps claims. Both stores implement it (store/storetest pins
// the semantics down):
//
//   - CreateClaim assigns c.ID, sets c.Version to 1 and appends ev to the
//     ticket's history (setting its Ticket and Seq), all or nothing. A
//     ticket has at most one pending claim of each kind: a second gives
//     ECONFLICT. A missing ticket gives ENOTFOUND.
//   - UpdateClaim stores every field of c when the stored Version equals
//     version, bumps c.Version and appends ev to the ticket's history; when
//     exclude is true it also takes the ticket out of the assessment, as
//     CallbackStore.SetExcluded(ticket, true) does — all in one
//     transaction. A stale version gives ECONFLICT with Current holding the
//     stored *Claim; a missing claim ENOTFOUND.
//   - FindClaims orders by Filed, then ID.
type ClaimStore interface {
	CreateClaim(ctx context.Context, c *Claim, ev Event) error
	UpdateClaim(ctx context.Context, c *Claim, version int, ev Event, exclude bool) error
	FindClaimByID(ctx context.Context, id int64) (*Claim, error)
	FindClaims(ctx context.Context, f ClaimFilter) ([]*Claim, error)
}

// ClaimInput is a unit's claim as the API receives it.
type ClaimInput struct {
	Kind     string `json:"kind"`     // unreasonable | appeal
	Reason   string `json:"reason"`   // required
	Evidence string `json:"evidence"` // optional
	Callback int64  `json:"callback"` // appeal: the contested callback record; 0: the latest that counts against the unit
}

// RulingInput is a supervisor's ruling on a claim.
type RulingInput struct {
	Note    string `json:"note"`    // required to reject; optional to approve
	Version int    `json:"version"` // optional expected version (0: don't check)
}

// maxEvidence caps a claim's evidence, in characters.
const maxEvidence = 4000

// checkClaimInput validates a claim's fields, naming every bad one.
func checkClaimInput(in ClaimInput) (ClaimKind, string, string, error) {
	var v hotline.Invalid
	kind, err := ParseClaimKind(in.Kind)
	if in.Kind == "" {
		v.Add("kind", "required: unreasonable or appeal")
	} else if err != nil {
		v.Add("kind", "must be unreasonable or appeal")
	}
	reason := checkText(&v, "reason", in.Reason, maxReason, true)
	evidence := checkText(&v, "evidence", in.Evidence, maxEvidence, false)
	if in.Callback < 0 {
		v.Add("callback", "must be a callback record id")
	} else if in.Callback != 0 && kind == ClaimUnreasonable {
		v.Add("callback", "only an appeal names a callback")
	}
	if err := v.Err("invalid claim"); err != nil {
		return "", "", "", err
	}
	return kind, reason, evidence, nil
}

// claimable reports whether unit may file a claim of kind on t now:
// the unit must hold the ticket, which must have reached it and not been
// merged away or sent back.
func claimable(t *Ticket, unit hotline.UnitID) error {
	switch {
	case t.Unit != unit:
		return hotline.Errorf(hotline.EFORBIDDEN, "ticket %s is held by another unit; only the holder files claims", t.ID)
	case t.MergedInto != "":
		return hotline.Errorf(hotline.ECONFLICT, "ticket %s was merged into %s; it is not assessed on its own", t.ID, t.MergedInto)
	case t.State == StatePendingDispatch || t.State == StateReturned:
		return hotline.Errorf(hotline.ECONFLICT, "ticket %s is %s: a claim needs a ticket the unit is handling or has handled", t.ID, t.State)
	}
	return nil
}

// Against reports whether a callback record counts in the assessment and
// counts against its unit: a valid callback where the citizen said the unit
// did not contact them, or the problem is not resolved, or was less than
// satisfied (基本满意 counts 0.9, 不满意 0).
func (r *CallbackRecord) Against() bool {
	a := r.Answers()
	return a.Valid() && (a.Contacted == AnswerNo || a.Resolved == AnswerNo || a.Satisfaction != Satisfied)
}

// appealTarget picks the callback record an appeal by unit contests: the
// one named (which must be the unit's, on this ticket, and count against
// it), or else the latest that counts against the unit.
func appealTarget(records []*CallbackRecord, unit hotline.UnitID, named int64) (*CallbackRecord, error) {
	var latest *CallbackRecord
	for _, r := range records {
		if named != 0 && r.ID == named {
			if r.Unit != unit || !r.Against() {
				return nil, hotline.Errorf(hotline.EINVALID, "callback %d does not count against the unit", named).
					WithField("callback", "not a valid callback result against this unit")
			}
			return r, nil
		}
		if r.Unit == unit && r.Against() && (latest == nil || !r.CalledAt.Before(latest.CalledAt)) {
			latest = r
		}
	}
	if named != 0 {
		return nil, hotline.Errorf(hotline.EINVALID, "callback %d is not a callback of this ticket", named).
			WithField("callback", "not a callback of this ticket")
	}
	if latest == nil {
		return nil, hotline.Errorf(hotline.ECONFLICT, "no callback result counts against the unit on this ticket: nothing to appeal")
	}
	return latest, nil
}

// claimMonth is the assessment month an unreasonable-request claim is
// about: that of the unit's latest callback of the ticket, or now's.
func claimMonth(records []*CallbackRecord, unit hotline.UnitID, now time.Time) Month {
	var latest time.Time
	for _, r := range records {
		if r.Unit == unit && r.CalledAt.After(latest) {
			latest = r.CalledAt
		}
	}
	if latest.IsZero() {
		return MonthOf(now)
	}
	return MonthOf(latest)
}

// openClaims checks a ticket's earlier claims before a new one of kind: a
// ticket already out of the assessment cannot be claimed again, and there
// is at most one pending claim per kind.
func openClaims(earlier []*Claim, kind ClaimKind) error {
	for _, c := range earlier {
		switch {
		case c.State == ClaimApproved:
			return hotline.Errorf(hotline.ECONFLICT, "ticket %s is already out of the assessment (claim %d, %s, approved)", c.Ticket, c.ID, c.Kind)
		case c.State == ClaimPending && c.Kind == kind:
			return hotline.Errorf(hotline.ECONFLICT, "ticket %s already has a pending %s claim (%d)", c.Ticket, kind, c.ID)
		}
	}
	return nil
}

// rule applies a ruling to a pending claim: approved or rejected by a, at
// now, with note (required to reject).
func (c *Claim) rule(a hotline.Actor, approve bool, note string, now time.Time) error {
	var v hotline.Invalid
	note = checkText(&v, "note", note, maxReason, !approve)
	if err := v.Err("invalid ruling"); err != nil {
		return err
	}
	if c.State != ClaimPending {
		e := hotline.Errorf(hotline.ECONFLICT, "%s is already %s", claimName(c.ID), c.State)
		e.Current = c
		return e
	}
	c.State = ClaimRejected
	if approve {
		c.State = ClaimApproved
	}
	c.RuledBy, c.RuledByName, c.Ruled, c.Note = a.UserID, a.Name, now, note
	return nil
}

// claimEvent is the ticket-history entry of a claim's filing or ruling.
// Its diff names the kind and the state change; an approval also records
// that the ticket left the assessment.
func claimEvent(c *Claim, a hotline.Actor, t *Ticket, action string, from ClaimState, now time.Time) Event {
	ev := Event{Time: now, Actor: a, Action: action, From: t.State, To: t.State,
		Diff: map[string]Change{"claim_" + string(c.Kind): {From: string(from), To: string(c.State)}}}
	switch action {
	case "claim":
		ev.Reason = c.Reason
	default:
		ev.Reason = c.Note
	}
	if c.State == ClaimApproved {
		ev.Diff["assessed"] = Change{From: "true", To: "false"}
	}
	return ev
}

func claimName(id int64) string { return fmt.Sprintf("claim %d", id) }
