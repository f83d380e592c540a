package ticketing

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// The hand-worked example, November 2026. Config: defaults (weights 10/50/40,
// 基本满意 = 0.9, MinValid 1, top/bottom 10 %) except ImprovePlaces = 2 and
// GovernanceSize = 1, so that four streets can show every class.
//
// Callbacks (Y = yes, N = no, ? = unknown; sat: S 满意, B 基本满意, D 不满意):
//
//	#   unit  ticket reached contact resolved sat  note                       counts?
//	1   s-a   T01    yes     Y       Y        S                               valid
//	2   s-a   T02    yes     Y       N        B                               valid
//	3   s-a   T03    yes     Y       Y        ?    hung up after question 2   invalid
//	4   s-a   T04    no      ?       ?        ?    no answer                  invalid
//	5   s-b   T05    yes     Y       Y        S                               valid
//	6   s-b   T06    yes     N       N        D    approved appeal (excluded) invalid
//	7   s-b   T07    yes     Y       N        D    11-05, superseded by #8    not counted
//	8   s-b   T07    yes     Y       Y        B    11-20, after the reopen    valid
//	9   s-c   T09    yes     Y       Y        B                               valid
//	10  s-c   T10    yes     N       Y        D                               valid
//	11  s-d   T11    yes     N       N        D                               valid
//	12  s-d   T12    yes     Y       N        S                               valid
//	13  s-d   T13    yes     Y       Y        S    October: other month       ignored
//	14  s-e   T14    no      ?       ?        ?    busy                       invalid
//	15  d-1   T15    yes     Y       Y        S                               valid
//	16  d-1   T16    yes     Y       Y        S                               valid
//	17  d-2   T17    yes     Y       Y        B                               valid
//	18  d-3   T18    yes     Y       ""       S    resolved never answered    invalid
//
// Complaint tickets in November: s-e 9, s-a 3, s-d 2, s-f 1 (s-f had no callback).
//
// Streets (score = 100 × (0.10 R + 0.50 S + 0.40 M)):
//
//	unit valid  R = contacted/valid  S = resolved/valid  M = (sat + 0.9 basic)/valid  score
//	s-a  2      2/2 = 1              1/2 = 0.5           (1 + 0.9)/2 = 0.95           10 + 25 + 38 = 73
//	s-b  2      2/2 = 1              2/2 = 1             (1 + 0.9)/2 = 0.95           10 + 50 + 38 = 98
//	s-c  2      1/2 = 0.5            2/2 = 1             (0 + 0.9)/2 = 0.45            5 + 50 + 18 = 73
//	s-d  2      1/2 = 0.5            0/2 = 0             (1 + 0)/2   = 0.5             5 +  0 + 20 = 25
//	s-e  0      —  not ranked
//	s-f  0      —  not ranked (listed because of its complaints)
//
// Ranks: s-b 1; s-a and s-c tie at 73 → both 2 (s-a first by unit id); s-d 4.
// October ranks: s-a 4, s-b 1, s-c 2, s-d 3 → movement s-a +2, s-b 0, s-c 0, s-d −1.
// n = 4 ranked, k = max(1, ⌊0.1 × 4⌋) = 1: 先进 s-b (rank 1); 整改 s-d (no one
// below); 进步 s-a (+2 ≥ 2); 治理 s-e (most complaints, size 1), although unranked.
//
// Districts (complaints are passed but ignored for districts):
//
//	d-1  2 valid  R 1  S 1  M 1            score 10 + 50 + 40 = 100   rank 1  Oct 2 → +1  先进
//	d-2  1 valid  R 1  S 1  M 0.9          score 10 + 50 + 36 = 96    rank 2  Oct 1 → −1  整改
//	d-3  0 valid  not ranked, no class
var (
	nov = Month{2026, time.November}
	oct = Month{2026, time.October}
)

func cb(unit hotline.UnitID, ticket hotline.TicketID, reached bool, contact, resolved YesNo, sat Satisfaction) CallbackAnswers {
	tier := TierStreet
	if unit[0] == 'd' {
		tier = TierDistrict
	}
	return CallbackAnswers{Ticket: ticket, Unit: unit, Tier: tier, Month: nov,
		CalledAt: time.Date(2026, 11, 10, 10, 0, 0, 0, Beijing),
		Reached:  reached, Contacted: contact, Resolved: resolved, Satisfaction: sat}
}

func handWorkedAnswers() []CallbackAnswers {
	Y, N, U := AnswerYes, AnswerNo, AnswerUnknown
	S, B, D, Q := Satisfied, BasicallySatisfied, Dissatisfied, SatisfactionUnknown
	a := []CallbackAnswers{
		cb("s-a", "T01", true, Y, Y, S),
		cb("s-a", "T02", true, Y, N, B),
		cb("s-a", "T03", true, Y, Y, Q),
		cb("s-a", "T04", false, U, U, Q),
		cb("s-b", "T05", true, Y, Y, S),
		cb("s-b", "T06", true, N, N, D),
		cb("s-b", "T07", true, Y, Y, B), // the final one, listed first on purpose
		cb("s-b", "T07", true, Y, N, D),
		cb("s-c", "T09", true, Y, Y, B),
		cb("s-c", "T10", true, N, Y, D),
		cb("s-d", "T11", true, N, N, D),
		cb("s-d", "T12", true, Y, N, S),
		cb("s-d", "T13", true, Y, Y, S),
		cb("s-e", "T14", false, U, U, Q),
		cb("d-1", "T15", true, Y, Y, S),
		cb("d-1", "T16", true, Y, Y, S),
		cb("d-2", "T17", true, Y, Y, B),
		cb("d-3", "T18", true, Y, "", S),
	}
	a[5].Excluded = true
	a[6].CalledAt = time.Date(2026, 11, 20, 9, 0, 0, 0, Beijing)
	a[7].CalledAt = time.Date(2026, 11, 5, 9, 0, 0, 0, Beijing)
	a[12].Month = oct
	return a
}

var handComplaints = map[hotline.UnitID]int{"s-e": 9, "s-a": 3, "s-d": 2, "s-f": 1}

func handConfig() AssessmentConfig {
	cfg := DefaultAssessmentConfig()
	cfg.ImprovePlaces = 2
	cfg.GovernanceSize = 1
	return cfg
}

type wantScore struct {
	unit                   hotline.UnitID
	callbacks, valid       int
	r, s, m, score         float64
	rank, prev, move       int
	class                  Class
	complaints             int
	contacted, resolved    int
	satisfied, basicallyOK int
}

func checkScores(t *testing.T, got []UnitScore, want []wantScore) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d units, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Unit != w.unit || g.Callbacks != w.callbacks || g.Valid != w.valid ||
			g.Rank != w.rank || g.PrevRank != w.prev || g.Movement != w.move || g.Class != w.class ||
			g.Complaints != w.complaints || g.Contacted != w.contacted || g.Resolved != w.resolved ||
			g.Satisfied != w.satisfied || g.Basically != w.basicallyOK {
			t.Errorf("row %d = %+v\nwant %+v", i, g, w)
		}
		for _, f := range []struct {
			name      string
			got, want float64
		}{{"response", g.ResponseRate, w.r}, {"resolution", g.ResolutionRate, w.s},
			{"satisfaction", g.SatisfactionRate, w.m}, {"score", g.Score, w.score}} {
			if math.Abs(f.got-f.want) > 1e-9 {
				t.Errorf("%s %s = %.12f, want %.12f", w.unit, f.name, f.got, f.want)
			}
		}
	}
}

func TestAssessHandWorkedStreets(t *testing.T) {
	previous := []UnitScore{
		{Unit: "s-a", Tier: TierStreet, Rank: 4}, {Unit: "s-b", Tier: TierStreet, Rank: 1},
		{Unit: "s-c", Tier: TierStreet, Rank: 2}, {Unit: "s-d", Tier: TierStreet, Rank: 3},
		{Unit: "d-1", Tier: TierDistrict, Rank: 9}, // other tier: ignored
	}
	got := Assess(nov, TierStreet, handWorkedAnswers(), previous, handComplaints, handConfig())
	checkScores(t, got, []wantScore{
		{unit: "s-b", callbacks: 4, valid: 2, r: 1, s: 1, m: 0.95, score: 98, rank: 1, prev: 1, class: ClassAdvanced,
			contacted: 2, resolved: 2, satisfied: 1, basicallyOK: 1},
		{unit: "s-a", callbacks: 4, valid: 2, r: 1, s: 0.5, m: 0.95, score: 73, rank: 2, prev: 4, move: 2, class: ClassImproved,
			complaints: 3, contacted: 2, resolved: 1, satisfied: 1, basicallyOK: 1},
		{unit: "s-c", callbacks: 2, valid: 2, r: 0.5, s: 1, m: 0.45, score: 73, rank: 2, prev: 2,
			contacted: 1, resolved: 2, basicallyOK: 1},
		{unit: "s-d", callbacks: 2, valid: 2, r: 0.5, s: 0, m: 0.5, score: 25, rank: 4, prev: 3, move: -1, class: ClassRectify,
			complaints: 2, contacted: 1, satisfied: 1},
		{unit: "s-e", callbacks: 1, class: ClassGovernance, complaints: 9},
		{unit: "s-f", complaints: 1},
	})
}

func TestAssessHandWorkedDistricts(t *testing.T) {
	previous := []UnitScore{{Unit: "d-1", Tier: TierDistrict, Rank: 2}, {Unit: "d-2", Tier: TierDistrict, Rank: 1}}
	got := Assess(nov, TierDistrict, handWorkedAnswers(), previous, handComplaints, handConfig())
	checkScores(t, got, []wantScore{
		{unit: "d-1", callbacks: 2, valid: 2, r: 1, s: 1, m: 1, score: 100, rank: 1, prev: 2, move: 1, class: ClassAdvanced,
			contacted: 2, resolved: 2, satisfied: 2},
		{unit: "d-2", callbacks: 1, valid: 1, r: 1, s: 1, m: 0.9, score: 96, rank: 2, prev: 1, move: -1, class: ClassRectify,
			contacted: 1, resolved: 1, basicallyOK: 1},
		{unit: "d-3", callbacks: 1},
	})
}

// TestAssessWeightsFromConfig: weights 20/30/50 and 基本满意 = 0.5.
//
//	s-a  R 1    S 0.5  M (1 + 0.5)/2 = 0.75  score 20 + 15 + 37.5 = 72.5
//	s-c  R 0.5  S 1    M (0 + 0.5)/2 = 0.25  score 10 + 30 + 12.5 = 52.5
//	s-d  R 0.5  S 0    M (1 + 0)/2   = 0.5   score 10 +  0 + 25   = 35
//	s-b  R 1    S 1    M 0.75                score 20 + 30 + 37.5 = 87.5
func TestAssessWeightsFromConfig(t *testing.T) {
	cfg := handConfig()
	cfg.ResponseWeight, cfg.ResolutionWeight, cfg.SatisfactionWeight, cfg.BasicCredit = 0.2, 0.3, 0.5, 0.5
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	got := Assess(nov, TierStreet, handWorkedAnswers(), nil, nil, cfg)
	want := map[hotline.UnitID][2]float64{"s-b": {87.5, 1}, "s-a": {72.5, 2}, "s-c": {52.5, 3}, "s-d": {35, 4}}
	for _, g := range got[:4] {
		w := want[g.Unit]
		if math.Abs(g.Score-w[0]) > 1e-9 || g.Rank != int(w[1]) {
			t.Errorf("%s score %.12f rank %d, want %v rank %v", g.Unit, g.Score, g.Rank, w[0], w[1])
		}
	}
}

func TestAssessZeroValidUnits(t *testing.T) {
	Y := AnswerYes
	answers := []CallbackAnswers{
		cb("s-a", "T1", false, AnswerUnknown, AnswerUnknown, SatisfactionUnknown),
		cb("s-b", "T2", true, Y, Y, ""),
	}
	got := Assess(nov, TierStreet, answers, nil, nil, DefaultAssessmentConfig())
	checkScores(t, got, []wantScore{{unit: "s-a", callbacks: 1}, {unit: "s-b", callbacks: 1}})
	if got[0].Ranked() {
		t.Error("a unit without valid callbacks is ranked")
	}
	if got := Assess(nov, TierStreet, nil, nil, nil, DefaultAssessmentConfig()); len(got) != 0 {
		t.Errorf("no input gave %+v", got)
	}
}

// TestAssessMinValid: with MinValid 2, d-2's single valid callback is counted
// but not rated, so d-1 is alone: rank 1 and 先进 (k = 1), nobody 整改.
func TestAssessMinValid(t *testing.T) {
	cfg := handConfig()
	cfg.MinValid = 2
	got := Assess(nov, TierDistrict, handWorkedAnswers(), nil, nil, cfg)
	checkScores(t, got, []wantScore{
		{unit: "d-1", callbacks: 2, valid: 2, r: 1, s: 1, m: 1, score: 100, rank: 1, class: ClassAdvanced,
			contacted: 2, resolved: 2, satisfied: 2},
		{unit: "d-2", callbacks: 1, valid: 1, contacted: 1, resolved: 1, basicallyOK: 1},
		{unit: "d-3", callbacks: 1},
	})
}

// TestAssessTieOrder: equal scores share a rank and list the unit with more
// valid callbacks first; the next rank skips (1, 1, 3, 4, 4). Ties at a class
// boundary are all in: with k = max(1, ⌊0.1 × 5⌋) = 1 both leaders are 先进
// and both last units 整改.
func TestAssessTieOrder(t *testing.T) {
	Y, N, S, D := AnswerYes, AnswerNo, Satisfied, Dissatisfied
	answers := []CallbackAnswers{
		cb("s-a", "T1", true, Y, Y, S),
		cb("s-z", "T2", true, Y, Y, S), cb("s-z", "T3", true, Y, Y, S),
		cb("s-m", "T4", true, N, Y, S),
		cb("s-q", "T5", true, N, N, D), cb("s-p", "T6", true, N, N, D),
	}
	got := Assess(nov, TierStreet, answers, nil, nil, DefaultAssessmentConfig())
	want := []struct {
		unit  hotline.UnitID
		rank  int
		class Class
	}{{"s-z", 1, ClassAdvanced}, {"s-a", 1, ClassAdvanced}, {"s-m", 3, ClassNone}, {"s-p", 4, ClassRectify}, {"s-q", 4, ClassRectify}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i, w := range want {
		if got[i].Unit != w.unit || got[i].Rank != w.rank || got[i].Class != w.class {
			t.Errorf("row %d = %s rank %d %q, want %s rank %d %q", i, got[i].Unit, got[i].Rank, got[i].Class, w.unit, w.rank, w.class)
		}
	}
}

func TestAssessClassSizes(t *testing.T) {
	for _, c := range []struct {
		share float64
		n     int
		want  int
	}{{0.1, 1, 1}, {0.1, 9, 1}, {0.1, 10, 1}, {0.1, 20, 2}, {0.1, 343, 34}, {0.29, 100, 29}} {
		if got := classSize(c.share, c.n); got != c.want {
			t.Errorf("classSize(%v, %d) = %d, want %d", c.share, c.n, got, c.want)
		}
	}
}

// TestAssessCountsFromStore: counts computed elsewhere (as a store would in
// SQL), even split over several rows of one unit, give the same result as
// Assess over the records.
func TestAssessCountsFromStore(t *testing.T) {
	answers := handWorkedAnswers()
	counts := Tally(nov, TierStreet, answers)
	if len(counts) != 5 || counts[0].Unit != "s-a" || counts[0].Valid != 2 || counts[0].Callbacks != 4 || counts[0].Rank != 0 {
		t.Fatalf("Tally = %+v", counts)
	}
	half := UnitScore{Unit: "s-b", Callbacks: 1, Valid: 1, Contacted: 1, Resolved: 1, Satisfied: 1}
	for i := range counts {
		if counts[i].Unit == "s-b" {
			counts[i].Callbacks--
			counts[i].Valid--
			counts[i].Contacted--
			counts[i].Resolved--
			counts[i].Satisfied--
		}
	}
	counts = append(counts, half)
	want := Assess(nov, TierStreet, answers, nil, handComplaints, handConfig())
	got := AssessCounts(nov, TierStreet, counts, nil, handComplaints, handConfig())
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AssessCounts = %+v\nwant %+v", got, want)
	}
}
