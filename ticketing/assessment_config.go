package ticketing

import (
	"math"

	"github.com/cityhotline/hotline"
)

// AssessmentConfig holds the formula and class rules of the monthly
// assessment. DefaultAssessmentConfig gives the defaults of DESIGN.md
// ("Rules and numbers"); the official weights are not published, so all of
// these are configurable.
type AssessmentConfig struct {
	// Weights of the composite score = 100 × (WR·响应率 + WS·解决率 + WM·满意率).
	// Each in [0,1]; they must add up to 1 so the score stays in [0,100].
	ResponseWeight     float64 // default 0.10
	ResolutionWeight   float64 // default 0.50
	SatisfactionWeight float64 // default 0.40

	// BasicCredit is what one 基本满意 counts for in 满意率 (满意 counts 1,
	// 不满意 0). Default 0.9.
	BasicCredit float64

	// MinValid is the number of valid callbacks a unit needs in the month to
	// get rates and a rank. Default 1: a unit with no valid callback has no
	// rates, is not ranked, and is listed with zero valid callbacks.
	MinValid int

	// TopShare and BottomShare are the parts of the ranked units of a tier
	// that are 先进 and 整改: the best (worst) max(1, ⌊share × n⌋) places.
	// Default 0.10 each.
	TopShare    float64
	BottomShare float64

	// ImprovePlaces: a unit ranked both months that climbed at least this many
	// places is 进步. Default 10.
	ImprovePlaces int

	// GovernanceSize is how many streets/towns with the most complaints form
	// the 治理类 list. Default 10.
	GovernanceSize int
}

// DefaultAssessmentConfig returns the defaults of DESIGN.md.
func DefaultAssessmentConfig() AssessmentConfig {
	return AssessmentConfig{
		ResponseWeight:     0.10,
		ResolutionWeight:   0.50,
		SatisfactionWeight: 0.40,
		BasicCredit:        0.9,
		MinValid:           1,
		TopShare:           0.10,
		BottomShare:        0.10,
		ImprovePlaces:      10,
		GovernanceSize:     10,
	}
}

// weightSumTolerance allows decimal weights such as 0.1+0.5+0.4, which do
// not add to exactly 1 in binary floating point.
const weightSumTolerance = 1e-9

// Validate reports every bad setting as one EINVALID error.
func (c AssessmentConfig) Validate() error {
	var v hotline.Invalid
	unit := func(field string, x float64) {
		if math.IsNaN(x) || x < 0 || x > 1 {
			v.Add(field, "must be between 0 and 1")
		}
	}
	unit("response_weight", c.ResponseWeight)
	unit("resolution_weight", c.ResolutionWeight)
	unit("satisfaction_weight", c.SatisfactionWeight)
	unit("basic_credit", c.BasicCredit)
	unit("top_share", c.TopShare)
	unit("bottom_share", c.BottomShare)
	sum := c.ResponseWeight + c.ResolutionWeight + c.SatisfactionWeight
	if math.Abs(sum-1) > weightSumTolerance {
		v.Add("weights", "response, resolution and satisfaction weights must add up to 1")
	}
	if c.MinValid < 1 {
		v.Add("min_valid", "must be at least 1")
	}
	if c.ImprovePlaces < 1 {
		v.Add("improve_places", "must be at least 1")
	}
	if c.GovernanceSize < 0 {
		v.Add("governance_size", "must not be negative")
	}
	return v.Err("invalid assessment config")
}

// classSize is max(1, ⌊share × n⌋) for n > 0 ranked units. The small
// epsilon keeps 0.29 × 100 at 29 despite binary floating point.
func classSize(share float64, n int) int {
	k := int(math.Floor(share*float64(n) + 1e-9))
	return max(k, 1)
}
