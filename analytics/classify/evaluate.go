package classify

import (
	"slices"
)

// LabelScore is one label's precision, recall and F1 over an evaluation,
// with its support (how many examples carry it).
type LabelScore struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`
}

// Report is the result of Evaluate.
type Report struct {
	N            int                   `json:"n"`
	Accuracy     float64               `json:"accuracy"`
	MacroF1      float64               `json:"macro_f1"`
	Top3Accuracy float64               `json:"top3_accuracy"`
	Labels       map[string]LabelScore `json:"labels"`
	// Confusion counts examples by true label, then predicted label.
	Confusion map[string]map[string]int `json:"confusion"`
}

// Predictor is what Evaluate needs of a model.
type Predictor interface {
	Predict(text string, k int) []Scored
}

// Evaluate predicts every example and scores the predictions against the
// examples' labels.
func Evaluate(m Predictor, examples []Example) Report {
	preds := make([]prediction, len(examples))
	for i, e := range examples {
		preds[i] = prediction{label: e.Label, top: m.Predict(e.Text, 3)}
	}
	return score(preds)
}

// prediction is an example's true label and its top predicted labels.
type prediction struct {
	label string
	top   []Scored
}

// score is Score over the predictions' first labels, with Top3Accuracy.
func score(preds []prediction) Report {
	var top3 int
	conf := map[string]map[string]int{}
	for _, p := range preds {
		pred := ""
		if len(p.top) > 0 {
			pred = p.top[0].Label
		}
		if conf[p.label] == nil {
			conf[p.label] = map[string]int{}
		}
		conf[p.label][pred]++
		if slices.ContainsFunc(p.top, func(x Scored) bool { return x.Label == p.label }) {
			top3++
		}
	}
	r := Score(conf)
	if r.N > 0 {
		r.Top3Accuracy = float64(top3) / float64(r.N)
	}
	return r
}

// Score computes accuracy, per-label precision, recall and F1, and
// macro-F1 (the unweighted mean over every label that is true or predicted
// at least once) from confusion counts [true][predicted]. Top3Accuracy is
// left zero.
func Score(confusion map[string]map[string]int) Report {
	r := Report{Labels: map[string]LabelScore{}, Confusion: confusion}
	predicted := map[string]int{}
	correct := 0
	for t, row := range confusion {
		for p, c := range row {
			r.N += c
			predicted[p] += c
			if p == t {
				correct += c
			}
		}
	}
	labels := map[string]bool{}
	for t := range confusion {
		labels[t] = true
	}
	for p := range predicted {
		labels[p] = true
	}
	for l := range labels {
		r.Labels[l] = labelScore(confusion, l, predicted[l])
		r.MacroF1 += r.Labels[l].F1
	}
	if len(labels) > 0 {
		r.MacroF1 /= float64(len(labels))
	}
	if r.N > 0 {
		r.Accuracy = float64(correct) / float64(r.N)
	}
	return r
}

func labelScore(confusion map[string]map[string]int, l string, predicted int) LabelScore {
	var s LabelScore
	tp := confusion[l][l]
	for _, c := range confusion[l] {
		s.Support += c
	}
	if predicted > 0 {
		s.Precision = float64(tp) / float64(predicted)
	}
	if s.Support > 0 {
		s.Recall = float64(tp) / float64(s.Support)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}
