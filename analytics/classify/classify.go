// Package classify suggests a category for a citizen request from its text:
// a multinomial logistic regression (softmax) over character 1–3-grams and
// word 1–2-grams, trained with AdaGrad and L2 regularisation, each feature's
// input scaled per label by its naive Bayes log-count ratio (NBSVM-style;
// Options.NB). Training is deterministic for a given seed.
package classify

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Example is one labelled text.
type Example struct {
	Text  string
	Label string
}

// Scored is a label with its probability in [0,1].
type Scored struct {
	Label string  `json:"label"`
	Score float64 `json:"score"`
}

// Model is a trained classifier. It is safe for concurrent use.
type Model struct {
	spec     FeatureSpec
	labels   []string
	vocab    map[string]int32
	features []string  // vocabulary in index order (for Save)
	idf      []float32 // per feature
	weights  []float32 // feature-major: weights[f*len(labels)+label]
	bias     []float32 // per label
	logPrior []float32 // per label: ln(training share)
	balance  float32   // Options.Balance
	svm      *svmHead  // nil without Options.SVMMix
	// members, when set, are models trained on other feature views
	// (Options.Views) whose probabilities this model averages; the fields
	// above are then unused but for labels.
	members []*Model
}

// svmHead is the one-vs-rest SVM whose probabilities are mixed into the
// softmax's.
type svmHead struct {
	weights   []float32 // feature-major, like Model.weights
	bias      []float32
	temp, mix float32
}

// ErrNoExamples is returned by Train when there is nothing to learn from.
var ErrNoExamples = errors.New("classify: no examples")

// Labels returns the model's labels in sorted order.
func (m *Model) Labels() []string { return slices.Clone(m.labels) }

// NumFeatures is the size of the model's vocabulary (summed over the
// views' models).
func (m *Model) NumFeatures() int {
	n := len(m.features)
	for _, mem := range m.members {
		n += mem.NumFeatures()
	}
	return n
}

// Predict returns the k most probable labels for text, best first (all
// labels when k <= 0 or k exceeds them). Scores are probabilities (after
// the Balance correction) and sum to 1 over all labels.
func (m *Model) Predict(text string, k int) []Scored {
	p := m.probs(text)
	out := make([]Scored, len(m.labels))
	for i, l := range m.labels {
		out[i] = Scored{Label: l, Score: p[i]}
	}
	slices.SortStableFunc(out, func(a, b Scored) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	if k > 0 && k < len(out) {
		out = out[:k]
	}
	return out
}

// probs returns the probability of each label (in m.labels order) for text.
func (m *Model) probs(text string) []float64 {
	if len(m.members) > 0 {
		p := make([]float64, len(m.labels))
		for _, mem := range m.members {
			for l, q := range mem.probs(text) {
				p[l] += q / float64(len(m.members))
			}
		}
		return p
	}
	v := vectorize(m.spec.extract(text), m.vocab, m.idf)
	p := scores(m.weights, m.bias, v, make([]float64, len(m.labels)))
	for l := range p {
		p[l] -= float64(m.balance * m.logPrior[l])
	}
	softmax(p)
	if m.svm != nil {
		q := scores(m.svm.weights, m.svm.bias, v, make([]float64, len(m.labels)))
		for l := range q {
			q[l] *= float64(m.svm.temp)
		}
		softmax(q)
		for l := range p {
			p[l] = float64(1-m.svm.mix)*p[l] + float64(m.svm.mix)*q[l]
		}
	}
	return p
}

// scores writes the linear score of each label for v under feature-major
// weights and bias into p.
func scores(weights, bias []float32, v vector, p []float64) []float64 {
	nl := len(bias)
	copy32(p, bias)
	for k, f := range v.idx {
		row := weights[int(f)*nl : int(f)*nl+nl]
		x := float64(v.val[k])
		for l, w := range row {
			p[l] += float64(w) * x
		}
	}
	return p
}

func softmax(z []float64) {
	hi := math.Inf(-1)
	for _, v := range z {
		hi = max(hi, v)
	}
	var sum float64
	for i, v := range z {
		z[i] = math.Exp(v - hi)
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
}

func (m *Model) String() string {
	return fmt.Sprintf("classify.Model{%d labels, %d features}", len(m.labels), len(m.features))
}
