package hotspot

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// rank measures every group, keeps the Top hottest and the Top most
// exceeded alerts, and describes those.
func (ix *index) rank(groups [][]int, res Result, cfg Config) (top, alerts []Cluster) {
	kept := groups[:0]
	for _, ps := range groups {
		if ps = ix.purify(ps); len(ps) >= cfg.MinSize {
			kept = append(kept, ps)
		}
	}
	groups = kept
	all := make([]Cluster, len(groups))
	for g, ps := range groups {
		all[g] = ix.measure(ps, res, cfg)
	}
	byHeat := make([]int, len(all))
	for g := range byHeat {
		byHeat[g] = g
	}
	slices.SortStableFunc(byHeat, func(a, b int) int { return cmp.Compare(all[b].Heat, all[a].Heat) })
	for _, g := range byHeat[:min(cfg.Top, len(byHeat))] {
		top = append(top, ix.describe(all[g], groups[g]))
	}
	var flagged []int
	for _, g := range byHeat {
		if all[g].Alert != nil {
			flagged = append(flagged, g)
		}
	}
	slices.SortStableFunc(flagged, func(a, b int) int { return cmp.Compare(excess(all[b]), excess(all[a])) })
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
	counts := map[uint64]int{}
	naming := 0
	for _, p := range ps {
		if ix.where[p].districts[0] != 0 {
			naming++
		}
		for _, d := range ix.where[p].districts {
			if d != 0 {
				counts[d]++
			}
		}
	}
	var top uint64
	for d, n := range counts {
		if 3*n >= 2*naming && (top == 0 || n > counts[top] || n == counts[top] && d < top) {
			top = d
		}
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
	recentFrom := res.To.Add(-time.Duration(cfg.Recent * float64(res.To.Sub(res.From))))
	recent := 0
	c.Periods = make([]int, periods(res))
	for _, p := range ps {
		m := ix.msg(p)
		if m.Citizen == "" {
			c.Citizens++ // unnamed: a citizen of its own
		} else {
			citizens = append(citizens, hashString(m.Citizen))
		}
		c.Support += max(m.Support, 0)
		if !m.Time.Before(recentFrom) {
			recent++
		}
		c.Periods[periodOf(m.Time, res, len(c.Periods))]++
	}
	slices.Sort(citizens)
	c.Citizens += len(slices.Compact(citizens))
	c.Growth = 1
	if res.To.After(res.From) {
		c.Growth = round(float64(recent)/float64(c.Size)/cfg.Recent, 2)
	}
	c.Heat = heat(c, cfg)
	c.Alert = alert(c.Periods, cfg)
	return c
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
