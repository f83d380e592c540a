package similar

import (
	"math/bits"
	"slices"
	"unicode/utf8"
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

// fillerTab is a perfect hash table of the filler bigrams: filler s is in
// slot fillerSlot(s), which a multiplier found at init makes distinct for
// every filler, and every other slot is 0 (a bigram is never 0). Testing a
// bigram is then one read and one comparison, with no branch to mispredict.
// Only the first 1<<fillerBits slots are used: 512 for the 30 fillers.
var (
	fillerTab  [1 << fillerMaxBits]uint64
	fillerMul  uint64
	fillerBits uint
)

const fillerMaxBits = 12

func fillerSlot(s, mul uint64, nbits uint) uint64 {
	return (s * mul) >> (64 - nbits) & (1<<fillerMaxBits - 1)
}

func isFiller(s uint64) bool { return fillerTab[fillerSlot(s, fillerMul, fillerBits)] == s }

// buildFillers fills fillerTab with the bigrams of fillerWords, in the
// smallest table (from 512 slots) for which one of the first 4,096 odd
// multipliers tried gives every filler a slot of its own. It reports
// whether there was one: with 30 fillers about two multipliers in five do
// at 512 slots.
func buildFillers() bool {
	var fs []uint64
	for _, w := range fillerWords {
		r := []rune(w)
		for i := 0; i+1 < len(r); i++ {
			if s := Bigram(r[i], r[i+1]); !slices.Contains(fs, s) {
				fs = append(fs, s)
			}
		}
	}
	for nbits := uint(9); nbits <= fillerMaxBits; nbits++ {
		for k := range uint64(4096) {
			mul := 0x9e3779b97f4a7c15 * (2*k + 1)
			clear(fillerTab[:])
			ok := true
			for _, s := range fs {
				slot := &fillerTab[fillerSlot(s, mul, nbits)]
				ok = ok && *slot == 0
				*slot = s
			}
			if ok {
				fillerMul, fillerBits = mul, nbits
				return true
			}
		}
	}
	return false
}

// fillerWords are the words whose bigrams are fillers.
var fillerWords = []string{
	"我们", "你们", "他们", "希望", "反映", "请问", "你好", "您好", "领导", "谢谢",
	"相关", "部门", "问题", "一个", "这个", "没有", "现在", "已经", "可以", "进行",
	"什么", "为什么", "是否", "因为", "所以", "但是", "而且", "情况", "要求", "有关",
}

// isHan is a fast test for the CJK ideograph blocks (unified, extension A,
// compatibility, and the supplementary planes' extensions).
func isHan(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF ||
		r >= 0xF900 && r <= 0xFAFF || r >= 0x20000 && r <= 0x3134F
}

func init() {
	if !buildFillers() {
		// Only a far longer fillerWords can get here, and the package's
		// tests then fail at once: a bug in a constant, like a bad regexp
		// in regexp.MustCompile.
		panic("similar: no perfect hash for the filler bigrams; raise fillerMaxBits")
	}
}

// Shingles appends the distinct shingles of text to dst[:0] and returns them
// sorted. Reusing dst avoids an allocation per text.
func Shingles(text string, dst []uint64) []uint64 {
	dst = appendAll(text, dst[:0])
	slices.Sort(dst)
	return slices.Compact(dst)
}

// appendAll appends the shingles of text to dst in the order they occur,
// repeats included.
func appendAll(text string, dst []uint64) []uint64 {
	var prev rune   // previous Han character, 0 if none
	var word uint64 // FNV-1a state of the current word
	inWord := false
	for i := 0; i < len(text); {
		// The runes of ranging over text: ASCII and the three-byte
		// sequences that cannot be overlong or surrogates (lead bytes
		// E1–EC and EE–EF: all common Han and the full-width forms) are
		// decoded inline, everything else by utf8.
		var r rune
		switch c := text[i]; {
		case c < utf8.RuneSelf:
			r = rune(c)
			i++
		case i+2 < len(text) && c >= 0xE1 && c <= 0xEF && c != 0xED && text[i+1]&0xC0 == 0x80 && text[i+2]&0xC0 == 0x80:
			r = rune(c&0x0F)<<12 | rune(text[i+1]&0x3F)<<6 | rune(text[i+2]&0x3F)
			i += 3
		default:
			var n int
			r, n = utf8.DecodeRuneInString(text[i:])
			i += n
		}
		r = fold(r)
		switch {
		case isHan(r):
			if inWord {
				dst, inWord = append(dst, word|wordBit), false
			}
			if prev != 0 {
				if s := Bigram(prev, r); !isFiller(s) {
					dst = append(dst, s)
				}
			}
			prev = r
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9': // fold leaves no A–Z
			prev = 0
			if !inWord {
				word, inWord = 14695981039346656037, true
			}
			word = (word ^ uint64(r)) * 1099511628211
		default:
			prev = 0
			if inWord {
				dst, inWord = append(dst, word|wordBit), false
			}
		}
	}
	if inWord {
		dst = append(dst, word|wordBit)
	}
	return dst
}

// Distinct finds the distinct shingles of texts without sorting them, for
// callers that only count or look up shingles (document frequencies): it
// keeps a small open-addressing set that it reuses from text to text. The
// zero Distinct is ready to use; it is not safe for concurrent use.
type Distinct struct {
	slots []distinctSlot
	gen   uint32 // slot k is in use for the current text iff slots[k].gen == gen
}

type distinctSlot struct {
	s   uint64
	gen uint32
}

// Shingles appends the distinct shingles of text to dst[:0] in the order of
// their first occurrence: the set of Shingles(text), unsorted.
func (d *Distinct) Shingles(text string, dst []uint64) []uint64 {
	dst = appendAll(text, dst[:0])
	if len(dst) < 2 {
		return dst
	}
	size := 64
	for size < 2*len(dst) {
		size <<= 1
	}
	if size > len(d.slots) {
		d.slots, d.gen = make([]distinctSlot, size), 0
	}
	if d.gen++; d.gen == 0 { // wrapped: forget every earlier text
		clear(d.slots)
		d.gen = 1
	}
	// Only the first size slots, however many a long text once needed:
	// the stamps tell this text's entries from any earlier text's.
	slots, gen := d.slots[:size], d.gen
	shift := 64 - uint(bits.TrailingZeros(uint(size)))
	n := 0
	for _, s := range dst {
		k := (s * 0x9e3779b97f4a7c15) >> shift
		for slots[k].gen == gen && slots[k].s != s {
			k = (k + 1) & uint64(size-1)
		}
		if slots[k].gen != gen {
			slots[k] = distinctSlot{s, gen}
			dst[n] = s
			n++
		}
	}
	return dst[:n]
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
