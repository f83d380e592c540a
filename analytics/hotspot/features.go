package hotspot

import (
	"cmp"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"unicode/utf8"

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
	order []int    // position → index in msgs
	inWin []int32  // the indexes in msgs of the messages in the window, ascending
	posOf []int32  // index in msgs → position (for those in the window)
	sets  []uint32 // all sets: position p's is sets[where[p].start:][:where[p].n]
	keys  [][maxKeys]uint32
	where []where
	long  map[int32]int32 // position → length of a set of longSet or more
	mu    sync.Mutex      // guards long
	tally []tally
	df    dfTable
	stop  uint32    // a shingle in more messages than this is not compared
	idfs  []float64 // idf by document frequency
	tfs   []float64 // 1 + ln tf by tf
}

func (ix *index) set(p int) []uint32 {
	w := &ix.where[p]
	n := int(w.n)
	if w.n == longSet {
		n = int(ix.long[int32(p)])
	}
	return ix.sets[w.start:][:n]
}

// where is where a message is, as hashes (0 = none), and, for a position,
// its time and where its set lies in sets: all that comparing a candidate
// reads besides the set, in 64 bytes, one cache line (the candidates lie
// at random in memory). A profile uses only the places and districts.
type where struct {
	places    [maxPlaces]uint64 // the place names' tails, compounds first
	districts [maxAreas]uint64  // street offices, districts and counties ("A3区"; not cities, "A市")
	t         int64             // Unix nanoseconds
	start     int32             // of the set in sets
	n         uint16            // the set's length; longSet: see index.long
	nComp     uint8             // how many of places are compounds (or the given place)
}

// longSet marks a set of this length or more, whose length is kept aside.
const longSet = math.MaxUint16

// newIndex counts the document frequencies and extracts the features.
// Both passes read the messages in their order in msgs, not in time
// order: their texts are then read from memory mostly in sequence, and
// neither result depends on the order.
func newIndex(msgs []Message, order []int, res Result, cfg Config) *index {
	n := len(order)
	ix := &index{msgs: msgs, order: order, keys: make([][maxKeys]uint32, n),
		where: make([]where, n), long: map[int32]int32{}, tally: make([]tally, n)}
	ix.inWin, ix.posOf = inWindow(len(msgs), order)
	w := workers(cfg)
	ix.df = ix.countDF(w)
	ix.weights()
	ix.stop = uint32(min(max(50, cfg.StopShare*float64(n)), math.MaxUint16-1))
	// Each chunk appends its sets in its own region of one array, of room
	// per message; a chunk that outgrows it moves to an array of its own,
	// and then the chunks are joined.
	const room = 24
	all := make([]uint32, room*n)
	chunks := make([][]uint32, w)
	los, moved := make([]int, w), make([]bool, w)
	from, nPeriods := recentFrom(res, cfg), periods(res)
	parallelChunks(n, w, func(c, lo, hi int) {
		var sc scratch
		out := all[room*lo : room*lo : room*hi]
		for _, i := range ix.inWin[lo:hi] {
			p, m := ix.posOf[i], &ix.msgs[i]
			out = ix.extract(int(p), m, &sc, out)
			ix.tally[p] = tallyOf(m, res, nPeriods, from)
		}
		chunks[c], los[c], moved[c] = out, lo, cap(out) != room*(hi-lo)
	})
	inPlace := !slices.Contains(moved, true)
	base := make([]int32, w)
	for c := 1; c < w; c++ {
		base[c] = base[c-1] + int32(len(chunks[c-1]))
		if inPlace {
			base[c] = int32(room * los[c])
		}
	}
	parallelChunks(n, w, func(c, lo, hi int) {
		for _, i := range ix.inWin[lo:hi] { // the offsets were in the chunk
			ix.where[ix.posOf[i]].start += base[c]
		}
	})
	if ix.sets = all; !inPlace {
		ix.sets = slices.Concat(chunks...)
	}
	return ix
}

// inWindow returns the indexes in msgs of the messages of order,
// ascending, and the position of each by its index in msgs.
func inWindow(nMsgs int, order []int) (inWin, posOf []int32) {
	posOf = make([]int32, nMsgs)
	for i := range posOf {
		posOf[i] = -1
	}
	for p, i := range order {
		posOf[i] = int32(p)
	}
	inWin = make([]int32, 0, len(order))
	for i, p := range posOf {
		if p >= 0 {
			inWin = append(inWin, int32(i))
		}
	}
	return inWin, posOf
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
	title, text, given []rune // the message decoded once
	found              found
	names              [maxPlaces][]rune
	districts          [maxAreas][]rune
	place, titleSh     []uint64
	raw                bigramCounts // the text's bigrams
	terms              []term
	set                []counted
}

// decode appends the runes of s to dst[:0], as ranging over s gives them.
// Three-byte sequences that cannot be overlong or surrogates (lead bytes
// E1–EC and EE–EF, which cover all common Han characters) are decoded
// inline; everything else goes through utf8.
func decode(dst []rune, s string) []rune {
	dst = dst[:0]
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c < utf8.RuneSelf:
			dst = append(dst, rune(c))
			i++
		case i+2 < len(s) && c >= 0xE1 && c <= 0xEF && c != 0xED && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80:
			dst = append(dst, rune(c&0x0F)<<12|rune(s[i+1]&0x3F)<<6|rune(s[i+2]&0x3F))
			i += 3
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			dst = append(dst, r)
			i += n
		}
	}
	return dst
}

// placesOf finds the place names in the title and text of m.
func (sc *scratch) placesOf(m *Message) *found {
	sc.title, sc.text = decode(sc.title, m.Title), decode(sc.text, m.Text)
	sc.found.reset()
	sc.found.add(sc.title)
	sc.found.add(sc.text)
	return &sc.found
}

// placeTokensOf returns the place names in the title and text of m.
func placeTokensOf(m *Message) []placeToken {
	var sc scratch
	f := sc.placesOf(m)
	out := make([]placeToken, len(f.toks))
	for k, t := range f.toks {
		out[k] = placeToken{string(f.name(t)), t.level}
	}
	return out
}

type term struct {
	s     uint64
	df    uint32
	score float64
}

// counted is a shingle and the number of messages holding it.
type counted struct {
	s  uint64
	df uint32
}

// extract computes the time, place and blocking keys of position p, whose
// message is m, and appends its set to out. It writes the position's
// entries once, at the end: they lie at random in memory.
func (ix *index) extract(p int, m *Message, sc *scratch, out []uint32) []uint32 {
	var w where
	names, nComp, districts := blockingPlaces(m, sc)
	w.nComp = uint8(nComp)
	for k, d := range districts {
		w.districts[k] = hashRunes(d)
	}
	sc.place = sc.place[:0]
	for k, name := range names {
		if k == 0 && m.Place != "" && !utf8.ValidString(m.Place) {
			w.places[k] = hashString(placeTail(m.Place)) // its bytes, as given
		} else {
			tail, _ := placeTailRunes(name)
			w.places[k] = hashRunes(tail)
		}
		sc.place = appendBigrams(sc.place, name)
	}
	slices.Sort(sc.place)
	sc.titleSh = similar.Shingles(m.Title, sc.titleSh)
	n := bodyTerms
	if len(sc.titleSh) == 0 {
		n = bodyTermsBare
	}
	sc.raw.count(sc.text)
	// The text's bigrams' document frequencies, looked up in one short loop
	// whose reads of the large table overlap.
	for _, k := range sc.raw.used {
		sc.raw.df[k] = int32(ix.df.count(sc.raw.keys[k]))
	}
	sc.set = sc.set[:0]
	for _, s := range sc.titleSh {
		if df, ok := ix.keep(sc, s); ok {
			sc.set = append(sc.set, counted{s, df})
		}
	}
	sc.set = ix.appendTopTerms(sc, n)
	start := len(out)
	var keys [maxKeys]uint32
	out = ix.appendSet(out, sc.set, &keys)
	w.t, w.start = m.Time.UnixNano(), int32(start)
	if n := len(out) - start; n < longSet {
		w.n = uint16(n)
	} else {
		w.n = longSet
		ix.mu.Lock()
		ix.long[int32(p)] = int32(n)
		ix.mu.Unlock()
	}
	ix.where[p], ix.keys[p] = w, keys
	return out
}

// keep reports whether shingle s is compared (it is outside the place
// names and not too common) and returns its document frequency.
func (ix *index) keep(sc *scratch, s uint64) (uint32, bool) {
	if _, inPlace := slices.BinarySearch(sc.place, s); inPlace {
		return 0, false
	}
	df := ix.dfOf(sc, s)
	return df, df <= ix.stop
}

// dfOf returns the document frequency of s, looked up beforehand for the
// bigrams of the text: most of a title's shingles are the text's too, and
// each look-up in the large table is a cache miss.
func (ix *index) dfOf(sc *scratch, s uint64) uint32 {
	if k := sc.raw.find(s); k >= 0 {
		return uint32(sc.raw.df[k])
	}
	return ix.df.count(s)
}

// appendBigrams appends the bigram shingles of the runes of a name.
func appendBigrams(dst []uint64, name []rune) []uint64 {
	var prev rune
	for _, r := range name {
		if prev != 0 {
			dst = append(dst, similar.Bigram(prev, r))
		}
		prev = r
	}
	return dst
}

// bigramCounts counts the bigram shingles of a text: a small open
// addressing table, reused, with the slots in use listed in order of first
// occurrence.
type bigramCounts struct {
	keys []uint64 // 0 = empty (a bigram is never 0)
	n    []int32
	df   []int32 // document frequency, filled by extract
	used []int32
}

// find returns the slot of s, or -1.
func (bc *bigramCounts) find(s uint64) int {
	if len(bc.keys) == 0 {
		return -1
	}
	mask := uint64(len(bc.keys) - 1)
	for k := mix(s) & mask; bc.keys[k] != 0; k = (k + 1) & mask {
		if bc.keys[k] == s {
			return int(k)
		}
	}
	return -1
}

// count fills bc with the Han bigrams of text (CJK ideographs and
// extension A), counting repeats.
func (bc *bigramCounts) count(text []rune) {
	for _, k := range bc.used {
		bc.keys[k], bc.n[k] = 0, 0
	}
	bc.used = bc.used[:0]
	size := 64
	for size < 2*len(text) {
		size <<= 1
	}
	if size > len(bc.keys) {
		bc.keys, bc.n, bc.df = make([]uint64, size), make([]int32, size), make([]int32, size)
	}
	mask := uint64(len(bc.keys) - 1)
	var prev rune
	for _, r := range text {
		if r < 0x3400 || r > 0x9FFF {
			prev = 0
			continue
		}
		if prev != 0 {
			s := similar.Bigram(prev, r)
			k := mix(s) & mask
			for bc.keys[k] != 0 && bc.keys[k] != s {
				k = (k + 1) & mask
			}
			if bc.keys[k] == 0 {
				bc.keys[k] = s
				bc.used = append(bc.used, int32(k))
			}
			bc.n[k]++
		}
		prev = r
	}
}

// appendTopTerms appends to sc.set the n kept bigrams of the text that
// weigh most by (1 + ln tf)·idf, ties by value.
func (ix *index) appendTopTerms(sc *scratch, n int) []counted {
	sc.terms = sc.terms[:0]
	for _, k := range sc.raw.used {
		s := sc.raw.keys[k]
		if df, ok := ix.keep(sc, s); ok && df >= 2 {
			sc.terms = append(sc.terms, term{s, df, ix.tfWeight(int(sc.raw.n[k])) * ix.idfs[df]})
		}
	}
	if len(sc.terms) > n { // only which n matter: appendSet orders them
		slices.SortFunc(sc.terms, func(a, b term) int { return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.s, b.s)) })
		sc.terms = sc.terms[:n]
	}
	for _, t := range sc.terms {
		sc.set = append(sc.set, counted{t.s, t.df})
	}
	return sc.set
}

// tfWeight is 1 + ln tf.
func (ix *index) tfWeight(tf int) float64 {
	if tf < len(ix.tfs) {
		return ix.tfs[tf]
	}
	return 1 + math.Log(float64(tf))
}

// appendSet folds the shingles to 32-bit hashes, appends them sorted and
// distinct to out, and puts the maxKeys rarest ones seen in at least three
// messages in keys, as blocking keys.
func (ix *index) appendSet(out []uint32, set []counted, keys *[maxKeys]uint32) []uint32 {
	start := len(out)
	for _, t := range set {
		out = append(out, uint32(mix(t.s)>>32)|1)
	}
	pickKeys(set, out[start:], keys)
	slices.Sort(out[start:])
	return append(out[:start], slices.Compact(out[start:])...)
}

// pickKeys walks the shingles of set seen in at least three messages,
// rarest first (ties by value), and puts the first maxKeys distinct hashes
// (hs[i] is the hash of set[i]) in keys. It selects rather than sorts:
// only the first few in that order matter.
func pickKeys(set []counted, hs []uint32, keys *[maxKeys]uint32) {
	var used uint64 // bit i: set[i] is walked past (the first 64; a longer set is sorted)
	if len(set) > 64 {
		idx := make([]int, 0, len(set))
		for i, t := range set {
			if t.df >= 3 {
				idx = append(idx, i)
			}
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Or(cmp.Compare(set[a].df, set[b].df), cmp.Compare(set[a].s, set[b].s)) })
		k := 0
		for _, i := range idx {
			if k < maxKeys && !slices.Contains(keys[:k], hs[i]) {
				keys[k] = hs[i]
				k++
			}
		}
		return
	}
	for k := 0; k < maxKeys; {
		next := -1
		for i, t := range set {
			if used&(1<<i) == 0 && t.df >= 3 && (next < 0 || t.df < set[next].df || t.df == set[next].df && t.s < set[next].s) {
				next = i
			}
		}
		if next < 0 {
			return
		}
		used |= 1 << next
		if !slices.Contains(keys[:k], hs[next]) {
			keys[k] = hs[next]
			k++
		}
	}
}

// blockingPlaces returns up to maxPlaces place names of m, the given place
// first, then the names found in the text, finest level first, how many of
// them are the given place or compounds, and up to two districts. The
// slices are sc's, valid until its next use.
func blockingPlaces(m *Message, sc *scratch) (names [][]rune, nComp int, districts [][]rune) {
	names, districts = sc.names[:0], sc.districts[:0]
	if m.Place != "" {
		sc.given = decode(sc.given, m.Place)
		names = append(names, sc.given)
	}
	f := sc.placesOf(m)
	// Districts and street offices (街道, 镇, 乡) cover many compounds: they
	// tell two places apart but do not make one (cities, 市, do neither).
	for _, level := range [...]int{levelStreet, levelDistrict} {
		for _, t := range f.toks {
			if name := f.name(t); t.level == level && name[len(name)-1] != '市' && len(districts) < maxAreas {
				districts = append(districts, name)
			}
		}
	}
	for level := levelCompound; level >= levelRoad && len(names) < maxPlaces; level-- {
		for _, t := range f.toks {
			if name := f.name(t); t.level == level && len(names) < maxPlaces &&
				!slices.ContainsFunc(names, func(o []rune) bool { return slices.Equal(o, name) }) {
				names = append(names, name)
			}
		}
		if level == levelCompound {
			nComp = len(names)
		}
	}
	return names, nComp, districts
}

// hashRunes is hashString of string(rs), without making the string.
func hashRunes(rs []rune) uint64 {
	h := uint64(14695981039346656037)
	var buf [utf8.UTFMax]byte
	for _, r := range rs {
		if uint32(r) < utf8.RuneSelf {
			h = (h ^ uint64(r)) * 1099511628211
			continue
		}
		n := utf8.EncodeRune(buf[:], r)
		for _, c := range buf[:n] {
			h = (h ^ uint64(c)) * 1099511628211
		}
	}
	return h | 1
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

// jaccardAtLeast reports whether the Jaccard similarity |a∩b| / |a∪b| of
// two sorted sets of hashes (0 for two empty sets) is at least threshold,
// stopping the merge once the answer is known: the Jaccard of sets of
// given sizes grows with the overlap n (in floating point too), so it is
// enough to find the least n that reaches the threshold and to count to it.
func jaccardAtLeast(a, b []uint32, threshold float64) bool {
	la, lb := len(a), len(b)
	if la+lb == 0 {
		return 0 >= threshold
	}
	reaches := func(n int) bool { return la+lb-n > 0 && float64(n)/float64(la+lb-n) >= threshold }
	most := min(la, lb)
	need := int(math.Ceil(threshold * float64(la+lb) / (1 + threshold)))
	need = min(max(need, 0), most+1)
	for need > 0 && reaches(need-1) {
		need--
	}
	for need <= most && !reaches(need) {
		need++
	}
	if need > most {
		return false
	}
	n, i, j := 0, 0, 0
	for n < need && n+min(la-i, lb-j) >= need { // without branches on the values
		x, y := a[i], b[j]
		n += b2i(x == y)
		i += b2i(x <= y)
		j += b2i(y <= x)
	}
	return n >= need
}

func b2i(b bool) int {
	if b {
		return 1
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
func (ix *index) idf(s uint64) float64 { return ix.idfs[ix.df.count(s)] }

// weights fills the tables of idf by document frequency and of 1 + ln tf.
func (ix *index) weights() {
	ix.idfs = make([]float64, math.MaxUint16+1)
	for c := range ix.idfs {
		ix.idfs[c] = math.Log(float64(len(ix.order)) / float64(max(uint32(c), 1)))
	}
	ix.tfs = make([]float64, 64)
	for tf := 1; tf < len(ix.tfs); tf++ {
		ix.tfs[tf] = 1 + math.Log(float64(tf))
	}
}

func (ix *index) countDF(w int) dfTable {
	size := 1 << 16
	for size < 64*len(ix.order) && size < 1<<22 {
		size <<= 1
	}
	d := dfTable{counts: make([]uint16, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
	var mu sync.Mutex
	parallelChunks(len(ix.inWin), w, func(_, lo, hi int) {
		local := make([]uint16, size)
		var buf []uint64
		var distinct similar.Distinct // counting needs the set, not its order
		for _, i := range ix.inWin[lo:hi] {
			buf = distinct.Shingles(ix.msgs[i].Text, buf)
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
