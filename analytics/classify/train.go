package classify

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Options tune training. Zero fields take the defaults in brackets.
type Options struct {
	Features     FeatureSpec
	Epochs       int     // passes over the examples [10]
	LearningRate float64 // AdaGrad base step [0.1]
	L2           float64 // L2 penalty on the weights an example touches; < 0 means none [2e-3]
	MinCount     int     // drop features seen in fewer examples [1]
	// NB is the smoothing α of naive Bayes log-count ratios that scale each
	// feature's input per label while training (see nbRatios); < 0 trains
	// the plain softmax [0.5].
	NB float64
	// Balance in [0,1] divides each label's probability by its training
	// share raised to this power before renormalising, so that frequent
	// labels do not crowd out rare ones (1: as if all labels were equally
	// common). < 0 means 0 [1].
	Balance float64
	Seed    uint64 // shuffling seed [1]

	// SVMMix in [0,1] is the weight of a one-vs-rest linear SVM (NBSVM:
	// squared hinge, dual coordinate descent; see svmFit) in the predicted
	// probabilities, the softmax's weight being 1 − SVMMix. The SVM's
	// margins become probabilities by a softmax of SVMTemp × margin.
	// < 0 trains no SVM [0.5].
	SVMMix    float64
	SVMC      float64 // the SVM's C [0.3]
	SVMTemp   float64 // the SVM margins' temperature [2]
	SVMEpochs int     // the SVM's most passes per label [50]

	// Views, when set, trains one model per feature view (each with these
	// options and that view as Features) and predicts the mean of their
	// probabilities; Features is then ignored.
	Views []FeatureSpec
}

func (o Options) withDefaults() Options {
	o.Features = o.Features.withDefaults()
	if o.Epochs <= 0 {
		o.Epochs = 10
	}
	if o.LearningRate <= 0 {
		o.LearningRate = 0.1
	}
	o.L2 = orDefault(o.L2, 2e-3)
	o.NB = orDefault(o.NB, 0.5)
	o.Balance = min(orDefault(o.Balance, 1), 1)
	if o.MinCount <= 0 {
		o.MinCount = 1
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	o.SVMMix = min(orDefault(o.SVMMix, 0.5), 1)
	if o.SVMC <= 0 {
		o.SVMC = 0.3
	}
	if o.SVMTemp <= 0 {
		o.SVMTemp = 2
	}
	if o.SVMEpochs <= 0 {
		o.SVMEpochs = 50
	}
	return o
}

// orDefault maps 0 to def and negative values to 0.
func orDefault(v, def float64) float64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// Train fits a model to examples. Examples with an empty text or label are
// an error; at least two labels are needed.
func Train(examples []Example, opts Options) (*Model, error) {
	return TrainContext(context.Background(), examples, opts)
}

// TrainContext is Train that gives up with ctx's error between epochs.
func TrainContext(ctx context.Context, examples []Example, opts Options) (*Model, error) {
	if len(examples) == 0 {
		return nil, ErrNoExamples
	}
	if len(opts.Views) > 0 {
		return trainViews(ctx, examples, opts)
	}
	opts = opts.withDefaults()
	m := &Model{spec: opts.Features, balance: float32(opts.Balance)}
	feats, y, err := m.prepare(examples, opts)
	if err != nil {
		return nil, err
	}
	xs := make([]vector, len(feats))
	for i, f := range feats {
		xs[i] = vectorize(f, m.vocab, m.idf)
	}
	var r []float32
	if opts.NB > 0 {
		r = nbRatios(xs, y, len(m.features), len(m.labels), opts.NB)
	}
	if err := m.fit(ctx, xs, y, r, opts); err != nil {
		return nil, err
	}
	if opts.SVMMix > 0 {
		w, b, err := svmFit(ctx, xs, y, len(m.features), len(m.labels), r, opts.SVMC, opts.SVMEpochs, opts.Seed)
		if err != nil {
			return nil, err
		}
		m.svm = &svmHead{weights: w, bias: b, temp: float32(opts.SVMTemp), mix: float32(opts.SVMMix)}
	}
	return m, nil
}

// trainViews trains a model per feature view and returns their average.
func trainViews(ctx context.Context, examples []Example, opts Options) (*Model, error) {
	m := &Model{}
	for i, view := range opts.Views {
		o := opts
		o.Views, o.Features = nil, view
		mem, err := TrainContext(ctx, examples, o)
		if err != nil {
			return nil, fmt.Errorf("view %d: %w", i, err)
		}
		m.members = append(m.members, mem)
	}
	m.labels = m.members[0].labels
	return m, nil
}

// prepare builds the label set with its log-priors, the vocabulary and its
// idf, and returns every example's features and label index.
func (m *Model) prepare(examples []Example, opts Options) ([][]string, []int, error) {
	count := map[string]int{}
	for i, e := range examples {
		if e.Text == "" || e.Label == "" {
			return nil, nil, fmt.Errorf("classify: example %d: empty text or label", i)
		}
		count[e.Label]++
	}
	if len(count) < 2 {
		return nil, nil, fmt.Errorf("classify: need at least 2 labels, have %d", len(count))
	}
	for l := range count {
		m.labels = append(m.labels, l)
	}
	slices.Sort(m.labels)
	for _, l := range m.labels {
		m.logPrior = append(m.logPrior, float32(math.Log(float64(count[l])/float64(len(examples)))))
	}
	feats := make([][]string, len(examples))
	y := make([]int, len(examples))
	df := map[string]int{}
	for i, e := range examples {
		feats[i] = m.spec.extract(e.Text)
		y[i], _ = slices.BinarySearch(m.labels, e.Label)
		for _, f := range feats[i] {
			df[f]++
		}
	}
	m.buildVocab(df, len(examples), opts.MinCount)
	return feats, y, nil
}

// buildVocab keeps features with at least minCount documents, in sorted
// order, with smoothed idf = ln((1+n)/(1+df)) + 1.
func (m *Model) buildVocab(df map[string]int, n, minCount int) {
	for f, c := range df {
		if c >= minCount {
			m.features = append(m.features, f)
		}
	}
	slices.Sort(m.features)
	m.vocab = make(map[string]int32, len(m.features))
	m.idf = make([]float32, len(m.features))
	for i, f := range m.features {
		m.vocab[f] = int32(i)
		m.idf[i] = float32(math.Log(float64(1+n)/float64(1+df[f])) + 1)
	}
}

// fit runs AdaGrad on the softmax cross-entropy, with L2 on the weights
// each example touches, visiting the examples in a seeded random order.
// With opts.NB the trained parameters are u and the weights u∘r for the
// naive Bayes ratios r; the model keeps the product, so prediction is the
// same either way.
func (m *Model) fit(ctx context.Context, xs []vector, y []int, r []float32, opts Options) error {
	nl := len(m.labels)
	m.weights = make([]float32, len(m.features)*nl)
	m.bias = make([]float32, nl)
	a := adagrad{
		w: m.weights, acc: make([]float32, len(m.weights)),
		b: m.bias, bacc: make([]float32, nl),
		r: r, lr: float32(opts.LearningRate), l2: float32(opts.L2), nl: nl,
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x9e3779b97f4a7c15))
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	g := make([]float64, nl)
	for range opts.Epochs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("classify: training stopped: %w", err)
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			a.scores(xs[i], g)
			softmax(g)
			g[y[i]]-- // d loss / d score = p - onehot
			a.step(xs[i], g)
		}
	}
	for j, r := range a.r {
		m.weights[j] *= r
	}
	return nil
}

// adagrad holds the parameters being trained and their squared-gradient
// sums. The weight of feature f for label l is w[j], or w[j]·r[j] when r
// (the naive Bayes ratios) is set, with j = f·nl + l.
type adagrad struct {
	w, acc, b, bacc []float32
	r               []float32
	lr, l2          float32
	nl              int
}

// scores writes the label scores of x under the current parameters into p.
func (a *adagrad) scores(x vector, p []float64) {
	copy32(p, a.b)
	for k, f := range x.idx {
		base := int(f) * a.nl
		row := a.w[base : base+a.nl]
		xv := float64(x.val[k])
		if a.r == nil {
			for l, w := range row {
				p[l] += float64(w) * xv
			}
			continue
		}
		r := a.r[base : base+a.nl]
		for l, w := range row {
			p[l] += float64(w*r[l]) * xv
		}
	}
}

func copy32(p []float64, b []float32) {
	for l := range p {
		p[l] = float64(b[l])
	}
}

// step applies one update for an example x whose loss has gradient g with
// respect to the label scores.
func (a *adagrad) step(x vector, g []float64) {
	for l, gl := range g {
		a.b[l] -= a.update(&a.bacc[l], float32(gl))
	}
	for k, f := range x.idx {
		base := int(f) * a.nl
		for l, gl := range g {
			j := base + l
			gx := float32(gl) * x.val[k]
			if a.r != nil {
				gx *= a.r[j]
			}
			a.w[j] -= a.update(&a.acc[j], gx+a.l2*a.w[j])
		}
	}
}

// update adds g² to *acc and returns the AdaGrad step for g.
func (a *adagrad) update(acc *float32, g float32) float32 {
	*acc += g * g
	return a.lr * g / float32(math.Sqrt(float64(*acc)+1e-8))
}
