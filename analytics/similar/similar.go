// Package similar finds likely duplicates of a ticket (并单 candidates) among
// a set of open tickets: it scores each candidate on how alike the two texts
// are, whether they concern the same address, street or district, whether
// they have the same category and how far apart in time they were filed, and
// returns the likely duplicates, best first, each with a structured reason
// that a page can render in any language.
package similar

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Ticket is what the scoring looks at. Text is the title and content.
type Ticket struct {
	ID       string
	Text     string
	Address  string
	Street   string
	District string
	Category string
	Time     time.Time
}

// Config holds the weights and thresholds. Zero fields take the defaults.
type Config struct {
	// MinText is the text similarity (cosine of shingle sets, 0–1) below
	// which two tickets are never duplicates: same place, different matter.
	MinText float64
	// HighText is the text similarity at which two tickets at different
	// known addresses may still be duplicates (one matter, two spellings).
	HighText float64
	// MinScore is the combined score a duplicate must reach.
	MinScore float64
	// MaxApart is the longest time between two duplicates.
	MaxApart time.Duration
	// Limit caps the number of matches returned.
	Limit int
}

// Defaults: tuned on the invented corpus of similar_test.go.
const (
	DefaultMinText  = 0.25
	DefaultHighText = 0.6
	DefaultMinScore = 0.45
	DefaultMaxApart = 7 * 24 * time.Hour
	DefaultLimit    = 10
)

func (c Config) withDefaults() Config {
	c.MinText = orDefault(c.MinText, DefaultMinText)
	c.HighText = orDefault(c.HighText, DefaultHighText)
	c.MinScore = orDefault(c.MinScore, DefaultMinScore)
	if c.MaxApart <= 0 {
		c.MaxApart = DefaultMaxApart
	}
	if c.Limit <= 0 {
		c.Limit = DefaultLimit
	}
	return c
}

func orDefault(v, d float64) float64 {
	if v <= 0 {
		return d
	}
	return v
}

// Reason says why a candidate matched, as numbers and flags, so that each
// page renders it in its own language.
type Reason struct {
	SameAddress    bool    `json:"same_address"`
	SameStreet     bool    `json:"same_street"`
	SameDistrict   bool    `json:"same_district"`
	SameCategory   bool    `json:"same_category"`
	TextSimilarity float64 `json:"text_similarity"` // 0–1, two decimals
	HoursApart     float64 `json:"hours_apart"`     // one decimal
}

// Match is one likely duplicate.
type Match struct {
	ID     string  `json:"ticket"`
	Score  float64 `json:"score"` // 0–1, three decimals
	Reason Reason  `json:"reason"`
}

// Find returns the candidates that are likely duplicates of t, best first
// (ties by ID). The target itself, if among the candidates, is skipped.
func Find(t Ticket, candidates []Ticket, cfg Config) []Match {
	cfg = cfg.withDefaults()
	ts := Shingles(t.Text, nil)
	tp := Shingles(t.Address, nil)
	var cs, cp []uint64
	var out []Match
	for _, c := range candidates {
		if c.ID == t.ID {
			continue
		}
		cs, cp = Shingles(c.Text, cs), Shingles(c.Address, cp)
		if m, ok := score(t, c, Without(ts, tp, cp), Without(cs, tp, cp), cfg); ok {
			if knownApart(t, c, m) && Cosine(ts, cs) < cfg.HighText {
				continue
			}
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b Match) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.ID, b.ID))
	})
	if len(out) > cfg.Limit {
		out = out[:cfg.Limit]
	}
	return out
}

// knownApart reports whether both tickets give an address and the addresses
// differ: then only texts alike including their addresses (one place, two
// spellings) are duplicates.
func knownApart(t, c Ticket, m Match) bool {
	return t.Address != "" && c.Address != "" && !m.Reason.SameAddress
}

// score weighs text 55 %, place 25 % (address 1, street 0.6, district 0.3),
// category 10 % and closeness in time 10 %.
func score(t, c Ticket, ts, cs []uint64, cfg Config) (Match, bool) {
	apart := t.Time.Sub(c.Time).Abs()
	r := Reason{
		SameAddress:    sameAddress(t.Address, c.Address),
		SameStreet:     t.Street != "" && t.Street == c.Street,
		SameDistrict:   t.District != "" && t.District == c.District,
		SameCategory:   t.Category != "" && t.Category == c.Category,
		TextSimilarity: round(Cosine(ts, cs), 2),
		HoursApart:     round(apart.Hours(), 1),
	}
	if apart > cfg.MaxApart || r.TextSimilarity < cfg.MinText {
		return Match{}, false
	}
	place := 0.0
	switch {
	case r.SameAddress:
		place = 1
	case r.SameStreet:
		place = 0.6
	case r.SameDistrict:
		place = 0.3
	}
	s := 0.55*r.TextSimilarity + 0.25*place + 0.1*(1-float64(apart)/float64(cfg.MaxApart))
	if r.SameCategory {
		s += 0.1
	}
	s = round(s, 3)
	return Match{ID: c.ID, Score: s, Reason: r}, s >= cfg.MinScore
}

// Without returns the shingles of s found in none of the drop sets, in a
// new slice. Text is compared without the words of the addresses, so that
// two matters at one address do not look alike for naming it.
func Without(s []uint64, drop ...[]uint64) []uint64 {
	out := make([]uint64, 0, len(s))
	for _, x := range s {
		if !slices.ContainsFunc(drop, func(d []uint64) bool { _, ok := slices.BinarySearch(d, x); return ok }) {
			out = append(out, x)
		}
	}
	return out
}

// Cosine returns |a∩b| / √(|a|·|b|) of two sorted shingle sets: unlike
// Jaccard it does not punish a short text for being short.
func Cosine(a, b []uint64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	return float64(Overlap(a, b)) / math.Sqrt(float64(len(a))*float64(len(b)))
}

// sameAddress compares addresses without spaces, punctuation or case; one
// address that contains the other (district prefix left out) also matches.
func sameAddress(a, b string) bool {
	a, b = normAddress(a), normAddress(b)
	if len([]rune(a)) < 4 || len([]rune(b)) < 4 {
		return a != "" && a == b
	}
	return strings.Contains(a, b) || strings.Contains(b, a)
}

func normAddress(s string) string {
	var sb strings.Builder
	for _, r := range s {
		r = fold(r)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// Chinese renders the reason for a Chinese page: "同一地址；内容相似度 0.82；相隔 2 天".
func (r Reason) Chinese() string {
	var parts []string
	switch {
	case r.SameAddress:
		parts = append(parts, "同一地址")
	case r.SameStreet:
		parts = append(parts, "同一街道")
	case r.SameDistrict:
		parts = append(parts, "同一区")
	}
	if r.SameCategory {
		parts = append(parts, "同一类别")
	}
	parts = append(parts, fmt.Sprintf("内容相似度 %.2f", r.TextSimilarity))
	if r.HoursApart < 24 {
		parts = append(parts, fmt.Sprintf("相隔 %.0f 小时", r.HoursApart))
	} else {
		parts = append(parts, fmt.Sprintf("相隔 %.0f 天", r.HoursApart/24))
	}
	return strings.Join(parts, "；")
}

// String renders the reason in English: "same address; text similarity 0.82; 2 days apart".
func (r Reason) String() string {
	var parts []string
	switch {
	case r.SameAddress:
		parts = append(parts, "same address")
	case r.SameStreet:
		parts = append(parts, "same street")
	case r.SameDistrict:
		parts = append(parts, "same district")
	}
	if r.SameCategory {
		parts = append(parts, "same category")
	}
	parts = append(parts, fmt.Sprintf("text similarity %.2f", r.TextSimilarity))
	if r.HoursApart < 24 {
		parts = append(parts, fmt.Sprintf("%.0f hours apart", r.HoursApart))
	} else if d := math.Round(r.HoursApart / 24); d == 1 {
		parts = append(parts, "1 day apart")
	} else {
		parts = append(parts, fmt.Sprintf("%.0f days apart", d))
	}
	return strings.Join(parts, "; ")
}
