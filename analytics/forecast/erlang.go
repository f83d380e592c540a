package forecast

import (
	"fmt"
	"math"
	"time"
)

// Staffing is the service standard a staffing plan meets.
type Staffing struct {
	AHT       time.Duration // average handle time (talk + wrap-up); default 240 s
	Target    float64       // fraction of calls answered within Within; default 0.8
	Within    time.Duration // default 15 s, the centre's answer standard (GB/T 33358-2016)
	Shrinkage float64       // fraction of paid time off the phones (breaks, training, absence); 0: none (callers default to DefaultShrinkage)
	MaxAgents int           // the search stops here; default 5000
}

// Staffing defaults.
const (
	DefaultAHT       = 240 * time.Second
	DefaultTarget    = 0.8
	DefaultWithin    = 15 * time.Second
	DefaultShrinkage = 0.3
)

func (st Staffing) withDefaults() Staffing {
	if st.AHT == 0 {
		st.AHT = DefaultAHT
	}
	if st.Target == 0 {
		st.Target = DefaultTarget
	}
	if st.Within == 0 {
		st.Within = DefaultWithin
	}
	if st.MaxAgents == 0 {
		st.MaxAgents = 5000
	}
	return st
}

// Validate checks the standard (after defaults).
func (st Staffing) Validate() error {
	st = st.withDefaults()
	switch {
	case st.AHT < time.Second || st.AHT > 2*time.Hour:
		return invalid("aht", "must be between 1s and 2h")
	case st.Target <= 0 || st.Target >= 1:
		return invalid("target", "must be a fraction between 0 and 1")
	case st.Within < 0 || st.Within > time.Hour:
		return invalid("within", "must be between 0 and 1h")
	case st.Shrinkage < 0 || st.Shrinkage >= 1:
		return invalid("shrinkage", "must be at least 0 and below 1")
	}
	return nil
}

// SlotPlan is the staffing of one half hour.
type SlotPlan struct {
	Start        time.Time
	Calls        float64       // forecast calls in the half hour
	Erlangs      float64       // traffic: calls × AHT ÷ 30 min
	Agents       int           // on the phones, the fewest meeting the standard
	Scheduled    int           // Agents ÷ (1 − shrinkage), rounded up
	ServiceLevel float64       // achieved with Agents
	ASA          time.Duration // average speed of answer with Agents
	Occupancy    float64       // Erlangs ÷ Agents
}

// ErlangB is the blocking probability of n servers offered a Erlangs,
// by the recurrence B(0) = 1, B(k) = a·B(k−1) ÷ (k + a·B(k−1)), which
// stays within [0, 1] for any size.
func ErlangB(n int, a float64) float64 {
	b := 1.0
	for k := 1; k <= n; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// erlangCFromB is the probability of waiting with n agents, given B(n).
func erlangCFromB(n int, a, b float64) float64 {
	if float64(n) <= a {
		return 1
	}
	return float64(n) * b / (float64(n) - a*(1-b))
}

// ErlangC is the probability that a call waits with n agents offered a
// Erlangs (1 when n ≤ a: the queue grows without bound).
func ErlangC(n int, a float64) float64 { return erlangCFromB(n, a, ErlangB(n, a)) }

// quality is the service level and ASA of n agents, given C(n).
func (st Staffing) quality(n int, a, c float64) (sl float64, asa time.Duration) {
	if float64(n) <= a {
		return 0, 0
	}
	aht := st.AHT.Seconds()
	sl = 1 - c*math.Exp(-(float64(n)-a)*st.Within.Seconds()/aht)
	return sl, time.Duration(c * aht / (float64(n) - a) * float64(time.Second))
}

// ForSlot is the fewest agents that answer calls arriving in one half hour
// to the standard, and what they achieve.
func (st Staffing) ForSlot(start time.Time, calls float64) (SlotPlan, error) {
	st = st.withDefaults()
	p := SlotPlan{Start: start, Calls: calls, ServiceLevel: 1}
	if calls <= 0 {
		return p, nil
	}
	a := calls * st.AHT.Seconds() / Slot.Seconds()
	p.Erlangs = a
	n := int(math.Floor(a)) + 1
	b := ErlangB(n, a)
	for ; n <= st.MaxAgents; n++ {
		if n > int(math.Floor(a))+1 {
			b = a * b / (float64(n) + a*b)
		}
		c := erlangCFromB(n, a, b)
		if sl, asa := st.quality(n, a, c); sl >= st.Target {
			p.Agents, p.ServiceLevel, p.ASA, p.Occupancy = n, sl, asa, a/float64(n)
			p.Scheduled = int(math.Ceil(float64(n)/(1-st.Shrinkage) - 1e-9))
			return p, nil
		}
	}
	return p, invalid("aht", fmt.Sprintf("%.0f calls in a half hour need more than %d agents", calls, st.MaxAgents))
}

// Plan staffs every half hour of s.
func (st Staffing) Plan(s Series) ([]SlotPlan, error) {
	if err := st.Validate(); err != nil {
		return nil, err
	}
	out := make([]SlotPlan, len(s.Counts))
	for i, c := range s.Counts {
		p, err := st.ForSlot(s.At(i), c)
		if err != nil {
			return nil, fmt.Errorf("staff %s: %w", s.At(i).Format(time.RFC3339), err)
		}
		out[i] = p
	}
	return out, nil
}
