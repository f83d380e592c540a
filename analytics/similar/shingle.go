package similar

import (
	"slices"
	"unicode"
)

// Text is compared by character shingles: Chinese has no spaces, so every
// pair of adjacent Han characters is one shingle, and Latin words and numbers
// are one shingle each. A shingle is a uint64: a Han bigram packs its two
// runes exactly (no collisions), a word is an FNV-1a hash with the top bit
// set. A short list of filler bigrams that say nothing about the matter
// (我们, 希望, 反映 …) is dropped.

// wordBit marks a shingle that is a hashed Latin word or number.
const wordBit = 1 << 63

// Bigram returns the shingle of two adjacent Han characters.
func Bigram(a, b rune) uint64 { return uint64(a)<<21 | uint64(b) }

// IsWord reports whether the shingle is a hashed word, not a Han bigram.
func IsWord(s uint64) bool { return s&wordBit != 0 }

// BigramText returns the two characters of a Han bigram shingle.
func BigramText(s uint64) string {
	if IsWord(s) {
		return ""
	}
	return string([]rune{rune(s >> 21), rune(s & (1<<21 - 1))})
}

var fillers = map[uint64]bool{}

// fillerMask has bit mix(s)>>58 set for every filler s: most bigrams are
// rejected without a map lookup.
var fillerMask uint64

func maskBit(s uint64) uint64 { return 1 << ((s * 0x9e3779b97f4a7c15) >> 58) }

func isFiller(s uint64) bool { return fillerMask&maskBit(s) != 0 && fillers[s] }

// isHan is a fast test for the CJK ideograph blocks (unified, extension A,
// compatibility, and the supplementary planes' extensions).
func isHan(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF ||
		r >= 0xF900 && r <= 0xFAFF || r >= 0x20000 && r <= 0x3134F
}

func init() {
	for _, w := range []string{
		"我们", "你们", "他们", "希望", "反映", "请问", "你好", "您好", "领导", "谢谢",
		"相关", "部门", "问题", "一个", "这个", "没有", "现在", "已经", "可以", "进行",
		"什么", "为什么", "是否", "因为", "所以", "但是", "而且", "情况", "要求", "有关",
	} {
		r := []rune(w)
		for i := 0; i+1 < len(r); i++ {
			fillers[Bigram(r[i], r[i+1])] = true
			fillerMask |= maskBit(Bigram(r[i], r[i+1]))
		}
	}
}

// Shingles appends the distinct shingles of text to dst[:0] and returns them
// sorted. Reusing dst avoids an allocation per text.
func Shingles(text string, dst []uint64) []uint64 {
	dst = dst[:0]
	var prev rune   // previous Han character, 0 if none
	var word uint64 // FNV-1a state of the current word
	inWord := false
	flush := func() {
		if inWord {
			dst = append(dst, word|wordBit)
			inWord = false
		}
	}
	for _, r := range text {
		r = fold(r)
		switch {
		case isHan(r):
			flush()
			if prev != 0 {
				if s := Bigram(prev, r); !isFiller(s) {
					dst = append(dst, s)
				}
			}
			prev = r
		case r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			prev = 0
			if !inWord {
				word, inWord = 14695981039346656037, true
			}
			word = (word ^ uint64(r)) * 1099511628211
		default:
			prev = 0
			flush()
		}
	}
	flush()
	slices.Sort(dst)
	return slices.Compact(dst)
}

// fold maps full-width ASCII to half-width and upper to lower case.
func fold(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		r -= 0xFEE0
	}
	if r >= 'A' && r <= 'Z' {
		r += 'a' - 'A'
	}
	return r
}

// Overlap returns the size of the intersection of two sorted shingle sets.
func Overlap(a, b []uint64) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n, i, j = n+1, i+1, j+1
		}
	}
	return n
}

// Jaccard returns |a∩b| / |a∪b| of two sorted shingle sets (0 when both are empty).
func Jaccard(a, b []uint64) float64 {
	n := Overlap(a, b)
	if u := len(a) + len(b) - n; u > 0 {
		return float64(n) / float64(u)
	}
	return 0
}
