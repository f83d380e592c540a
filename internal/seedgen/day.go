package seedgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// dayGen generates one day.
type dayGen struct {
	g   *Generator
	rng *rand.Rand
	day time.Time
	b   *Batch
}

// request is what a citizen asks, before the centre handles it.
type request struct {
	at       time.Time
	cat      *ticketing.Category
	place    *place
	compound string
	caller   string
}

func (d *dayGen) run() {
	mean := d.g.dayMean(d.day)
	n := int(math.Round(mean + math.Sqrt(mean)*d.rng.NormFloat64()))
	reqs := make([]request, 0, n+40)
	for range max(n, 0) {
		reqs = append(reqs, d.request(d.instant()))
	}
	reqs = append(reqs, d.hotSpots()...)
	slices.SortStableFunc(reqs, func(a, b request) int { return a.at.Compare(b.at) })
	for _, r := range reqs {
		if !r.at.Before(d.g.end) {
			break
		}
		d.ticket(r)
	}
	if d.g.cfg.Calls {
		d.abandoned(n)
	}
}

// instant draws a moment of the day following the half-hour curve.
func (d *dayGen) instant() time.Time {
	h := pick(d.rng, halfHours)
	off := time.Duration(h)*30*time.Minute + time.Duration(d.rng.Int64N(int64(30*time.Minute)))
	return d.day.Add(off).Truncate(time.Second).UTC()
}

// request draws a citizen's request: a repeat caller (about one in eight)
// from their usual place, otherwise a new number from anywhere.
func (d *dayGen) request(at time.Time) request {
	cat := d.category()
	pool := max(100, int(d.g.cfg.TicketsPerDay))
	if d.rng.IntN(8) == 0 {
		k := int(float64(pool) * math.Pow(d.rng.Float64(), 3)) // a few call very often
		r := rand.New(rand.NewPCG(d.g.cfg.Seed, 1<<50+uint64(k)))
		p := d.g.ref.streets[pick(r, d.g.ref.placeCum)]
		return request{at: at, cat: cat, place: p, compound: oneOf(r, p.compounds), caller: phoneNumber(r)}
	}
	p := d.g.ref.streets[pick(d.rng, d.g.ref.placeCum)]
	return request{at: at, cat: cat, place: p, compound: oneOf(d.rng, p.compounds), caller: phoneNumber(d.rng)}
}

func (d *dayGen) category() *ticketing.Category {
	w := d.g.ref
	if d.rng.Float64() < heatingShare(d.day) {
		if c := w.heating[heatingMix(d.rng, InHeatingSeason(d.day))]; c != nil {
			return c
		}
	}
	return w.leaves[pick(d.rng, w.leafCum)]
}

// hotSpots plants, every fifth day, a burst of 30 complaints from one
// compound over two days: a broken heating pipe in the heating season, a
// burst water main otherwise. Each burst is drawn from its own stream, so
// the day it starts and the day after agree on it.
func (d *dayGen) hotSpots() []request {
	var out []request
	idx := int(d.day.Unix() / 86400)
	for back := range 2 {
		start, base := idx-back, d.day.AddDate(0, 0, -back)
		if start%5 != 0 {
			continue
		}
		r := rand.New(rand.NewPCG(d.g.cfg.Seed, 1<<52+uint64(start)))
		p := d.g.ref.streets[pick(r, d.g.ref.placeCum)]
		compound := oneOf(r, p.compounds)
		cat := d.g.ref.cats["water.pipe"]
		if InHeatingSeason(d.day) && d.g.ref.heating["heating.leak"] != nil {
			cat = d.g.ref.heating["heating.cold"]
		}
		if cat == nil {
			return out
		}
		first := base.Add(7*time.Hour + time.Duration(r.Int64N(int64(10*time.Hour))))
		for i := range 30 {
			at := first.Add(time.Duration(i)*time.Hour + time.Duration(r.Int64N(int64(40*time.Minute)))).Truncate(time.Second).UTC()
			caller := phoneNumber(r)
			if !at.Before(d.day) && at.Before(d.day.Add(24*time.Hour)) {
				out = append(out, request{at: at, cat: cat, place: p, compound: compound, caller: caller})
			}
		}
	}
	return out
}

// intake builds the ticket as the agent files it.
func (d *dayGen) intake(r request) *ticketing.Ticket {
	rng := d.rng
	t := &ticketing.Ticket{Created: r.at, Updated: r.at, Category: r.cat.ID, CallerNumber: r.caller, ContactNumber: r.caller}
	t.Channel = channel(rng)
	if t.Channel != ticketing.ChannelPhone {
		t.CallerNumber = ""
	}
	t.CitizenName = citizenName(rng)
	t.Type = requestType(rng, r.cat)
	t.Title, t.Content = text(rng, r.cat, r.compound)
	t.Address = address(rng, r.place, r.compound)
	// Every road and compound of a place was checked to resolve to it
	// (world.resolvesTo), so the area is the place's without asking again.
	t.District, t.Street = r.place.district.ID, r.place.street.ID
	t.Urgency = r.cat.Urgency
	if t.Urgency == "" {
		t.Urgency = ticketing.UrgencyOrdinary
	}
	t.Confidential = rng.IntN(100) == 0
	t.NoCallback = rng.IntN(50) == 0
	t.Agent = hotline.UserID(fmt.Sprintf("agent%04d", 1+rng.IntN(d.g.agents)))
	t.Triage, t.TriageReason, t.Article = d.triage(t)
	return t
}

func channel(rng *rand.Rand) ticketing.Channel {
	x := rng.Float64()
	switch {
	case x < 0.905:
		return ticketing.ChannelPhone
	case x < 0.945:
		return ticketing.ChannelApp
	case x < 0.975:
		return ticketing.ChannelWeb
	case x < 0.985:
		return ticketing.ChannelSMS
	case x < 0.995:
		return ticketing.ChannelOpen311
	}
	return ticketing.ChannelEmail
}

// requestType: most calls are questions (咨询 ≈ 56 %); a fault of water,
// power, gas or heating is a call for help.
func requestType(rng *rand.Rand, c *ticketing.Category) ticketing.RequestType {
	x := rng.Float64()
	fault := c.Urgency == ticketing.UrgencyUtility || c.Urgency == ticketing.UrgencyEmergency
	switch {
	case fault && x < 0.75:
		return ticketing.TypeHelp
	case x < 0.56:
		return ticketing.TypeConsult
	case x < 0.78:
		return ticketing.TypeHelp
	case x < 0.90:
		return ticketing.TypeComplaint
	case x < 0.94:
		return ticketing.TypeReport
	case x < 0.98:
		return ticketing.TypeSuggestion
	}
	return ticketing.TypePraise
}

var noDispatch = []ticketing.NoDispatchReason{ticketing.NoDispatchLegalChannel, ticketing.NoDispatchDuplicate,
	ticketing.NoDispatchOutOfScope, ticketing.NoDispatchDuplicate, ticketing.NoDispatchSecret}

// triage: questions are mostly answered on the call; other requests are
// mostly dispatched (≈ 41 % of all requests are, as in Beijing).
func (d *dayGen) triage(t *ticketing.Ticket) (ticketing.Triage, string, string) {
	x := d.rng.Float64()
	answered := func() (ticketing.Triage, string, string) {
		if a := d.g.ref.articles[t.Category]; a != "" && d.rng.IntN(2) == 0 {
			return ticketing.TriageAnswered, "", a
		}
		return ticketing.TriageAnswered, "已依据政策为市民解答", ""
	}
	switch t.Type {
	case ticketing.TypeConsult:
		if x < 0.93 {
			return answered()
		}
	case ticketing.TypePraise:
		return ticketing.TriageAnswered, "已记录市民表扬并转达", ""
	}
	switch {
	case x < 0.06:
		return ticketing.TriageNoDispatch, string(noDispatch[d.rng.IntN(len(noDispatch))]), ""
	case x < 0.07:
		return ticketing.TriageEmergency, []string{"110", "119", "120", "122"}[d.rng.IntN(4)], ""
	case x < 0.16:
		return answered()
	}
	return ticketing.TriageDispatch, "", ""
}
