// Package seedgen generates realistic, deterministic hotline records for
// benchmarks and demonstrations: tickets with their lifecycle events, the
// inbound calls they came from and the satisfaction callbacks that followed,
// shaped like Beijing's 12345 (DESIGN.md "Rules and numbers").
//
// Every day is generated from its own random stream, derived from the seed
// and the day, so a day's records do not depend on which other days were
// generated, and days may be generated concurrently. Records that would
// happen after Config.To (the generator's "now") are not generated: a ticket
// filed on the last day is left in the state it has at that instant.
package seedgen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/configs"
	"github.com/cityhotline/hotline/ticketing"
)

// BeijingPerDay is Beijing's volume in 2024: ≈ 24 M requests a year.
const BeijingPerDay = 65600

// Config says what to generate.
type Config struct {
	From, To      time.Time // days [From, To), Beijing; To is also "now"
	TicketsPerDay float64   // mean tickets a day over a year
	Seed          uint64
	Reference     *configs.ReferenceData
	Calendar      *ticketing.Calendar      // holidays and adjusted working days; nil: weekends only
	SLA           ticketing.SLAConfig      // zero: ticketing.DefaultSLA with Calendar
	Callback      ticketing.CallbackPolicy // zero: ticketing.DefaultCallbackPolicy
	Calls         bool                     // generate call records for phone tickets (and abandoned calls)
	Callbacks     bool                     // generate callbacks and their answers
}

// Batch is one day's records. Calls and callbacks name their ticket by its
// index in Tickets until Link copies the numbers the store assigned.
type Batch struct {
	Day     time.Time
	Tickets []*ticketing.Ticket
	Events  [][]ticketing.Event // Events[i] belongs to Tickets[i]

	Calls      []*hotline.CallRecord
	CallTicket []int // index into Tickets, -1: no ticket (abandoned)

	Callbacks []*ticketing.Callback
	Records   [][]*ticketing.CallbackRecord // answers of Callbacks[i]
	CbTicket  []int                         // the ticket Callbacks[i] asks about
}

// Link copies the ticket numbers (set by the store when the tickets were
// loaded) into the calls, callbacks and callback records.
func (b *Batch) Link() {
	for i, c := range b.Calls {
		if k := b.CallTicket[i]; k >= 0 {
			c.Ticket = b.Tickets[k].ID
		}
	}
	for i, cb := range b.Callbacks {
		id := b.Tickets[b.CbTicket[i]].ID
		cb.Tickets = []hotline.TicketID{id}
		for _, r := range b.Records[i] {
			r.Ticket = id
		}
	}
}

// Generator makes batches. It is safe for concurrent use by Day.
type Generator struct {
	cfg    Config
	ref    *world
	start  time.Time // From, midnight Beijing
	end    time.Time // To
	days   int
	agents int
}

// New checks cfg and indexes the reference data.
func New(cfg Config) (*Generator, error) {
	if cfg.Reference == nil {
		return nil, fmt.Errorf("seedgen: no reference data")
	}
	if cfg.TicketsPerDay <= 0 {
		return nil, fmt.Errorf("seedgen: tickets per day must be positive")
	}
	if cfg.Calendar == nil {
		cfg.Calendar = ticketing.NewCalendar(nil, nil)
	}
	if cfg.SLA.Deadlines == nil {
		cal := cfg.Calendar
		cfg.SLA = ticketing.DefaultSLA()
		cfg.SLA.Calendar = cal
	}
	if cfg.Callback.Window.To == 0 {
		cfg.Callback = ticketing.DefaultCallbackPolicy()
	}
	start := midnight(cfg.From)
	if !cfg.To.After(start) {
		return nil, fmt.Errorf("seedgen: empty period %s – %s", cfg.From.Format(time.DateOnly), cfg.To.Format(time.DateOnly))
	}
	w, err := newWorld(cfg.Reference, cfg.Seed)
	if err != nil {
		return nil, err
	}
	g := &Generator{cfg: cfg, ref: w, start: start, end: cfg.To}
	g.days = int((cfg.To.Sub(start) + 24*time.Hour - time.Nanosecond) / (24 * time.Hour))
	// Enough agents that each takes 80–100 calls a day at the mean volume.
	g.agents = max(4, int(cfg.TicketsPerDay/90)+1)
	return g, nil
}

// Days is how many days the period holds.
func (g *Generator) Days() int { return g.days }

// DayStart returns the midnight (Beijing) that starts day i of the period.
func (g *Generator) DayStart(i int) time.Time {
	y, m, d := g.start.Date()
	return time.Date(y, m, d+i, 0, 0, 0, 0, ticketing.Beijing)
}

// Day generates day i (0 is From's day) of the period.
func (g *Generator) Day(i int) *Batch {
	day := g.DayStart(i)
	rng := rand.New(rand.NewPCG(g.cfg.Seed, uint64(day.Unix())))
	d := &dayGen{g: g, rng: rng, day: day, b: &Batch{Day: day}}
	d.run()
	return d.b
}

func midnight(t time.Time) time.Time {
	y, m, d := t.In(ticketing.Beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, ticketing.Beijing)
}
