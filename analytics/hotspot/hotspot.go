// Package hotspot finds hot spots: clusters of citizen messages about one
// matter at one place within a time window, ranked by a heat index, with an
// early warning for a cluster whose latest period runs far above its own
// baseline.
//
// It scales by blocking, never by comparing all pairs: each message is
// compared only with the few most recent messages that share a place name or
// one of its rarest shingles with it, and similar pairs are joined with
// union–find. Output is deterministic: messages are processed in
// (time, ID) order and every tie is broken by ID.
package hotspot

import (
	"slices"
	"strings"
	"time"
)

// Message is one citizen message. Only Text and Time are required.
type Message struct {
	ID      string
	Title   string // optional: the subject line; it weighs most in what the message is about
	Text    string // the whole message, title included
	Place   string // optional: a known place (community, street) of the message
	Citizen string // optional: who sent it; empty counts as a distinct citizen
	Support int    // optional: support / likes
	Time    time.Time
}

// Config tunes the search. Zero fields take the defaults.
type Config struct {
	// Window is how far back from End to look; zero means from the first message.
	Window time.Duration
	// End closes the window; zero means the last message's time.
	End time.Time
	// Period is the bucket of the counts (sparkline) and of the early
	// warning; zero means one day, or a thirtieth of a window over 30 days.
	Period time.Duration
	// Recent is the last share of the window that growth compares with the
	// rest (default 0.25).
	Recent float64
	// MinSize is the smallest cluster reported (default 3).
	MinSize int
	// Top caps the clusters (and alerts) returned (default 20).
	Top int
	// MaxGap is the longest time between two linked messages (default 30 days).
	MaxGap time.Duration
	// SamePlace is the similarity (Jaccard of the sets of what two messages
	// are about: title shingles and the weightiest shingles of the text,
	// outside place names; 0–1) that links two messages naming a common place
	// (default 0.1); NoPlace links two messages that both name no place
	// (default 0.2). Messages naming different places, or a place and none,
	// never link (a placeless message may still join a cluster whose
	// members share many of its words).
	SamePlace, NoPlace float64
	// Neighbours is how many earlier messages each message is compared with
	// per shared place name and per shared rare shingle (default 5).
	Neighbours int
	// StopShare drops from the comparison the shingles found in more than
	// this share of the messages, and at least 50 of them (default 0.08).
	StopShare float64
	// AlertSigma and AlertMin: a cluster is flagged when its latest period
	// holds at least AlertMin messages and more than the mean plus
	// AlertSigma standard deviations of its earlier periods (defaults 3, 3).
	AlertSigma float64
	AlertMin   int
	// SupportWeight weighs ln(1+support) in the heat (default 2).
	SupportWeight float64
	// Workers bounds the goroutines extracting features (default GOMAXPROCS).
	Workers int
}

func (c Config) withDefaults() Config {
	c.Recent = orF(c.Recent, 0.25)
	c.MinSize = orI(c.MinSize, 3)
	c.Top = orI(c.Top, 20)
	if c.MaxGap <= 0 {
		c.MaxGap = 30 * 24 * time.Hour
	}
	c.SamePlace = orF(c.SamePlace, 0.1)
	c.NoPlace = orF(c.NoPlace, 0.2)
	c.Neighbours = orI(c.Neighbours, 5)
	c.StopShare = orF(c.StopShare, 0.08)
	c.AlertSigma = orF(c.AlertSigma, 3)
	c.AlertMin = orI(c.AlertMin, 3)
	c.SupportWeight = orF(c.SupportWeight, 2)
	return c
}

func orF(v, d float64) float64 {
	if v <= 0 {
		return d
	}
	return v
}

func orI(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}

// Cluster is one hot spot.
type Cluster struct {
	ID             string    `json:"id"` // "hs-" + the ID of its first message
	Heat           float64   `json:"heat"`
	Size           int       `json:"size"`
	Citizens       int       `json:"citizens"`
	Support        int       `json:"support"`
	Growth         float64   `json:"growth"` // recent share ÷ recent share of the window; 1 is steady
	First          time.Time `json:"first"`
	Last           time.Time `json:"last"`
	Place          []string  `json:"place"`          // most common place names, coarse to fine
	Description    string    `json:"description"`    // the member closest to the centroid, shortened
	Representative string    `json:"representative"` // its ID
	Keywords       []string  `json:"keywords"`
	Members        []string  `json:"members"` // IDs in time order
	Periods        []int     `json:"periods"` // messages per period, oldest first
	Alert          *Alert    `json:"alert,omitempty"`
}

// Alert is the early warning on a cluster.
type Alert struct {
	Latest    int     `json:"latest"`    // messages in the latest period
	Mean      float64 `json:"mean"`      // of the earlier periods
	SD        float64 `json:"sd"`        // of the earlier periods
	Threshold float64 `json:"threshold"` // mean + AlertSigma·sd
	Reason    string  `json:"reason"`
}

// Result is the answer of Find.
type Result struct {
	From     time.Time     `json:"from"`
	To       time.Time     `json:"to"`
	Period   time.Duration `json:"-"`
	PeriodS  int64         `json:"period_seconds"`
	Messages int           `json:"messages"` // in the window
	Clusters []Cluster     `json:"clusters"` // hottest first, at most Top
	Alerts   []Cluster     `json:"alerts"`   // flagged clusters, most exceeded first, at most Top
}

// Find clusters the messages of the window and ranks the clusters.
func Find(msgs []Message, cfg Config) Result {
	cfg = cfg.withDefaults()
	order, from, to := window(msgs, cfg)
	res := Result{From: from, To: to, Period: period(from, to, cfg), Messages: len(order),
		Clusters: []Cluster{}, Alerts: []Cluster{}}
	res.PeriodS = int64(res.Period / time.Second)
	if len(order) == 0 {
		return res
	}
	ix := newIndex(msgs, order, res, cfg)
	groups := ix.link(cfg)
	top, alerts := ix.rank(groups, res, cfg)
	res.Clusters, res.Alerts = append(res.Clusters, top...), append(res.Alerts, alerts...)
	return res
}

// window returns the indexes of the messages inside the window in (time,
// ID) order, and the window's bounds.
func window(msgs []Message, cfg Config) (order []int, from, to time.Time) {
	to = cfg.End
	if to.IsZero() {
		for _, m := range msgs {
			if m.Time.After(to) {
				to = m.Time
			}
		}
	}
	from = to.Add(-cfg.Window)
	es := make([]entry, 0, len(msgs))
	for i, m := range msgs {
		if m.Time.After(to) || cfg.Window > 0 && m.Time.Before(from) {
			continue
		}
		es = append(es, entry{m.Time.UnixNano(), i})
	}
	es = sortByTime(es)
	// Equal times go by ID, then index: radix sorting kept index order.
	for lo := 0; lo < len(es); {
		hi := lo + 1
		for hi < len(es) && es[hi].t == es[lo].t {
			hi++
		}
		if hi-lo > 1 {
			slices.SortStableFunc(es[lo:hi], func(a, b entry) int { return strings.Compare(msgs[a.i].ID, msgs[b.i].ID) })
		}
		lo = hi
	}
	order = make([]int, len(es))
	for k, e := range es {
		order[k] = e.i
	}
	if cfg.Window <= 0 && len(order) > 0 {
		from = msgs[order[0]].Time
	}
	return order, from, to
}

// entry is a message's time (Unix nanoseconds) and index.
type entry struct {
	t int64
	i int
}

// sortByTime sorts es by time, stably: a least significant digit radix
// sort on the time less the earliest, 11 bits a pass, as many passes as the
// span needs.
func sortByTime(es []entry) []entry {
	if len(es) < 2 {
		return es
	}
	lo, hi := es[0].t, es[0].t
	for _, e := range es {
		lo, hi = min(lo, e.t), max(hi, e.t)
	}
	span := uint64(hi - lo) // wraps to the right unsigned value
	tmp := make([]entry, len(es))
	const bits = 11
	var count [1 << bits]int
	for shift := uint(0); shift < 64 && span>>shift != 0; shift += bits {
		clear(count[:])
		for _, e := range es {
			count[uint64(e.t-lo)>>shift&(1<<bits-1)]++
		}
		sum := 0
		for d, c := range count {
			count[d] = sum
			sum += c
		}
		for _, e := range es {
			d := uint64(e.t-lo) >> shift & (1<<bits - 1)
			tmp[count[d]] = e
			count[d]++
		}
		es, tmp = tmp, es
	}
	return es
}

func period(from, to time.Time, cfg Config) time.Duration {
	if cfg.Period > 0 {
		return cfg.Period
	}
	if span := to.Sub(from); span > 30*24*time.Hour {
		return (span/30 + time.Hour - 1).Truncate(time.Hour) // whole hours
	}
	return 24 * time.Hour
}
