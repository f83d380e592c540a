package hotspot

import (
	"cmp"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/cityhotline/hotline/analytics/similar"
)

// What a message is about is a small set of shingles: those of its title
// (or, without a title, nothing) and the bodyTerms shingles of its text that
// weigh most by tf·idf, less the shingles of its place names and those too
// common to tell matters apart. Long texts on one matter share few of all
// their shingles (a Jaccard of 0.05 on the Teddy Cup 2020 clusters, hardly
// above unrelated pairs) but many of these (0.12 against 0.05).
const (
	bodyTerms     = 8  // tf·idf terms of the text added to the title's shingles
	bodyTermsBare = 16 // the same when there is no title
	maxPlaces     = 3  // place names per message used for blocking
	maxKeys       = 4  // rarest shingles per message used for blocking
	maxAreas      = 3  // street offices and districts per message
)

// index holds the features of the messages in the window, by position in
// time order.
type index struct {
	msgs  []Message
	order []int // position → index in msgs
	t     []int64
	sets  []uint32 // all sets back to back: position p is sets[off[p]:off[p+1]]
	off   []int32
	keys  [][maxKeys]uint32
	where []where
	df    dfTable
	stop  uint32 // a shingle in more messages than this is not compared
}

func (ix *index) set(p int) []uint32 { return ix.sets[ix.off[p]:ix.off[p+1]] }

// where is where a message is, as hashes (0 = none).
type where struct {
	places    [maxPlaces]uint64 // the place names' tails, compounds first
	nComp     uint8             // how many of places are compounds (or the given place)
	districts [maxAreas]uint64  // street offices, districts and counties ("A3区"; not cities, "A市")
}

func newIndex(msgs []Message, order []int, cfg Config) *index {
	n := len(order)
	ix := &index{msgs: msgs, order: order, t: make([]int64, n), off: make([]int32, n+1),
		keys: make([][maxKeys]uint32, n), where: make([]where, n)}
	w := workers(cfg)
	ix.df = countDF(msgs, order, w)
	ix.stop = uint32(min(max(50, cfg.StopShare*float64(n)), math.MaxUint16-1))
	chunks := make([][]uint32, w)
	parallelChunks(n, w, func(c, lo, hi int) {
		var sc scratch
		out := make([]uint32, 0, 24*(hi-lo))
		for p := lo; p < hi; p++ {
			before := len(out)
			out = ix.extract(p, &sc, out)
			ix.off[p+1] = int32(len(out) - before) // length for now
		}
		chunks[c] = out
	})
	for p := range n {
		ix.off[p+1] += ix.off[p]
	}
	ix.sets = slices.Concat(chunks...)
	return ix
}

func workers(cfg Config) int {
	if cfg.Workers > 0 {
		return cfg.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// parallelChunks runs f over [0,n) split into at most w contiguous chunks,
// in order, and returns when all are done. Small inputs run in one chunk.
func parallelChunks(n, w int, f func(chunk, lo, hi int)) {
	if n < 1000 || w < 2 {
		f(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	step := (n + w - 1) / w
	for c, lo := 0, 0; lo < n; c, lo = c+1, lo+step {
		wg.Go(func() { f(c, lo, min(lo+step, n)) })
	}
	wg.Wait()
}

// scratch is the reusable memory of one extracting goroutine.
type scratch struct {
	text, title, place, set, top []uint64
	terms                        []term
	runes                        []rune
	found                        []placeToken
}

// placesOf returns the place names in the title and text of m.
func (sc *scratch) placesOf(m *Message) []placeToken {
	sc.found = sc.found[:0]
	for _, s := range [2]string{m.Title, m.Text} {
		sc.runes = sc.runes[:0]
		for _, r := range s {
			sc.runes = append(sc.runes, r)
		}
		sc.found = appendPlaces(sc.found, sc.runes)
	}
	return sc.found
}

type term struct {
	s     uint64
	score float64
}

// extract computes the time, place and blocking keys of position p and
// appends its set to out.
func (ix *index) extract(p int, sc *scratch, out []uint32) []uint32 {
	m := &ix.msgs[ix.order[p]]
	ix.t[p] = m.Time.UnixNano()
	w := &ix.where[p]
	names, nComp, districts := blockingPlaces(m, sc)
	w.nComp = uint8(nComp)
	for k, d := range districts {
		w.districts[k] = hashString(d)
	}
	sc.place = sc.place[:0]
	for k, name := range names {
		w.places[k] = hashString(placeTail(name))
		sc.place = appendBigrams(sc.place, name)
	}
	slices.Sort(sc.place)
	keep := func(s uint64) bool {
		_, inPlace := slices.BinarySearch(sc.place, s)
		return !inPlace && ix.df.count(s) <= ix.stop
	}
	sc.title = similar.Shingles(m.Title, sc.title)
	n := bodyTerms
	if len(sc.title) == 0 {
		n = bodyTermsBare
	}
	sc.text = rawShingles(m.Text, sc.text)
	sc.set = sc.set[:0]
	for _, s := range sc.title {
		if keep(s) {
			sc.set = append(sc.set, s)
		}
	}
	sc.set = append(sc.set, ix.topTerms(sc, n, keep)...)
	return ix.appendSet(out, sc.set, &ix.keys[p], sc.terms)
}

// appendBigrams appends the Han bigram shingles of s.
func appendBigrams(dst []uint64, s string) []uint64 {
	var prev rune
	for _, r := range s {
		if prev != 0 {
			dst = append(dst, similar.Bigram(prev, r))
		}
		prev = r
	}
	return dst
}

// rawShingles returns the shingles of text with repeats, sorted.
func rawShingles(text string, dst []uint64) []uint64 {
	dst = dst[:0]
	var prev rune
	for _, r := range text {
		if r >= 0x3400 && r <= 0x9FFF { // CJK ideographs (and extension A)
			if prev != 0 {
				dst = append(dst, similar.Bigram(prev, r))
			}
			prev = r
		} else {
			prev = 0
		}
	}
	slices.Sort(dst)
	return dst
}

// topTerms returns the n kept shingles of sc.text that weigh most by
// (1 + ln tf)·idf, ties by value.
func (ix *index) topTerms(sc *scratch, n int, keep func(uint64) bool) []uint64 {
	sc.terms = sc.terms[:0]
	for i := 0; i < len(sc.text); {
		j := i
		for j < len(sc.text) && sc.text[j] == sc.text[i] {
			j++
		}
		if s := sc.text[i]; ix.df.count(s) >= 2 && keep(s) {
			sc.terms = append(sc.terms, term{s, (1 + math.Log(float64(j-i))) * ix.idf(s)})
		}
		i = j
	}
	slices.SortFunc(sc.terms, func(a, b term) int { return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.s, b.s)) })
	sc.top = sc.top[:0]
	for _, t := range sc.terms[:min(n, len(sc.terms))] {
		sc.top = append(sc.top, t.s)
	}
	return sc.top
}

// appendSet folds the shingles to 32-bit hashes, appends them sorted and
// distinct to out, and puts the maxKeys rarest ones seen in at least three
// messages in keys, as blocking keys.
func (ix *index) appendSet(out []uint32, set []uint64, keys *[maxKeys]uint32, byDF []term) []uint32 {
	byDF = byDF[:0]
	for _, s := range set {
		byDF = append(byDF, term{s, float64(ix.df.count(s))})
	}
	slices.SortFunc(byDF, func(a, b term) int { return cmp.Or(cmp.Compare(a.score, b.score), cmp.Compare(a.s, b.s)) })
	k, start := 0, len(out)
	for _, t := range byDF {
		h := uint32(mix(t.s)>>32) | 1
		out = append(out, h)
		if k < maxKeys && t.score >= 3 && !slices.Contains(keys[:k], h) {
			keys[k] = h
			k++
		}
	}
	slices.Sort(out[start:])
	return append(out[:start], slices.Compact(out[start:])...)
}

// blockingPlaces returns up to maxPlaces place names of m, the given place
// first, then the names found in the text, finest level first, how many of
// them are the given place or compounds, and up to two districts.
func blockingPlaces(m *Message, sc *scratch) (names []string, nComp int, districts []string) {
	if m.Place != "" {
		names = append(names, m.Place)
	}
	found := sc.placesOf(m)
	// Districts and street offices (街道, 镇, 乡) cover many compounds: they
	// tell two places apart but do not make one (cities, 市, do neither).
	for _, level := range []int{levelStreet, levelDistrict} {
		for _, p := range found {
			if p.level == level && !strings.HasSuffix(p.name, "市") && len(districts) < maxAreas {
				districts = append(districts, p.name)
			}
		}
	}
	for level := levelCompound; level >= levelRoad && len(names) < maxPlaces; level-- {
		for _, p := range found {
			if p.level == level && len(names) < maxPlaces && !slices.Contains(names, p.name) {
				names = append(names, p.name)
			}
		}
		if level == levelCompound {
			nComp = len(names)
		}
	}
	return names, nComp, districts
}

// hashString is FNV-1a, never 0.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h | 1
}

// mix is the splitmix64 finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// jaccard of two sorted sets of hashes.
func jaccard(a, b []uint32) float64 {
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
	if u := len(a) + len(b) - n; u > 0 {
		return float64(n) / float64(u)
	}
	return 0
}

// dfTable counts in how many messages each shingle occurs, in a fixed table
// of saturating 16-bit counts indexed by hash (8 MB at most, to stay in
// cache): a rare collision only overstates a count.
type dfTable struct {
	counts []uint16
	shift  uint
}

func (d dfTable) count(s uint64) uint32 { return uint32(d.counts[mix(s)>>d.shift]) }

// idf is ln(messages ÷ messages with the shingle).
func (ix *index) idf(s uint64) float64 {
	return math.Log(float64(len(ix.order)) / float64(max(ix.df.count(s), 1)))
}

func countDF(msgs []Message, order []int, w int) dfTable {
	size := 1 << 16
	for size < 64*len(order) && size < 1<<22 {
		size <<= 1
	}
	d := dfTable{counts: make([]uint16, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
	var mu sync.Mutex
	parallelChunks(len(order), w, func(_, lo, hi int) {
		local := make([]uint16, size)
		var buf []uint64
		for _, i := range order[lo:hi] {
			buf = similar.Shingles(msgs[i].Text, buf)
			for _, s := range buf {
				if c := &local[mix(s)>>d.shift]; *c < math.MaxUint16 {
					*c++
				}
			}
		}
		mu.Lock()
		for k, c := range local {
			d.counts[k] = uint16(min(uint32(d.counts[k])+uint32(c), math.MaxUint16))
		}
		mu.Unlock()
	})
	return d
}
