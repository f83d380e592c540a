package ticketing

import (
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

func TestClaimEnumsRoundTrip(t *testing.T) {
	roundTrip(t, ClaimKinds, ParseClaimKind)
	roundTrip(t, ClaimStates, ParseClaimState)
}

func TestMonthOfKey(t *testing.T) {
	for _, m := range []Month{{2026, time.January}, {2026, time.December}, {1999, time.June}} {
		if got := MonthOfKey(m.Key()); got != m {
			t.Errorf("MonthOfKey(%d) = %v, want %v", m.Key(), got, m)
		}
	}
	for _, k := range []int{0, -5, 202613, 202600} {
		if got := MonthOfKey(k); got != (Month{}) {
			t.Errorf("MonthOfKey(%d) = %v, want the zero month", k, got)
		}
	}
}

func TestCheckClaimInput(t *testing.T) {
	long := strings.Repeat("长", maxReason+1)
	cases := []struct {
		name   string
		in     ClaimInput
		fields []string // the fields named; none: valid
		kind   ClaimKind
	}{
		{"unreasonable", ClaimInput{Kind: "unreasonable", Reason: "  要求超出法定范围  ", Evidence: "合同"}, nil, ClaimUnreasonable},
		{"appeal naming a callback", ClaimInput{Kind: "appeal", Reason: "已解决", Callback: 7}, nil, ClaimAppeal},
		{"appeal without a callback", ClaimInput{Kind: "appeal", Reason: "已解决"}, nil, ClaimAppeal},
		{"no kind", ClaimInput{Reason: "x"}, []string{"kind"}, ""},
		{"bad kind", ClaimInput{Kind: "objection", Reason: "x"}, []string{"kind"}, ""},
		{"no reason", ClaimInput{Kind: "appeal", Reason: "   "}, []string{"reason"}, ""},
		{"reason too long", ClaimInput{Kind: "appeal", Reason: long}, []string{"reason"}, ""},
		{"evidence too long", ClaimInput{Kind: "appeal", Reason: "x", Evidence: strings.Repeat("证", maxEvidence+1)}, []string{"evidence"}, ""},
		{"callback on an unreasonable claim", ClaimInput{Kind: "unreasonable", Reason: "x", Callback: 3}, []string{"callback"}, ""},
		{"negative callback", ClaimInput{Kind: "appeal", Reason: "x", Callback: -1}, []string{"callback"}, ""},
		{"everything wrong", ClaimInput{Kind: "?", Callback: -1}, []string{"kind", "reason", "callback"}, ""},
	}
	for _, tc := range cases {
		kind, reason, _, err := checkClaimInput(tc.in)
		if len(tc.fields) == 0 {
			if err != nil || kind != tc.kind || reason != strings.TrimSpace(tc.in.Reason) {
				t.Errorf("%s: kind %q reason %q err %v", tc.name, kind, reason, err)
			}
			continue
		}
		e, ok := err.(*hotline.Error)
		if !ok || e.Code != hotline.EINVALID || len(e.Fields) != len(tc.fields) {
			t.Errorf("%s: error %#v, want EINVALID naming %v", tc.name, err, tc.fields)
			continue
		}
		for _, f := range tc.fields {
			if e.Fields[f] == "" {
				t.Errorf("%s: field %s not named in %v", tc.name, f, e.Fields)
			}
		}
	}
}

func TestClaimable(t *testing.T) {
	const own hotline.UnitID = "s1"
	cases := []struct {
		state  State
		unit   hotline.UnitID
		merged hotline.TicketID
		code   string
	}{
		{StateDispatched, own, "", ""},
		{StateInProgress, own, "", ""},
		{StateReplied, own, "", ""},
		{StateClosed, own, "", ""},
		{StateArchived, own, "", ""},
		{StateReplied, "s2", "", hotline.EFORBIDDEN}, // held by another unit (a copy holder, say)
		{StateReturned, own, "", hotline.ECONFLICT},
		{StatePendingDispatch, own, "", hotline.ECONFLICT},
		{StateClosed, own, "20261127000009", hotline.ECONFLICT},
	}
	for _, tc := range cases {
		tk := &Ticket{ID: "20261127000001", State: tc.state, Unit: tc.unit, MergedInto: tc.merged}
		if got := hotline.ErrorCode(claimable(tk, own)); got != tc.code {
			t.Errorf("state %s unit %s merged %q: code %q, want %q", tc.state, tc.unit, tc.merged, got, tc.code)
		}
	}
}

// rec is a callback record of unit s1 unless changed.
func rec(id int64, day int, reached bool, c, r YesNo, s Satisfaction) *CallbackRecord {
	return &CallbackRecord{ID: id, Ticket: "T", Unit: "s1", Tier: TierStreet,
		CalledAt: time.Date(2026, time.November, day, 10, 0, 0, 0, Beijing),
		Reached:  reached, Contacted: c, Resolved: r, Satisfaction: s}
}

func TestCallbackRecordAgainst(t *testing.T) {
	excluded := rec(9, 1, true, AnswerNo, AnswerNo, Dissatisfied)
	excluded.Excluded = true
	cases := []struct {
		name string
		r    *CallbackRecord
		want bool
	}{
		{"all good", rec(1, 1, true, AnswerYes, AnswerYes, Satisfied), false},
		{"not contacted", rec(2, 1, true, AnswerNo, AnswerYes, Satisfied), true},
		{"not resolved", rec(3, 1, true, AnswerYes, AnswerNo, Satisfied), true},
		{"basically satisfied (0.9)", rec(4, 1, true, AnswerYes, AnswerYes, BasicallySatisfied), true},
		{"dissatisfied", rec(5, 1, true, AnswerYes, AnswerYes, Dissatisfied), true},
		{"not reached: does not count", rec(6, 1, false, AnswerNo, AnswerNo, Dissatisfied), false},
		{"opinion unclear: does not count", rec(7, 1, true, AnswerNo, AnswerUnknown, Dissatisfied), false},
		{"already excluded", excluded, false},
	}
	for _, tc := range cases {
		if got := tc.r.Against(); got != tc.want {
			t.Errorf("%s: Against() = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAppealTarget(t *testing.T) {
	other := rec(5, 20, true, AnswerNo, AnswerNo, Dissatisfied)
	other.Unit = "s2" // the ticket went to another unit later
	records := []*CallbackRecord{
		rec(1, 3, true, AnswerYes, AnswerNo, Dissatisfied),  // against s1
		rec(2, 10, true, AnswerYes, AnswerYes, Satisfied),   // for s1
		rec(3, 12, true, AnswerNo, AnswerYes, Satisfied),    // against s1, the latest
		rec(4, 15, false, AnswerUnknown, AnswerUnknown, ""), // not reached
		other, // against s2
		rec(6, 14, true, AnswerYes, AnswerUnknown, Satisfied), // unclear
	}
	cases := []struct {
		name   string
		recs   []*CallbackRecord
		named  int64
		want   int64
		code   string
		fields string
	}{
		{"latest against the unit", records, 0, 3, "", ""},
		{"named", records, 1, 1, "", ""},
		{"named but favourable", records, 2, 0, hotline.EINVALID, "callback"},
		{"named but not reached", records, 4, 0, hotline.EINVALID, "callback"},
		{"named but another unit's", records, 5, 0, hotline.EINVALID, "callback"},
		{"named but not on the ticket", records, 99, 0, hotline.EINVALID, "callback"},
		{"nothing against the unit", records[1:2], 0, 0, hotline.ECONFLICT, ""},
		{"no callbacks yet", nil, 0, 0, hotline.ECONFLICT, ""},
	}
	for _, tc := range cases {
		got, err := appealTarget(tc.recs, "s1", tc.named)
		if code := hotline.ErrorCode(err); code != tc.code {
			t.Errorf("%s: code %q (%v), want %q", tc.name, code, err, tc.code)
			continue
		}
		if tc.fields != "" {
			if e, _ := err.(*hotline.Error); e == nil || e.Fields[tc.fields] == "" {
				t.Errorf("%s: %v does not name %s", tc.name, err, tc.fields)
			}
		}
		if err == nil && got.ID != tc.want {
			t.Errorf("%s: record %d, want %d", tc.name, got.ID, tc.want)
		}
	}
}

func TestClaimMonth(t *testing.T) {
	now := time.Date(2026, time.December, 2, 1, 0, 0, 0, time.UTC)
	oct := rec(1, 1, true, AnswerYes, AnswerYes, Satisfied)
	oct.CalledAt = time.Date(2026, time.October, 31, 23, 30, 0, 0, Beijing) // 15:30 UTC: October in Beijing
	nov := rec(2, 28, false, "", "", "")
	theirs := rec(3, 1, true, AnswerYes, AnswerYes, Satisfied)
	theirs.Unit, theirs.CalledAt = "s2", now
	cases := []struct {
		name string
		recs []*CallbackRecord
		want Month
	}{
		{"no callbacks: the filing month", nil, Month{2026, time.December}},
		{"the latest callback, reached or not", []*CallbackRecord{nov, oct}, Month{2026, time.November}},
		{"Beijing time decides", []*CallbackRecord{oct}, Month{2026, time.October}},
		{"another unit's callbacks do not count", []*CallbackRecord{oct, theirs}, Month{2026, time.October}},
	}
	for _, tc := range cases {
		if got := claimMonth(tc.recs, "s1", now); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestOpenClaims(t *testing.T) {
	c := func(kind ClaimKind, state ClaimState) *Claim {
		return &Claim{ID: 1, Ticket: "T", Kind: kind, State: state}
	}
	cases := []struct {
		name    string
		earlier []*Claim
		kind    ClaimKind
		code    string
	}{
		{"first claim", nil, ClaimAppeal, ""},
		{"after a rejection", []*Claim{c(ClaimAppeal, ClaimRejected)}, ClaimAppeal, ""},
		{"beside a pending claim of the other kind", []*Claim{c(ClaimUnreasonable, ClaimPending)}, ClaimAppeal, ""},
		{"a second pending of the same kind", []*Claim{c(ClaimAppeal, ClaimPending)}, ClaimAppeal, hotline.ECONFLICT},
		{"already out of the assessment", []*Claim{c(ClaimUnreasonable, ClaimApproved)}, ClaimAppeal, hotline.ECONFLICT},
	}
	for _, tc := range cases {
		if got := hotline.ErrorCode(openClaims(tc.earlier, tc.kind)); got != tc.code {
			t.Errorf("%s: code %q, want %q", tc.name, got, tc.code)
		}
	}
}

func TestClaimRule(t *testing.T) {
	sup := hotline.Actor{UserID: "sup1", Name: "赵督办", Role: hotline.RoleSupervisor}
	now := time.Date(2026, time.November, 27, 2, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		state   ClaimState
		approve bool
		note    string
		want    ClaimState
		code    string
		field   string
	}{
		{"approve without a note", ClaimPending, true, "", ClaimApproved, "", ""},
		{"approve with a note", ClaimPending, true, " 属实 ", ClaimApproved, "", ""},
		{"reject with a note", ClaimPending, false, "证据不足", ClaimRejected, "", ""},
		{"reject without a note", ClaimPending, false, "  ", ClaimPending, hotline.EINVALID, "note"},
		{"note too long", ClaimPending, true, strings.Repeat("注", maxReason+1), ClaimPending, hotline.EINVALID, "note"},
		{"already approved", ClaimApproved, false, "再议", ClaimApproved, hotline.ECONFLICT, ""},
		{"already rejected", ClaimRejected, true, "", ClaimRejected, hotline.ECONFLICT, ""},
	}
	for _, tc := range cases {
		c := &Claim{ID: 4, State: tc.state}
		err := c.rule(sup, tc.approve, tc.note, now)
		if got := hotline.ErrorCode(err); got != tc.code {
			t.Errorf("%s: code %q (%v), want %q", tc.name, got, err, tc.code)
		}
		if tc.field != "" {
			if e, _ := err.(*hotline.Error); e == nil || e.Fields[tc.field] == "" {
				t.Errorf("%s: %v does not name %s", tc.name, err, tc.field)
			}
		}
		if c.State != tc.want {
			t.Errorf("%s: state %s, want %s", tc.name, c.State, tc.want)
		}
		ruled := err == nil
		if ruled != (c.RuledBy == "sup1" && c.Ruled.Equal(now) && c.Note == strings.TrimSpace(tc.note)) {
			t.Errorf("%s: ruling fields %+v", tc.name, c)
		}
	}
}

func TestClaimEvent(t *testing.T) {
	unit := hotline.Actor{UserID: "wj1", Role: hotline.RoleUnit, Unit: "s1"}
	tk := &Ticket{ID: "T", State: StateReplied}
	now := time.Date(2026, time.November, 27, 2, 0, 0, 0, time.UTC)
	c := &Claim{Kind: ClaimAppeal, State: ClaimPending, Reason: "已解决", Note: ""}
	ev := claimEvent(c, unit, tk, "claim", "", now)
	if ev.Action != "claim" || ev.Reason != "已解决" || ev.From != StateReplied || ev.To != StateReplied ||
		len(ev.Diff) != 1 || ev.Diff["claim_appeal"] != (Change{From: "", To: "pending"}) {
		t.Errorf("filing event %+v", ev)
	}
	c.State, c.Note = ClaimApproved, "属实"
	ev = claimEvent(c, unit, tk, "approve_claim", ClaimPending, now)
	if ev.Reason != "属实" || ev.Diff["claim_appeal"] != (Change{From: "pending", To: "approved"}) ||
		ev.Diff["assessed"] != (Change{From: "true", To: "false"}) {
		t.Errorf("approval event %+v", ev)
	}
	c.State = ClaimRejected
	ev = claimEvent(c, unit, tk, "reject_claim", ClaimPending, now)
	if _, ok := ev.Diff["assessed"]; ok || ev.Diff["claim_appeal"].To != "rejected" {
		t.Errorf("rejection event %+v", ev)
	}
}
