package hotspot

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// rank keeps the Top hottest groups and the Top most exceeded alerts, and
// describes those. Counting a group's citizens is what costs; a group's
// heat is at most its heat with every message from a citizen of its own,
// so a group whose bound is below the Top-th heat found so far is never
// measured, and only the groups with AlertMin messages in the latest
// period can alert. The result is that of measuring every group.
func (ix *index) rank(groups [][]int, res Result, cfg Config) (top, alerts []Cluster) {
	parallelChunks(len(groups), workers(cfg), func(_, lo, hi int) {
		for g := lo; g < hi; g++ {
			groups[g] = ix.purify(groups[g])
		}
	})
	groups = slices.DeleteFunc(groups, func(ps []int) bool { return len(ps) < cfg.MinSize })
	all := make([]Cluster, len(groups))
	measured := make([]bool, len(groups))
	measure := func(g int) *Cluster {
		if !measured[g] {
			all[g], measured[g] = ix.measure(groups[g], res, cfg), true
		}
		return &all[g]
	}
	type bound struct {
		g        int
		heat     float64
		mayAlert bool
	}
	bounds := make([]bound, len(groups))
	parallelChunks(len(groups), workers(cfg), func(_, lo, hi int) {
		for g := lo; g < hi; g++ {
			heat, latest := ix.bound(groups[g], res, cfg)
			bounds[g] = bound{g, heat, latest >= cfg.AlertMin}
		}
	})
	var flagged []int
	for _, b := range bounds {
		if b.mayAlert && ix.alerts(groups[b.g], res, cfg) && measure(b.g).Alert != nil {
			flagged = append(flagged, b.g)
		}
	}
	// Hottest first, ties to the earlier group: a stable sort by heat.
	hotter := func(a, b int) int { return cmp.Or(cmp.Compare(all[b].Heat, all[a].Heat), cmp.Compare(a, b)) }
	slices.SortStableFunc(bounds, func(a, b bound) int { return cmp.Compare(b.heat, a.heat) })
	var best []int // the hottest measured, at most Top, hottest first
	for _, b := range bounds {
		if len(best) == cfg.Top && b.heat < all[best[len(best)-1]].Heat {
			break // neither this group nor any after can enter
		}
		measure(b.g)
		at, _ := slices.BinarySearchFunc(best, b.g, hotter)
		if best = slices.Insert(best, at, b.g); len(best) > cfg.Top {
			best = best[:cfg.Top]
		}
	}
	for _, g := range best {
		top = append(top, ix.describe(all[g], groups[g]))
	}
	slices.SortFunc(flagged, func(a, b int) int { return cmp.Or(cmp.Compare(excess(all[b]), excess(all[a])), hotter(a, b)) })
	for _, g := range flagged[:min(cfg.Top, len(flagged))] {
		alerts = append(alerts, ix.describe(all[g], groups[g]))
	}
	return top, alerts
}

// purify drops from a group the members that name a district other than
// the one named by two thirds of the members that name any: single linkage
// through messages that name none can chain two districts' look-alike
// complaints. A group left below MinSize is dropped.
func (ix *index) purify(ps []int) []int {
	var named []uint64 // every district named, once per member naming it
	naming := 0
	for _, p := range ps {
		if ix.where[p].districts[0] != 0 {
			naming++
		}
		for _, d := range ix.where[p].districts {
			if d != 0 {
				named = append(named, d)
			}
		}
	}
	if naming == 0 {
		return ps
	}
	slices.Sort(named)
	// The most named (the smallest hash among equals) named by two thirds.
	var top uint64
	topN := 0
	for i := 0; i < len(named); {
		j := i
		for j < len(named) && named[j] == named[i] {
			j++
		}
		if n := j - i; 3*n >= 2*naming && n > topN {
			top, topN = named[i], n
		}
		i = j
	}
	if top == 0 {
		return ps
	}
	return slices.DeleteFunc(slices.Clone(ps), func(p int) bool {
		w := &ix.where[p]
		return w.districts[0] != 0 && !slices.Contains(w.districts[:], top)
	})
}

// excess is how far a flagged cluster's latest period runs over its threshold.
func excess(c Cluster) float64 { return float64(c.Alert.Latest) - c.Alert.Threshold }

// measure computes the numbers of a group: size, citizens, support, span,
// growth, periods, heat and alert.
func (ix *index) measure(ps []int, res Result, cfg Config) Cluster {
	first, last := ix.msg(ps[0]), ix.msg(ps[len(ps)-1])
	c := Cluster{ID: "hs-" + first.ID, Size: len(ps), First: first.Time, Last: last.Time}
	var citizens []uint64 // hashes of the named citizens
	recent := 0
	c.Periods = make([]int, periods(res))
	for _, p := range ps {
		t := &ix.tally[p]
		if t.citizen == 0 {
			c.Citizens++ // unnamed: a citizen of its own
		} else {
			citizens = append(citizens, t.citizen)
		}
		c.Support += t.support
		recent += b2i(t.recent)
		c.Periods[t.period]++
	}
	slices.Sort(citizens)
	c.Citizens += len(slices.Compact(citizens))
	c.Growth = growth(recent, c.Size, res, cfg)
	c.Heat = heat(c, cfg)
	c.Alert = alert(c.Periods, cfg)
	return c
}

// tally is what measure needs of a message, gathered with its features.
type tally struct {
	citizen uint64 // hashString(Citizen), 0 if unnamed
	support int    // Support, 0 if negative
	period  int32  // periodOf(Time)
	recent  bool   // in the last Recent share of the window
}

// recentFrom is where the last Recent share of the window starts.
func recentFrom(res Result, cfg Config) time.Time {
	return res.To.Add(-time.Duration(cfg.Recent * float64(res.To.Sub(res.From))))
}

// tallyOf returns the tally of m in the window of res, of n periods, whose
// recent share starts at from.
func tallyOf(m *Message, res Result, n int, from time.Time) tally {
	t := tally{support: max(m.Support, 0), period: int32(periodOf(m.Time, res, n)), recent: !m.Time.Before(from)}
	if m.Citizen != "" {
		t.citizen = hashString(m.Citizen)
	}
	return t
}

// bound returns the most heat a group can have, its heat were every
// message from a different citizen, and how many of its messages fall in
// the latest period.
func (ix *index) bound(ps []int, res Result, cfg Config) (float64, int) {
	c := Cluster{Size: len(ps), Citizens: len(ps)}
	last := int32(periods(res) - 1)
	recent, latest := 0, 0
	for _, p := range ps {
		t := &ix.tally[p]
		c.Support += t.support
		recent += b2i(t.recent)
		latest += b2i(t.period == last)
	}
	c.Growth = growth(recent, c.Size, res, cfg)
	return heat(c, cfg), latest
}

// alerts reports whether a group's periods raise an alert.
func (ix *index) alerts(ps []int, res Result, cfg Config) bool {
	counts := make([]int, periods(res))
	for _, p := range ps {
		counts[ix.tally[p].period]++
	}
	return alert(counts, cfg) != nil
}

// growth is the recent share of a group's messages ÷ the recent share of
// the window.
func growth(recent, size int, res Result, cfg Config) float64 {
	if res.To.After(res.From) {
		return round(float64(recent)/float64(size)/cfg.Recent, 2)
	}
	return 1
}

func (ix *index) msg(p int) *Message { return &ix.msgs[ix.order[p]] }

// heat = people × √growth + SupportWeight·ln(1+support), where people
// counts each distinct citizen once and each further message from the same
// citizen a quarter, and growth is held within [¼, 4] (so the factor lies
// in [½, 2]).
func heat(c Cluster, cfg Config) float64 {
	people := float64(c.Citizens) + 0.25*float64(c.Size-c.Citizens)
	g := math.Sqrt(min(max(c.Growth, 0.25), 4))
	return round(people*g+cfg.SupportWeight*math.Log1p(float64(c.Support)), 2)
}

// periods is the number of periods in the window, the last one ending at To.
func periods(res Result) int {
	n := int((res.To.Sub(res.From) + res.Period - 1) / res.Period)
	return max(n, 1)
}

func periodOf(t time.Time, res Result, n int) int {
	back := int(res.To.Sub(t) / res.Period)
	return max(n-1-back, 0)
}

// alert flags a latest period that holds at least AlertMin messages and
// more than mean + AlertSigma·sd of the earlier periods (at least two).
func alert(counts []int, cfg Config) *Alert {
	if len(counts) < 3 {
		return nil
	}
	latest, earlier := counts[len(counts)-1], counts[:len(counts)-1]
	var sum, sq float64
	for _, v := range earlier {
		sum += float64(v)
	}
	mean := sum / float64(len(earlier))
	for _, v := range earlier {
		sq += (float64(v) - mean) * (float64(v) - mean)
	}
	sd := math.Sqrt(sq / float64(len(earlier)))
	threshold := mean + cfg.AlertSigma*sd
	if latest < cfg.AlertMin || float64(latest) <= threshold {
		return nil
	}
	return &Alert{Latest: latest, Mean: round(mean, 2), SD: round(sd, 2), Threshold: round(threshold, 2),
		Reason: fmt.Sprintf("%d in the latest period, above the baseline %.2f + %.0f × %.2f = %.2f",
			latest, mean, cfg.AlertSigma, sd, threshold)}
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// shorten cuts s to n runes, marking the cut.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
