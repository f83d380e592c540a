package classify

import (
	"math"
	"testing"
)

// TestNBRatios checks ratios worked by hand with α = 1 for two examples:
// label 0 has features 0 and 1, label 1 has features 1 and 2. Each label
// has 2 feature counts and there are 3 features, so for feature 0 and
// label 0 the smoothed shares are (1+1)/(2+3) inside and (0+1)/(2+3)
// outside: |ln 2|. Feature 1 is as common in both labels: 0.
func TestNBRatios(t *testing.T) {
	xs := []vector{{idx: []int32{0, 1}}, {idx: []int32{1, 2}}}
	got := nbRatios(xs, []int{0, 1}, 3, 2, 1)
	ln2 := math.Ln2
	want := []float64{ln2, ln2, 0, 0, ln2, ln2}
	for j := range want {
		if math.Abs(float64(got[j])-want[j]) > 1e-6 {
			t.Fatalf("ratios %v, want %v", got, want)
		}
	}
}

// TestNBIgnoresEvenFeature trains on two labels that share the character
// 甲 in every example: its ratio is 0 for both labels, so it keeps a zero
// weight, while the plain softmax learns something for it.
func TestNBIgnoresEvenFeature(t *testing.T) {
	ex := []Example{{"甲猫", "A"}, {"甲狗", "B"}, {"甲猫猫", "A"}, {"甲狗狗", "B"}}
	weightOf := func(m *Model, feature string) []float32 {
		f, ok := m.vocab[charPrefix+feature]
		if !ok {
			t.Fatalf("no feature %q", feature)
		}
		nl := len(m.labels)
		return m.weights[int(f)*nl : int(f)*nl+nl]
	}
	nb, err := Train(ex, Options{Features: FeatureSpec{WordMin: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if w := weightOf(nb, "甲"); w[0] != 0 || w[1] != 0 {
		t.Errorf("NB weights of the shared character %v, want 0", w)
	}
	if w := weightOf(nb, "猫"); w[0] <= 0 || w[1] >= 0 {
		t.Errorf("NB weights of 猫 %v, want + for A and - for B", w)
	}
	plain, err := Train(ex, Options{Features: FeatureSpec{WordMin: -1}, NB: -1})
	if err != nil {
		t.Fatal(err)
	}
	if w := weightOf(plain, "甲"); w[0] == 0 && w[1] == 0 {
		t.Errorf("plain softmax left the shared character at %v", w)
	}
	for _, m := range []*Model{nb, plain} {
		if got := m.Predict("猫", 1); got[0].Label != "A" {
			t.Errorf("%v: 猫 → %v", m, got)
		}
		if got := m.Predict("狗", 1); got[0].Label != "B" {
			t.Errorf("%v: 狗 → %v", m, got)
		}
	}
}
