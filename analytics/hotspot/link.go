package hotspot

import "slices"

// Blocking: each position is compared with the Neighbours most recent
// earlier positions that share a key with it: one of its place names (by
// tail) or one of its maxKeys rarest shingles. A sweep walks the positions
// in time order with a hash table from key to the latest position holding it
// and, per (position, key), a link to the previous position with that key.

// link joins similar positions and returns the groups (positions in time
// order) of at least MinSize. The sweep records the chains in one pass;
// the candidate pairs along them are then checked in parallel and joined in
// position order (the components do not depend on the order).
func (ix *index) link(cfg Config) [][]int {
	n := len(ix.order)
	sw := newSweep(n * width)
	for p := range n {
		for k, key := range ix.where[p].places {
			sw.record(p, k, key)
		}
		for k, key := range ix.keys[p] {
			sw.record(p, maxPlaces+k, uint64(key))
		}
	}
	uf := newUnionFind(n)
	for _, e := range ix.candidateEdges(sw, cfg) {
		uf.union(int(e[0]), int(e[1]))
	}
	ix.attach(uf, uf.groups(2), cfg)
	return uf.groups(cfg.MinSize)
}

// candidateEdges returns the similar pairs (q, p), q earlier, among the
// Neighbours latest earlier positions on each of p's chains, by p.
func (ix *index) candidateEdges(sw *sweep, cfg Config) [][2]int32 {
	w := workers(cfg)
	chunks := make([][][2]int32, w)
	parallelChunks(len(ix.order), w, func(c, lo, hi int) {
		var out [][2]int32
		var checked []int32
		for p := lo; p < hi; p++ {
			checked = checked[:0]
			for k := range width {
				e := sw.prev[p*width+k]
				for seen := 0; e >= 0 && seen < cfg.Neighbours; e, seen = sw.prev[e], seen+1 {
					q := e / width
					if int(q) == p || slices.Contains(checked, q) {
						continue
					}
					if ix.t[p]-ix.t[q] > int64(cfg.MaxGap) {
						break
					}
					checked = append(checked, q)
					if ix.similar(p, int(q), cfg) {
						out = append(out, [2]int32{q, int32(p)})
					}
				}
			}
		}
		chunks[c] = out
	})
	return slices.Concat(chunks...)
}

// similar reports whether positions p and q (q earlier) should be linked.
func (ix *index) similar(p, q int, cfg Config) bool {
	if ix.t[p]-ix.t[q] > int64(cfg.MaxGap) {
		return false
	}
	threshold := cfg.NoPlace
	switch placeRelation(&ix.where[p], &ix.where[q]) {
	case samePlace:
		threshold = cfg.SamePlace
	case otherPlace:
		return false
	default:
		// Only two messages that both name no place link on text alone: a
		// placeless message linked to two places would chain them.
		if ix.where[p].places[0] != 0 || ix.where[q].places[0] != 0 {
			return false
		}
	}
	return jaccard(ix.set(p), ix.set(q)) >= threshold
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

// sweep is the state of the pass over the positions.
type sweep struct {
	keys  []uint64 // open addressing; 0 = empty
	heads []int32  // latest (position, key slot) with the key, as p*width+k
	prev  []int32  // previous (position, key slot) with the same key
	mask  uint64
	used  int
}

const width = maxPlaces + maxKeys

func newSweep(entries int) *sweep {
	sw := &sweep{prev: make([]int32, entries)}
	sw.grow(1 << 10)
	return sw
}

// record makes (p, k) the latest entry with key and links it to the one
// before; an entry without a key gets -2. Key kinds are kept apart by k's
// range.
func (sw *sweep) record(p, k int, key uint64) {
	here := p*width + k
	if key == 0 {
		sw.prev[here] = -2
		return
	}
	if k >= maxPlaces {
		key |= 1 << 63 // shingle keys never equal place keys
	}
	slot := sw.find(key)
	e := int32(-1)
	if sw.keys[slot] == key {
		e = sw.heads[slot]
	} else {
		sw.keys[slot] = key
		sw.used++
	}
	sw.heads[slot], sw.prev[here] = int32(here), e
	if 2*sw.used > len(sw.keys) {
		sw.grow(2 * len(sw.keys))
	}
}

// find returns the slot holding key or the empty slot where it goes.
func (sw *sweep) find(key uint64) uint64 {
	slot := mix(key) & sw.mask
	for sw.keys[slot] != 0 && sw.keys[slot] != key {
		slot = (slot + 1) & sw.mask
	}
	return slot
}

// grow rehashes the table into size slots.
func (sw *sweep) grow(size int) {
	keys, heads := sw.keys, sw.heads
	sw.keys, sw.heads, sw.mask = make([]uint64, size), make([]int32, size), uint64(size-1)
	for i, key := range keys {
		if key != 0 {
			slot := sw.find(key)
			sw.keys[slot], sw.heads[slot] = key, heads[i]
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
	at := make(map[int]int) // root → index in out
	var out [][]int
	for p := range uf.parent {
		r := uf.find(p)
		if int(size[r]) < minSize {
			continue
		}
		g, ok := at[r]
		if !ok {
			g = len(out)
			at[r] = g
			out = append(out, make([]int, 0, size[r]))
		}
		out[g] = append(out[g], p)
	}
	return out
}
