package seedgen

import (
	"strconv"
	"time"

	"github.com/cityhotline/hotline/ticketing"
)

// The SLA clocks as the ticketing service keeps them (ticketing/sla.go):
// the generator must leave exactly the deadlines, lights and next check
// that the service would have stored, so these follow its rules.

type clock struct {
	due   *time.Time
	light *ticketing.Light
	done  time.Time
}

func clocksOf(t *ticketing.Ticket) [3]clock {
	return [3]clock{
		{&t.AcceptDue, &t.AcceptLight, t.AcceptedAt},
		{&t.ContactDue, &t.ContactLight, t.ContactedAt},
		{&t.ReplyDue, &t.ReplyLight, t.RepliedAt},
	}
}

// startClocks sets the three deadlines from the dispatch instant.
func startClocks(c *ticketing.SLAConfig, t *ticketing.Ticket, at time.Time) {
	d := c.Deadlines[t.Urgency]
	durs := [3]time.Duration{d.Accept, d.Contact, d.Reply}
	for i, k := range clocksOf(t) {
		*k.due = c.Calendar.Add(at, durs[i], c.Working[i])
		*k.light = ticketing.LightGreen
	}
	t.PausedAt = time.Time{}
}

// evaluate recomputes the lights of the running clocks at now and sets
// NextCheck; it reports whether a light changed.
func evaluate(c *ticketing.SLAConfig, t *ticketing.Ticket, now time.Time) bool {
	t.NextCheck = time.Time{}
	if !t.State.WithUnit() || t.DispatchedAt.IsZero() || !t.PausedAt.IsZero() {
		return false
	}
	changed := false
	for i, k := range clocksOf(t) {
		if !k.done.IsZero() || k.due.IsZero() {
			continue
		}
		total := c.Calendar.Between(t.DispatchedAt, *k.due, c.Working[i])
		warn := c.Calendar.Add(t.DispatchedAt, time.Duration(float64(total)*c.WarnAt), c.Working[i])
		light, next := ticketing.LightGreen, warn
		switch {
		case !now.Before(*k.due):
			light, next = ticketing.LightRed, time.Time{}
		case !now.Before(warn):
			light, next = ticketing.LightYellow, *k.due
		}
		if light != *k.light {
			*k.light, changed = light, true
		}
		if !next.IsZero() && (t.NextCheck.IsZero() || next.Before(t.NextCheck)) {
			t.NextCheck = next
		}
	}
	return changed
}

// audited are the fields an event's diff records (ticketing/diff.go).
var audited = []struct {
	name string
	get  func(*ticketing.Ticket) string
}{
	{"state", func(t *ticketing.Ticket) string { return string(t.State) }},
	{"unit", func(t *ticketing.Ticket) string { return string(t.Unit) }},
	{"copy_unit", func(t *ticketing.Ticket) string { return string(t.CopyUnit) }},
	{"category", func(t *ticketing.Ticket) string { return string(t.Category) }},
	{"urgency", func(t *ticketing.Ticket) string { return string(t.Urgency) }},
	{"triage", func(t *ticketing.Ticket) string { return string(t.Triage) }},
	{"merged_into", func(t *ticketing.Ticket) string { return string(t.MergedInto) }},
	{"accept_due", func(t *ticketing.Ticket) string { return timeString(t.AcceptDue) }},
	{"contact_due", func(t *ticketing.Ticket) string { return timeString(t.ContactDue) }},
	{"reply_due", func(t *ticketing.Ticket) string { return timeString(t.ReplyDue) }},
	{"accept_light", func(t *ticketing.Ticket) string { return string(t.AcceptLight) }},
	{"contact_light", func(t *ticketing.Ticket) string { return string(t.ContactLight) }},
	{"reply_light", func(t *ticketing.Ticket) string { return string(t.ReplyLight) }},
	{"accepted_at", func(t *ticketing.Ticket) string { return timeString(t.AcceptedAt) }},
	{"contacted_at", func(t *ticketing.Ticket) string { return timeString(t.ContactedAt) }},
	{"replied_at", func(t *ticketing.Ticket) string { return timeString(t.RepliedAt) }},
	{"closed_at", func(t *ticketing.Ticket) string { return timeString(t.ClosedAt) }},
	{"paused_at", func(t *ticketing.Ticket) string { return timeString(t.PausedAt) }},
	{"outcome", func(t *ticketing.Ticket) string { return string(t.Outcome) }},
	{"reply_content", func(t *ticketing.Ticket) string { return t.ReplyContent }},
	{"pending_return", func(t *ticketing.Ticket) string { return t.PendingReturn }},
	{"pending_extension", func(t *ticketing.Ticket) string { return itoa(t.PendingExtension) }},
	{"supervised", func(t *ticketing.Ticket) string { return strconv.FormatBool(t.Supervised) }},
	{"returns", func(t *ticketing.Ticket) string { return itoa(t.Returns) }},
	{"extensions", func(t *ticketing.Ticket) string { return itoa(t.Extensions) }},
	{"reopens", func(t *ticketing.Ticket) string { return itoa(t.Reopens) }},
	{"urges", func(t *ticketing.Ticket) string { return itoa(t.Urges) }},
}

func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// diff returns the audited fields that differ between before and after.
func diff(before, after *ticketing.Ticket) map[string]ticketing.Change {
	var d map[string]ticketing.Change
	for _, f := range audited {
		if a, b := f.get(before), f.get(after); a != b {
			if d == nil {
				d = map[string]ticketing.Change{}
			}
			d[f.name] = ticketing.Change{From: a, To: b}
		}
	}
	return d
}
