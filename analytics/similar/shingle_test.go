package similar

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
)

// shinglesRef is Shingles as it was before the inline decoder, the filler
// table and Distinct: range over the text, unicode's letter and digit tests,
// a map of fillers. The faster forms are tested against it.
func shinglesRef(text string) []uint64 {
	fillers := refFillers()
	var dst []uint64
	var prev rune
	var word uint64
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
				if s := Bigram(prev, r); !fillers[s] {
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

var refFillers = sync.OnceValue(func() map[uint64]bool {
	fillers := map[uint64]bool{}
	for _, w := range fillerWords {
		r := []rune(w)
		for i := 0; i+1 < len(r); i++ {
			fillers[Bigram(r[i], r[i+1])] = true
		}
	}
	return fillers
})

// shingleTexts are texts that reach every branch: Han of each block,
// fillers, full-width letters and digits, words split by Han, and broken,
// overlong and surrogate UTF-8 next to Han.
var shingleTexts = []string{
	"",
	"暖",
	"暖气不热，ＡＢ 12号楼",
	"我们希望有关部门尽快处理，为什么没有人管？",
	"Room12B暖气abc暖气abc ABC Ｒｏｏｍ１２ｂ",
	"幸福里小区暖气不热幸福里小区暖气不热了",
	"㐀㐁䶿一丁鿿\uf900\ufaff𠀀𠀁\U0003134f",
	"\xe5\x9b\x9b\xe5\x9b",             // one Han and a cut one
	"暖\xff气\xe0\x80\x80不\xed\xa0\x80热", // invalid, overlong, surrogate
	"暖\xe5气\xe5\x9b不\xc3热\xf0\x9f\x98\x80了",
	"a\u00e9b ﬁ ǅ Ⅻ ① ٣ 𝟘",
	"\x00\x7f\u3000\u3001\u30a2\uff01\uff5e\uff5f\uffe5",
	strings.Repeat("路灯不亮晚上很黑", 200),
}

func TestShinglesAgreeWithReference(t *testing.T) {
	var d Distinct
	var buf, dbuf []uint64
	check := func(text string) {
		t.Helper()
		want := shinglesRef(text)
		buf = Shingles(text, buf)
		if !slices.Equal(buf, want) {
			t.Fatalf("Shingles(%q) = %v, want %v", text, buf, want)
		}
		dbuf = d.Shingles(text, dbuf)
		if !sameSet(dbuf, want) {
			t.Fatalf("Distinct.Shingles(%q) = %v, want the set %v", text, dbuf, want)
		}
	}
	for _, text := range shingleTexts {
		check(text)
	}
	// Random texts drawn from the pieces above and single runes, long and
	// short, through one Distinct: its table grows and is reused.
	r := rand.New(rand.NewPCG(1, 2))
	pieces := append(slices.Clone(shingleTexts[1:len(shingleTexts)-1]), fillerWords...)
	for range 3000 {
		var sb strings.Builder
		for range r.IntN(1 << r.IntN(9)) {
			if r.IntN(3) == 0 {
				sb.WriteString(pieces[r.IntN(len(pieces))])
			} else {
				sb.WriteRune(rune(r.IntN(0x10000)))
			}
		}
		check(sb.String())
	}
}

// sameSet reports whether got holds each shingle of the sorted set want
// once, in any order.
func sameSet(got, want []uint64) bool {
	sorted := slices.Sorted(slices.Values(got))
	return slices.Equal(sorted, want)
}

func TestDistinctFirstOccurrence(t *testing.T) {
	var d Distinct
	got := d.Shingles("不热暖气不热abc暖气", nil)
	want := []uint64{Bigram('不', '热'), Bigram('热', '暖'), Bigram('暖', '气'), Bigram('气', '不'), shinglesRef("abc")[0]}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestDistinctGenerationWrap(t *testing.T) {
	var d Distinct
	d.Shingles("暖气不热", nil)
	d.gen = ^uint32(0) // the next text wraps the generation
	got := d.Shingles("暖气不热", nil)
	if !sameSet(got, shinglesRef("暖气不热")) {
		t.Errorf("after the wrap: got %v", got)
	}
	if got := d.Shingles("路灯", nil); len(got) != 1 || BigramText(got[0]) != "路灯" {
		t.Errorf("a text after the wrap: got %v", got)
	}
}

func TestFillerTable(t *testing.T) {
	n := 0
	for _, s := range fillerTab {
		if s != 0 {
			n++
		}
	}
	want := refFillers()
	if n != len(want) {
		t.Errorf("filler table holds %d bigrams, want %d", n, len(want))
	}
	if fillerBits != 9 { // as its comment says, for this list
		t.Errorf("filler table of %d slots for %d fillers, want 512", 1<<fillerBits, len(want))
	}
	t.Logf("%d fillers in %d slots, multiplier %#x", len(want), 1<<fillerBits, fillerMul)
	for s := range want {
		if !isFiller(s) {
			t.Errorf("%s is not a filler", BigramText(s))
		}
	}
	// Every bigram of the first 2,000 common ideographs against the map.
	for a := rune(0x4E00); a < 0x4E00+2000; a++ {
		for _, b := range []rune{'们', '望', '映', '题', '么', a} {
			if s := Bigram(a, b); isFiller(s) != want[s] {
				t.Fatalf("isFiller(%s) = %v", BigramText(s), !want[s])
			}
		}
	}
}

func FuzzShingles(f *testing.F) {
	for _, text := range shingleTexts {
		f.Add(text)
	}
	var d Distinct
	f.Fuzz(func(t *testing.T, text string) {
		want := shinglesRef(text)
		if got := Shingles(text, nil); !slices.Equal(got, want) {
			t.Fatalf("Shingles(%q) = %v, want %v", text, got, want)
		}
		if got := d.Shingles(text, nil); !sameSet(got, want) {
			t.Fatalf("Distinct.Shingles(%q) = %v, want the set %v", text, got, want)
		}
	})
}

// benchTexts are 1,000 hotline-like messages: a district, a compound, a
// matter and a filler phrase, like analytics/hotspot's benchmark corpus.
func benchTexts() []string {
	r := rand.New(rand.NewPCG(7, 11))
	syll := []rune("安宝北滨城春翠大德东芳丰福富港光广海和河华佳嘉建江金锦景康丽林龙绿美明南鹏平秋瑞山")
	matters := []string{"暖气不热", "夜间施工噪音扰民", "路灯坏了晚上很黑", "电梯经常停运", "垃圾桶满了没人收",
		"自来水水压低", "小区停车难", "烧烤油烟直排", "物业不作为", "私搭乱建"}
	fillers := []string{"请尽快处理", "希望有关部门解决", "已经持续好几天了", "多次反映没有结果", "影响居民生活", ""}
	texts := make([]string, 1000)
	for i := range texts {
		texts[i] = fmt.Sprintf("%c%d区%c%c%c小区%d号楼%s，%s", 'A'+r.IntN(3), 1+r.IntN(6),
			syll[r.IntN(len(syll))], syll[r.IntN(len(syll))], syll[r.IntN(len(syll))], 1+r.IntN(30),
			matters[r.IntN(len(matters))], fillers[r.IntN(len(fillers))])
	}
	return texts
}

func BenchmarkShingles(b *testing.B) {
	texts := benchTexts()
	var buf []uint64
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		buf = Shingles(texts[i%len(texts)], buf)
	}
}

func BenchmarkShinglesRef(b *testing.B) {
	texts := benchTexts()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		shinglesRef(texts[i%len(texts)])
	}
}

func BenchmarkDistinct(b *testing.B) {
	texts := benchTexts()
	var d Distinct
	var buf []uint64
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		buf = d.Shingles(texts[i%len(texts)], buf)
	}
}
