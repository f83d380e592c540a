package classify

import (
	"math"
	"slices"

	"github.com/cityhotline/hotline/analytics/text"
)

// Feature kinds are prefixed so that a character and a word of the same
// spelling are different features.
const (
	charPrefix = "c\x00"
	wordPrefix = "w\x00"
)

// FeatureSpec says which n-grams describe a text. The zero value means
// character 1–3-grams and word 1–2-grams.
type FeatureSpec struct {
	CharMin, CharMax int // character n-gram range; 0,0 means 1..3
	WordMin, WordMax int // word n-gram range; 0,0 means 1..2; -1 turns words off
}

func (f FeatureSpec) withDefaults() FeatureSpec {
	if f.CharMin == 0 && f.CharMax == 0 {
		f.CharMin, f.CharMax = 1, 3
	}
	if f.WordMin == 0 && f.WordMax == 0 {
		f.WordMin, f.WordMax = 1, 2
	}
	return f
}

// extract returns the distinct feature strings of s, sorted.
func (f FeatureSpec) extract(s string) []string {
	norm := text.Normalize(s, text.CollapseDigits)
	var out []string
	if f.CharMin > 0 {
		for _, g := range text.CharNGrams(norm, f.CharMin, f.CharMax) {
			out = append(out, charPrefix+g)
		}
	}
	if f.WordMin > 0 {
		words := text.Default().Segment(norm)
		for _, g := range text.WordNGrams(words, f.WordMin, f.WordMax) {
			out = append(out, wordPrefix+g)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// vector is a sparse, L2-normalised feature vector.
type vector struct {
	idx []int32
	val []float32
}

// vectorize maps feature strings to the vocabulary, weighs each present
// feature by its idf, and scales the vector to unit length. Unknown
// features are dropped.
func vectorize(feats []string, vocab map[string]int32, idf []float32) vector {
	var v vector
	var norm float64
	for _, f := range feats {
		i, ok := vocab[f]
		if !ok {
			continue
		}
		w := idf[i]
		v.idx = append(v.idx, i)
		v.val = append(v.val, w)
		norm += float64(w) * float64(w)
	}
	if norm > 0 {
		inv := float32(1 / math.Sqrt(norm))
		for k := range v.val {
			v.val[k] *= inv
		}
	}
	return v
}
