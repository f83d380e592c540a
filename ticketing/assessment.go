package ticketing

import (
	"cmp"
	"math"
	"slices"

	"github.com/cityhotline/hotline"
)

// UnitScore is one unit's assessment for a month: its valid callbacks, the
// three rates (三率), the composite score, its rank within the tier, the
// change against last month and its class.
type UnitScore struct {
	Unit  hotline.UnitID
	Tier  Tier
	Month Month

	Callbacks  int // callback records of the month, valid or not
	Valid      int // valid callbacks (有效回访): the denominator of the rates
	Contacted  int // valid callbacks answering 是 to "did the unit contact you"
	Resolved   int // valid callbacks answering 是 to "is the problem resolved"
	Satisfied  int // valid callbacks answering 满意
	Basically  int // valid callbacks answering 基本满意
	Complaints int // streets/towns: complaint tickets received in the month

	// Rates are fractions in [0,1] and Score is in [0,100]; all zero when the
	// unit has fewer than MinValid valid callbacks (then Rank is 0 too).
	ResponseRate     float64 // 响应率 = Contacted ÷ Valid
	ResolutionRate   float64 // 解决率 = Resolved ÷ Valid
	SatisfactionRate float64 // 满意率 = (Satisfied + BasicCredit × Basically) ÷ Valid
	Score            float64

	Rank     int // 1 = best within the tier; ties share a rank; 0 = not ranked
	PrevRank int // rank last month; 0 = not ranked then
	Movement int // PrevRank − Rank: positive moved up; 0 when either is 0
	Class    Class

	// GovernanceRank is the street's place in the month's 治理类 list (see
	// GovernanceList; 1 = most complaints, ties share), 0 when not on it.
	GovernanceRank int
}

// Ranked reports whether the unit had enough valid callbacks to be ranked.
func (s *UnitScore) Ranked() bool { return s.Rank > 0 }

// Assess computes the month's assessment of one tier from callback records:
// AssessCounts over Tally.
//
// Inputs: answers may hold any months and tiers (only month and tier count);
// previous is last month's result of the tier (for movement and 进步);
// complaints counts complaint tickets per street/town in the month (see
// CountComplaints) and is used only for TierStreet. cfg must pass Validate.
func Assess(month Month, tier Tier, answers []CallbackAnswers, previous []UnitScore, complaints map[hotline.UnitID]int, cfg AssessmentConfig) []UnitScore {
	return AssessCounts(month, tier, Tally(month, tier, answers), previous, complaints, cfg)
}

// Tally counts the month's callbacks of the tier per unit, ordered by unit:
// the counting fields of UnitScore (Callbacks to Basically), nothing else.
//
// Every callback record of the unit counts in Callbacks; among the valid
// ones, a ticket counts once per month and unit, with its latest valid
// callback (最终满意度: after a reopen the final opinion stands; equal times:
// the later record). A store may compute the same counts in SQL and call
// AssessCounts directly.
func Tally(month Month, tier Tier, answers []CallbackAnswers) []UnitScore {
	units := tally(month, tier, answers)
	out := make([]UnitScore, 0, len(units))
	for _, s := range units {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b UnitScore) int { return cmp.Compare(a.Unit, b.Unit) })
	return out
}

// AssessCounts rates, ranks and classifies units from their counts (as
// Tally gives them; only Unit and the counting fields are read, with
// Contacted, Resolved and Satisfied + Basically each at most Valid; entries
// of one unit are added up). previous, complaints and cfg as for Assess.
//
// Units listed: those in counts, those in previous and, for streets, those
// with complaints. Units with fewer than cfg.MinValid valid callbacks keep
// their counts but get no rates, score or rank.
//
// Ranking: ranked units are ordered by score, best first; scores equal to
// 1e-6 points tie and share a rank (competition ranking: 1, 2, 2, 4). Within
// a tie the unit with more valid callbacks is listed first, then by unit id;
// unranked units follow, by unit id.
//
// Classes, one per unit, first match wins: 治理 (street in the 治理类 list,
// see GovernanceList); 先进 (rank ≤ k); 整改 (fewer than k ranked units score
// strictly lower); 进步 (Movement ≥ ImprovePlaces); k = max(1, ⌊share × n⌋)
// over the n ranked units. Ties at a boundary are all in.
func AssessCounts(month Month, tier Tier, counts []UnitScore, previous []UnitScore, complaints map[hotline.UnitID]int, cfg AssessmentConfig) []UnitScore {
	units := map[hotline.UnitID]*UnitScore{}
	for i := range counts {
		unitScore(units, counts[i].Unit, month, tier).add(&counts[i])
	}
	addUnits(units, month, tier, previous, complaints)
	out := make([]UnitScore, 0, len(units))
	for _, s := range units {
		if s.Valid >= cfg.MinValid && s.Valid > 0 {
			s.rate(cfg)
		}
		out = append(out, *s)
	}
	rank(out)
	applyPrevious(out, tier, previous)
	classify(out, tier, complaints, cfg)
	return out
}

// add sums another tally of the same unit into s.
func (s *UnitScore) add(c *UnitScore) {
	s.Callbacks += c.Callbacks
	s.Valid += c.Valid
	s.Contacted += c.Contacted
	s.Resolved += c.Resolved
	s.Satisfied += c.Satisfied
	s.Basically += c.Basically
}

// finalKey identifies one ticket's callbacks for one unit.
type finalKey struct {
	ticket hotline.TicketID
	unit   hotline.UnitID
}

// tally is Tally, by unit id.
func tally(month Month, tier Tier, answers []CallbackAnswers) map[hotline.UnitID]*UnitScore {
	units := map[hotline.UnitID]*UnitScore{}
	// Sized up front: growing this map was half the time at 200 000 records.
	finals := make(map[finalKey]*CallbackAnswers, len(answers))
	for i := range answers {
		a := &answers[i]
		if a.Month != month || a.Tier != tier {
			continue
		}
		unitScore(units, a.Unit, month, tier).Callbacks++
		if !a.Valid() {
			continue
		}
		k := finalKey{a.Ticket, a.Unit}
		if prev, ok := finals[k]; !ok || !a.CalledAt.Before(prev.CalledAt) {
			finals[k] = a
		}
	}
	for _, a := range finals {
		units[a.Unit].count(a)
	}
	return units
}

func unitScore(units map[hotline.UnitID]*UnitScore, id hotline.UnitID, month Month, tier Tier) *UnitScore {
	s := units[id]
	if s == nil {
		s = &UnitScore{Unit: id, Tier: tier, Month: month}
		units[id] = s
	}
	return s
}

// count adds one valid callback.
func (s *UnitScore) count(a *CallbackAnswers) {
	s.Valid++
	if a.Contacted == AnswerYes {
		s.Contacted++
	}
	if a.Resolved == AnswerYes {
		s.Resolved++
	}
	switch a.Satisfaction {
	case Satisfied:
		s.Satisfied++
	case BasicallySatisfied:
		s.Basically++
	}
}

// addUnits lists units without callbacks this month that still belong in the
// table: last month's units and, for streets, those with complaints.
func addUnits(units map[hotline.UnitID]*UnitScore, month Month, tier Tier, previous []UnitScore, complaints map[hotline.UnitID]int) {
	for _, p := range previous {
		if p.Tier == tier {
			unitScore(units, p.Unit, month, tier)
		}
	}
	if tier != TierStreet {
		return
	}
	for id, n := range complaints {
		if n > 0 {
			unitScore(units, id, month, tier).Complaints = n
		}
	}
}

// rate computes the three rates and the score; s.Valid must be positive.
func (s *UnitScore) rate(cfg AssessmentConfig) {
	v := float64(s.Valid)
	s.ResponseRate = float64(s.Contacted) / v
	s.ResolutionRate = float64(s.Resolved) / v
	s.SatisfactionRate = (float64(s.Satisfied) + cfg.BasicCredit*float64(s.Basically)) / v
	s.Score = 100 * (cfg.ResponseWeight*s.ResponseRate +
		cfg.ResolutionWeight*s.ResolutionRate +
		cfg.SatisfactionWeight*s.SatisfactionRate)
	s.Rank = -1 // to be ranked
}

// scoreKey is the score rounded to 1e-6 points: equal keys tie. Rounding
// rather than comparing with a tolerance keeps ties transitive.
func scoreKey(score float64) int64 { return int64(math.Round(score * 1e6)) }

// order sorts ranked units first (best first, ties by valid callbacks then
// unit id), then unranked ones by unit id.
func order(a, b UnitScore) int {
	if ar, br := a.Rank != 0, b.Rank != 0; ar != br {
		if ar {
			return -1
		}
		return 1
	}
	if a.Rank != 0 {
		if c := cmp.Compare(scoreKey(b.Score), scoreKey(a.Score)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Valid, a.Valid); c != 0 {
			return c
		}
	}
	return cmp.Compare(a.Unit, b.Unit)
}

// rank sorts scores and gives ranked units their competition rank.
func rank(scores []UnitScore) {
	slices.SortFunc(scores, order)
	for i := range scores {
		if scores[i].Rank == 0 {
			return
		}
		if i > 0 && scoreKey(scores[i].Score) == scoreKey(scores[i-1].Score) {
			scores[i].Rank = scores[i-1].Rank
		} else {
			scores[i].Rank = i + 1
		}
	}
}

// applyPrevious fills last month's rank and the movement.
func applyPrevious(scores []UnitScore, tier Tier, previous []UnitScore) {
	prev := map[hotline.UnitID]int{}
	for _, p := range previous {
		if p.Tier == tier && p.Rank > 0 {
			prev[p.Unit] = p.Rank
		}
	}
	for i := range scores {
		s := &scores[i]
		s.PrevRank = prev[s.Unit]
		if s.PrevRank > 0 && s.Rank > 0 {
			s.Movement = s.PrevRank - s.Rank
		}
	}
}

// classify gives each unit its class; scores must be ranked and ordered.
func classify(scores []UnitScore, tier Tier, complaints map[hotline.UnitID]int, cfg AssessmentConfig) {
	governance := map[hotline.UnitID]int{}
	if tier == TierStreet {
		for _, g := range GovernanceList(complaints, cfg.GovernanceSize) {
			governance[g.Unit] = g.Rank
		}
	}
	n := rankedCount(scores)
	top, bottom := 0, 0
	if n > 0 {
		top, bottom = classSize(cfg.TopShare, n), classSize(cfg.BottomShare, n)
	}
	for i := range scores {
		s := &scores[i]
		s.GovernanceRank = governance[s.Unit]
		switch {
		case s.GovernanceRank > 0:
			s.Class = ClassGovernance
		case s.Rank > 0 && s.Rank <= top:
			s.Class = ClassAdvanced
		case s.Rank > 0 && n-tieEnd(scores, i) < bottom:
			s.Class = ClassRectify
		case s.Rank > 0 && s.Movement >= cfg.ImprovePlaces:
			s.Class = ClassImproved
		}
	}
}

func rankedCount(scores []UnitScore) int {
	n := 0
	for _, s := range scores {
		if s.Rank > 0 {
			n++
		}
	}
	return n
}

// tieEnd is the number of ranked units scoring at least as well as
// scores[i]: the 1-based position of the last unit of its tie.
func tieEnd(scores []UnitScore, i int) int {
	j := i + 1
	for j < len(scores) && scores[j].Rank == scores[i].Rank {
		j++
	}
	return j
}
