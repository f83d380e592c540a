package hotspot

import (
	"cmp"
	"slices"
)

// Pairs of long messages on one matter share little (see features.go), so
// linking pairs finds the cores of clusters but leaves many members out.
// attach is a second pass against whole clusters: each core gets a profile,
// the shingles held by at least half of its members (and two), and a
// message joins the core whose profile holds the most of its own shingles,
// when that is at least attachMin of them and attachShare of its set (half
// that with a common place); a message that names a place joins only a core
// at that place.
const (
	attachMin     = 3
	attachShare   = 0.12
	attachGeneric = 64 // a shingle in more profiles than this says nothing
)

type profile struct {
	shingles    []uint32 // held by half the members, sorted
	where       where    // the places and districts named by half the members
	first, last int64
}

func (ix *index) attach(uf *unionFind, cores [][]int, cfg Config) {
	profiles := make([]profile, len(cores))
	parallelChunks(len(cores), workers(cfg), func(_, lo, hi int) {
		for g := lo; g < hi; g++ {
			profiles[g] = ix.profile(cores[g])
		}
	})
	mergeAtPlace(uf, cores, profiles)
	byShingle := newShingleIndex(profiles)
	own := make([]int32, len(ix.order)) // the core of each position, -1 if none
	for p := range own {
		own[p] = -1
	}
	for g, ps := range cores {
		for _, p := range ps {
			own[p] = int32(g)
		}
	}
	target := make([]int32, len(ix.order))
	parallelChunks(len(ix.order), workers(cfg), func(_, lo, hi int) {
		h := hits{n: make([]int32, len(cores))}
		for p := lo; p < hi; p++ {
			target[p] = -1
			// A member of a full cluster stays: were it to join another
			// core, its own would follow, and a placeless cluster could
			// chain the clusters of many places.
			if own[p] < 0 || len(cores[own[p]]) < cfg.MinSize {
				target[p] = ix.bestCore(p, own[p], byShingle, profiles, &h, cfg)
			}
		}
	})
	for p, g := range target {
		if g >= 0 {
			uf.union(p, cores[g][0])
		}
	}
}

// shingleIndex maps a profile shingle to the cores whose profiles hold it,
// leaving out the shingles of more than attachGeneric profiles: an open
// addressing table of keys into lists stored back to back.
type shingleIndex struct {
	keys  []uint32 // 0 = empty (shingle hashes are odd)
	lists []int32  // slot → index of the key's list in off
	off   []int32  // list k is cores[off[k]:off[k+1]]
	cores []int32
	mask  uint32
}

func newShingleIndex(profiles []profile) *shingleIndex {
	var pairs []uint64 // shingle<<32 | core: sorted, by shingle then core
	for g, pr := range profiles {
		for _, s := range pr.shingles {
			pairs = append(pairs, uint64(s)<<32|uint64(g))
		}
	}
	slices.Sort(pairs)
	size := 16
	for size < 2*len(pairs) {
		size <<= 1
	}
	x := &shingleIndex{keys: make([]uint32, size), lists: make([]int32, size), mask: uint32(size - 1),
		off: []int32{0}, cores: make([]int32, 0, len(pairs))}
	for i := 0; i < len(pairs); {
		j := i
		s := uint32(pairs[i] >> 32)
		for j < len(pairs) && uint32(pairs[j]>>32) == s {
			j++
		}
		if j-i <= attachGeneric {
			for _, pr := range pairs[i:j] {
				x.cores = append(x.cores, int32(uint32(pr)))
			}
			slot := x.slot(s)
			x.keys[slot], x.lists[slot] = s, int32(len(x.off)-1)
			x.off = append(x.off, int32(len(x.cores)))
		}
		i = j
	}
	return x
}

// slot returns the slot holding s or the empty slot where it goes.
func (x *shingleIndex) slot(s uint32) uint32 {
	i := uint32(mix(uint64(s))) & x.mask
	for x.keys[i] != 0 && x.keys[i] != s {
		i = (i + 1) & x.mask
	}
	return i
}

// coresOf returns the cores whose profiles hold s.
func (x *shingleIndex) coresOf(s uint32) []int32 {
	i := x.slot(s)
	if x.keys[i] == 0 {
		return nil
	}
	k := x.lists[i]
	return x.cores[x.off[k]:x.off[k+1]]
}

// hits counts the shingles a message shares with each core: n by core,
// and the cores touched, to clear.
type hits struct {
	n       []int32
	touched []int32
}

// profileShingles returns the shingles held by at least half the members
// of a core, and by two.
func (ix *index) profileShingles(ps []int) []uint32 {
	total := 0
	for _, p := range ps {
		total += len(ix.set(p))
	}
	all := make([]uint32, 0, total)
	for _, p := range ps {
		all = append(all, ix.set(p)...)
	}
	slices.Sort(all)
	need := max(2, (len(ps)+1)/2)
	var out []uint32
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j] == all[i] {
			j++
		}
		if j-i >= need {
			out = append(out, all[i])
		}
		i = j
	}
	return out
}

// mergeAtPlace joins cores that share a compound and whose profiles share
// at least two shingles and a fifth of the smaller profile: one matter at
// one place told in different words (油烟扰民 and 临街门面油烟直排).
func mergeAtPlace(uf *unionFind, cores [][]int, profiles []profile) {
	byPlace := map[uint64][]int{}
	var keys []uint64
	for g, pr := range profiles {
		for _, h := range pr.where.places[:pr.where.nComp] {
			if byPlace[h] == nil {
				keys = append(keys, h)
			}
			byPlace[h] = append(byPlace[h], g)
		}
	}
	slices.Sort(keys)
	for _, h := range keys {
		gs := byPlace[h]
		if len(gs) > attachGeneric {
			continue
		}
		for i, a := range gs {
			for _, b := range gs[i+1:] {
				if profilesMatch(profiles[a].shingles, profiles[b].shingles) {
					uf.union(cores[a][0], cores[b][0])
				}
			}
		}
	}
}

func profilesMatch(a, b []uint32) bool {
	n := 0
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); ok {
			n++
		}
	}
	return n >= 2 && 5*n >= min(len(a), len(b))
}

// profile returns the profile of a core: its shingles, time span, and the
// places and districts named by at least half its members.
func (ix *index) profile(ps []int) profile {
	pr := profile{shingles: ix.profileShingles(ps), first: ix.where[ps[0]].t, last: ix.where[ps[len(ps)-1]].t}
	type key struct {
		h    uint64
		comp bool
	}
	var places []key
	var districts []uint64
	for _, p := range ps {
		w := &ix.where[p]
		for k, h := range w.places {
			if h != 0 {
				places = append(places, key{h, k < int(w.nComp)})
			}
		}
		for _, h := range w.districts {
			if h != 0 {
				districts = append(districts, h)
			}
		}
	}
	half := (len(ps) + 1) / 2
	n := 0
	for _, kk := range common(places, half, func(a, b key) int {
		return cmp.Or(-cmp.Compare(boolInt(a.comp), boolInt(b.comp)), cmp.Compare(a.h, b.h))
	}) {
		if n < maxPlaces {
			pr.where.places[n] = kk.h
			n++
			pr.where.nComp += uint8(boolInt(kk.comp))
		}
	}
	copy(pr.where.districts[:], common(districts, half, cmp.Compare[uint64]))
	return pr
}

// common returns the distinct values found at least need times, sorted.
func common[T comparable](vs []T, need int, order func(a, b T) int) []T {
	slices.SortFunc(vs, order)
	var out []T
	for i := 0; i < len(vs); {
		j := i
		for j < len(vs) && vs[j] == vs[i] {
			j++
		}
		if j-i >= need {
			out = append(out, vs[i])
		}
		i = j
	}
	return out
}

// bestCore returns the core other than its own that position p should join,
// or -1: a member of one core may thus join two cores.
func (ix *index) bestCore(p int, own int32, byShingle *shingleIndex, profiles []profile, h *hits, cfg Config) int32 {
	set := ix.set(p)
	for _, s := range set {
		for _, g := range byShingle.coresOf(s) {
			if h.n[g] == 0 {
				h.touched = append(h.touched, g)
			}
			h.n[g]++
		}
	}
	// The best is the most hits, ties to the smaller core, among those
	// that pass: the order of the touched cores does not matter.
	best, bestHits := int32(-1), 0
	for _, g := range h.touched {
		n := int(h.n[g])
		h.n[g] = 0
		if g == own || n < bestHits || n == bestHits && g > best || n < attachMin {
			continue
		}
		pr := &profiles[g]
		if ix.where[p].t < pr.first-int64(cfg.MaxGap) || ix.where[p].t > pr.last+int64(cfg.MaxGap) {
			continue
		}
		need := attachShare
		switch placeRelation(&ix.where[p], &pr.where) {
		case samePlace:
			need /= 2
		case otherPlace:
			continue
		default:
			if ix.where[p].places[0] != 0 {
				continue // a placed message joins only a core at its place
			}
		}
		if float64(n) >= need*float64(len(set)) {
			best, bestHits = g, n
		}
	}
	h.touched = h.touched[:0]
	return best
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
