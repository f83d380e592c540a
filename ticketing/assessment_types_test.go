package ticketing

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

func TestAssessEnumsRoundTrip(t *testing.T) {
	roundTrip(t, YesNos, ParseYesNo)
	roundTrip(t, Satisfactions, ParseSatisfaction)
	roundTrip(t, Classes, ParseClass)
}

func TestAssessMonth(t *testing.T) {
	// 16:30 UTC on 31 October is 00:30 on 1 November in Beijing.
	if got := MonthOf(time.Date(2026, 10, 31, 16, 30, 0, 0, time.UTC)); got != nov {
		t.Errorf("MonthOf = %v, want %v", got, nov)
	}
	if got := MonthOf(time.Date(2026, 10, 31, 15, 59, 0, 0, time.UTC)); got != oct {
		t.Errorf("MonthOf = %v, want %v", got, oct)
	}
	m, err := ParseMonth("2026-01")
	if err != nil || m.String() != "2026-01" || m.Previous().String() != "2025-12" {
		t.Errorf("ParseMonth = %v, %v; previous %v", m, err, m.Previous())
	}
	if !nov.Contains(nov.Start()) || nov.Contains(nov.End()) || !nov.End().Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, Beijing)) {
		t.Errorf("bounds of %v: %v .. %v", nov, nov.Start(), nov.End())
	}
	for _, bad := range []string{"", "2026-13", "2026/11", "11-2026"} {
		if _, err := ParseMonth(bad); hotline.ErrorCode(err) != hotline.EINVALID {
			t.Errorf("ParseMonth(%q) error = %v", bad, err)
		}
	}
}

func TestCallbackAnswersValid(t *testing.T) {
	full := CallbackAnswers{Reached: true, Contacted: AnswerNo, Resolved: AnswerYes, Satisfaction: Dissatisfied}
	if !full.Valid() {
		t.Error("reached with three clear answers is not valid")
	}
	for name, mod := range map[string]func(*CallbackAnswers){
		"not reached":          func(c *CallbackAnswers) { c.Reached = false },
		"excluded":             func(c *CallbackAnswers) { c.Excluded = true },
		"contact unknown":      func(c *CallbackAnswers) { c.Contacted = AnswerUnknown },
		"resolved unanswered":  func(c *CallbackAnswers) { c.Resolved = "" },
		"satisfaction unknown": func(c *CallbackAnswers) { c.Satisfaction = SatisfactionUnknown },
		"satisfaction empty":   func(c *CallbackAnswers) { c.Satisfaction = "" },
	} {
		c := full
		mod(&c)
		if c.Valid() {
			t.Errorf("%s: counted as valid", name)
		}
	}
}

func TestAssessConfigValidate(t *testing.T) {
	if err := DefaultAssessmentConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	bad := DefaultAssessmentConfig()
	bad.ResolutionWeight = 0.6 // sum 1.1
	bad.BasicCredit = 1.5
	bad.MinValid = 0
	bad.ImprovePlaces = 0
	bad.GovernanceSize = -1
	err := bad.Validate()
	e, ok := err.(*hotline.Error)
	if !ok || e.Code != hotline.EINVALID {
		t.Fatalf("Validate = %v, want EINVALID", err)
	}
	for _, f := range []string{"weights", "basic_credit", "min_valid", "improve_places", "governance_size"} {
		if e.Fields[f] == "" {
			t.Errorf("field %s not reported: %v", f, e.Fields)
		}
	}
}

func TestAssessCountComplaints(t *testing.T) {
	in := time.Date(2026, 11, 3, 9, 0, 0, 0, Beijing)
	tickets := []*Ticket{
		{Type: TypeComplaint, Street: "s-a", Created: in},
		{Type: TypeComplaint, Street: "s-a", Created: time.Date(2026, 10, 31, 16, 30, 0, 0, time.UTC)}, // 1 Nov in Beijing
		{Type: TypeComplaint, Street: "s-b", Created: in, Triage: TriageMerged},
		{Type: TypeComplaint, Street: "s-b", Created: time.Date(2026, 10, 31, 15, 30, 0, 0, time.UTC)}, // October
		{Type: TypeHelp, Street: "s-c", Created: in},
		{Type: TypeComplaint, Created: in}, // no street
	}
	got := CountComplaints(nov, tickets)
	want := map[hotline.UnitID]int{"s-a": 2, "s-b": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("CountComplaints = %v, want %v", got, want)
	}
}

func TestAssessGovernanceList(t *testing.T) {
	complaints := map[hotline.UnitID]int{"s-a": 5, "s-b": 3, "s-c": 3, "s-d": 1, "s-e": 0}
	got := GovernanceList(complaints, 2)
	want := []StreetComplaints{{"s-a", 5, 1}, {"s-b", 3, 2}, {"s-c", 3, 2}}
	if !slices.Equal(got, want) {
		t.Errorf("size 2 = %v, want %v (tie at the cut-off kept)", got, want)
	}
	if got := GovernanceList(complaints, 10); len(got) != 4 {
		t.Errorf("size 10 = %v, want the 4 streets with complaints", got)
	}
	if got := GovernanceList(complaints, 0); len(got) != 0 {
		t.Errorf("size 0 = %v", got)
	}
}

// FuzzAssess: arbitrary callbacks never panic, rates stay in [0,1], scores in
// [0,100], and ranked units carry competition ranks 1..n in order.
func FuzzAssess(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	f.Add([]byte{255, 255, 255, 255, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		answers := fuzzAnswers(data)
		for _, tier := range []Tier{TierStreet, TierDistrict} {
			prev := Assess(oct, tier, answers, nil, nil, DefaultAssessmentConfig())
			got := Assess(nov, tier, answers, prev, map[hotline.UnitID]int{"u0": 2, "u1": 1}, DefaultAssessmentConfig())
			checkFuzzScores(t, got)
		}
	})
}

func fuzzAnswers(data []byte) []CallbackAnswers {
	yn := []YesNo{AnswerYes, AnswerNo, AnswerUnknown, ""}
	sat := []Satisfaction{Satisfied, BasicallySatisfied, Dissatisfied, SatisfactionUnknown}
	var out []CallbackAnswers
	for i := 0; i+3 < len(data); i += 4 {
		b := data[i : i+4]
		a := CallbackAnswers{
			Ticket:       hotline.TicketID(fmt.Sprint(b[3] % 8)),
			Unit:         hotline.UnitID(fmt.Sprint("u", b[0]%7)),
			Tier:         []Tier{TierStreet, TierDistrict}[b[0]>>3&1],
			Month:        []Month{nov, oct}[b[0]>>4&1],
			CalledAt:     nov.Start().Add(time.Duration(b[3]) * time.Hour),
			Reached:      b[1]&1 == 0,
			Excluded:     b[1]&2 != 0 && b[1]&4 != 0,
			Contacted:    yn[b[1]>>3&3],
			Resolved:     yn[b[2]&3],
			Satisfaction: sat[b[2]>>2&3],
		}
		out = append(out, a)
	}
	return out
}

func checkFuzzScores(t *testing.T, got []UnitScore) {
	t.Helper()
	n := rankedCount(got)
	for i, s := range got {
		for _, r := range []float64{s.ResponseRate, s.ResolutionRate, s.SatisfactionRate} {
			if r < 0 || r > 1 {
				t.Fatalf("%s rate %v out of [0,1]", s.Unit, r)
			}
		}
		if s.Score < 0 || s.Score > 100+1e-9 || s.Valid > s.Callbacks {
			t.Fatalf("%s: %+v", s.Unit, s)
		}
		if i >= n {
			if s.Rank != 0 {
				t.Fatalf("unranked tail holds rank %d", s.Rank)
			}
			continue
		}
		if s.Rank < 1 || s.Rank > n || (i == 0 && s.Rank != 1) ||
			(i > 0 && s.Rank != got[i-1].Rank && s.Rank != i+1) {
			t.Fatalf("row %d rank %d among %d ranked: %+v", i, s.Rank, n, got)
		}
	}
}
