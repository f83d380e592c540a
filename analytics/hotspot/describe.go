package hotspot

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/cityhotline/hotline/analytics/similar"
)

// describe adds what only the reported clusters need: member IDs, place,
// keywords and the representative message.
func (ix *index) describe(c Cluster, ps []int) Cluster {
	c.Members = make([]string, len(ps))
	for k, p := range ps {
		c.Members[k] = ix.msg(p).ID
	}
	c.Place = ix.commonPlaces(ps)
	sets, counts := ix.topicShingles(ps, false)
	texts := make([]string, len(ps))
	for k, p := range ps {
		texts[k] = ix.msg(p).Title + "\n" + ix.msg(p).Text
	}
	kwCounts := counts
	if ix.msg(ps[0]).Title != "" { // titles say the matter in fewest words
		_, kwCounts = ix.topicShingles(ps, true)
	}
	c.Keywords = keywords(kwCounts, max(2, (c.Citizens+2)/3), ix.idf, texts)
	best, bestScore := 0, -1.0
	for k, set := range sets {
		if s := centrality(set, counts, ix.idf); s > bestScore {
			best, bestScore = k, s
		}
	}
	rep := ix.msg(ps[best])
	c.Representative, c.Description = rep.ID, shorten(rep.Text, 120)
	return c
}

// topicShingles returns each member's shingles (of the title alone if
// titles) outside place names and the stop shingles, and how many citizens (a message without one counting as
// its own citizen) hold each shingle: one citizen's repeated message does
// not make its odd words the cluster's keywords.
func (ix *index) topicShingles(ps []int, titles bool) ([][]uint64, map[uint64]int) {
	sets := make([][]uint64, len(ps))
	counts := map[uint64]int{}
	seen := map[string]map[uint64]bool{}
	for k, p := range ps {
		m := ix.msg(p)
		text := m.Title + "\n" + m.Text
		if titles {
			text = m.Title
		}
		for _, t := range places(text) {
			text = strings.ReplaceAll(text, t.name, "|")
		}
		set := similar.Shingles(text, nil)
		set = slices.DeleteFunc(set, func(s uint64) bool { return ix.df.count(s) > ix.stop })
		who := m.Citizen
		if who == "" {
			who = "\x00" + m.ID
		}
		if seen[who] == nil {
			seen[who] = map[uint64]bool{}
		}
		for _, s := range set {
			if !seen[who][s] {
				seen[who][s] = true
				counts[s]++
			}
		}
		sets[k] = set
	}
	return sets, counts
}

// centrality is the cosine between a member's idf-weighted shingle set and
// the cluster's centroid (shingle counts × idf).
func centrality(set []uint64, counts map[uint64]int, idf func(uint64) float64) float64 {
	var dot, norm float64
	for _, s := range set {
		w := idf(s)
		dot += w * w * float64(counts[s])
		norm += w * w
	}
	if norm == 0 {
		return 0
	}
	return dot / math.Sqrt(norm)
}

// keywords returns up to five phrases: the bigrams held by the most
// citizens (at least minCount; weighted by idf), chained where they overlap
// and the chain occurs in a text (暖气 + 气不 + 不热 → 暖气不热).
func keywords(counts map[uint64]int, minCount int, idf func(uint64) float64, texts []string) []string {
	type cand struct {
		s     uint64
		n     int
		score float64
	}
	var cands []cand
	for s, n := range counts {
		if n >= minCount && !similar.IsWord(s) {
			cands = append(cands, cand{s, n, float64(n) * idf(s)})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.s, b.s))
	})
	cands = cands[:min(len(cands), 15)]
	var phrases [][]rune
	var strength []int // the smallest count in each phrase
	for _, c := range cands {
		bg := []rune(similar.BigramText(c.s))
		joined := false
		for k, ph := range phrases {
			if 5*c.n < 3*strength[k] {
				continue
			}
			var longer []rune
			switch {
			case ph[len(ph)-1] == bg[0]:
				longer = append(slices.Clone(ph), bg[1])
			case ph[0] == bg[1]:
				longer = append([]rune{bg[0]}, ph...)
			}
			if longer == nil || !slices.ContainsFunc(texts, func(t string) bool { return strings.Contains(t, string(longer)) }) {
				continue
			}
			phrases[k] = longer
			strength[k] = min(strength[k], c.n)
			joined = true
			break
		}
		if !joined {
			phrases, strength = append(phrases, bg), append(strength, c.n)
		}
	}
	out := make([]string, 0, 5)
	for _, ph := range phrases[:min(len(phrases), 5)] {
		out = append(out, string(ph))
	}
	return out
}

// commonPlaces returns the most common district and up to two finer place
// names of the members, each named by at least a quarter of them (and two).
func (ix *index) commonPlaces(ps []int) []string {
	counts := map[placeToken]int{}
	for _, p := range ps {
		m := ix.msg(p)
		if m.Place != "" {
			counts[placeToken{m.Place, levelCompound}]++
		}
		for _, t := range placeTokensOf(m) {
			counts[t]++
		}
	}
	var toks []placeToken
	for t, n := range counts {
		if n >= 2 && 4*n >= len(ps) {
			toks = append(toks, t)
		}
	}
	slices.SortFunc(toks, func(a, b placeToken) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a.name, b.name))
	})
	var district, finer []placeToken
	for _, t := range toks {
		switch {
		case t.level == levelDistrict && len(district) == 0:
			district = append(district, t)
		case t.level > levelDistrict && len(finer) < 2:
			finer = append(finer, t)
		}
	}
	slices.SortStableFunc(finer, func(a, b placeToken) int { return cmp.Compare(a.level, b.level) })
	var out []string
	for _, t := range append(district, finer...) {
		out = append(out, t.name)
	}
	return out
}
