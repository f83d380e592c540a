// Package ticketing is the work-order domain of the 12345 hotline: tickets and
// their lifecycle, handling units, the category taxonomy, the dispatch
// catalogue, SLA clocks and the knowledge base. It imports only the root
// package and the standard library; storage and HTTP live in adapters.
package ticketing

import (
	"time"

	"github.com/cityhotline/hotline"
)

// Ticket is one citizen request and its work order (工单).
// Zero times mean "not yet"; stores keep them as NULL.
type Ticket struct {
	ID            hotline.TicketID // human-readable number, unique: YYYYMMDD + 6-digit daily sequence
	Channel       Channel
	CallerNumber  string // 来电号码: the number the call came from
	ContactNumber string // 联系方式: the number to call back
	CitizenName   string // optional
	Type          RequestType
	Category      hotline.CategoryID
	Title         string
	Content       string
	Address       string
	District      hotline.UnitID // resolved area
	Street        hotline.UnitID
	Lat, Lng      float64 // both zero: no position
	Urgency       Urgency
	Confidential  bool // 保密: identity withheld from units and public views
	NoCallback    bool // the citizen declined the satisfaction callback

	CallID      hotline.CallID
	RecordingID string
	Agent       hotline.UserID // who took the request

	State        State
	Triage       Triage
	TriageReason string           // no-dispatch reason, emergency line, or answer note
	Article      string           // knowledge-base article used for a direct answer
	MergedInto   hotline.TicketID // set when folded into another ticket

	SuggestedUnit hotline.UnitID // what the catalogue proposed at intake
	Unit          hotline.UnitID // the unit that holds it (承办单位)
	CopyUnit      hotline.UnitID // the district copied on a street/town order

	Created      time.Time
	Updated      time.Time
	DispatchedAt time.Time
	AcceptedAt   time.Time
	ContactedAt  time.Time
	RepliedAt    time.Time
	ClosedAt     time.Time

	AcceptDue    time.Time
	ContactDue   time.Time
	ReplyDue     time.Time
	AcceptLight  Light
	ContactLight Light
	ReplyLight   Light
	NextCheck    time.Time // when the SLA sweep must next look at this ticket; zero: never
	PausedAt     time.Time // clocks stopped (approved pause) since then

	Outcome      Outcome // the unit's reply
	ReplyContent string

	PendingReturn    string // the unit's return reason, awaiting the centre's ruling
	PendingExtension int    // days asked for, awaiting approval
	ExtensionReason  string

	Supervised bool // 督办
	Returns    int
	Extensions int
	Reopens    int
	Urges      int

	Version int // optimistic concurrency: bumped by every update
}

// HasPosition reports whether the ticket carries a lat/long.
func (t *Ticket) HasPosition() bool { return t.Lat != 0 || t.Lng != 0 }

// Change is one field's before and after in an event's diff.
type Change struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Event is one entry of a ticket's append-only history.
type Event struct {
	Seq    int64 // assigned by the store, increasing
	Ticket hotline.TicketID
	Time   time.Time
	Actor  hotline.Actor
	Action string // intake, dispatch, accept, contact, note, reply, return, ...
	From   State
	To     State
	Reason string
	Diff   map[string]Change
}

// Access records that someone read a citizen's contact number.
type Access struct {
	Ticket hotline.TicketID
	Time   time.Time
	Actor  hotline.Actor
	Field  string // "contact"
}

// Unit is a handling unit (承办单位), or the centre.
type Unit struct {
	ID       hotline.UnitID
	Name     string
	Tier     Tier
	Parent   hotline.UnitID // a street's district; a district department's district
	Kind     string         // for district departments: which department (hrss, health, ...)
	Aliases  []string       // other names found in addresses (建外, 望京 ...)
	Contact  string         // duty phone
	Sample   bool           // shipped sample data, to be checked by the operator
	Disabled bool
}

// Category is a node of the taxonomy. Leaves take tickets.
type Category struct {
	ID           hotline.CategoryID
	Name         string
	Parent       hotline.CategoryID
	Indicator    string  // 七有/五性 indicator, e.g. "住有所居", "安全性"
	Urgency      Urgency // default deadline tier
	AutoDispatch bool    // dispatch on the catalogue's suggestion without a dispatcher
	Keywords     []string
	Disabled     bool
}

// TargetKind says how a catalogue rule names its unit.
type TargetKind string

// Rule targets.
const (
	TargetUnit         TargetKind = "unit"          // a fixed unit
	TargetStreet       TargetKind = "street"        // the street/town the address resolves to
	TargetDistrict     TargetKind = "district"      // the district the address resolves to
	TargetDistrictDept TargetKind = "district_dept" // the district's department of Kind
)

// TargetKinds lists every target kind.
var TargetKinds = []TargetKind{TargetUnit, TargetStreet, TargetDistrict, TargetDistrictDept}

func (k TargetKind) String() string { return string(k) }

// ParseTargetKind parses a target kind.
func ParseTargetKind(s string) (TargetKind, error) { return parseEnum("target", s, TargetKinds) }

// Rule is one line of the dispatch catalogue (派单目录): tickets of Category
// (or a descendant) in Area (a district or street; empty: anywhere) go to the
// target. Lower Priority wins; when a target cannot be resolved (no street in
// the address), the next rule is tried, and finally the district takes it.
type Rule struct {
	ID       int64
	Category hotline.CategoryID
	Area     hotline.UnitID
	Target   TargetKind
	Unit     hotline.UnitID // for TargetUnit
	Kind     string         // for TargetDistrictDept
	Priority int
	Note     string
}

// Article is a knowledge-base entry that agents answer from directly.
type Article struct {
	ID        string
	Title     string
	Body      string
	Category  hotline.CategoryID
	Keywords  []string
	ValidFrom time.Time // zero: always
	ValidTo   time.Time // zero: open-ended
	Updated   time.Time
	Version   int
}

// ValidAt reports whether the article may be used at t.
func (a *Article) ValidAt(t time.Time) bool {
	if !a.ValidFrom.IsZero() && t.Before(a.ValidFrom) {
		return false
	}
	return a.ValidTo.IsZero() || t.Before(a.ValidTo)
}

var zeroTime time.Time
