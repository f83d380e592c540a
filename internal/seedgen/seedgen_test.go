package seedgen

import (
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline/configs"
	"github.com/cityhotline/hotline/ticketing"
)

func reference(t *testing.T) *configs.ReferenceData {
	t.Helper()
	ref, err := configs.LoadReference(configs.Reference())
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func day(s string) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, s, ticketing.Beijing)
	if err != nil {
		panic(err)
	}
	return d
}

func newGen(t *testing.T, cfg Config) *Generator {
	t.Helper()
	if cfg.Reference == nil {
		cfg.Reference = reference(t)
	}
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func all(g *Generator) []*Batch {
	out := make([]*Batch, g.Days())
	for i := range out {
		out[i] = g.Day(i)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	ref := reference(t)
	cfg := Config{From: day("2025-01-06"), To: day("2025-01-08"), TicketsPerDay: 300, Seed: 42, Reference: ref, Calls: true, Callbacks: true}
	a, b := newGen(t, cfg).Day(1), newGen(t, cfg).Day(1)
	if len(a.Tickets) < 200 || !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, different days: %d vs %d tickets", len(a.Tickets), len(b.Tickets))
	}
	// A day does not depend on the days generated before it.
	cfg2 := cfg
	cfg2.From = day("2025-01-07")
	if c := newGen(t, cfg2).Day(0); !reflect.DeepEqual(a, c) {
		t.Fatal("day 2025-01-07 differs when generated first")
	}
	cfg.Seed = 43
	if c := newGen(t, cfg).Day(1); reflect.DeepEqual(a.Tickets[:5], c.Tickets[:5]) {
		t.Fatal("another seed gave the same tickets")
	}
}

// counts is a month's shape.
type counts struct {
	workday, restday         []int
	heating, nonHeating      int
	dispatched, total        int
	byCategory               map[string]int
	peak, night              int // tickets in 9:00–11:00 and 3:00–5:00
	valid, contacted, solved int
	satisfied, basically     int
	callbacks, reached       int
}

func shape(g *Generator, cal *ticketing.Calendar) counts {
	c := counts{byCategory: map[string]int{}}
	for _, b := range all(g) {
		if cal.Workday(b.Day) {
			c.workday = append(c.workday, len(b.Tickets))
		} else {
			c.restday = append(c.restday, len(b.Tickets))
		}
		for _, t := range b.Tickets {
			c.total++
			if strings.HasPrefix(string(t.Category), "heating.") {
				c.heating++
			} else {
				c.nonHeating++
				c.byCategory[string(t.Category)]++
			}
			if t.Triage == ticketing.TriageDispatch {
				c.dispatched++
			}
			switch h := t.Created.In(ticketing.Beijing).Hour(); {
			case h >= 9 && h < 11:
				c.peak++
			case h >= 3 && h < 5:
				c.night++
			}
		}
		for i, cb := range b.Callbacks {
			c.callbacks++
			for _, r := range b.Records[i] {
				c.reached++
				a := r.Answers()
				if !a.Valid() {
					continue
				}
				c.valid++
				c.contacted += b2i(r.Contacted == ticketing.AnswerYes)
				c.solved += b2i(r.Resolved == ticketing.AnswerYes)
				c.satisfied += b2i(r.Satisfaction == ticketing.Satisfied)
				c.basically += b2i(r.Satisfaction == ticketing.BasicallySatisfied)
			}
			_ = cb
		}
	}
	return c
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func mean(xs []int) float64 {
	s := 0
	for _, x := range xs {
		s += x
	}
	return float64(s) / float64(len(xs))
}

func TestShape(t *testing.T) {
	ref := reference(t)
	cal := ticketing.NewCalendar(nil, nil) // weekends only: a clean weekly cycle
	gen := func(from, to string) counts {
		g := newGen(t, Config{From: day(from), To: day(to), TicketsPerDay: 600, Seed: 1, Reference: ref, Calendar: cal, Callbacks: true})
		return shape(g, cal)
	}
	jan, jul := gen("2025-01-01", "2025-02-01"), gen("2025-07-01", "2025-08-01")

	// Weekly cycle: 1.08 / 0.80 = 1.35.
	if r := mean(jul.workday) / mean(jul.restday); math.Abs(r-1.35) > 0.08 {
		t.Errorf("workday/restday = %.2f, want 1.35 ± 0.08", r)
	}
	// July's mean day: 600 × 1.1 (summer) × 1.0 (heating trickle kept).
	if m := float64(jul.total) / 31; math.Abs(m-660) > 25 {
		t.Errorf("July mean %.0f tickets a day, want 660 ± 25", m)
	}
	// Heating: several-fold in January.
	hj, hl := float64(jan.heating)/float64(jan.total), float64(jul.heating)/float64(jul.total)
	if hl > 0.008 || hj < 5*hl || hj < 0.05 {
		t.Errorf("heating share January %.3f, July %.3f: want July < 0.008 and January ≥ 5× and ≥ 0.05", hj, hl)
	}
	// Category mix: market.consumer carries 8 of the non-heating weight.
	cum := newGen(t, Config{From: day("2025-01-01"), To: day("2025-01-02"), TicketsPerDay: 1, Reference: ref}).ref.leafCum
	want := 8 / cum[len(cum)-1]
	if got := float64(jul.byCategory["market.consumer"]) / float64(jul.nonHeating); math.Abs(got-want) > 0.15*want {
		t.Errorf("market.consumer share %.4f, want %.4f ± 15 %%", got, want)
	}
	// About 41 % dispatched (Beijing 2020).
	if d := float64(jul.dispatched) / float64(jul.total); d < 0.36 || d > 0.46 {
		t.Errorf("dispatched share %.3f, want 0.36–0.46", d)
	}
	// Daily cycle: two morning peak hours carry far more than two night hours.
	if jul.peak < 12*jul.night {
		t.Errorf("9–11 h: %d tickets, 3–5 h: %d: want the peak ≥ 12× the night", jul.peak, jul.night)
	}
	// Three rates over valid callbacks.
	v := float64(jul.valid)
	resp, sol, sat := float64(jul.contacted)/v, float64(jul.solved)/v, (float64(jul.satisfied)+0.9*float64(jul.basically))/v
	if resp < 0.97 || sol < 0.75 || sol > 0.90 || sat < 0.85 || sat > 0.95 {
		t.Errorf("rates: response %.3f resolution %.3f satisfaction %.3f; want ≥ 0.97, 0.75–0.90, 0.85–0.95", resp, sol, sat)
	}
	if r := float64(jul.reached) / float64(jul.callbacks); r < 0.9 {
		t.Errorf("only %.3f of callbacks reached the citizen", r)
	}
}

func TestHotSpotPlanted(t *testing.T) {
	ref := reference(t)
	// Day numbers (Unix days of the Beijing midnight) divisible by 5 start
	// a burst; 2025-01-08 is day 20095.
	g := newGen(t, Config{From: day("2025-01-08"), To: day("2025-01-10"), TicketsPerDay: 200, Seed: 3, Reference: ref})
	byPlace := map[string]int{}
	for _, b := range all(g) {
		for _, tk := range b.Tickets {
			if tk.Category == "heating.cold" {
				byPlace[string(tk.Street)+"|"+compoundOf(tk.Content)]++
			}
		}
	}
	best := 0
	for _, n := range byPlace {
		best = max(best, n)
	}
	if best < 30 {
		t.Fatalf("no compound with 30 heating complaints: best %d", best)
	}
}

var compoundRE = regexp.MustCompile(`^市民来电反映：(.+?)(今天|昨天开始|已经三天了|一周以来|这个月)`)

// compoundOf finds the compound a request's content names.
func compoundOf(content string) string {
	if m := compoundRE.FindStringSubmatch(content); m != nil {
		return m[1]
	}
	return ""
}

func TestConsistent(t *testing.T) {
	ref := reference(t)
	cal := ticketing.NewCalendar(nil, nil)
	end := day("2025-02-10")
	g := newGen(t, Config{From: day("2025-01-20"), To: end, TicketsPerDay: 500, Seed: 9, Reference: ref, Calendar: cal, Calls: true, Callbacks: true})
	states := map[ticketing.State]int{}
	for _, b := range all(g) {
		for i, tk := range b.Tickets {
			checkTicket(t, tk, b.Events[i], end)
			states[tk.State]++
		}
		for i, c := range b.Calls {
			if c.Answered.Before(c.Arrived) || (!c.Ended.IsZero() && c.Ended.Before(c.Answered)) || !c.Arrived.Before(end) {
				t.Errorf("call %s: times out of order", c.ID)
			}
			if k := b.CallTicket[i]; k >= 0 && b.Tickets[k].CallID != c.ID {
				t.Errorf("call %s: its ticket names call %s", c.ID, b.Tickets[k].CallID)
			}
		}
		for _, cb := range b.Callbacks {
			if cb.Planned.After(cb.Due) && cb.Attempts == 0 {
				t.Errorf("callback due %s before it was planned %s", cb.Due, cb.Planned)
			}
			for _, a := range cb.History {
				if a.Ended.Before(a.Started) || !a.Ended.Before(end) {
					t.Errorf("callback attempt %v out of order", a)
				}
			}
		}
	}
	// The last days leave work in progress; the first weeks are closed.
	for _, s := range []ticketing.State{ticketing.StateClosed, ticketing.StateInProgress, ticketing.StateReplied, ticketing.StateDispatched} {
		if states[s] == 0 {
			t.Errorf("no ticket ends %s: %v", s, states)
		}
	}
}

func checkTicket(t *testing.T, tk *ticketing.Ticket, evs []ticketing.Event, end time.Time) {
	t.Helper()
	if len(evs) == 0 || evs[0].Action != "intake" || !evs[0].Time.Equal(tk.Created) {
		t.Fatalf("ticket %s: history does not start with its intake", tk.Title)
	}
	last := evs[len(evs)-1]
	if last.To != tk.State || !tk.Updated.Equal(last.Time) {
		t.Errorf("ticket at %s: state %s, updated %s; last event %s → %s at %s", tk.Created, tk.State, tk.Updated, last.Action, last.To, last.Time)
	}
	if !slices.IsSortedFunc(evs, func(a, b ticketing.Event) int { return a.Time.Compare(b.Time) }) || !last.Time.Before(end) {
		t.Errorf("ticket at %s: events out of order or after the end", tk.Created)
	}
	for i := firstEvents(evs); i < len(evs); i++ { // the service's intake event already says "dispatched"
		if evs[i].From != evs[i-1].To {
			t.Errorf("ticket at %s: event %s starts from %s, the one before ended %s", tk.Created, evs[i].Action, evs[i].From, evs[i-1].To)
		}
	}
	seq := []time.Time{tk.DispatchedAt, tk.AcceptedAt, tk.ContactedAt, tk.RepliedAt, tk.ClosedAt}
	prev := tk.Created
	for _, x := range seq {
		if x.IsZero() {
			continue
		}
		if x.Before(prev) {
			t.Errorf("ticket at %s (%s): lifecycle times out of order %v", tk.Created, tk.State, seq)
			break
		}
		prev = x
	}
	switch {
	case tk.State.WithUnit() && (tk.Unit == "" || tk.ReplyDue.IsZero() || tk.DispatchedAt.IsZero()):
		t.Errorf("ticket at %s is %s without a unit or deadline", tk.Created, tk.State)
	case tk.State == ticketing.StateReplied && (tk.RepliedAt.IsZero() || tk.Outcome == ""):
		t.Errorf("ticket at %s replied without reply", tk.Created)
	case tk.State == ticketing.StateClosed && tk.ClosedAt.IsZero():
		t.Errorf("ticket at %s closed without a close time", tk.Created)
	case tk.State == ticketing.StateInProgress && tk.AcceptedAt.IsZero():
		t.Errorf("ticket at %s in progress but not accepted", tk.Created)
	}
	if tk.State.WithUnit() && tk.RepliedAt.IsZero() && !end.Before(tk.ReplyDue) && tk.ReplyLight != ticketing.LightRed {
		t.Errorf("ticket at %s overdue at the end but its light is %s", tk.Created, tk.ReplyLight)
	}
	if tk.Version != 1+len(evs)-firstEvents(evs) {
		t.Errorf("ticket at %s: version %d after %d events", tk.Created, tk.Version, len(evs))
	}
}

// firstEvents is how many events the creation wrote (intake, and the
// automatic dispatch).
func firstEvents(evs []ticketing.Event) int {
	if len(evs) > 1 && evs[1].Reason == "automatic dispatch" {
		return 2
	}
	return 1
}

// BenchmarkDay generates one January day at 3,000 tickets with calls and
// callbacks.
func BenchmarkDay(b *testing.B) {
	ref, err := configs.LoadReference(configs.Reference())
	if err != nil {
		b.Fatal(err)
	}
	g, err := New(Config{From: day("2025-01-01"), To: day("2025-02-01"), TicketsPerDay: 3000, Seed: 1, Reference: ref, Calls: true, Callbacks: true})
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for i := 0; b.Loop(); i++ {
		n += len(g.Day(i % g.Days()).Tickets)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "tickets/s")
}
