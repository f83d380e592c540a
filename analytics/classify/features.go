package classify

import (
	"fmt"
	"math"
	"slices"
	"strings"

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

// String writes the spec as ParseFeatureSpec reads it, e.g. "c1-3+w1-2"
// (character 1–3-grams and word 1–2-grams) or "c1-3" (characters only).
func (f FeatureSpec) String() string {
	f = f.withDefaults()
	var parts []string
	if f.CharMin > 0 {
		parts = append(parts, fmt.Sprintf("c%d-%d", f.CharMin, f.CharMax))
	}
	if f.WordMin > 0 {
		parts = append(parts, fmt.Sprintf("w%d-%d", f.WordMin, f.WordMax))
	}
	return strings.Join(parts, "+")
}

// ParseFeatureSpec reads a spec written by FeatureSpec.String: one or two
// of "cA-B" (character A–B-grams) and "wA-B" (word A–B-grams) joined by
// "+"; a kind left out is turned off.
func ParseFeatureSpec(s string) (FeatureSpec, error) {
	f := FeatureSpec{CharMin: -1, CharMax: -1, WordMin: -1, WordMax: -1}
	for part := range strings.SplitSeq(s, "+") {
		var lo, hi int
		var kind byte
		if len(part) > 0 {
			kind = part[0]
		}
		if _, err := fmt.Sscanf(part[min(1, len(part)):], "%d-%d", &lo, &hi); err != nil || lo < 1 || hi < lo {
			return FeatureSpec{}, fmt.Errorf("classify: feature view %q: want c or w and a range like 1-3", part)
		}
		switch kind {
		case 'c':
			f.CharMin, f.CharMax = lo, hi
		case 'w':
			f.WordMin, f.WordMax = lo, hi
		default:
			return FeatureSpec{}, fmt.Errorf("classify: feature view %q: want c or w and a range like 1-3", part)
		}
	}
	if f.CharMin < 0 && f.WordMin < 0 {
		return FeatureSpec{}, fmt.Errorf("classify: feature view %q is empty", s)
	}
	return f, nil
}
