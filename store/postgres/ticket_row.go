package postgres

import (
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/cityhotline/hotline/ticketing"
)

// ticketColumns are the stored columns of a ticket other than id, in the
// order of ticketValues and ticketDests. search is derived from the text.
var ticketColumns = []string{
	"channel", "caller_number", "contact_number", "citizen_name", "type",
	"category", "title", "content", "address", "district", "street", "lat",
	"lng", "urgency", "confidential", "no_callback", "call_id",
	"recording_id", "agent", "state", "triage", "triage_reason", "article",
	"merged_into", "suggested_unit", "unit", "copy_unit", "created",
	"updated", "dispatched_at", "accepted_at", "contacted_at", "replied_at",
	"closed_at", "accept_due", "contact_due", "reply_due", "accept_light",
	"contact_light", "reply_light", "next_check", "paused_at", "outcome",
	"reply_content", "pending_return", "pending_extension",
	"extension_reason", "supervised", "returns", "extensions", "reopens",
	"urges", "search",
}

// ticketSelect is the select list that scanTicket reads.
var ticketSelect = "id, version, " + strings.Join(ticketColumns[:len(ticketColumns)-1], ", ")

// ticketValues returns t's column values in ticketColumns order.
func ticketValues(t *ticketing.Ticket) []any {
	return []any{
		string(t.Channel), t.CallerNumber, t.ContactNumber, t.CitizenName, string(t.Type),
		string(t.Category), t.Title, t.Content, t.Address, string(t.District), string(t.Street), t.Lat,
		t.Lng, string(t.Urgency), t.Confidential, t.NoCallback, string(t.CallID),
		t.RecordingID, string(t.Agent), string(t.State), string(t.Triage), t.TriageReason, t.Article,
		string(t.MergedInto), string(t.SuggestedUnit), string(t.Unit), string(t.CopyUnit), ts(t.Created),
		ts(t.Updated), ts(t.DispatchedAt), ts(t.AcceptedAt), ts(t.ContactedAt), ts(t.RepliedAt),
		ts(t.ClosedAt), ts(t.AcceptDue), ts(t.ContactDue), ts(t.ReplyDue), string(t.AcceptLight),
		string(t.ContactLight), string(t.ReplyLight), ts(t.NextCheck), ts(t.PausedAt), string(t.Outcome),
		t.ReplyContent, t.PendingReturn, t.PendingExtension,
		t.ExtensionReason, t.Supervised, t.Returns, t.Extensions, t.Reopens,
		t.Urges, ticketing.IndexText(t.Title, t.Content, t.Address),
	}
}

// ticketDests returns scan destinations for ticketSelect into t.
func ticketDests(t *ticketing.Ticket) []any {
	return []any{
		&t.ID, &t.Version,
		&t.Channel, &t.CallerNumber, &t.ContactNumber, &t.CitizenName, &t.Type,
		&t.Category, &t.Title, &t.Content, &t.Address, &t.District, &t.Street, &t.Lat,
		&t.Lng, &t.Urgency, &t.Confidential, &t.NoCallback, &t.CallID,
		&t.RecordingID, &t.Agent, &t.State, &t.Triage, &t.TriageReason, &t.Article,
		&t.MergedInto, &t.SuggestedUnit, &t.Unit, &t.CopyUnit, timeDest{&t.Created},
		timeDest{&t.Updated}, timeDest{&t.DispatchedAt}, timeDest{&t.AcceptedAt}, timeDest{&t.ContactedAt}, timeDest{&t.RepliedAt},
		timeDest{&t.ClosedAt}, timeDest{&t.AcceptDue}, timeDest{&t.ContactDue}, timeDest{&t.ReplyDue}, &t.AcceptLight,
		&t.ContactLight, &t.ReplyLight, timeDest{&t.NextCheck}, timeDest{&t.PausedAt}, &t.Outcome,
		&t.ReplyContent, &t.PendingReturn, &t.PendingExtension,
		&t.ExtensionReason, &t.Supervised, &t.Returns, &t.Extensions, &t.Reopens,
		&t.Urges,
	}
}

// scanTicket reads one row of ticketSelect.
func scanTicket(row pgx.Row) (*ticketing.Ticket, error) {
	t := new(ticketing.Ticket)
	if err := row.Scan(ticketDests(t)...); err != nil {
		return nil, err
	}
	return t, nil
}

// scanTickets reads every row of ticketSelect.
func scanTickets(rows pgx.Rows) ([]*ticketing.Ticket, error) {
	defer rows.Close()
	var out []*ticketing.Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
