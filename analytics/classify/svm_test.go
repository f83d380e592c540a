package classify

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestSVMSeparable trains the one-vs-rest SVM on three labels, each owning
// one feature of its own next to a feature shared by all: every example
// must get its label's margin highest and positive, the others negative,
// with and without NB ratios.
func TestSVMSeparable(t *testing.T) {
	var xs []vector
	var y []int
	for i := range 30 {
		l := i % 3
		xs = append(xs, vector{idx: []int32{int32(l), 3}, val: []float32{0.8, 0.6}})
		y = append(y, l)
	}
	ratios := make([]float32, 4*3)
	for j := range ratios {
		ratios[j] = 1.5
	}
	for _, r := range [][]float32{nil, ratios} {
		w, b, err := svmFit(context.Background(), xs, y, 4, 3, r, 1, 50, 1)
		if err != nil {
			t.Fatal(err)
		}
		for i, x := range xs {
			m := scores(w, b, x, make([]float64, 3))
			for l, v := range m {
				if (l == y[i]) != (v > 0) {
					t.Fatalf("ratios %v: example %d (label %d) margins %v", r != nil, i, y[i], m)
				}
			}
		}
	}
}

// TestSVMHinge checks the dual solution against the primal one worked by
// hand: one feature, x = +1 for label 0 and −1 for label 1, C = 1, no
// ratios. By symmetry b = 0, and minimising ½w² + 2·C·(1−w)² gives
// w = 4/5 for label 0 (−4/5 for label 1).
func TestSVMHinge(t *testing.T) {
	xs := []vector{{idx: []int32{0}, val: []float32{1}}, {idx: []int32{0}, val: []float32{-1}}}
	w, b, err := svmFit(context.Background(), xs, []int{0, 1}, 1, 2, nil, 1, 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	// The bias feature is regularised too (LIBLINEAR's -B 1), which keeps b
	// at 0 here by symmetry.
	if math.Abs(float64(w[0])-0.8) > 1e-3 || math.Abs(float64(w[1])+0.8) > 1e-3 || math.Abs(float64(b[0])) > 1e-3 {
		t.Errorf("weights %v bias %v, want [0.8 -0.8] and 0", w, b)
	}
}

func TestTrainWithSVM(t *testing.T) {
	for _, mix := range []float64{1, 0.5} {
		m, err := Train(smallCorpus(), Options{SVMMix: mix})
		if err != nil {
			t.Fatal(err)
		}
		if m.svm == nil || m.svm.mix != float32(mix) {
			t.Fatalf("mix %g: SVM head %+v", mix, m.svm)
		}
		testHeldOut(t, m)
		var sum float64
		for _, s := range m.Predict("暖气不热", 0) {
			sum += s.Score
		}
		if math.Abs(sum-1) > 1e-6 {
			t.Errorf("mix %g: scores sum to %g", mix, sum)
		}
	}
}

func TestTrainViews(t *testing.T) {
	m, err := Train(smallCorpus(), Options{Views: []FeatureSpec{{}, {WordMin: -1, WordMax: -1}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.members) != 2 || m.members[1].spec.WordMin != -1 {
		t.Fatalf("members %v", m.members)
	}
	testHeldOut(t, m)
	chars := m.members[1]
	if n := chars.NumFeatures(); m.NumFeatures() != m.members[0].NumFeatures()+n || n == 0 {
		t.Errorf("NumFeatures %d", m.NumFeatures())
	}
}

// TestSaveLoadVersion2 round-trips a model with an SVM head and one with
// views.
func TestSaveLoadVersion2(t *testing.T) {
	for _, opts := range []Options{{SVMMix: 0.5, SVMTemp: 2}, {Views: []FeatureSpec{{}, {CharMin: 1, CharMax: 2, WordMin: -1, WordMax: -1}}, SVMMix: 1}} {
		m, err := Train(smallCorpus(), opts)
		if err != nil {
			t.Fatal(err)
		}
		samePredictionsAfterLoad(t, m, fmt.Sprintf("%+v: ", opts))
	}
}

// savedV1 is the body of a version 1 model file, as that build wrote it.
type savedV1 struct {
	Spec     FeatureSpec
	Labels   []string
	Features []string
	IDF      []byte
	Weights  []byte
	Bias     []byte
	LogPrior []byte
	Balance  float32
}

func TestLoadVersion1(t *testing.T) {
	m, err := Train(smallCorpus(), Options{SVMMix: -1}) // what version 1 could hold
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	enc.Encode(header{Magic: formatMagic, Version: 1})
	enc.Encode(savedV1{
		Spec: m.spec, Labels: m.labels, Features: m.features, IDF: pack(m.idf), Weights: pack(m.weights),
		Bias: pack(m.bias), LogPrior: pack(m.logPrior), Balance: m.balance,
	})
	got, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.svm != nil || got.members != nil {
		t.Errorf("version 1 model loaded with %+v, %v", got.svm, got.members)
	}
	a, b := m.Predict("暖气不热", 0), got.Predict("暖气不热", 0)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("after load: %v, want %v", b, a)
		}
	}
}

func TestLoadRefusesBadSVM(t *testing.T) {
	m, err := Train(smallCorpus(), Options{SVMMix: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	s := m.saved()
	s.SVMWeights = s.SVMWeights[:8]
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	enc.Encode(header{Magic: formatMagic, Version: formatVersion})
	enc.Encode(s)
	if _, err := Load(&buf); err == nil || !strings.Contains(err.Error(), "inconsistent SVM sizes") {
		t.Errorf("short SVM weights: %v", err)
	}
}

func TestFeatureSpecString(t *testing.T) {
	for _, s := range []string{"c1-3+w1-2", "c1-4", "w1-2", "c2-3+w1-3"} {
		f, err := ParseFeatureSpec(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if got := f.String(); got != s {
			t.Errorf("%q → %+v → %q", s, f, got)
		}
	}
	if got := (FeatureSpec{}).String(); got != "c1-3+w1-2" {
		t.Errorf("zero spec %q", got)
	}
	for _, bad := range []string{"", "x1-2", "c3-1", "c0-2", "c1", "c1-3+"} {
		if _, err := ParseFeatureSpec(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
