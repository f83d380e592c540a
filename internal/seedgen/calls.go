package seedgen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// menu is the inbound IVR's main menu: key, queue.
var menu = []struct{ digit, queue string }{{"1", "complaints"}, {"2", "policy"}, {"3", "business"}, {"0", "general"}}

func uuid(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, 0x8000|b>>48&0x3fff, b&0xffffffffffff)
}

// inbound is a call through the IVR into a queue, not yet ended.
func (d *dayGen) inbound(arrived time.Time, caller string) *hotline.CallRecord {
	rng := d.rng
	m := menu[0]
	if x := rng.IntN(10); x >= 6 {
		m = menu[1+rng.IntN(3)]
	}
	path := []string{"start", "day", "greeting", "load", "main", "hold-" + m.queue, "queue-" + m.queue}
	if d.g.cfg.Calendar.Holiday(arrived) {
		path[2] = "greeting-holiday"
	}
	return &hotline.CallRecord{ID: hotline.CallID(uuid(rng)), SIPCallID: fmt.Sprintf("%016x@carrier", rng.Uint64()),
		Direction: "inbound", Caller: caller, Callee: "12345", Trunk: "carrier", Arrived: arrived,
		Answered: arrived.Add(time.Second), IVRPath: path, Digits: m.digit, Queue: m.queue}
}

// call is the call a phone ticket was filed from: IVR, a short wait, the
// talk during which the agent files the ticket, wrap-up after.
func (d *dayGen) call(t *ticketing.Ticket, idx int) {
	rng := d.rng
	arrived := t.Created.Add(-logNormal(rng, 3*time.Minute, 0.4)).Truncate(time.Millisecond)
	c := d.inbound(arrived, t.CallerNumber)
	c.Agent, c.EndReason = t.Agent, "remote_hangup"
	if rng.IntN(6) == 0 {
		c.EndReason = "local_hangup"
	}
	if ended := t.Created.Add(logNormal(rng, 40*time.Second, 0.6)); ended.Before(d.g.end) {
		c.Ended = ended.Truncate(time.Millisecond)
	}
	c.Recording = string(c.ID) + ".wav"
	t.CallID, t.RecordingID = c.ID, c.Recording
	d.b.Calls = append(d.b.Calls, c)
	d.b.CallTicket = append(d.b.CallTicket, idx)
}

// abandoned adds the calls whose callers hung up in the queue, about 4 %
// of the day's calls.
func (d *dayGen) abandoned(n int) {
	for range n / 25 {
		at := d.instant().Add(time.Duration(d.rng.IntN(1000)) * time.Millisecond)
		if !at.Before(d.g.end) {
			continue
		}
		c := d.inbound(at, phoneNumber(d.rng))
		if ended := at.Add(25*time.Second + logNormal(d.rng, 40*time.Second, 0.7)); ended.Before(d.g.end) {
			c.Ended = ended.Truncate(time.Millisecond)
		}
		c.EndReason = "remote_hangup"
		d.b.Calls = append(d.b.Calls, c)
		d.b.CallTicket = append(d.b.CallTicket, -1)
	}
}

// callback plans the satisfaction callback of s's just-replied ticket
// (index idx of the batch) and plays its attempts until it ends or the
// period does. It returns the answers when the citizen was reached and
// when the callback ended (zero while it is still pending).
func (d *dayGen) callback(s *sim, idx int) (*ticketing.CallbackRecord, time.Time) {
	t, rng, p, cal := s.t, d.rng, d.g.cfg.Callback, d.g.cfg.Calendar
	if ok, _ := ticketing.Eligible(t); !ok {
		return nil, time.Time{}
	}
	planned := t.RepliedAt.Add(logNormal(rng, 2*time.Minute, 0.5)).Truncate(time.Second)
	if !planned.Before(d.g.end) {
		return nil, time.Time{}
	}
	cb := ticketing.Callback{ContactNumber: ticketing.NormalizeNumber(t.ContactNumber), Due: ticketing.DueAt(t.RepliedAt, p, cal),
		Planned: planned, State: ticketing.CallbackPending}
	var rec *ticketing.CallbackRecord
	for !cb.State.Final() {
		start := cb.Due.Add(logNormal(rng, 3*time.Minute, 1)).Truncate(time.Second)
		res, took := attemptResult(rng, cb.Attempts)
		end := start.Add(took)
		if !end.Before(d.g.end) {
			break
		}
		began, err := ticketing.BeginAttempt(cb, start)
		if err != nil {
			break
		}
		if cb, err = ticketing.NextAttempt(began, res, end, p, cal); err != nil {
			break
		}
		if res.Reached() {
			rec = d.answers(t, start, res)
		}
	}
	cb.Version = 1
	d.b.Callbacks = append(d.b.Callbacks, &cb)
	var recs []*ticketing.CallbackRecord
	if rec != nil {
		recs = append(recs, rec)
	}
	d.b.Records = append(d.b.Records, recs)
	d.b.CbTicket = append(d.b.CbTicket, idx)
	if !cb.State.Final() {
		return nil, time.Time{}
	}
	last := cb.History[len(cb.History)-1].Ended
	return rec, last
}

// attemptResult: most citizens pick up at the first call; three calls
// leave about 2 % unreachable.
func attemptResult(rng *rand.Rand, before int) (ticketing.CallResult, time.Duration) {
	reach := []float64{0.85, 0.65, 0.55}[min(before, 2)]
	x := rng.Float64()
	switch {
	case x < reach*0.97:
		return ticketing.ResultAnswered, 60*time.Second + time.Duration(rng.IntN(60))*time.Second
	case x < reach:
		return ticketing.ResultHungUp, 20*time.Second + time.Duration(rng.IntN(20))*time.Second
	}
	switch y := rng.IntN(10); {
	case y < 7:
		return ticketing.ResultNoAnswer, 45 * time.Second
	case y < 9:
		return ticketing.ResultBusy, 5 * time.Second
	}
	return ticketing.ResultUnreachable, 3 * time.Second
}

// answers are the citizen's verdict: contacted almost always; resolved as
// the reply said, mostly; satisfied when resolved, often not otherwise. A
// late reply costs some satisfaction. A hang-up leaves the later answers
// unknown.
func (d *dayGen) answers(t *ticketing.Ticket, at time.Time, res ticketing.CallResult) *ticketing.CallbackRecord {
	rng := d.rng
	r := &ticketing.CallbackRecord{Unit: t.Unit, CalledAt: at, Reached: true,
		Contacted: ticketing.AnswerYes, Resolved: ticketing.AnswerNo, Satisfaction: ticketing.Dissatisfied}
	if u := d.g.ref.units[t.Unit]; u != nil {
		r.Tier = u.Tier
	}
	if rng.IntN(100) == 0 {
		r.Contacted = ticketing.AnswerNo
	}
	pResolved := map[ticketing.Outcome]float64{ticketing.OutcomeResolved: 0.93, ticketing.OutcomeExplained: 0.55, ticketing.OutcomeUnresolved: 0.15}[t.Outcome]
	if rng.Float64() < pResolved {
		r.Resolved = ticketing.AnswerYes
	}
	sat := []float64{0.40, 0.65} // cumulative: satisfied, basically
	if r.Resolved == ticketing.AnswerYes {
		sat = []float64{0.88, 0.97}
	}
	if t.ReplyLight == ticketing.LightRed {
		sat = []float64{sat[0] * 0.8, sat[1] * 0.9}
	}
	switch x := rng.Float64(); {
	case x < sat[0]:
		r.Satisfaction = ticketing.Satisfied
	case x < sat[1]:
		r.Satisfaction = ticketing.BasicallySatisfied
	}
	if res == ticketing.ResultHungUp {
		r.Satisfaction = ticketing.SatisfactionUnknown
		if rng.IntN(2) == 0 {
			r.Resolved = ticketing.AnswerUnknown
		}
	}
	return r
}
