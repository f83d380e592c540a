package ticketing

import (
	"context"
	"fmt"
	"time"

	"github.com/cityhotline/hotline"
)

// RankedTiers are the tiers the monthly assessment ranks, in the order an
// all-tier assessment lists them. The centre itself is not assessed.
var RankedTiers = []Tier{TierStreet, TierDistrict, TierDistrictDept, TierCityDept, TierEnterprise}

// assessmentCounter is the part of CallbackStore the assessment reads; both
// stores implement it.
type assessmentCounter interface {
	AssessmentCounts(ctx context.Context, month Month, tier Tier) ([]UnitScore, error)
}

// Assessment returns the month's three-rate assessment of one tier, or of
// every ranked tier (RankedTiers, in that order) when tier is "". Each tier
// is ranked as AssessCounts does with DefaultAssessmentConfig, against the
// previous month for movement and 进步.
//
// Access: admin, supervisor, analyst and dispatcher read every unit; unit
// staff read only their own unit's rows (the rank still counts every unit of
// the tier); agents get EFORBIDDEN.
//
// The month must not be after the current Beijing month (EINVALID naming
// month). The 治理类 class of streets uses the month's complaint counts per
// street when the store counts them (ComplaintCounts; both stores do).
func (s *Service) Assessment(ctx context.Context, a hotline.Actor, month Month, tier Tier) ([]UnitScore, error) {
	if err := canReadAssessment(a); err != nil {
		return nil, err
	}
	tiers, err := assessedTiers(tier)
	if err != nil {
		return nil, err
	}
	if month == (Month{}) || month.Key() > MonthOf(s.now()).Key() {
		return nil, hotline.Errorf(hotline.EINVALID, "month %s is not an assessable month", month).
			WithField("month", "must not be after the current month")
	}
	counter, ok := s.store.(assessmentCounter)
	if !ok {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "the store keeps no callbacks")
	}
	cfg := DefaultAssessmentConfig()
	var out []UnitScore
	for _, t := range tiers {
		scores, err := s.assessTier(ctx, counter, month, t, cfg)
		if err != nil {
			return nil, err
		}
		out = append(out, scores...)
	}
	return ownRows(a, out), nil
}

// canReadAssessment lets the centre's managing roles and unit staff read.
func canReadAssessment(a hotline.Actor) error {
	switch a.Role {
	case hotline.RoleAdmin, hotline.RoleSupervisor, hotline.RoleAnalyst, hotline.RoleDispatcher:
		return nil
	case hotline.RoleUnit:
		if a.Unit != "" {
			return nil
		}
	}
	return hotline.Errorf(hotline.EFORBIDDEN, "role %s may not read the assessment", a.Role)
}

// assessedTiers returns the tiers to assess: tier alone, or all ranked ones.
func assessedTiers(tier Tier) ([]Tier, error) {
	if tier == "" {
		return RankedTiers, nil
	}
	for _, t := range RankedTiers {
		if t == tier {
			return []Tier{t}, nil
		}
	}
	return nil, hotline.Errorf(hotline.EINVALID, "tier %q is not assessed", tier).
		WithField("tier", "must be street, district, district_dept, city_dept or enterprise")
}

// complaintCounter counts a period's complaint tickets per street.
type complaintCounter interface {
	ComplaintCounts(ctx context.Context, from, to time.Time) (map[hotline.UnitID]int, error)
}

// complaints returns the month's complaints per street, for the street tier.
func (s *Service) complaints(ctx context.Context, month Month, tier Tier) (map[hotline.UnitID]int, error) {
	cc, ok := s.store.(complaintCounter)
	if tier != TierStreet || !ok {
		return nil, nil
	}
	m, err := cc.ComplaintCounts(ctx, month.Start(), month.End())
	if err != nil {
		return nil, fmt.Errorf("complaints of %s: %w", month, err)
	}
	return m, nil
}

// assessTier ranks one tier for the month, with last month for movement.
func (s *Service) assessTier(ctx context.Context, c assessmentCounter, month Month, tier Tier, cfg AssessmentConfig) ([]UnitScore, error) {
	prevMonth := month.Previous()
	prevCounts, err := c.AssessmentCounts(ctx, prevMonth, tier)
	if err != nil {
		return nil, fmt.Errorf("assessment counts of %s %s: %w", tier, prevMonth, err)
	}
	counts, err := c.AssessmentCounts(ctx, month, tier)
	if err != nil {
		return nil, fmt.Errorf("assessment counts of %s %s: %w", tier, month, err)
	}
	complaints, err := s.complaints(ctx, month, tier)
	if err != nil {
		return nil, err
	}
	previous := AssessCounts(prevMonth, tier, prevCounts, nil, nil, cfg)
	return AssessCounts(month, tier, counts, previous, complaints, cfg), nil
}

// ownRows keeps a unit actor's own rows; other actors see all.
func ownRows(a hotline.Actor, scores []UnitScore) []UnitScore {
	if a.Role != hotline.RoleUnit {
		return scores
	}
	own := []UnitScore{}
	for _, sc := range scores {
		if sc.Unit == a.Unit {
			own = append(own, sc)
		}
	}
	return own
}
