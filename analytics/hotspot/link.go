package hotspot

import "slices"

// Blocking: each position is compared with the Neighbours most recent
// earlier positions that share a key with it: one of its place names (by
// tail) or one of its maxKeys rarest shingles. A sweep walks the positions
// in time order with a hash table from key to a key number, and lists the
// entries (position, key slot) of each key in time order, back to back:
// an entry's earlier positions with the same key lie just before it.

// link joins similar positions and returns the groups (positions in time
// order) of at least MinSize. The sweep lists the chains in two passes;
// the candidate pairs along them are then checked in parallel and joined in
// position order (the components do not depend on the order).
func (ix *index) link(cfg Config) [][]int {
	ch := ix.chains()
	uf := newUnionFind(len(ix.order))
	for _, e := range ix.candidateEdges(ch, cfg) {
		uf.union(int(e[0]), int(e[1]))
	}
	ix.attach(uf, uf.groups(2), cfg)
	return uf.groups(cfg.MinSize)
}

// candidateEdges returns the similar pairs (q, p), q earlier, among the
// Neighbours latest earlier positions on each of p's chains, by p. The
// candidates of p are gathered first and then checked in stages, each
// stage a short loop over all of them: what a stage reads of the
// candidates lies at random in memory, and independent reads overlap.
func (ix *index) candidateEdges(ch *chains, cfg Config) [][2]int32 {
	w := workers(cfg)
	chunks := make([][][2]int32, w)
	parallelChunks(len(ix.order), w, func(c, lo, hi int) {
		var out [][2]int32
		var cands []int32
		var need []float64
		for p := lo; p < hi; p++ {
			cands = ix.candidates(p, ch, cands[:0], cfg)
			need = need[:0]
			for _, q := range cands {
				need = append(need, ix.threshold(p, int(q), cfg))
			}
			for i, q := range cands {
				if need[i] != never && jaccardAtLeast(ix.set(p), ix.set(int(q)), need[i]) {
					out = append(out, [2]int32{q, int32(p)})
				}
			}
		}
		chunks[c] = out
	})
	return slices.Concat(chunks...)
}

// candidates appends to dst the positions p is compared with: on each of
// its chains, the Neighbours latest earlier entries, each position once,
// up to the first more than MaxGap before p.
func (ix *index) candidates(p int, ch *chains, dst []int32, cfg Config) []int32 {
	for k := range width {
		// Walk back from the entry over its key's earlier entries, to the
		// -1 that starts the key's list.
		for j, seen := ch.at[p*width+k]-1, 0; j >= 0 && ch.list[j] >= 0 && seen < cfg.Neighbours; j, seen = j-1, seen+1 {
			q := ch.list[j] / width
			if int(q) == p || slices.Contains(dst, q) {
				continue
			}
			if ix.where[p].t-ix.where[q].t > int64(cfg.MaxGap) {
				break
			}
			dst = append(dst, q)
		}
	}
	return dst
}

// never is the threshold of two positions that are never linked.
const never = -1.0

// threshold returns the similarity at which positions p and q (q earlier,
// at most MaxGap before) are linked, or never.
func (ix *index) threshold(p, q int, cfg Config) float64 {
	switch placeRelation(&ix.where[p], &ix.where[q]) {
	case samePlace:
		return cfg.SamePlace
	case otherPlace:
		return never
	default:
		// Only two messages that both name no place link on text alone: a
		// placeless message linked to two places would chain them.
		if ix.where[p].places[0] != 0 || ix.where[q].places[0] != 0 {
			return never
		}
	}
	return cfg.NoPlace
}

const (
	unknownPlace = iota // one names no place
	samePlace
	otherPlace
)

// placeRelation compares where two messages are: naming districts but
// none in common, they are apart; naming compounds, they are at the same
// place only if they share a compound (a shared road is not enough);
// otherwise if they share any name; naming places but none in common, they
// are apart.
func placeRelation(a, b *where) int {
	if a.districts[0] != 0 && b.districts[0] != 0 && !shares(a.districts[:], b.districts[:]) {
		return otherPlace
	}
	if a.nComp > 0 && b.nComp > 0 {
		if shares(a.places[:a.nComp], b.places[:b.nComp]) {
			return samePlace
		}
		return otherPlace
	}
	switch {
	case shares(a.places[:], b.places[:]):
		return samePlace
	case a.places[0] != 0 && b.places[0] != 0:
		return otherPlace
	}
	return unknownPlace
}

func shares(a, b []uint64) bool {
	for _, x := range a {
		for _, y := range b {
			if x != 0 && x == y {
				return true
			}
		}
	}
	return false
}

// chains lists the entries (position p, key slot k), numbered p*width+k,
// by key.
type chains struct {
	at   []int32 // entry → its index in list, -1 for an entry without a key
	list []int32 // each key's entries in order, after a -1
}

const width = maxPlaces + maxKeys

// chains sweeps the positions in order. Key kinds are kept apart: shingle
// keys never equal place keys.
func (ix *index) chains() *chains {
	n := len(ix.order)
	ch := &chains{at: make([]int32, n*width)}
	var kt keyTable
	kt.grow(1 << 10)
	var counts []int32 // entries by key number
	for p := range n {
		for k := range width {
			var key uint64
			if k < maxPlaces {
				key = ix.where[p].places[k]
			} else if s := ix.keys[p][k-maxPlaces]; s != 0 {
				key = uint64(s) | 1<<63
			}
			id := int32(-1)
			if key != 0 {
				id = kt.number(key, int32(len(counts)))
				if int(id) == len(counts) {
					counts = append(counts, 0)
				}
				counts[id]++
			}
			ch.at[p*width+k] = id
		}
	}
	next := counts // becomes each key's next free index in list
	total := int32(0)
	for id, c := range counts {
		next[id] = total + 1 // after the -1
		total += c + 1
	}
	ch.list = make([]int32, total)
	for id := range next {
		ch.list[next[id]-1] = -1
	}
	for e, id := range ch.at {
		if id >= 0 {
			j := next[id]
			next[id]++
			ch.list[j], ch.at[e] = int32(e), j
		}
	}
	return ch
}

// keyTable numbers keys: open addressing, 0 = empty.
type keyTable struct {
	keys []uint64
	ids  []int32
	mask uint64
	used int
}

// number returns the number of key, giving it fresh if it has none.
func (kt *keyTable) number(key uint64, fresh int32) int32 {
	slot := kt.find(key)
	if kt.keys[slot] == key {
		return kt.ids[slot]
	}
	kt.keys[slot], kt.ids[slot] = key, fresh
	if kt.used++; 2*kt.used > len(kt.keys) {
		kt.grow(2 * len(kt.keys))
	}
	return fresh
}

// find returns the slot holding key or the empty slot where it goes.
func (kt *keyTable) find(key uint64) uint64 {
	slot := mix(key) & kt.mask
	for kt.keys[slot] != 0 && kt.keys[slot] != key {
		slot = (slot + 1) & kt.mask
	}
	return slot
}

// grow rehashes the table into size slots.
func (kt *keyTable) grow(size int) {
	keys, ids := kt.keys, kt.ids
	kt.keys, kt.ids, kt.mask = make([]uint64, size), make([]int32, size), uint64(size-1)
	for i, key := range keys {
		if key != 0 {
			slot := kt.find(key)
			kt.keys[slot], kt.ids[slot] = key, ids[i]
		}
	}
}

// unionFind keeps the smallest position as each set's root, so the result
// does not depend on the order of the unions.
type unionFind struct{ parent []int32 }

func newUnionFind(n int) *unionFind {
	uf := &unionFind{parent: make([]int32, n)}
	for i := range uf.parent {
		uf.parent[i] = int32(i)
	}
	return uf
}

func (uf *unionFind) find(x int) int {
	for int(uf.parent[x]) != x {
		uf.parent[x] = uf.parent[uf.parent[x]] // path halving
		x = int(uf.parent[x])
	}
	return x
}

func (uf *unionFind) union(a, b int) {
	ra, rb := uf.find(a), uf.find(b)
	if ra > rb {
		ra, rb = rb, ra
	}
	uf.parent[rb] = int32(ra)
}

// groups returns the sets of at least minSize, each in position order,
// ordered by their first position.
func (uf *unionFind) groups(minSize int) [][]int {
	size := make([]int32, len(uf.parent))
	for p := range uf.parent {
		size[uf.find(p)]++
	}
	// A root is its set's smallest position: sets are met root first, in
	// order of their first position. size[r] becomes the set's index in out.
	var out [][]int
	for p := range uf.parent {
		r := uf.find(p)
		if p == r {
			if int(size[r]) < minSize {
				size[r] = -1
				continue
			}
			n := size[r]
			size[r] = int32(len(out))
			out = append(out, make([]int, 0, n))
		}
		if g := size[r]; g >= 0 {
			out[g] = append(out[g], p)
		}
	}
	return out
}
