package forecast

import (
	"math"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// TestErlangC checks the textbook case: 100 calls in 30 min with an AHT
// of 180 s are 10 Erlangs; the probability of waiting with 11 to 15
// agents, from the closed form Σ aᵏ/k! worked out separately.
func TestErlangC(t *testing.T) {
	for n, want := range map[int]float64{11: 0.682118, 12: 0.449388, 13: 0.285270, 14: 0.174132, 15: 0.102042} {
		if got := ErlangC(n, 10); math.Abs(got-want) > 5e-7 {
			t.Errorf("C(%d, 10) = %.6f, want %.6f", n, got, want)
		}
	}
	if got := ErlangC(10, 10); got != 1 {
		t.Errorf("C(10, 10) = %v, want 1 (no steady state)", got)
	}
	// Hundreds of agents: the recurrence neither overflows nor loses the
	// value (reference from log-space sums).
	for _, c := range []struct {
		n    int
		a    float64
		want float64
	}{{320, 300, 0.176081}, {310, 300, 0.455931}} {
		if got := ErlangC(c.n, c.a); math.Abs(got-c.want) > 5e-6 {
			t.Errorf("C(%d, %v) = %.6f, want %.6f", c.n, c.a, got, c.want)
		}
	}
}

// TestForSlot: with 80 % in 15 s, 10 Erlangs need 14 agents (13 give
// 77.8 %); SL = 1 − C·e^(−(N−A)·15/180), ASA = C·180/(N−A).
func TestForSlot(t *testing.T) {
	st := Staffing{AHT: 180 * time.Second, Target: 0.8, Within: 15 * time.Second, Shrinkage: 0.3}
	p, err := st.ForSlot(time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if p.Agents != 14 || p.Scheduled != 20 || math.Abs(p.Erlangs-10) > 1e-12 {
		t.Errorf("agents %d scheduled %d erlangs %v, want 14, 20 (14 ÷ 0.7), 10", p.Agents, p.Scheduled, p.Erlangs)
	}
	if math.Abs(p.ServiceLevel-0.875229) > 5e-6 || math.Abs(p.ASA.Seconds()-7.8359) > 5e-4 || math.Abs(p.Occupancy-10.0/14) > 1e-12 {
		t.Errorf("SL %.6f ASA %v occupancy %.4f, want 0.875229, 7.836s, 0.7143", p.ServiceLevel, p.ASA, p.Occupancy)
	}
	// 6,000 calls in a half hour with AHT 240 s are 800 Erlangs: 815
	// agents (reference from log-space sums: SL 0.80957, ASA 7.78 s).
	big, err := Staffing{}.ForSlot(time.Time{}, 6000)
	if err != nil {
		t.Fatal(err)
	}
	if big.Agents != 815 || math.Abs(big.ServiceLevel-0.809569) > 1e-5 || math.Abs(big.ASA.Seconds()-7.7805) > 1e-3 {
		t.Errorf("800 Erlangs: %d agents, SL %.6f, ASA %v; want 815, 0.809569, 7.78s", big.Agents, big.ServiceLevel, big.ASA)
	}
	if z, _ := st.ForSlot(time.Time{}, 0); z.Agents != 0 || z.ServiceLevel != 1 {
		t.Errorf("no calls: %+v", z)
	}
}

func TestStaffingValidate(t *testing.T) {
	for _, st := range []Staffing{{Target: 1.2}, {Shrinkage: 1}, {AHT: time.Millisecond}, {Within: -time.Second}} {
		if _, err := st.Plan(Series{}); hotline.ErrorCode(err) != hotline.EINVALID {
			t.Errorf("%+v: %v, want EINVALID", st, err)
		}
	}
	if _, err := (Staffing{MaxAgents: 10}).ForSlot(time.Time{}, 100); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("over MaxAgents: %v, want EINVALID", err)
	}
}
