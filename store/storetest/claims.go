package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// claimBackend is what the claims cases need of a store.
type claimBackend interface {
	Store
	ticketing.ClaimStore
	ticketing.CallbackStore
}

// runClaims checks ticketing.ClaimStore: claims round-trip with their
// ticket-history events, one pending claim per ticket and kind, versions,
// filters, and the exclusion an approval carries.
func runClaims(t *testing.T, open func(t *testing.T) Store) {
	claimStore := func(t *testing.T) claimBackend {
		s, ok := open(t).(claimBackend)
		if !ok {
			t.Fatal("the store does not implement ticketing.ClaimStore and ticketing.CallbackStore")
		}
		return s
	}
	t.Run("RoundTrip", func(t *testing.T) { testClaimRoundTrip(t, claimStore(t)) })
	t.Run("OnePending", func(t *testing.T) { testClaimOnePending(t, claimStore(t)) })
	t.Run("Versions", func(t *testing.T) { testClaimVersions(t, claimStore(t)) })
	t.Run("Find", func(t *testing.T) { testClaimFind(t, claimStore(t)) })
	t.Run("Exclusion", func(t *testing.T) { testClaimExclusion(t, claimStore(t)) })
}

var claimUnit = hotline.Actor{UserID: "u-wj", Name: "望京街道", Role: hotline.RoleUnit, Unit: "jianwai"}

// fullClaim is a pending claim on ticket with every filing field set.
func fullClaim(ticket hotline.TicketID, kind ticketing.ClaimKind, filed time.Time) *ticketing.Claim {
	return &ticketing.Claim{
		Ticket: ticket, Unit: "jianwai", Kind: kind, State: ticketing.ClaimPending,
		Reason: "诉求人要求赔偿超出法定范围", Evidence: "现场照片 3 张；物业合同第 5 条", Callback: 42,
		Month:   ticketing.Month{Year: 2026, Month: time.November},
		FiledBy: "u-wj", FiledByName: "望京街道", Filed: filed,
	}
}

// claimEv is the history entry a claim's filing or ruling writes.
func claimEv(action string, at time.Time, from, to string) ticketing.Event {
	return ticketing.Event{Time: at, Actor: claimUnit, Action: action, From: ticketing.StateReplied, To: ticketing.StateReplied,
		Reason: "理由", Diff: map[string]ticketing.Change{"claim_unreasonable": {From: from, To: to}}}
}

// lastEvent returns the newest event of the ticket.
func lastEvent(t *testing.T, s Store, id hotline.TicketID) ticketing.Event {
	t.Helper()
	evs, err := s.FindEvents(ctx(t), id)
	must(t, err, "find events")
	if len(evs) == 0 {
		t.Fatalf("ticket %s has no history", id)
	}
	return evs[len(evs)-1]
}

func sameEvent(t *testing.T, want, got ticketing.Event, what string) {
	t.Helper()
	want.Time, got.Time = micro(want.Time), micro(got.Time)
	want.Seq, want.Ticket = got.Seq, got.Ticket
	same(t, &want, &got, what)
}

func testClaimRoundTrip(t *testing.T, s claimBackend) {
	tk := create(t, s, newTicket(t0))
	c := fullClaim(tk.ID, ticketing.ClaimUnreasonable, t0.Add(time.Hour))
	ev := claimEv("claim", t0.Add(time.Hour), "", "pending")
	must(t, s.CreateClaim(ctx(t), c, ev), "create claim")
	if c.ID == 0 || c.Version != 1 {
		t.Fatalf("created claim: id %d version %d", c.ID, c.Version)
	}
	got, err := s.FindClaimByID(ctx(t), c.ID)
	must(t, err, "find claim")
	same(t, c, got, "claim round trip")
	sameEvent(t, ev, lastEvent(t, s, tk.ID), "claim event")
	if got := lastEvent(t, s, tk.ID); got.Ticket != tk.ID || got.Seq == 0 {
		t.Fatalf("claim event not numbered: %+v", got)
	}

	// Ruled: every field round-trips, and the ruling's event follows.
	c.State, c.RuledBy, c.RuledByName, c.Ruled, c.Note = ticketing.ClaimRejected, "sup1", "赵督办", t0.Add(2*time.Hour), "证据不足"
	rule := claimEv("reject_claim", t0.Add(2*time.Hour), "pending", "rejected")
	must(t, s.UpdateClaim(ctx(t), c, 1, rule, false), "update claim")
	if c.Version != 2 {
		t.Fatalf("version after update: %d", c.Version)
	}
	got, err = s.FindClaimByID(ctx(t), c.ID)
	must(t, err, "find ruled claim")
	same(t, c, got, "ruled claim round trip")
	sameEvent(t, rule, lastEvent(t, s, tk.ID), "ruling event")

	// A claim without month or callback keeps them zero.
	bare := &ticketing.Claim{Ticket: tk.ID, Unit: "jianwai", Kind: ticketing.ClaimAppeal, State: ticketing.ClaimPending, Filed: t0}
	must(t, s.CreateClaim(ctx(t), bare, claimEv("claim", t0, "", "pending")), "create bare claim")
	got, err = s.FindClaimByID(ctx(t), bare.ID)
	must(t, err, "find bare claim")
	same(t, bare, got, "bare claim round trip")

	_, err = s.FindClaimByID(ctx(t), c.ID+1000)
	wantCode(t, err, hotline.ENOTFOUND, "find missing claim")
	wantCode(t, s.CreateClaim(ctx(t), fullClaim("20261127999999", ticketing.ClaimAppeal, t0), claimEv("claim", t0, "", "pending")),
		hotline.ENOTFOUND, "claim on a missing ticket")
}

func testClaimOnePending(t *testing.T, s claimBackend) {
	tk := create(t, s, newTicket(t0))
	first := fullClaim(tk.ID, ticketing.ClaimUnreasonable, t0)
	must(t, s.CreateClaim(ctx(t), first, claimEv("claim", t0, "", "pending")), "first claim")
	before, err := s.FindEvents(ctx(t), tk.ID)
	must(t, err, "events")

	second := fullClaim(tk.ID, ticketing.ClaimUnreasonable, t0.Add(time.Minute))
	wantCode(t, s.CreateClaim(ctx(t), second, claimEv("claim", t0, "", "pending")), hotline.ECONFLICT, "second pending claim")
	if second.ID != 0 || second.Version != 0 {
		t.Fatalf("a refused claim was changed: %+v", second)
	}
	after, err := s.FindEvents(ctx(t), tk.ID)
	must(t, err, "events")
	if len(after) != len(before) {
		t.Fatalf("a refused claim left an event: %d events, want %d", len(after), len(before))
	}
	// Another kind may be pending alongside; once ruled, the kind is free.
	must(t, s.CreateClaim(ctx(t), fullClaim(tk.ID, ticketing.ClaimAppeal, t0), claimEv("claim", t0, "", "pending")), "appeal alongside")
	first.State = ticketing.ClaimRejected
	must(t, s.UpdateClaim(ctx(t), first, 1, claimEv("reject_claim", t0, "pending", "rejected"), false), "reject first")
	must(t, s.CreateClaim(ctx(t), second, claimEv("claim", t0, "", "pending")), "claim again after the rejection")
	// Putting a ruled claim back to pending beside another pending one is refused too.
	first.State = ticketing.ClaimPending
	wantCode(t, s.UpdateClaim(ctx(t), first, 2, claimEv("claim", t0, "", "pending"), false), hotline.ECONFLICT, "two pending by update")
}

func testClaimVersions(t *testing.T, s claimBackend) {
	tk := create(t, s, newTicket(t0))
	c := fullClaim(tk.ID, ticketing.ClaimAppeal, t0)
	must(t, s.CreateClaim(ctx(t), c, claimEv("claim", t0, "", "pending")), "create")
	n := len(mustEvents(t, s, tk.ID))

	stale := *c
	stale.State = ticketing.ClaimApproved
	err := s.UpdateClaim(ctx(t), &stale, 7, claimEv("approve_claim", t0, "pending", "approved"), true)
	wantCode(t, err, hotline.ECONFLICT, "stale update")
	var he *hotline.Error
	if !errors.As(err, &he) {
		t.Fatalf("stale update: %v", err)
	}
	cur, ok := he.Current.(*ticketing.Claim)
	if !ok {
		t.Fatalf("conflict carries %T, want *ticketing.Claim", he.Current)
	}
	same(t, c, cur, "conflict's current claim")
	if stale.Version != 1 {
		t.Fatalf("stale update changed the version: %d", stale.Version)
	}
	if got := len(mustEvents(t, s, tk.ID)); got != n {
		t.Fatalf("a stale update left an event: %d events, want %d", got, n)
	}
	must(t, s.RecordAnswers(ctx(t), &ticketing.CallbackRecord{Ticket: tk.ID, Unit: "jianwai", Tier: ticketing.TierStreet,
		CalledAt: t0, Reached: true, Contacted: aYes, Resolved: aNo, Satisfaction: aDis}), "record")
	recs, err := s.FindAnswers(ctx(t), tk.ID)
	must(t, err, "answers")
	if len(recs) != 1 || recs[0].Excluded {
		t.Fatalf("a stale approval excluded the ticket: %+v", recs)
	}

	missing := *c
	missing.ID += 1000
	wantCode(t, s.UpdateClaim(ctx(t), &missing, 1, claimEv("approve_claim", t0, "pending", "approved"), true),
		hotline.ENOTFOUND, "update missing claim")
}

func mustEvents(t *testing.T, s Store, id hotline.TicketID) []ticketing.Event {
	t.Helper()
	evs, err := s.FindEvents(ctx(t), id)
	must(t, err, "find events")
	return evs
}

func testClaimFind(t *testing.T, s claimBackend) {
	a := create(t, s, newTicket(t0))
	b := create(t, s, newTicket(t0))
	nov, dec := ticketing.Month{Year: 2026, Month: time.November}, ticketing.Month{Year: 2026, Month: time.December}
	mk := func(tk hotline.TicketID, unit hotline.UnitID, kind ticketing.ClaimKind, m ticketing.Month, filed time.Time) *ticketing.Claim {
		c := fullClaim(tk, kind, filed)
		c.Unit, c.Month = unit, m
		must(t, s.CreateClaim(ctx(t), c, claimEv("claim", filed, "", "pending")), "create")
		return c
	}
	// Stored out of filing order: the list is by Filed, then ID.
	c3 := mk(b.ID, "s2", ticketing.ClaimAppeal, dec, t0.Add(3*time.Hour))
	c1 := mk(a.ID, "s1", ticketing.ClaimUnreasonable, nov, t0.Add(time.Hour))
	c2 := mk(a.ID, "s1", ticketing.ClaimAppeal, nov, t0.Add(2*time.Hour))
	c4 := mk(b.ID, "s2", ticketing.ClaimUnreasonable, nov, t0.Add(3*time.Hour))
	c2.State, c2.Ruled, c2.RuledBy = ticketing.ClaimApproved, t0.Add(4*time.Hour), "sup1"
	must(t, s.UpdateClaim(ctx(t), c2, 1, claimEv("approve_claim", t0, "pending", "approved"), true), "approve c2")

	cases := []struct {
		name string
		f    ticketing.ClaimFilter
		want []*ticketing.Claim
	}{
		{"all", ticketing.ClaimFilter{}, []*ticketing.Claim{c1, c2, c3, c4}},
		{"pending", ticketing.ClaimFilter{State: ticketing.ClaimPending}, []*ticketing.Claim{c1, c3, c4}},
		{"approved", ticketing.ClaimFilter{State: ticketing.ClaimApproved}, []*ticketing.Claim{c2}},
		{"rejected", ticketing.ClaimFilter{State: ticketing.ClaimRejected}, nil},
		{"unit", ticketing.ClaimFilter{Unit: "s2"}, []*ticketing.Claim{c3, c4}},
		{"month", ticketing.ClaimFilter{Month: nov}, []*ticketing.Claim{c1, c2, c4}},
		{"kind", ticketing.ClaimFilter{Kind: ticketing.ClaimAppeal}, []*ticketing.Claim{c2, c3}},
		{"ticket", ticketing.ClaimFilter{Ticket: a.ID}, []*ticketing.Claim{c1, c2}},
		{"combined", ticketing.ClaimFilter{State: ticketing.ClaimPending, Unit: "s2", Month: nov}, []*ticketing.Claim{c4}},
		{"page", ticketing.ClaimFilter{Limit: 2, Offset: 1}, []*ticketing.Claim{c2, c3}},
		{"offset only", ticketing.ClaimFilter{Offset: 3}, []*ticketing.Claim{c4}},
	}
	for _, tc := range cases {
		got, err := s.FindClaims(ctx(t), tc.f)
		must(t, err, tc.name)
		sameList(t, tc.want, got, tc.name)
	}
}

// testClaimExclusion approves a claim on a ticket with callbacks: the
// ticket leaves the month's counts, later records are excluded too, and a
// rejection excludes nothing.
func testClaimExclusion(t *testing.T, s claimBackend) {
	kept := create(t, s, newTicket(t0))
	out := create(t, s, newTicket(t0))
	nov := ticketing.Month{Year: 2026, Month: time.November}
	record := func(tk hotline.TicketID, at time.Time, sat ticketing.Satisfaction) {
		must(t, s.RecordAnswers(ctx(t), &ticketing.CallbackRecord{Ticket: tk, Unit: "s1", Tier: tStreet, CalledAt: at,
			Reached: true, Contacted: aYes, Resolved: aYes, Satisfaction: sat}), "record")
	}
	record(kept.ID, bj(11, 10, 10, 0), aSat)
	record(out.ID, bj(11, 11, 10, 0), aDis)
	counts := func(what string, valid, satisfied int) {
		t.Helper()
		got, err := s.AssessmentCounts(ctx(t), nov, tStreet)
		must(t, err, "counts")
		want := []ticketing.UnitScore{{Unit: "s1", Tier: tStreet, Month: nov, Callbacks: 2, Valid: valid,
			Contacted: valid, Resolved: valid, Satisfied: satisfied}}
		if len(got) != 1 || got[0] != want[0] {
			t.Fatalf("%s: counts %+v, want %+v", what, got, want)
		}
	}
	counts("before", 2, 1)

	rejected := fullClaim(kept.ID, ticketing.ClaimAppeal, t0)
	must(t, s.CreateClaim(ctx(t), rejected, claimEv("claim", t0, "", "pending")), "claim kept")
	rejected.State = ticketing.ClaimRejected
	must(t, s.UpdateClaim(ctx(t), rejected, 1, claimEv("reject_claim", t0, "pending", "rejected"), false), "reject")
	counts("after a rejection", 2, 1)

	approved := fullClaim(out.ID, ticketing.ClaimAppeal, t0)
	must(t, s.CreateClaim(ctx(t), approved, claimEv("claim", t0, "", "pending")), "claim out")
	approved.State = ticketing.ClaimApproved
	must(t, s.UpdateClaim(ctx(t), approved, 1, claimEv("approve_claim", t0, "pending", "approved"), true), "approve")
	counts("after the approval", 1, 1)

	record(out.ID, bj(11, 20, 10, 0), aSat) // a later callback of the excluded ticket
	got, err := s.AssessmentCounts(ctx(t), nov, tStreet)
	must(t, err, "counts")
	if len(got) != 1 || got[0].Callbacks != 3 || got[0].Valid != 1 {
		t.Fatalf("a later record of an excluded ticket counts: %+v", got)
	}
	recs, err := s.FindAnswers(ctx(t), out.ID)
	must(t, err, "answers")
	for _, r := range recs {
		if !r.Excluded {
			t.Fatalf("record %d of the excluded ticket is not marked: %+v", r.ID, r)
		}
	}
	recs, err = s.FindAnswers(ctx(t), kept.ID)
	must(t, err, "answers")
	if len(recs) != 1 || recs[0].Excluded {
		t.Fatalf("the rejected claim's ticket is excluded: %+v", recs)
	}
}
