package storetest

import (
	"cmp"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// runCallbacks checks ticketing.CallbackStore: scheduled callbacks, their
// answers, exclusions and the month's assessment counts.
func runCallbacks(t *testing.T, open func(t *testing.T) Store) {
	callbackStore := func(t *testing.T) ticketing.CallbackStore {
		s, ok := open(t).(ticketing.CallbackStore)
		if !ok {
			t.Fatal("the store does not implement ticketing.CallbackStore")
		}
		return s
	}
	t.Run("RoundTrip", func(t *testing.T) { testCallbackRoundTrip(t, callbackStore(t)) })
	t.Run("Versions", func(t *testing.T) { testCallbackVersions(t, callbackStore(t)) })
	t.Run("Find", func(t *testing.T) { testCallbackFind(t, callbackStore(t)) })
	t.Run("Answers", func(t *testing.T) { testCallbackAnswers(t, callbackStore(t)) })
	t.Run("AssessmentCounts", func(t *testing.T) { testAssessmentCounts(t, callbackStore(t)) })
	t.Run("FindByDueAndUnit", func(t *testing.T) {
		s := open(t)
		cs, ok := s.(ticketing.CallbackStore)
		if !ok {
			t.Fatal("the store does not implement ticketing.CallbackStore")
		}
		testCallbackFindDueUnit(t, s, cs)
	})
	t.Run("Switch", func(t *testing.T) { testCallbackSwitch(t, callbackStore(t)) })
}

// fullCallback has every field set, its times in Beijing time with a
// sub-microsecond remainder.
func fullCallback() *ticketing.Callback {
	return &ticketing.Callback{
		Tickets:       []hotline.TicketID{"20261127000002", "20261127000001"},
		ContactNumber: "13800138000",
		Due:           t0.Add(26 * time.Hour),
		Attempts:      2,
		State:         ticketing.CallbackPending,
		LastResult:    ticketing.ResultBusy,
		History: []ticketing.CallbackAttempt{
			{Started: t0, Ended: t0.Add(30 * time.Second), Result: ticketing.ResultNoAnswer},
			{Started: t0.Add(2 * time.Hour), Ended: t0.Add(2*time.Hour + 5*time.Second), Result: ticketing.ResultBusy},
		},
		Reason:  "",
		Planned: t0.Add(-22 * time.Hour),
	}
}

// sameCallback compares callbacks, history times included, after micro.
func sameCallback(t *testing.T, want, got *ticketing.Callback, what string) {
	t.Helper()
	norm := func(c ticketing.Callback) ticketing.Callback {
		c.Due, c.Planned = micro(c.Due), micro(c.Planned)
		c.History = slices.Clone(c.History)
		for i := range c.History {
			c.History[i].Started, c.History[i].Ended = micro(c.History[i].Started), micro(c.History[i].Ended)
		}
		if len(c.History) == 0 {
			c.History = nil
		}
		if len(c.Tickets) == 0 {
			c.Tickets = nil
		}
		return c
	}
	if got == nil {
		t.Fatalf("%s: got nil", what)
	}
	w, g := norm(*want), norm(*got)
	if !reflect.DeepEqual(w, g) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, g, w)
	}
	checkUTC(t, got, what)
	for _, a := range got.History {
		checkUTC(t, &a, what+" history")
	}
}

func testCallbackRoundTrip(t *testing.T, s ticketing.CallbackStore) {
	full := fullCallback()
	must(t, s.CreateCallback(ctx(t), full), "create callback")
	if full.ID == 0 || full.Version != 1 {
		t.Fatalf("created callback has ID %d, Version %d; want an id and 1", full.ID, full.Version)
	}
	got, err := s.FindCallbackByID(ctx(t), full.ID)
	must(t, err, "find callback")
	sameCallback(t, full, got, "full callback")

	bare := &ticketing.Callback{Tickets: []hotline.TicketID{"20261127000003"}, State: ticketing.CallbackPending, Due: t0}
	must(t, s.CreateCallback(ctx(t), bare), "create bare callback")
	if bare.ID == full.ID {
		t.Fatalf("two callbacks share id %d", bare.ID)
	}
	got, err = s.FindCallbackByID(ctx(t), bare.ID)
	must(t, err, "find bare callback")
	sameCallback(t, bare, got, "bare callback")

	_, err = s.FindCallbackByID(ctx(t), bare.ID+1000)
	wantCode(t, err, hotline.ENOTFOUND, "find missing callback")
}

func testCallbackVersions(t *testing.T, s ticketing.CallbackStore) {
	cb := fullCallback()
	must(t, s.CreateCallback(ctx(t), cb), "create callback")
	began, err := ticketing.BeginAttempt(*cb, t0.Add(27*time.Hour))
	must(t, err, "begin attempt")
	must(t, s.UpdateCallback(ctx(t), &began, cb.Version), "update callback")
	if began.Version != 2 {
		t.Fatalf("updated callback has Version %d, want 2", began.Version)
	}
	got, err := s.FindCallbackByID(ctx(t), cb.ID)
	must(t, err, "find updated callback")
	sameCallback(t, &began, got, "updated callback")

	// A second scheduler with the old version loses.
	stale := *cb
	stale.State = ticketing.CallbackPaused
	err = s.UpdateCallback(ctx(t), &stale, 1)
	wantCode(t, err, hotline.ECONFLICT, "stale update")
	var he *hotline.Error
	if !errors.As(err, &he) {
		t.Fatalf("stale update: %v is not a *hotline.Error", err)
	}
	cur, ok := he.Current.(*ticketing.Callback)
	if !ok {
		t.Fatalf("stale update: Current is %#v, want *ticketing.Callback", he.Current)
	}
	sameCallback(t, &began, cur, "current after stale update")

	missing := *cb
	missing.ID = cb.ID + 1000
	wantCode(t, s.UpdateCallback(ctx(t), &missing, 1), hotline.ENOTFOUND, "update missing callback")
}

func testCallbackFind(t *testing.T, s ticketing.CallbackStore) {
	mk := func(due time.Duration, state ticketing.CallbackState, tickets ...hotline.TicketID) *ticketing.Callback {
		cb := &ticketing.Callback{Tickets: tickets, ContactNumber: "13900139000", Due: t0.Add(due), State: state}
		must(t, s.CreateCallback(ctx(t), cb), "create callback")
		return cb
	}
	late := mk(3*time.Hour, ticketing.CallbackPending, "20261127000011")
	tieA := mk(time.Hour, ticketing.CallbackPending, "20261127000012", "20261127000013")
	tieB := mk(time.Hour, ticketing.CallbackPaused, "20261127000013")
	early := mk(0, ticketing.CallbackDone, "20261127000014")
	cases := []struct {
		name string
		f    ticketing.CallbackFilter
		want []*ticketing.Callback
	}{
		{"all by due then id", ticketing.CallbackFilter{}, []*ticketing.Callback{early, tieA, tieB, late}},
		{"pending", ticketing.CallbackFilter{States: []ticketing.CallbackState{ticketing.CallbackPending}}, []*ticketing.Callback{tieA, late}},
		{"pending or done", ticketing.CallbackFilter{States: []ticketing.CallbackState{ticketing.CallbackDone, ticketing.CallbackPending}}, []*ticketing.Callback{early, tieA, late}},
		{"due at or before", ticketing.CallbackFilter{DueBefore: t0.Add(time.Hour)}, []*ticketing.Callback{early, tieA, tieB}},
		{"due before", ticketing.CallbackFilter{DueBefore: t0.Add(time.Hour - time.Microsecond)}, []*ticketing.Callback{early}},
		{"ticket", ticketing.CallbackFilter{Ticket: "20261127000013"}, []*ticketing.Callback{tieA, tieB}},
		{"ticket none", ticketing.CallbackFilter{Ticket: "20261127000099"}, nil},
		{"limit", ticketing.CallbackFilter{Limit: 2}, []*ticketing.Callback{early, tieA}},
		{"offset", ticketing.CallbackFilter{Limit: 2, Offset: 2}, []*ticketing.Callback{tieB, late}},
		{"offset only", ticketing.CallbackFilter{Offset: 3}, []*ticketing.Callback{late}},
	}
	for _, tc := range cases {
		got, err := s.FindCallbacks(ctx(t), tc.f)
		must(t, err, tc.name)
		if len(got) != len(tc.want) {
			t.Fatalf("%s: got %d callbacks, want %d", tc.name, len(got), len(tc.want))
		}
		for i := range got {
			sameCallback(t, tc.want[i], got[i], tc.name)
		}
	}
}

func testCallbackAnswers(t *testing.T, s ticketing.CallbackStore) {
	const ticket hotline.TicketID = "20261120000001"
	called := t0.Add(48 * time.Hour)
	// The survey stores each answer as it is given; the citizen hangs up
	// after question 2.
	r := &ticketing.CallbackRecord{Callback: 7, Ticket: ticket, Unit: "u-street-1", Tier: ticketing.TierStreet,
		CalledAt: called, Reached: true, Contacted: ticketing.AnswerYes, Recording: "cb-7.wav"}
	must(t, s.RecordAnswers(ctx(t), r), "record question 1")
	first := r.ID
	if first == 0 {
		t.Fatal("RecordAnswers assigned no id")
	}
	again := *r
	again.ID = 0 // a survey that did not keep the id still hits the same row
	again.Resolved = ticketing.AnswerNo
	must(t, s.RecordAnswers(ctx(t), &again), "record question 2")
	if again.ID != first {
		t.Fatalf("question 2 went to record %d, want %d", again.ID, first)
	}
	// A re-run calls again later: a new record of the same callback.
	rerun := &ticketing.CallbackRecord{Callback: 7, Ticket: ticket, Unit: "u-street-1", Tier: ticketing.TierStreet,
		CalledAt: called.Add(72 * time.Hour), Reached: true, Contacted: ticketing.AnswerYes,
		Resolved: ticketing.AnswerYes, Satisfaction: ticketing.Satisfied}
	must(t, s.RecordAnswers(ctx(t), rerun), "record re-run")
	// A person's callback entered by hand, earlier than both.
	manual := &ticketing.CallbackRecord{Ticket: ticket, Unit: "u-street-1", Tier: ticketing.TierStreet,
		CalledAt: t0, Reached: true, Contacted: ticketing.AnswerNo, Resolved: ticketing.AnswerNo,
		Satisfaction: ticketing.Dissatisfied, Manual: true, By: "u-agent-3"}
	must(t, s.RecordAnswers(ctx(t), manual), "record manual")
	other := &ticketing.CallbackRecord{Callback: 7, Ticket: "20261120000002", CalledAt: called}
	must(t, s.RecordAnswers(ctx(t), other), "record other ticket of the call")

	got, err := s.FindAnswers(ctx(t), ticket)
	must(t, err, "find answers")
	sameList(t, []*ticketing.CallbackRecord{manual, &again, rerun}, got, "answers")

	// Correcting a manual entry by id; a missing id is ENOTFOUND.
	manual.Satisfaction = ticketing.BasicallySatisfied
	must(t, s.RecordAnswers(ctx(t), manual), "correct manual")
	missing := *manual
	missing.ID += 1000
	wantCode(t, s.RecordAnswers(ctx(t), &missing), hotline.ENOTFOUND, "update missing record")
	wantCode(t, s.RecordAnswers(ctx(t), &ticketing.CallbackRecord{Ticket: ticket}), hotline.EINVALID, "record without a call time")

	must(t, s.SetExcluded(ctx(t), ticket, true), "exclude")
	must(t, s.SetExcluded(ctx(t), ticket, true), "exclude twice")
	got, err = s.FindAnswers(ctx(t), ticket)
	must(t, err, "find excluded answers")
	for _, r := range []*ticketing.CallbackRecord{manual, &again, rerun} {
		r.Excluded = true
	}
	sameList(t, []*ticketing.CallbackRecord{manual, &again, rerun}, got, "excluded answers")
	must(t, s.SetExcluded(ctx(t), ticket, false), "include again")
	must(t, s.SetExcluded(ctx(t), "20261120000099", false), "include a ticket never excluded")
	got, err = s.FindAnswers(ctx(t), ticket)
	must(t, err, "find included answers")
	if len(got) != 3 || got[0].Excluded {
		t.Fatalf("after SetExcluded(false): %+v", got)
	}
	none, err := s.FindAnswers(ctx(t), "20261120000098")
	must(t, err, "find no answers")
	if len(none) != 0 {
		t.Fatalf("answers of an unknown ticket: %+v", none)
	}
}

// answer is one record of the assessment data set.
type answer struct {
	ticket hotline.TicketID
	unit   hotline.UnitID
	tier   ticketing.Tier
	at     time.Time
	reach  bool
	c, r   ticketing.YesNo
	sat    ticketing.Satisfaction
}

// bj is a time in Beijing.
func bj(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, beijing)
}

const (
	aYes, aNo, aUnk    = ticketing.AnswerYes, ticketing.AnswerNo, ticketing.AnswerUnknown
	aSat, aBasic, aDis = ticketing.Satisfied, ticketing.BasicallySatisfied, ticketing.Dissatisfied
	tStreet, tDistrict = ticketing.TierStreet, ticketing.TierDistrict
)

// assessmentData is the fixed data set of testAssessmentCounts, in the
// order it is stored. The comments give what each record does to the
// November street counts.
var assessmentData = []answer{
	{"T1", "s1", tStreet, bj(10, 31, 23, 30), true, aYes, aYes, aSat},                         // October (Beijing), though November 1 is near in UTC
	{"T1", "s1", tStreet, bj(11, 3, 10, 0), true, aYes, aNo, aDis},                            // valid, superseded by the next
	{"T1", "s1", tStreet, bj(11, 20, 10, 0), true, aYes, aYes, aSat},                          // valid, T1's final
	{"T1", "s1", tStreet, bj(11, 25, 10, 0), true, aYes, aUnk, ""},                            // hang-up after question 1: invalid
	{"T2", "s1", tStreet, bj(11, 30, 23, 59), true, aNo, aNo, aBasic},                         // valid, last minute of November
	{"T2", "s1", tStreet, bj(12, 1, 0, 0), true, aYes, aYes, aSat},                            // December
	{"T3", "s1", tStreet, bj(11, 5, 9, 0), false, "", "", ""},                                 // no answer
	{"T4", "s2", tStreet, bj(11, 10, 10, 0), true, aYes, aYes, aDis},                          // same time as the next …
	{"T4", "s2", tStreet, bj(11, 10, 10, 0), true, aNo, aYes, aBasic},                         // … the later record wins
	{"T5", "s2", tStreet, bj(11, 12, 10, 0), true, aYes, aYes, aSat},                          // excluded ticket
	{"T6", "s2", tStreet, bj(11, 13, 10, 0), true, aYes, aNo, aSat},                           // excluded, then included again
	{"T7", "s1", tStreet, bj(11, 14, 10, 0), true, aYes, aNo, aDis},                           // reopened …
	{"T7", "s2", tStreet, bj(11, 24, 10, 0), true, aYes, aYes, aSat},                          // … for another unit: both count
	{"T8", "d1", tDistrict, bj(11, 15, 10, 0), true, aYes, aYes, aSat},                        // district tier
	{"T9", "s3", tStreet, bj(11, 16, 10, 0), true, aYes, aYes, ticketing.SatisfactionUnknown}, // satisfaction unclear: invalid
	{"T10", "s3", tStreet, bj(11, 17, 10, 0), true, aYes, aYes, aSat},                         // valid, final once the next is corrected
	{"T10", "s3", tStreet, bj(11, 18, 10, 0), true, aYes, aNo, aDis},                          // corrected by id to "not reached"
	{"T11", "s3", tStreet, bj(11, 19, 10, 0), true, aYes, aYes, aSat},                         // excluded before it was recorded
	{"T12", "s3", tStreet, bj(11, 2, 10, 0), true, aYes, aNo, aDis},                           // valid, superseded by the next
	{"T12", "s3", tStreet, bj(11, 21, 10, 0), true, aYes, "", ""},                             // partial, completed by the survey's next write
}

func testAssessmentCounts(t *testing.T, s ticketing.CallbackStore) {
	must(t, s.SetExcluded(ctx(t), "T11", true), "exclude T11")
	recs := make([]*ticketing.CallbackRecord, len(assessmentData))
	for i, a := range assessmentData {
		recs[i] = &ticketing.CallbackRecord{Callback: int64(100 + i), Ticket: a.ticket, Unit: a.unit, Tier: a.tier,
			CalledAt: a.at, Reached: a.reach, Contacted: a.c, Resolved: a.r, Satisfaction: a.sat}
		must(t, s.RecordAnswers(ctx(t), recs[i]), "record answers")
	}
	corrected := recs[len(recs)-4] // T10's second
	corrected.Reached = false
	must(t, s.RecordAnswers(ctx(t), corrected), "correct T10")
	completed := *recs[len(recs)-1] // T12's second, written again without its id
	completed.ID, completed.Resolved, completed.Satisfaction = 0, aYes, aBasic
	must(t, s.RecordAnswers(ctx(t), &completed), "complete T12")
	must(t, s.SetExcluded(ctx(t), "T5", true), "exclude T5")
	must(t, s.SetExcluded(ctx(t), "T6", true), "exclude T6")
	must(t, s.SetExcluded(ctx(t), "T6", false), "include T6")

	nov := ticketing.Month{Year: 2026, Month: time.November}
	oct := ticketing.Month{Year: 2026, Month: time.October}
	score := func(m ticketing.Month, tier ticketing.Tier, unit hotline.UnitID, counts ...int) ticketing.UnitScore {
		return ticketing.UnitScore{Unit: unit, Tier: tier, Month: m, Callbacks: counts[0], Valid: counts[1],
			Contacted: counts[2], Resolved: counts[3], Satisfied: counts[4], Basically: counts[5]}
	}
	cases := []struct {
		month ticketing.Month
		tier  ticketing.Tier
		want  []ticketing.UnitScore // worked out by hand from the comments above
	}{
		{nov, tStreet, []ticketing.UnitScore{
			score(nov, tStreet, "s1", 6, 3, 2, 1, 1, 1), // records T1×3, T2, T3, T7; finals T1, T2, T7
			score(nov, tStreet, "s2", 5, 3, 2, 2, 2, 1), // records T4×2, T5, T6, T7; finals T4 (2nd), T6, T7
			score(nov, tStreet, "s3", 6, 2, 2, 2, 1, 1), // records T9, T10×2, T11, T12×2; finals T10 (1st), T12 (2nd)
		}},
		{nov, tDistrict, []ticketing.UnitScore{score(nov, tDistrict, "d1", 1, 1, 1, 1, 1, 0)}},
		{oct, tStreet, []ticketing.UnitScore{score(oct, tStreet, "s1", 1, 1, 1, 1, 1, 0)}},
		{nov, ticketing.TierEnterprise, nil},
	}
	all := storedAnswers(t, s)
	for _, tc := range cases {
		what := tc.month.String() + " " + string(tc.tier)
		got, err := s.AssessmentCounts(ctx(t), tc.month, tc.tier)
		must(t, err, what)
		if len(got) == 0 {
			got = nil
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Fatalf("%s counts:\n got %+v\nwant %+v", what, got, tc.want)
		}
		tally := ticketing.Tally(tc.month, tc.tier, all)
		if len(tally) == 0 {
			tally = nil
		}
		if !reflect.DeepEqual(got, tally) {
			t.Fatalf("%s counts differ from Tally:\n store %+v\n tally %+v", what, got, tally)
		}
	}
}

// storedAnswers reads back every record of the data set, in id order.
func storedAnswers(t *testing.T, s ticketing.CallbackStore) []ticketing.CallbackAnswers {
	t.Helper()
	var recs []*ticketing.CallbackRecord
	seen := map[hotline.TicketID]bool{}
	for _, a := range assessmentData {
		if seen[a.ticket] {
			continue
		}
		seen[a.ticket] = true
		rs, err := s.FindAnswers(ctx(t), a.ticket)
		must(t, err, "find answers of "+string(a.ticket))
		recs = append(recs, rs...)
	}
	if len(recs) != len(assessmentData) {
		t.Fatalf("read back %d records, stored %d", len(recs), len(assessmentData))
	}
	slices.SortFunc(recs, func(a, b *ticketing.CallbackRecord) int { return cmp.Compare(a.ID, b.ID) })
	out := make([]ticketing.CallbackAnswers, len(recs))
	for i, r := range recs {
		out[i] = r.Answers()
	}
	return out
}

// testCallbackFindDueUnit checks the supervisors' filters: due in
// [From, To), and asking about a ticket a unit holds now.
func testCallbackFindDueUnit(t *testing.T, s Store, cs ticketing.CallbackStore) {
	held := func(unit hotline.UnitID, minute int) hotline.TicketID {
		tk := &ticketing.Ticket{Created: t0.Add(time.Duration(minute) * time.Minute), Title: "噪声", Content: "夜间施工",
			State: ticketing.StateReplied, Unit: unit, ContactNumber: "13800138000"}
		return create(t, s, tk).ID
	}
	a1, a2, b1 := held("u-a", 0), held("u-a", 1), held("u-b", 2)
	mk := func(due time.Duration, tickets ...hotline.TicketID) *ticketing.Callback {
		cb := &ticketing.Callback{Tickets: tickets, ContactNumber: "13800138000", Due: t0.Add(due),
			State: ticketing.CallbackPending, Planned: t0}
		must(t, cs.CreateCallback(ctx(t), cb), "create callback")
		return cb
	}
	first := mk(time.Hour, a1)
	mixed := mk(2*time.Hour, b1, a2)
	onlyB := mk(3*time.Hour, b1)
	unknown := mk(4*time.Hour, "20991231999999") // a ticket the store does not have
	cases := []struct {
		name string
		f    ticketing.CallbackFilter
		want []*ticketing.Callback
	}{
		{"from", ticketing.CallbackFilter{From: t0.Add(2 * time.Hour)}, []*ticketing.Callback{mixed, onlyB, unknown}},
		{"to is exclusive", ticketing.CallbackFilter{To: t0.Add(2 * time.Hour)}, []*ticketing.Callback{first}},
		{"from and to", ticketing.CallbackFilter{From: t0.Add(time.Hour + time.Microsecond), To: t0.Add(3*time.Hour + time.Microsecond)},
			[]*ticketing.Callback{mixed, onlyB}},
		{"unit a", ticketing.CallbackFilter{Unit: "u-a"}, []*ticketing.Callback{first, mixed}},
		{"unit b", ticketing.CallbackFilter{Unit: "u-b"}, []*ticketing.Callback{mixed, onlyB}},
		{"unit b from", ticketing.CallbackFilter{Unit: "u-b", From: t0.Add(150 * time.Minute)}, []*ticketing.Callback{onlyB}},
		{"unit none", ticketing.CallbackFilter{Unit: "u-c"}, nil},
		{"unit and ticket", ticketing.CallbackFilter{Unit: "u-a", Ticket: b1}, []*ticketing.Callback{mixed}},
	}
	for _, tc := range cases {
		got, err := cs.FindCallbacks(ctx(t), tc.f)
		must(t, err, tc.name)
		if len(got) != len(tc.want) {
			t.Fatalf("%s: got %d callbacks, want %d", tc.name, len(got), len(tc.want))
		}
		for i := range got {
			sameCallback(t, tc.want[i], got[i], tc.name)
		}
	}
}

// testCallbackSwitch checks the scheduler-wide pause: zero until stored,
// then what was stored last.
func testCallbackSwitch(t *testing.T, s ticketing.CallbackStore) {
	sw, err := s.FindCallbackSwitch(ctx(t))
	must(t, err, "find switch before any")
	if sw != (ticketing.CallbackSwitch{}) {
		t.Fatalf("switch before any is %+v, want the zero switch", sw)
	}
	paused := ticketing.CallbackSwitch{Paused: true, Since: t0, By: "u-sup", ByName: "李主任", Reason: "线路检修"}
	must(t, s.SaveCallbackSwitch(ctx(t), paused), "save paused")
	got, err := s.FindCallbackSwitch(ctx(t))
	must(t, err, "find paused")
	checkUTC(t, &got, "switch")
	got.Since, paused.Since = micro(got.Since), micro(paused.Since)
	if got != paused {
		t.Fatalf("switch = %+v, want %+v", got, paused)
	}
	running := ticketing.CallbackSwitch{Since: t0.Add(time.Hour), By: "admin", ByName: "管理员"}
	must(t, s.SaveCallbackSwitch(ctx(t), running), "save running")
	got, err = s.FindCallbackSwitch(ctx(t))
	must(t, err, "find running")
	got.Since, running.Since = micro(got.Since), micro(running.Since)
	if got != running {
		t.Fatalf("switch = %+v, want %+v", got, running)
	}
}
