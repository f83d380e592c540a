package ticketing

import (
	"testing"

	"github.com/cityhotline/hotline"
)

// GovernanceRank carries each street's place in the 治理类 list (ties
// share it, the list stops after size places but keeps a tie at the end),
// so that a view of one unit's row still knows the place.
func TestGovernanceRank(t *testing.T) {
	complaints := map[hotline.UnitID]int{"s1": 5, "s2": 9, "s3": 5, "s4": 2, "s5": 0}
	counts := []UnitScore{
		{Unit: "s1", Valid: 1, Contacted: 1, Resolved: 1, Satisfied: 1},
		{Unit: "s4", Valid: 1},
		{Unit: "s6", Valid: 1, Contacted: 1},
	}
	cases := []struct {
		size int
		want map[hotline.UnitID]int
	}{
		{0, map[hotline.UnitID]int{}},
		{1, map[hotline.UnitID]int{"s2": 1}},
		{2, map[hotline.UnitID]int{"s2": 1, "s1": 2, "s3": 2}}, // the tie at the end is all in
		{10, map[hotline.UnitID]int{"s2": 1, "s1": 2, "s3": 2, "s4": 4}},
	}
	for _, tc := range cases {
		cfg := DefaultAssessmentConfig()
		cfg.GovernanceSize = tc.size
		scores := AssessCounts(Month{2026, 11}, TierStreet, counts, nil, complaints, cfg)
		for _, s := range scores {
			want := tc.want[s.Unit]
			if s.GovernanceRank != want || (want > 0) != (s.Class == ClassGovernance) {
				t.Errorf("size %d, %s: governance rank %d class %q, want rank %d", tc.size, s.Unit, s.GovernanceRank, s.Class, want)
			}
		}
	}
	// Other tiers have no 治理类 list.
	for _, s := range AssessCounts(Month{2026, 11}, TierDistrict, counts, nil, complaints, DefaultAssessmentConfig()) {
		if s.GovernanceRank != 0 {
			t.Errorf("district %s: governance rank %d", s.Unit, s.GovernanceRank)
		}
	}
}
