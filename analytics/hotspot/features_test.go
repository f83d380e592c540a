package hotspot

import (
	"cmp"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"unsafe"
)

// decodeSamples are texts whose decoding has edge cases: every length of
// UTF-8 sequence, the lead bytes E0 and ED (overlong forms and surrogates),
// truncated and stray continuation bytes.
var decodeSamples = []string{
	"", "abc", "幸福里小区暖气不热", "Ａ３区ｘ", "é中😀", "\xe0\xa0\x80", "\xe0\x80\x80", "\xed\x9f\xbf",
	"\xed\xa0\x80", "\xe4\xb8", "\xe4", "\x80\x80", "中\xff文", "\xef\xbf\xbf", "\xf4\x90\x80\x80", "a\xe4\xb8\xadb",
}

func TestDecodeAsRange(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	samples := slices.Clone(decodeSamples)
	for range 2000 { // random bytes, biased to lead and continuation bytes
		b := make([]byte, r.IntN(12))
		for k := range b {
			b[k] = []byte{0x41, 0x80, 0xBF, 0xA0, 0xE0, 0xE4, 0xED, 0xEF, 0xF0, 0xFF}[r.IntN(10)]
		}
		samples = append(samples, string(b))
	}
	for _, s := range samples {
		checkDecode(t, s)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range decodeSamples {
		f.Add(s)
	}
	f.Fuzz(checkDecode)
}

func checkDecode(t *testing.T, s string) {
	var want []rune
	for _, r := range s {
		want = append(want, r)
	}
	got := decode(nil, s)
	if !slices.Equal(got, want) {
		t.Fatalf("decode(%q) = %U, want %U", s, got, want)
	}
	if hashRunes(got) != hashString(string(got)) {
		t.Fatalf("hashRunes(%q) differs from hashString", s)
	}
}

func TestHashRunesOfInvalidRunes(t *testing.T) {
	rs := []rune{'a', 0xD800, -1, 0x110000, '区', 0x1F600}
	if hashRunes(rs) != hashString(string(rs)) {
		t.Errorf("hashRunes(%U) differs from hashString", rs)
	}
}

// TestPlacesFoldDistrictCase: a lower-case district code is the upper-case
// one, found once.
func TestPlacesFoldDistrictCase(t *testing.T) {
	var got []string
	for _, p := range places("a3区暖气，A3区供暖，b2县") {
		got = append(got, p.name)
	}
	if want := []string{"A3区", "B2县"}; !slices.Equal(got, want) {
		t.Errorf("places = %v, want %v", got, want)
	}
}

// TestPickKeys compares pickKeys with walking the whole set sorted by
// (df, value), on random sets with repeats, hash collisions and sets
// longer than 64.
func TestPickKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 3000 {
		set := make([]counted, r.IntN(90))
		hs := make([]uint32, len(set))
		for i := range set {
			set[i] = counted{uint64(r.IntN(40)), uint32(r.IntN(6))}
			if i > 0 && r.IntN(5) == 0 {
				set[i] = set[r.IntN(i)] // a title shingle also among the terms
			}
			hs[i] = uint32(set[i].s%25) | 1 // collisions too
		}
		idx := make([]int, len(set))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			if set[a].df != set[b].df {
				return int(set[a].df) - int(set[b].df)
			}
			return int(set[a].s) - int(set[b].s)
		})
		var want [maxKeys]uint32
		k := 0
		for _, i := range idx {
			if k < maxKeys && set[i].df >= 3 && !slices.Contains(want[:k], hs[i]) {
				want[k] = hs[i]
				k++
			}
		}
		var got [maxKeys]uint32
		pickKeys(set, hs, &got)
		if got != want {
			t.Fatalf("pickKeys(%v) = %v, want %v", set, got, want)
		}
	}
}

func TestNotNameKeys(t *testing.T) {
	for n := range notNames {
		if !notNameKeys.has(packRunes([]rune(n))) {
			t.Errorf("%s not in notNameKeys", n)
		}
	}
	for _, n := range []string{"幸福", "人民", "阳光花", "建设", "a3", ""} {
		if notNameKeys.has(packRunes([]rune(n))) {
			t.Errorf("%q in notNameKeys", n)
		}
	}
}

// TestSortByTime checks the radix sort against a stable sort, on times
// with ties, negative times and spans of every width.
func TestSortByTime(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for _, span := range []int64{0, 1, 1000, 1 << 30, 1 << 52, 1<<62 + 12345} {
		es := make([]entry, 3000)
		for i := range es {
			es[i] = entry{r.Int64N(span+1) - span/2, i}
			if i > 0 && r.IntN(4) == 0 {
				es[i].t = es[r.IntN(i)].t
			}
		}
		want := slices.Clone(es)
		slices.SortStableFunc(want, func(a, b entry) int { return cmp.Compare(a.t, b.t) })
		if got := sortByTime(es); !slices.Equal(got, want) {
			t.Fatalf("span %d: radix sort differs from a stable sort", span)
		}
	}
	extremes := []entry{{math.MaxInt64, 0}, {math.MinInt64, 1}, {0, 2}, {math.MinInt64, 3}}
	got := sortByTime(slices.Clone(extremes))
	if want := []entry{{math.MinInt64, 1}, {math.MinInt64, 3}, {0, 2}, {math.MaxInt64, 0}}; !slices.Equal(got, want) {
		t.Errorf("extremes: %v, want %v", got, want)
	}
}

func TestWhereIsOneCacheLine(t *testing.T) {
	if n := unsafe.Sizeof(where{}); n != 64 {
		t.Errorf("where is %d bytes, want 64", n)
	}
}

// TestLongSet: a title with more distinct shingles than a where holds the
// length of keeps its whole set.
func TestLongSet(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 11))
	title := make([]rune, 70_000)
	for i := range title {
		title[i] = rune(0x4E00 + r.IntN(0x5000))
	}
	msgs := corpus()
	msgs[0].Title = string(title)
	msgs[0].Text = msgs[0].Title + msgs[0].Text
	cfg := weekConfig().withDefaults()
	order, from, to := window(msgs, cfg)
	res := Result{From: from, To: to, Period: period(from, to, cfg)}
	ix := newIndex(msgs, order, res, cfg)
	p := slices.Index(order, 0)
	set := ix.set(p)
	if ix.where[p].n != longSet || len(set) < longSet || len(set) != int(ix.long[int32(p)]) {
		t.Fatalf("long set: n %d, %d shingles", ix.where[p].n, len(set))
	}
	if !slices.IsSorted(set) || len(slices.Compact(slices.Clone(set))) != len(set) {
		t.Errorf("long set not sorted and distinct")
	}
	if q := slices.Index(order, 1); len(ix.set(q)) == 0 || len(ix.set(q)) > 40 {
		t.Errorf("the next message's set has %d shingles", len(ix.set(q)))
	}
}

// TestJaccardAtLeast compares the early-stopping test with jaccard on
// random sets and thresholds, the exact boundaries among them.
func TestJaccardAtLeast(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	set := func() []uint32 {
		s := make([]uint32, r.IntN(30))
		for i := range s {
			s[i] = uint32(r.IntN(60))<<1 | 1 // shingle hashes are odd
		}
		slices.Sort(s)
		return slices.Compact(s)
	}
	for range 20000 {
		a, b := set(), set()
		thresholds := []float64{0, 0.1, 0.2, 0.05, 0.5, 1, 1.5, r.Float64()}
		if j := jaccard(a, b); j > 0 {
			thresholds = append(thresholds, j, math.Nextafter(j, 2), math.Nextafter(j, 0))
		}
		for _, th := range thresholds {
			if got, want := jaccardAtLeast(a, b, th), jaccard(a, b) >= th; got != want {
				t.Fatalf("jaccardAtLeast(%v, %v, %v) = %v, want %v", a, b, th, got, want)
			}
		}
	}
}

// TestWorkersAgree: the result does not depend on how many goroutines
// extract and check, also when a chunk outgrows its room for sets.
func TestWorkersAgree(t *testing.T) {
	msgs := goldenCorpus()
	long := make([]rune, 60_000) // its set outgrows the room of its chunk
	r := rand.New(rand.NewPCG(14, 15))
	for i := range long {
		long[i] = rune(0x4E00 + r.IntN(0x5000))
	}
	msgs[2].Title = string(long)
	msgs[2].Text = msgs[2].Title
	want := Find(msgs, Config{Workers: 1, Top: 50})
	for _, w := range []int{2, 3, 7} {
		if got := Find(msgs, Config{Workers: w, Top: 50}); !reflect.DeepEqual(got, want) {
			t.Errorf("%d workers: the result differs from one worker's", w)
		}
	}
}

// jaccard of two sorted sets of hashes: the reference for jaccardAtLeast.
func jaccard(a, b []uint32) float64 {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) { // without branches on the values
		x, y := a[i], b[j]
		n += b2i(x == y)
		i += b2i(x <= y)
		j += b2i(y <= x)
	}
	if u := len(a) + len(b) - n; u > 0 {
		return float64(n) / float64(u)
	}
	return 0
}
