package ticketing

import (
	"strconv"
	"time"
)

// audited lists the ticket fields whose changes an event's diff records.
var audited = []struct {
	name string
	get  func(*Ticket) string
}{
	{"state", func(t *Ticket) string { return string(t.State) }},
	{"unit", func(t *Ticket) string { return string(t.Unit) }},
	{"copy_unit", func(t *Ticket) string { return string(t.CopyUnit) }},
	{"category", func(t *Ticket) string { return string(t.Category) }},
	{"urgency", func(t *Ticket) string { return string(t.Urgency) }},
	{"triage", func(t *Ticket) string { return string(t.Triage) }},
	{"merged_into", func(t *Ticket) string { return string(t.MergedInto) }},
	{"accept_due", func(t *Ticket) string { return timeString(t.AcceptDue) }},
	{"contact_due", func(t *Ticket) string { return timeString(t.ContactDue) }},
	{"reply_due", func(t *Ticket) string { return timeString(t.ReplyDue) }},
	{"accept_light", func(t *Ticket) string { return string(t.AcceptLight) }},
	{"contact_light", func(t *Ticket) string { return string(t.ContactLight) }},
	{"reply_light", func(t *Ticket) string { return string(t.ReplyLight) }},
	{"accepted_at", func(t *Ticket) string { return timeString(t.AcceptedAt) }},
	{"contacted_at", func(t *Ticket) string { return timeString(t.ContactedAt) }},
	{"replied_at", func(t *Ticket) string { return timeString(t.RepliedAt) }},
	{"closed_at", func(t *Ticket) string { return timeString(t.ClosedAt) }},
	{"paused_at", func(t *Ticket) string { return timeString(t.PausedAt) }},
	{"outcome", func(t *Ticket) string { return string(t.Outcome) }},
	{"reply_content", func(t *Ticket) string { return t.ReplyContent }},
	{"pending_return", func(t *Ticket) string { return t.PendingReturn }},
	{"pending_extension", func(t *Ticket) string { return itoa(t.PendingExtension) }},
	{"supervised", func(t *Ticket) string { return strconv.FormatBool(t.Supervised) }},
	{"returns", func(t *Ticket) string { return itoa(t.Returns) }},
	{"extensions", func(t *Ticket) string { return itoa(t.Extensions) }},
	{"reopens", func(t *Ticket) string { return itoa(t.Reopens) }},
	{"urges", func(t *Ticket) string { return itoa(t.Urges) }},
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

// Diff returns the audited fields that differ between before and after.
func Diff(before, after *Ticket) map[string]Change {
	var d map[string]Change
	for _, f := range audited {
		if a, b := f.get(before), f.get(after); a != b {
			if d == nil {
				d = map[string]Change{}
			}
			d[f.name] = Change{From: a, To: b}
		}
	}
	return d
}
