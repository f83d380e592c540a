package ticketing

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// Report is a 日报告, 周分析 or 月通报: the period's volume, its movers
// against the previous period (环比) and the same period last year (同比),
// dispatch health, the three rates, the call centre's KPIs and, for a daily
// report, the urgent-sensitive brief.
type Report struct {
	Kind        ReportKind `json:"kind"`
	Label       string     `json:"label"`
	From        time.Time  `json:"from"`
	To          time.Time  `json:"to"`
	GeneratedAt time.Time  `json:"generated_at"`
	Partial     bool       `json:"partial"` // generated before the period ended

	Total    int          `json:"total"`
	Previous PeriodTotal  `json:"previous"`
	LastYear PeriodTotal  `json:"last_year"`
	Volume   ReportVolume `json:"volume"`
	// Series is the volume line: tickets per hour (daily) or per day.
	Series []SeriesPoint `json:"series"`
	Movers ReportMovers  `json:"movers"`

	Dispatch DispatchHealth `json:"dispatch"`
	Rates    ReportRates    `json:"rates"`
	Calls    *CallKPIs      `json:"calls"` // nil when no queue log is kept
	Urgent   []UrgentItem   `json:"urgent"`

	// Names maps the category and unit ids that appear to their names.
	Names map[string]string `json:"names"`
}

// PeriodTotal is a comparison period and its volume.
type PeriodTotal struct {
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Total int       `json:"total"`
}

// ReportVolume is the volume by each dimension, largest first.
type ReportVolume struct {
	Channel  []KeyCount `json:"channel"`
	Type     []KeyCount `json:"type"`
	Category []KeyCount `json:"category"`
	District []KeyCount `json:"district"`
	Unit     []KeyCount `json:"unit"`
}

// SeriesPoint is one point of the volume line.
type SeriesPoint struct {
	At    time.Time `json:"at"`
	Count int       `json:"count"`
}

// Mover is one key's change against a base period. Pct is Change ÷ Base
// (a fraction), nil when Base is 0.
type Mover struct {
	Key    string   `json:"key"`
	Count  int      `json:"count"`
	Base   int      `json:"base"`
	Change int      `json:"change"`
	Pct    *float64 `json:"pct"`
}

// MoverSet is the largest rises and falls against one base period.
type MoverSet struct {
	Rise []Mover `json:"rise"`
	Fall []Mover `json:"fall"`
}

// Movers of one dimension against the previous period and last year.
type Movers struct {
	Previous MoverSet `json:"previous"`
	LastYear MoverSet `json:"last_year"`
}

// ReportMovers are the movers of each compared dimension.
type ReportMovers struct {
	Category Movers `json:"category"`
	District Movers `json:"district"`
	Unit     Movers `json:"unit"`
}

// DispatchHealth counts the period's tickets that were dispatched and that
// missed their reply deadline, and the period's lifecycle events (returns,
// extension requests and approvals, supervisions, reopens).
type DispatchHealth struct {
	Dispatched          int `json:"dispatched"`
	Returns             int `json:"returns"`
	ExtensionsRequested int `json:"extensions_requested"`
	ExtensionsApproved  int `json:"extensions_approved"`
	Overdue             int `json:"overdue"`
	Supervised          int `json:"supervised"`
	Reopened            int `json:"reopened"`
}

// ReportRates are the three rates over the period's valid callbacks,
// computed as the assessment computes a unit's (all zero without any).
type ReportRates struct {
	Callbacks        int     `json:"callbacks"`
	Valid            int     `json:"valid"`
	ResponseRate     float64 `json:"response_rate"`
	ResolutionRate   float64 `json:"resolution_rate"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
	Score            float64 `json:"score"`
}

// CallKPIs are the call centre's figures for the period, from the stored
// queue log (see agent.KPI for each formula).
type CallKPIs struct {
	Offered          int     `json:"offered"`
	Answered         int     `json:"answered"`
	Abandoned        int     `json:"abandoned"`
	AnsweredWithinSL int     `json:"answered_within_sl"` // answered within 15 s
	ServiceLevel     float64 `json:"service_level"`
	ASAMS            int64   `json:"asa_ms"`
	AbandonRate      float64 `json:"abandon_rate"`
	AHTMS            int64   `json:"aht_ms"`
	Occupancy        float64 `json:"occupancy"`
}

// UrgentItem is one line of the urgent-sensitive brief.
type UrgentItem struct {
	Theme    string    `json:"theme"` // UrgentTheme.ID
	ID       string    `json:"id"`
	Time     time.Time `json:"time"`
	Place    string    `json:"place"`
	Summary  string    `json:"summary"`
	Category string    `json:"category"`
}

// MoversShown is how many rises and falls a report lists per dimension.
const MoversShown = 5

// ReportInput is everything BuildReport reads.
type ReportInput struct {
	Period   Period
	Current  ReportCounts // with Detail
	Previous ReportCounts
	LastYear ReportCounts
	Urgent   []UrgentTicket // daily only; themed with Themes
	Themes   []UrgentTheme
	Calls    *CallKPIs
	Names    map[string]string // id → name, for places and the page
	Now      time.Time
	Config   AssessmentConfig
}

// BuildReport builds a report from the store's counts: a pure function.
func BuildReport(in ReportInput) *Report {
	p, cur := in.Period, in.Current
	r := &Report{
		Kind: p.Kind, Label: p.Label(), From: p.From, To: p.To, GeneratedAt: in.Now,
		Partial:  in.Now.Before(p.To),
		Total:    cur.Total,
		Previous: PeriodTotal{From: p.Previous().From, To: p.Previous().To, Total: in.Previous.Total},
		LastYear: PeriodTotal{From: p.LastYear().From, To: p.LastYear().To, Total: in.LastYear.Total},
		Volume: ReportVolume{Channel: byCount(cur.Channel), Type: byCount(cur.Type),
			Category: byCount(cur.Category), District: byCount(cur.District), Unit: byCount(cur.Unit)},
		Series: series(p, cur.Series),
		Movers: ReportMovers{
			Category: movers(cur.Category, in.Previous.Category, in.LastYear.Category),
			District: movers(cur.District, in.Previous.District, in.LastYear.District),
			Unit:     movers(cur.Unit, in.Previous.Unit, in.LastYear.Unit),
		},
		Dispatch: dispatchHealth(cur),
		Rates:    reportRates(cur.Callbacks, in.Config),
		Calls:    in.Calls,
		Urgent:   []UrgentItem{},
		Names:    in.Names,
	}
	if p.Kind == ReportDaily {
		r.Urgent = UrgentBrief(in.Urgent, in.Themes, in.Names)
	}
	return r
}

// byCount orders groups largest first, then by key.
func byCount(groups []KeyCount) []KeyCount {
	out := slices.Clone(groups)
	if out == nil {
		out = []KeyCount{}
	}
	slices.SortFunc(out, func(a, b KeyCount) int { return cmp.Or(b.Count-a.Count, cmp.Compare(a.Key, b.Key)) })
	return out
}

// series dates the counts of each step of the period.
func series(p Period, counts []int) []SeriesPoint {
	out := make([]SeriesPoint, p.Buckets())
	for i := range out {
		out[i].At = p.From.Add(time.Duration(i) * p.Step())
		if i < len(counts) {
			out[i].Count = counts[i]
		}
	}
	return out
}

// movers compares one dimension with both base periods.
func movers(cur, prev, lastYear []KeyCount) Movers {
	return Movers{Previous: moverSet(cur, prev), LastYear: moverSet(cur, lastYear)}
}

// moverSet lists the MoversShown largest rises and falls of cur against
// base, by absolute change, then by key. Keys in either period count.
func moverSet(cur, base []KeyCount) MoverSet {
	all := map[string]*Mover{}
	get := func(k string) *Mover {
		if all[k] == nil {
			all[k] = &Mover{Key: k}
		}
		return all[k]
	}
	for _, c := range cur {
		get(c.Key).Count += c.Count
	}
	for _, c := range base {
		get(c.Key).Base += c.Count
	}
	set := MoverSet{Rise: []Mover{}, Fall: []Mover{}}
	for _, m := range all {
		m.Change = m.Count - m.Base
		if m.Base > 0 {
			pct := math.Round(float64(m.Change)/float64(m.Base)*1e4) / 1e4
			m.Pct = &pct
		}
		switch {
		case m.Change > 0:
			set.Rise = append(set.Rise, *m)
		case m.Change < 0:
			set.Fall = append(set.Fall, *m)
		}
	}
	bySize := func(a, b Mover) int { return cmp.Or(abs(b.Change)-abs(a.Change), cmp.Compare(a.Key, b.Key)) }
	slices.SortFunc(set.Rise, bySize)
	slices.SortFunc(set.Fall, bySize)
	set.Rise, set.Fall = set.Rise[:min(len(set.Rise), MoversShown)], set.Fall[:min(len(set.Fall), MoversShown)]
	return set
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// dispatchHealth reads the lifecycle events of the period.
func dispatchHealth(c ReportCounts) DispatchHealth {
	a := c.Actions
	return DispatchHealth{
		Dispatched: c.Dispatched, Returns: a["return"],
		ExtensionsRequested: a["extend"], ExtensionsApproved: a["approve_extension"],
		Overdue: c.Overdue, Supervised: a["supervise"], Reopened: a["reopen"],
	}
}

// reportRates rates the period's callbacks with the assessment's formula.
func reportRates(counts UnitScore, cfg AssessmentConfig) ReportRates {
	s := counts
	if s.Valid > 0 {
		s.rate(cfg)
	}
	return ReportRates{
		Callbacks: s.Callbacks, Valid: s.Valid,
		ResponseRate: round4(s.ResponseRate), ResolutionRate: round4(s.ResolutionRate),
		SatisfactionRate: round4(s.SatisfactionRate), Score: math.Round(s.Score*100) / 100,
	}
}

func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }

// oneLine is s on one line, at most n runes (an ellipsis marks a cut).
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
