package ticketing

import "github.com/cityhotline/hotline"

// IntakeInput is a request as an agent (or a public channel) records it.
// Fields are strings so the service can name the field at fault.
type IntakeInput struct {
	Channel       string   `json:"channel"` // phone|web|app|open311|sms|email
	CallerNumber  string   `json:"caller_number"`
	ContactNumber string   `json:"contact_number"` // mandatory (law: time, matter, contact)
	CitizenName   string   `json:"citizen_name"`
	Type          string   `json:"type"`     // consult|help|complaint|report|suggestion|praise
	Category      string   `json:"category"` // leaf category id
	Title         string   `json:"title"`
	Content       string   `json:"content"`
	Address       string   `json:"address"`
	Lat           *float64 `json:"lat"`
	Lng           *float64 `json:"lng"`
	Urgency       string   `json:"urgency"` // optional; default from category
	Confidential  bool     `json:"confidential"`
	NoCallback    bool     `json:"no_callback"`
	CallID        string   `json:"call_id"`
	RecordingID   string   `json:"recording_id"`
	Triage        string   `json:"triage"`  // dispatch (default) | answered | emergency | no_dispatch
	Reason        string   `json:"reason"`  // no_dispatch: legal_channel|duplicate|secret|out_of_scope|unlawful; answered: a note
	Handoff       string   `json:"handoff"` // emergency: 110|119|120|122
	Article       string   `json:"article"` // answered: knowledge-base article id
	Unit          string   `json:"unit"`    // optional override of the catalogue's unit
}

// IdemKey is a client's Idempotency-Key and a hash of its request body.
type IdemKey struct{ Key, Hash string }

// ActionInput is the body of a lifecycle action.
type ActionInput struct {
	Unit    string `json:"unit"` // dispatch / approve_return: the unit (empty = catalogue suggestion)
	Reason  string `json:"reason"`
	Content string `json:"content"`
	Outcome string `json:"outcome"` // reply: resolved|explained|unresolved
	Days    int    `json:"days"`    // extend / approve_extension
	Into    string `json:"into"`    // merge: the surviving ticket
	Version int    `json:"version"` // optional expected version (0: don't check)
}

// Suggestion is what the dispatch catalogue proposes for a request.
type Suggestion struct {
	District, Street, Unit, CopyUnit hotline.UnitID
	Rule                             int64
	Urgency                          Urgency
	Reason                           string
}

// Area is where an address or position lies.
type Area struct {
	District, Street hotline.UnitID
	Method           string // "address", "position", or "" when unresolved
}
