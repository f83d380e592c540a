package storetest

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// runAssessmentRollup checks AssessmentCounts against ticketing.Tally over
// the store's own records after every step of random sequences of the
// store's real writes: new survey records, the survey's next answer to the
// same record, corrections by id (answers, unit, tier, month, ticket),
// manual entries, exclusions and their reversal, approved claims, and bulk
// loads. A store that keeps the counts as a running roll-up must keep it
// exact through all of them.
func runAssessmentRollup(t *testing.T, open func(t *testing.T) Store) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("Random%d", seed), func(t *testing.T) { testRollupRandom(t, open(t), seed, 120) })
	}
	t.Run("BulkLoad", func(t *testing.T) { testRollupBulk(t, open(t)) })
}

// rollupUnit is a unit of the random world with its tier.
type rollupUnit struct {
	id   hotline.UnitID
	tier ticketing.Tier
}

var (
	rollupUnits = []rollupUnit{{"s1", tStreet}, {"s2", tStreet}, {"d1", tDistrict}}
	// rollupTimes straddle the months in Beijing time, and repeat one time
	// so that records of a ticket tie on called_at.
	rollupTimes = []time.Time{bj(10, 31, 23, 59), bj(11, 1, 0, 0), bj(11, 10, 10, 0), bj(11, 10, 10, 0),
		bj(11, 20, 9, 30), bj(11, 30, 23, 59), bj(12, 1, 0, 0)}
	rollupMonths = []ticketing.Month{{Year: 2026, Month: time.October}, {Year: 2026, Month: time.November},
		{Year: 2026, Month: time.December}}
)

// rollupWorld is the state of one random run: the store, its tickets, the
// records last read back and the steps taken so far (for the failure
// message).
type rollupWorld struct {
	t       *testing.T
	s       Store
	cs      ticketing.CallbackStore
	claims  ticketing.ClaimStore // nil when the store has none
	bulk    BulkLoader           // nil when the store has none
	r       *rand.Rand
	tickets []hotline.TicketID
	stored  []*ticketing.CallbackRecord // every record, by id, as of the last check
	nextCB  int64
	log     []string
}

func newRollupWorld(t *testing.T, s Store, seed uint64, tickets int) *rollupWorld {
	cs, ok := s.(ticketing.CallbackStore)
	if !ok {
		t.Fatal("the store does not implement ticketing.CallbackStore")
	}
	w := &rollupWorld{t: t, s: s, cs: cs, r: rand.New(rand.NewPCG(seed, 12345)), nextCB: 1}
	w.claims, _ = s.(ticketing.ClaimStore)
	w.bulk, _ = s.(BulkLoader)
	for range tickets {
		w.tickets = append(w.tickets, create(t, s, newTicket(t0)).ID)
	}
	return w
}

func testRollupRandom(t *testing.T, s Store, seed uint64, steps int) {
	w := newRollupWorld(t, s, seed, 6)
	ops := []func(){w.newSurvey, w.newSurvey, w.surveyNext, w.surveyNext, w.correct, w.correct,
		w.manual, w.exclude, w.approveClaim, w.load}
	for range steps {
		ops[w.r.IntN(len(ops))]()
		w.check()
	}
	if len(w.stored) < steps/3 {
		t.Fatalf("only %d records after %d steps: the run did not exercise the store", len(w.stored), steps)
	}
}

// testRollupBulk loads a day's worth of callbacks the way hotlinectl seed
// does, checks the counts, then changes them with the normal writes.
func testRollupBulk(t *testing.T, s Store) {
	w := newRollupWorld(t, s, 7, 40)
	if w.bulk == nil {
		t.Fatal("the store does not implement BulkLoader")
	}
	for range 3 {
		cbs, recs := w.callbacks(200)
		must(t, w.bulk.LoadCallbacks(ctx(t), cbs, recs), "load callbacks")
		w.step("load 200 callbacks")
		w.check()
	}
	for range 30 {
		[]func(){w.surveyNext, w.correct, w.exclude, w.manual}[w.r.IntN(4)]()
		w.check()
	}
}

// step records what the run did.
func (w *rollupWorld) step(format string, args ...any) {
	w.log = append(w.log, fmt.Sprintf(format, args...))
}

func (w *rollupWorld) ticket() hotline.TicketID { return w.tickets[w.r.IntN(len(w.tickets))] }

// answers fills r with a random answer: not reached, partial (the citizen
// hung up, or the survey has not asked yet), unclear, or all three clear.
func (w *rollupWorld) answers(r *ticketing.CallbackRecord) {
	yn := []ticketing.YesNo{aYes, aYes, aNo, aUnk, ""}
	sat := []ticketing.Satisfaction{aSat, aBasic, aDis, ticketing.SatisfactionUnknown, ""}
	r.Reached = w.r.IntN(6) > 0
	r.Contacted, r.Resolved, r.Satisfaction = yn[w.r.IntN(len(yn))], yn[w.r.IntN(len(yn))], sat[w.r.IntN(len(sat))]
	if !r.Reached {
		r.Contacted, r.Resolved, r.Satisfaction = "", "", ""
	}
}

// place puts r at a random unit (with its tier) and call time.
func (w *rollupWorld) place(r *ticketing.CallbackRecord) {
	u := rollupUnits[w.r.IntN(len(rollupUnits))]
	r.Unit, r.Tier, r.CalledAt = u.id, u.tier, rollupTimes[w.r.IntN(len(rollupTimes))]
}

// newSurvey is a survey call's first answer: a new record of a new
// callback, for one ticket or, one time in four, two tickets asked about in
// the same call.
func (w *rollupWorld) newSurvey() {
	cb := w.nextCB
	w.nextCB++
	first := &ticketing.CallbackRecord{Callback: cb, Ticket: w.ticket()}
	w.place(first)
	w.answers(first)
	w.record(first, "survey %d asks about %s", cb, first.Ticket)
	if other := w.ticket(); other != first.Ticket && w.r.IntN(4) == 0 {
		second := *first
		second.ID, second.Ticket = 0, other
		w.answers(&second)
		w.record(&second, "survey %d also asks about %s", cb, other)
	}
}

// surveyNext is the survey writing the next answer of a record it made,
// without the record's id (it hits the same row).
func (w *rollupWorld) surveyNext() {
	r := w.pick(func(r *ticketing.CallbackRecord) bool { return r.Callback != 0 })
	if r == nil {
		w.newSurvey()
		return
	}
	next := *r
	next.ID = 0
	w.answers(&next)
	w.record(&next, "survey %d answers again about %s", r.Callback, r.Ticket)
}

// correct rewrites a record by id: its answers and, sometimes, its unit
// and tier, its call time (maybe another month) or, for a manual entry,
// its ticket.
func (w *rollupWorld) correct() {
	r := w.pick(func(*ticketing.CallbackRecord) bool { return true })
	if r == nil {
		w.manual()
		return
	}
	c := *r
	w.answers(&c)
	moved := ""
	switch w.r.IntN(4) {
	case 0:
		at := c.CalledAt
		w.place(&c)
		if c.Callback != 0 { // a survey's record keeps its call: (callback, ticket, time) is its key
			c.CalledAt = at
		}
		moved = fmt.Sprintf(" to %s %s at %s", c.Unit, c.Tier, c.CalledAt.In(beijing).Format(time.DateTime))
	case 1:
		if c.Callback == 0 {
			c.Ticket = w.ticket()
			moved = " to ticket " + string(c.Ticket)
		}
	}
	w.record(&c, "correct record %d of %s%s", r.ID, r.Ticket, moved)
}

// manual is a callback made by a person and entered by hand.
func (w *rollupWorld) manual() {
	r := &ticketing.CallbackRecord{Ticket: w.ticket(), Manual: true, By: "u-agent-3"}
	w.place(r)
	w.answers(r)
	w.record(r, "manual entry for %s", r.Ticket)
}

func (w *rollupWorld) record(r *ticketing.CallbackRecord, format string, args ...any) {
	w.step(format+fmt.Sprintf(" (%s %s %s reached=%v %s/%s/%s)", r.Unit, r.Tier, r.CalledAt.In(beijing).Format(time.DateTime),
		r.Reached, r.Contacted, r.Resolved, r.Satisfaction), args...)
	must(w.t, w.cs.RecordAnswers(ctx(w.t), r), w.log[len(w.log)-1])
}

// exclude takes a ticket out of the assessment, or puts it back.
func (w *rollupWorld) exclude() {
	tk, out := w.ticket(), w.r.IntN(3) > 0
	w.step("SetExcluded(%s, %v)", tk, out)
	must(w.t, w.cs.SetExcluded(ctx(w.t), tk, out), w.log[len(w.log)-1])
}

// approveClaim files a claim on a ticket and approves it, which takes the
// ticket out of the assessment in the claim's transaction.
func (w *rollupWorld) approveClaim() {
	if w.claims == nil {
		w.exclude()
		return
	}
	tk := w.ticket()
	w.step("approve a claim on %s", tk)
	c := fullClaim(tk, ticketing.ClaimUnreasonable, t0)
	must(w.t, w.claims.CreateClaim(ctx(w.t), c, claimEv("claim", t0, "", "pending")), "file a claim")
	c.State = ticketing.ClaimApproved
	must(w.t, w.claims.UpdateClaim(ctx(w.t), c, c.Version, claimEv("approve_claim", t0, "pending", "approved"), true), "approve the claim")
}

// load stores a few callbacks and their records in bulk.
func (w *rollupWorld) load() {
	if w.bulk == nil {
		w.newSurvey()
		return
	}
	cbs, recs := w.callbacks(1 + w.r.IntN(3))
	w.step("load %d callbacks in bulk", len(cbs))
	must(w.t, w.bulk.LoadCallbacks(ctx(w.t), cbs, recs), w.log[len(w.log)-1])
}

// callbacks are n done callbacks, each with one to three records of its
// tickets (a ticket asked again later in the call's round, or two tickets
// in one call), as hotlinectl seed makes them.
func (w *rollupWorld) callbacks(n int) ([]*ticketing.Callback, [][]*ticketing.CallbackRecord) {
	cbs := make([]*ticketing.Callback, n)
	recs := make([][]*ticketing.CallbackRecord, n)
	for i := range cbs {
		for j := range 1 + w.r.IntN(3) {
			r := &ticketing.CallbackRecord{Ticket: w.ticket()}
			w.place(r)
			r.CalledAt = r.CalledAt.Add(time.Duration(j) * time.Minute) // one row per (callback, ticket, time)
			w.answers(r)
			recs[i] = append(recs[i], r)
		}
		cbs[i] = &ticketing.Callback{Tickets: []hotline.TicketID{recs[i][0].Ticket}, State: ticketing.CallbackDone,
			Due: recs[i][0].CalledAt, Attempts: 1}
	}
	return cbs, recs
}

// pick returns a random stored record that ok accepts, nil if none does.
func (w *rollupWorld) pick(ok func(*ticketing.CallbackRecord) bool) *ticketing.CallbackRecord {
	var from []*ticketing.CallbackRecord
	for _, r := range w.stored {
		if ok(r) {
			from = append(from, r)
		}
	}
	if len(from) == 0 {
		return nil
	}
	return from[w.r.IntN(len(from))]
}

// check reads every record back and compares AssessmentCounts with Tally
// over them for every month and tier of the world (and one it never uses).
func (w *rollupWorld) check() {
	w.t.Helper()
	w.stored = w.stored[:0]
	for _, tk := range w.tickets {
		rs, err := w.cs.FindAnswers(ctx(w.t), tk)
		must(w.t, err, "find answers of "+string(tk))
		w.stored = append(w.stored, rs...)
	}
	slices.SortFunc(w.stored, func(a, b *ticketing.CallbackRecord) int { return cmp.Compare(a.ID, b.ID) })
	all := make([]ticketing.CallbackAnswers, len(w.stored))
	for i, r := range w.stored {
		all[i] = r.Answers()
	}
	for _, m := range rollupMonths {
		for _, tier := range []ticketing.Tier{tStreet, tDistrict, ticketing.TierCityDept} {
			got, err := w.cs.AssessmentCounts(ctx(w.t), m, tier)
			must(w.t, err, "assessment counts")
			want := ticketing.Tally(m, tier, all)
			if len(got) == 0 && len(want) == 0 {
				continue
			}
			if !reflect.DeepEqual(got, want) {
				w.t.Fatalf("after step %d, %s %s:\n store %+v\n tally %+v\nsteps:\n  %s", len(w.log), m, tier, got, want,
					strings.Join(w.log[max(0, len(w.log)-12):], "\n  "))
			}
		}
	}
}
