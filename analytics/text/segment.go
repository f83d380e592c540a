package text

import (
	"math"
	"sync"
	"unicode"
	"unicode/utf8"
)

// placeSuffixes end place and unit names: a run of unknown characters (or a
// Latin/digit code such as "a1") right before one of them is merged with it
// into one word, so "月湖街道" and "a1区" stay whole.
var placeSuffixes = map[string]bool{
	"省": true, "市": true, "区": true, "县": true, "旗": true, "镇": true, "乡": true,
	"村": true, "组": true, "路": true, "街": true, "巷": true, "街道": true, "社区": true,
	"小区": true, "大道": true, "大街": true, "胡同": true, "新区": true, "开发区": true,
	"园区": true, "工业园": true, "广场": true, "公园": true, "市场": true, "局": true,
	"公司": true, "医院": true, "卫生院": true, "学校": true, "中学": true, "小学": true,
	"幼儿园": true, "大学": true, "学院": true, "派出所": true,
}

// maxPlaceStem is how many single characters may precede a place suffix.
const maxPlaceStem = 4

// notStem are single characters that never start or continue a place name.
var notStem = map[string]bool{
	"的": true, "了": true, "在": true, "和": true, "与": true, "及": true, "是": true,
	"不": true, "有": true, "无": true, "被": true, "把": true, "对": true, "向": true,
	"从": true, "给": true, "让": true, "将": true, "为": true, "还": true, "都": true,
	"也": true, "又": true, "再": true, "就": true, "很": true, "太": true, "到": true,
	"去": true, "来": true, "要": true, "请": true, "于": true, "至": true, "由": true,
}

// Segmenter splits text into words using a Dictionary.
type Segmenter struct {
	dict    *Dictionary
	unknown float64 // cost of one character not in the dictionary
}

// NewSegmenter returns a segmenter over d.
func NewSegmenter(d *Dictionary) *Segmenter {
	total := float64(max(d.total, 1))
	// An unknown character is as likely as a word seen a tenth of a time:
	// two known words always beat one unknown character plus one word.
	return &Segmenter{dict: d, unknown: math.Log(total * 10)}
}

var defaultSegmenter = sync.OnceValue(func() *Segmenter { return NewSegmenter(DefaultDictionary()) })

// Default returns the segmenter over DefaultDictionary.
func Default() *Segmenter { return defaultSegmenter() }

// Words normalises s (keeping digits) and segments it with Default.
func Words(s string) []string { return Default().Segment(Normalize(s, KeepDigits)) }

// token is one segment and whether the dictionary knows it.
type token struct {
	text  string
	known bool
	code  bool // a Latin/digit run
}

// Segment splits s into words. Runs of Han characters are segmented by the
// most probable sequence of dictionary words (a unigram model; unknown
// characters stand alone), runs of letters and digits are kept whole, and
// anything else separates words and is dropped. Unknown characters or a
// code right before a place or unit suffix join it ("月湖街道", "a1区").
// Segment does not change case or width: Normalize first.
func (s *Segmenter) Segment(str string) []string {
	toks := s.tokens(str)
	out := make([]string, 0, len(toks))
	for _, t := range mergePlaces(toks) {
		out = append(out, t.text)
	}
	return out
}

// tokens splits str into runs and segments the Han runs. A separator
// between runs is kept as an empty token so that places never merge across it.
func (s *Segmenter) tokens(str string) []token {
	var toks []token
	runes := []rune(str)
	for i := 0; i < len(runes); {
		j := i + 1
		switch r := runes[i]; {
		case IsHan(r):
			for j < len(runes) && IsHan(runes[j]) {
				j++
			}
			toks = append(toks, s.segmentHan(runes[i:j])...)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			for j < len(runes) && !IsHan(runes[j]) && (unicode.IsLetter(runes[j]) || unicode.IsDigit(runes[j])) {
				j++
			}
			toks = append(toks, token{text: string(runes[i:j]), code: true})
		default:
			toks = append(toks, token{})
		}
		i = j
	}
	return toks
}

// segmentHan finds the cheapest split of a Han run by dynamic programming.
func (s *Segmenter) segmentHan(run []rune) []token {
	n := len(run)
	best := make([]float64, n+1)
	from := make([]int, n+1)
	for i := 1; i <= n; i++ {
		best[i] = math.Inf(1)
		for j := max(0, i-s.dict.maxLen); j < i; j++ {
			c, ok := s.dict.cost(string(run[j:i]))
			if !ok {
				if i-j > 1 {
					continue
				}
				c = s.unknown
			}
			if best[j]+c < best[i] {
				best[i], from[i] = best[j]+c, j
			}
		}
	}
	toks := make([]token, 0, n)
	for i := n; i > 0; i = from[i] {
		w := string(run[from[i]:i])
		toks = append(toks, token{text: w, known: s.dict.Contains(w)})
	}
	for l, r := 0, len(toks)-1; l < r; l, r = l+1, r-1 {
		toks[l], toks[r] = toks[r], toks[l]
	}
	return toks
}

// mergePlaces joins a place suffix with the single characters (two to
// maxPlaceStem of them, not function words or suffixes) or the code right
// before it, and drops separators.
func mergePlaces(toks []token) []token {
	out := make([]token, 0, len(toks))
	for _, t := range toks {
		if t.text == "" {
			out = append(out, t)
			continue
		}
		if t.known && placeSuffixes[t.text] {
			k := stemStart(out)
			if k < len(out) {
				stem := ""
				for _, p := range out[k:] {
					stem += p.text
				}
				out = append(out[:k], token{text: stem + t.text, known: true})
				continue
			}
		}
		out = append(out, t)
	}
	kept := out[:0]
	for _, t := range out {
		if t.text != "" {
			kept = append(kept, t)
		}
	}
	return kept
}

// stemStart returns the index in out where a place stem starts, or
// len(out) when there is none: a code just before, or 2..maxPlaceStem
// single characters that may be part of a name.
func stemStart(out []token) int {
	n := len(out)
	if n > 0 && out[n-1].code {
		return n - 1
	}
	k := n
	for k > 0 && n-k < maxPlaceStem && stemChar(out[k-1]) {
		k--
	}
	if n-k < 2 {
		return n
	}
	return k
}

// stemChar reports whether t may be part of a place name's stem.
func stemChar(t token) bool {
	return !t.code && utf8.RuneCountInString(t.text) == 1 && !notStem[t.text] && !placeSuffixes[t.text]
}
