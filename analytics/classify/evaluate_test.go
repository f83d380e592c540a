package classify

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestScore checks a confusion table worked by hand:
//
//	true A: predicted A 3, B 1        A: P 3/5, R 3/4, F1 2/3
//	true B: predicted A 2, B 4, C 0   B: P 4/5, R 4/6, F1 8/11
//	true D: predicted C 1             C: P 0, R 0 (never true), F1 0; D: P 0, R 0, F1 0
//
// accuracy 7/11; macro-F1 over A, B, C, D = (2/3 + 8/11 + 0 + 0) / 4.
func TestScore(t *testing.T) {
	r := Score(map[string]map[string]int{
		"A": {"A": 3, "B": 1},
		"B": {"A": 2, "B": 4},
		"D": {"C": 1},
	})
	if r.N != 11 || !near(r.Accuracy, 7.0/11) {
		t.Errorf("n %d accuracy %g", r.N, r.Accuracy)
	}
	want := map[string]LabelScore{
		"A": {Precision: 0.6, Recall: 0.75, F1: 2.0 / 3, Support: 4},
		"B": {Precision: 0.8, Recall: 4.0 / 6, F1: 8.0 / 11, Support: 6},
		"C": {Support: 0},
		"D": {Support: 1},
	}
	if len(r.Labels) != len(want) {
		t.Errorf("labels %v", r.Labels)
	}
	for l, w := range want {
		g := r.Labels[l]
		if !near(g.Precision, w.Precision) || !near(g.Recall, w.Recall) || !near(g.F1, w.F1) || g.Support != w.Support {
			t.Errorf("%s: got %+v, want %+v", l, g, w)
		}
	}
	if !near(r.MacroF1, (2.0/3+8.0/11)/4) {
		t.Errorf("macro-F1 %g", r.MacroF1)
	}
}

// fixed predicts a fixed ranking per text.
type fixed map[string][]string

func (f fixed) Predict(text string, k int) []Scored {
	var out []Scored
	for i, l := range f[text] {
		if k > 0 && i == k {
			break
		}
		out = append(out, Scored{Label: l, Score: 1 / float64(i+1)})
	}
	return out
}

func TestEvaluate(t *testing.T) {
	p := fixed{
		"t1": {"A", "B", "C", "D"}, // right
		"t2": {"B", "C", "A", "D"}, // wrong, in top 3
		"t3": {"B", "C", "D", "A"}, // wrong, 4th
		"t4": {"B", "A", "C", "D"}, // right
	}
	r := Evaluate(p, []Example{{"t1", "A"}, {"t2", "A"}, {"t3", "A"}, {"t4", "B"}})
	if r.N != 4 || !near(r.Accuracy, 0.5) || !near(r.Top3Accuracy, 0.75) {
		t.Errorf("n %d accuracy %g top3 %g", r.N, r.Accuracy, r.Top3Accuracy)
	}
	// A: P 1/1, R 1/3, F1 0.5; B: P 1/3, R 1, F1 0.5.
	if !near(r.MacroF1, 0.5) || r.Confusion["A"]["B"] != 2 {
		t.Errorf("macro-F1 %g confusion %v", r.MacroF1, r.Confusion)
	}
}
