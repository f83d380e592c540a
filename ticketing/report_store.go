package ticketing

import (
	"context"
	"time"

	"github.com/cityhotline/hotline"
)

// KeyCount is one group of a report's counts: Key is "" for the tickets
// with no value in the grouped column.
type KeyCount struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// ReportQuery selects what ReportCounts counts: the tickets created in
// [From, To). Without Detail only Total and the category, district and unit
// groups are counted (a comparison period).
type ReportQuery struct {
	From, To time.Time
	Detail   bool
	Step     time.Duration // Detail: width of one Series point, from From
	Now      time.Time     // Detail: overdue means the reply deadline passed unreplied by then
}

// ReportCounts are the period's counts a report is built from, computed by
// the store with GROUP BY (never by loading tickets). Groups are ordered by
// key.
type ReportCounts struct {
	Total    int
	Category []KeyCount
	District []KeyCount
	Unit     []KeyCount // the unit holding the order; "" for undispatched

	// With Detail only:
	Channel []KeyCount
	Type    []KeyCount
	Series  []int // tickets created per Step: len = ⌈(To−From)/Step⌉
	// Overdue counts the period's tickets whose reply deadline passed
	// before their reply, or unreplied before Now.
	Overdue int
	// Dispatched counts the period's tickets that have been dispatched.
	Dispatched int
	// Actions counts the lifecycle events of the period (by event time,
	// any ticket) of the ReportActions, by action (only actions that
	// occurred are present).
	Actions map[string]int
	// Callbacks holds the counting fields (Callbacks … Basically) of every
	// callback record made in the period, as the assessment counts them:
	// Valid and the answers over final, not excluded records.
	Callbacks UnitScore
}

// ReportActions are the lifecycle actions a report counts: each is rare
// next to intake, dispatch and the unit's steps, so a store counts them
// with an (action, time) index rather than by scanning the period's events.
var ReportActions = []string{"return", "extend", "approve_extension", "supervise", "reopen"}

// UrgentQuery selects the tickets of an urgent-sensitive brief created in
// [From, To): those in one of Categories (the category or one below it:
// "water" matches water and water.outage, not ecology.water) or with one of
// Keywords in the title or content.
type UrgentQuery struct {
	From, To   time.Time
	Categories []hotline.CategoryID
	Keywords   []string
	Limit      int // most; 0 means no limit
}

// UrgentTicket is what the brief shows of one ticket.
type UrgentTicket struct {
	ID       hotline.TicketID
	Created  time.Time
	Category hotline.CategoryID
	Title    string
	Content  string
	Address  string
	District hotline.UnitID
	Street   hotline.UnitID
}

// StoredReport is a generated report: its period and its JSON body.
type StoredReport struct {
	Kind        ReportKind
	From, To    time.Time
	GeneratedAt time.Time
	Body        []byte // the Report as JSON; nil in a FindReports list
}

// ReportStore counts what reports need and keeps generated reports.
//
//   - ReportCounts and FindUrgentTickets are defined by their query types.
//     FindUrgentTickets orders by Created, then ID.
//   - SaveReport replaces the stored report of the same Kind and From.
//   - FindReport returns the report of kind starting at from, or ENOTFOUND.
//   - FindReports lists stored reports (of kind, or all when ""), newest
//     period first (then by kind), at most limit (0: all), without Body.
type ReportStore interface {
	ReportCounts(ctx context.Context, q ReportQuery) (ReportCounts, error)
	FindUrgentTickets(ctx context.Context, q UrgentQuery) ([]UrgentTicket, error)
	SaveReport(ctx context.Context, r *StoredReport) error
	FindReport(ctx context.Context, kind ReportKind, from time.Time) (*StoredReport, error)
	FindReports(ctx context.Context, kind ReportKind, limit int) ([]StoredReport, error)
}
