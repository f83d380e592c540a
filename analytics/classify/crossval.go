package classify

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
)

// FoldOf returns the cross-validation fold, in [0,k), of an example with
// this text: FNV-1a 64 of "fold#" and the text's first line, mod k. Equal
// titles share a fold, and a title learned together with its body (the
// augmented "title\nbody" example) falls in the title's fold.
func FoldOf(text string, k int) int {
	first, _, _ := strings.Cut(text, "\n")
	h := fnv.New64a()
	h.Write([]byte("fold#"))
	h.Write([]byte(first))
	return int(h.Sum64() % uint64(k))
}

// CrossValidate trains k models, each on every fold but one with opts, and
// scores each model's predictions on its held-out fold, pooled into one
// Report. Labels, vocabulary, idf and NB ratios come from the training
// folds only. Held-out examples whose text has several lines (augmented
// examples) are not scored, so that augmenting changes only what is learned.
func CrossValidate(ctx context.Context, examples []Example, k int, opts Options) (Report, error) {
	if k < 2 {
		return Report{}, fmt.Errorf("classify: cross validation needs at least 2 folds, not %d", k)
	}
	folds := make([][]Example, k)
	for _, e := range examples {
		f := FoldOf(e.Text, k)
		folds[f] = append(folds[f], e)
	}
	var preds []prediction
	for held := range k {
		var train []Example
		for f, ex := range folds {
			if f != held {
				train = append(train, ex...)
			}
		}
		m, err := TrainContext(ctx, train, opts)
		if err != nil {
			return Report{}, fmt.Errorf("classify: fold %d: %w", held, err)
		}
		for _, e := range folds[held] {
			if !strings.Contains(e.Text, "\n") {
				preds = append(preds, prediction{label: e.Label, top: m.Predict(e.Text, 3)})
			}
		}
	}
	return score(preds), nil
}
