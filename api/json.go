package api

import (
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/ticketing"
)

// The wire shapes of the JSON API: snake_case, times in RFC 3339, zero
// times omitted. Domain types never carry JSON tags of their own.

// stamp formats t, or "" for the zero time (omitted by omitempty).
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

type triple struct {
	Accept  string `json:"accept,omitempty"`
	Contact string `json:"contact,omitempty"`
	Reply   string `json:"reply,omitempty"`
}

type pendingExtensionJSON struct {
	Days   int    `json:"days"`
	Reason string `json:"reason"`
}

type countersJSON struct {
	Returns    int `json:"returns"`
	Extensions int `json:"extensions"`
	Reopens    int `json:"reopens"`
	Urges      int `json:"urges"`
}

type ticketJSON struct {
	ID               hotline.TicketID      `json:"id"`
	Channel          string                `json:"channel"`
	CallerNumber     string                `json:"caller_number"`
	ContactNumber    string                `json:"contact_number"`
	CitizenName      string                `json:"citizen_name"`
	Type             string                `json:"type"`
	Category         hotline.CategoryID    `json:"category"`
	Title            string                `json:"title"`
	Content          string                `json:"content"`
	Address          string                `json:"address"`
	District         hotline.UnitID        `json:"district"`
	Street           hotline.UnitID        `json:"street"`
	Lat              *float64              `json:"lat,omitempty"`
	Lng              *float64              `json:"lng,omitempty"`
	Urgency          string                `json:"urgency"`
	Confidential     bool                  `json:"confidential"`
	NoCallback       bool                  `json:"no_callback"`
	CallID           hotline.CallID        `json:"call_id"`
	RecordingID      string                `json:"recording_id"`
	Agent            hotline.UserID        `json:"agent"`
	State            string                `json:"state"`
	Triage           string                `json:"triage"`
	TriageReason     string                `json:"triage_reason"`
	Article          string                `json:"article"`
	MergedInto       hotline.TicketID      `json:"merged_into"`
	SuggestedUnit    hotline.UnitID        `json:"suggested_unit"`
	Unit             hotline.UnitID        `json:"unit"`
	CopyUnit         hotline.UnitID        `json:"copy_unit"`
	Created          string                `json:"created,omitempty"`
	Updated          string                `json:"updated,omitempty"`
	DispatchedAt     string                `json:"dispatched_at,omitempty"`
	AcceptedAt       string                `json:"accepted_at,omitempty"`
	ContactedAt      string                `json:"contacted_at,omitempty"`
	RepliedAt        string                `json:"replied_at,omitempty"`
	ClosedAt         string                `json:"closed_at,omitempty"`
	Deadlines        triple                `json:"deadlines"`
	Lights           triple                `json:"lights"`
	PausedAt         string                `json:"paused_at,omitempty"`
	Outcome          string                `json:"outcome"`
	ReplyContent     string                `json:"reply_content"`
	PendingReturn    string                `json:"pending_return"`
	PendingExtension *pendingExtensionJSON `json:"pending_extension,omitempty"`
	Supervised       bool                  `json:"supervised"`
	Counters         countersJSON          `json:"counters"`
	Version          int                   `json:"version"`
}

func toTicketJSON(t *ticketing.Ticket) ticketJSON {
	out := ticketJSON{
		ID: t.ID, Channel: string(t.Channel), CallerNumber: t.CallerNumber, ContactNumber: t.ContactNumber,
		CitizenName: t.CitizenName, Type: string(t.Type), Category: t.Category, Title: t.Title,
		Content: t.Content, Address: t.Address, District: t.District, Street: t.Street,
		Urgency: string(t.Urgency), Confidential: t.Confidential, NoCallback: t.NoCallback,
		CallID: t.CallID, RecordingID: t.RecordingID, Agent: t.Agent, State: string(t.State),
		Triage: string(t.Triage), TriageReason: t.TriageReason, Article: t.Article, MergedInto: t.MergedInto,
		SuggestedUnit: t.SuggestedUnit, Unit: t.Unit, CopyUnit: t.CopyUnit,
		Created: stamp(t.Created), Updated: stamp(t.Updated), DispatchedAt: stamp(t.DispatchedAt),
		AcceptedAt: stamp(t.AcceptedAt), ContactedAt: stamp(t.ContactedAt), RepliedAt: stamp(t.RepliedAt),
		ClosedAt: stamp(t.ClosedAt), PausedAt: stamp(t.PausedAt),
		Deadlines: triple{Accept: stamp(t.AcceptDue), Contact: stamp(t.ContactDue), Reply: stamp(t.ReplyDue)},
		Lights:    triple{Accept: string(t.AcceptLight), Contact: string(t.ContactLight), Reply: string(t.ReplyLight)},
		Outcome:   string(t.Outcome), ReplyContent: t.ReplyContent, PendingReturn: t.PendingReturn,
		Supervised: t.Supervised,
		Counters:   countersJSON{Returns: t.Returns, Extensions: t.Extensions, Reopens: t.Reopens, Urges: t.Urges},
		Version:    t.Version,
	}
	if t.HasPosition() {
		lat, lng := t.Lat, t.Lng
		out.Lat, out.Lng = &lat, &lng
	}
	if t.PendingExtension > 0 {
		out.PendingExtension = &pendingExtensionJSON{Days: t.PendingExtension, Reason: t.ExtensionReason}
	}
	return out
}

func toTicketsJSON(ts []*ticketing.Ticket) []ticketJSON {
	out := make([]ticketJSON, 0, len(ts))
	for _, t := range ts {
		out = append(out, toTicketJSON(t))
	}
	return out
}

type actorJSON struct {
	ID   hotline.UserID `json:"id"`
	Name string         `json:"name"`
	Role string         `json:"role"`
	Unit hotline.UnitID `json:"unit"`
}

type eventJSON struct {
	Seq    int64                       `json:"seq"`
	Time   string                      `json:"time"`
	Actor  actorJSON                   `json:"actor"`
	Action string                      `json:"action"`
	From   string                      `json:"from"`
	To     string                      `json:"to"`
	Reason string                      `json:"reason"`
	Diff   map[string]ticketing.Change `json:"diff,omitempty"`
}

func toActorJSON(a hotline.Actor) actorJSON {
	return actorJSON{ID: a.UserID, Name: a.Name, Role: string(a.Role), Unit: a.Unit}
}

func toEventsJSON(evs []ticketing.Event) []eventJSON {
	out := make([]eventJSON, 0, len(evs))
	for _, e := range evs {
		out = append(out, eventJSON{
			Seq: e.Seq, Time: stamp(e.Time), Actor: toActorJSON(e.Actor), Action: e.Action,
			From: string(e.From), To: string(e.To), Reason: e.Reason, Diff: e.Diff,
		})
	}
	return out
}

type accessJSON struct {
	Time  string    `json:"time"`
	Actor actorJSON `json:"actor"`
	Field string    `json:"field"`
}

func toAccessesJSON(as []ticketing.Access) []accessJSON {
	out := make([]accessJSON, 0, len(as))
	for _, a := range as {
		out = append(out, accessJSON{Time: stamp(a.Time), Actor: toActorJSON(a.Actor), Field: a.Field})
	}
	return out
}

type userJSON struct {
	ID       hotline.UserID `json:"id"`
	Username string         `json:"username"`
	Name     string         `json:"name"`
	Role     string         `json:"role"`
	Unit     hotline.UnitID `json:"unit"`
	Disabled bool           `json:"disabled"`
	Created  string         `json:"created,omitempty"`
	Updated  string         `json:"updated,omitempty"`
}

// toUserJSON never carries the password hash.
func toUserJSON(u *account.User) userJSON {
	if u == nil {
		return userJSON{}
	}
	return userJSON{
		ID: u.ID, Username: u.Username, Name: u.Name, Role: string(u.Role), Unit: u.Unit,
		Disabled: u.Disabled, Created: stamp(u.Created), Updated: stamp(u.Updated),
	}
}

type suggestionJSON struct {
	District hotline.UnitID `json:"district"`
	Street   hotline.UnitID `json:"street"`
	Unit     hotline.UnitID `json:"unit"`
	CopyUnit hotline.UnitID `json:"copy_unit"`
	Rule     int64          `json:"rule"`
	Urgency  string         `json:"urgency"`
	Reason   string         `json:"reason"`
}

type areaJSON struct {
	District hotline.UnitID `json:"district"`
	Street   hotline.UnitID `json:"street"`
	Method   string         `json:"method"`
}
