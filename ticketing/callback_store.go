package ticketing

import (
	"context"
	"time"

	"github.com/cityhotline/hotline"
)

// CallbackFilter selects scheduled callbacks. Zero fields select all.
type CallbackFilter struct {
	States    []CallbackState  // any of these states
	DueBefore time.Time        // due at or before this instant (as Pick's "due")
	From, To  time.Time        // due in [From, To) (the supervisors' list)
	Ticket    hotline.TicketID // asking about this ticket
	Unit      hotline.UnitID   // asking about a ticket this unit holds now
	Limit     int              // 0 means no limit
	Offset    int
}

// CallbackSwitch is the scheduler-wide pause a supervisor sets: while
// Paused, no callback is started (calls in progress finish). It is kept in
// the store, so a restart stays paused. The zero value is "running, never
// switched".
type CallbackSwitch struct {
	Paused bool
	Since  time.Time      // when it was last switched
	By     hotline.UserID // who switched it
	ByName string
	Reason string
}

// CallbackRecord is one stored callback of one ticket: what a survey call
// (or a human callback agent, Manual) learnt about it. The survey stores it
// again after every answer, so a hang-up keeps the answers already given.
type CallbackRecord struct {
	ID       int64            // assigned by the store
	Callback int64            // the scheduled Callback; 0 for a manual entry
	Ticket   hotline.TicketID // the ticket asked about
	Unit     hotline.UnitID   // the unit assessed
	Tier     Tier             // the unit's tier
	CalledAt time.Time        // when the call started; the month it counts in

	Reached      bool
	Contacted    YesNo
	Resolved     YesNo
	Satisfaction Satisfaction

	Manual    bool           // entered by hand for a call made by a person
	By        hotline.UserID // who entered it (manual entries)
	Recording string         // the call's recording, if any

	// Excluded is read only: the ticket's state set by SetExcluded.
	Excluded bool
}

// Answers returns the record as the assessment sees it.
func (r *CallbackRecord) Answers() CallbackAnswers {
	return CallbackAnswers{
		Ticket: r.Ticket, Unit: r.Unit, Tier: r.Tier, Month: MonthOf(r.CalledAt), CalledAt: r.CalledAt,
		Reached: r.Reached, Contacted: r.Contacted, Resolved: r.Resolved, Satisfaction: r.Satisfaction,
		Excluded: r.Excluded,
	}
}

// CallbackStore keeps scheduled callbacks and their answers, and counts a
// month's assessment. Both stores implement it (store/storetest pins the
// semantics down):
//
//   - CreateCallback assigns ID and sets Version to 1. UpdateCallback
//     replaces every field when the stored Version equals version and bumps
//     cb.Version; otherwise ECONFLICT with Current holding the stored
//     *Callback, or ENOTFOUND.
//   - FindCallbacks orders by Due, then ID.
//   - RecordAnswers with ID 0 inserts, except that a record of the same
//     (Callback, Ticket, CalledAt) with a non-zero Callback is updated
//     instead (the survey's answer-by-answer writes); either way r.ID is set.
//     With an ID it replaces that record (ENOTFOUND if missing).
//   - FindAnswers lists a ticket's records by CalledAt, then ID.
//   - SetExcluded marks a ticket as out of (or back in) the assessment; it
//     needs no records yet and applies to later ones too.
//   - AssessmentCounts equals Tally(month, tier, answers) over every stored
//     record in ID order.
//   - FindCallbacks with Unit selects callbacks asking about at least one
//     ticket the unit holds now (the tickets' current Unit).
//   - FindCallbackSwitch returns the zero CallbackSwitch until
//     SaveCallbackSwitch stored one; SaveCallbackSwitch replaces it.
type CallbackStore interface {
	CreateCallback(ctx context.Context, cb *Callback) error
	UpdateCallback(ctx context.Context, cb *Callback, version int) error
	FindCallbackByID(ctx context.Context, id int64) (*Callback, error)
	FindCallbacks(ctx context.Context, f CallbackFilter) ([]*Callback, error)
	RecordAnswers(ctx context.Context, r *CallbackRecord) error
	FindAnswers(ctx context.Context, ticket hotline.TicketID) ([]*CallbackRecord, error)
	SetExcluded(ctx context.Context, ticket hotline.TicketID, excluded bool) error
	AssessmentCounts(ctx context.Context, month Month, tier Tier) ([]UnitScore, error)
	FindCallbackSwitch(ctx context.Context) (CallbackSwitch, error)
	SaveCallbackSwitch(ctx context.Context, sw CallbackSwitch) error
}
