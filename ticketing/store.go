package ticketing

import (
	"context"
	"time"

	"github.com/cityhotline/hotline"
)

// Sort orders for ticket lists.
const (
	SortCreatedDesc = "created"  // newest first (default)
	SortDeadline    = "deadline" // reply deadline first: a unit's work queue
	SortDispatch    = "dispatch" // most urgent, then oldest: the dispatch queue
)

// TicketFilter selects tickets. Zero fields do not filter.
type TicketFilter struct {
	States     []State
	Unit       hotline.UnitID // held by this unit
	Visible    hotline.UnitID // held by or copied to this unit (a unit's own view)
	Category   hotline.CategoryID
	District   hotline.UnitID
	Street     hotline.UnitID
	Urgency    Urgency
	Type       RequestType
	Channel    Channel
	Phone      string // caller or contact number equals this (screen-pop)
	Supervised *bool
	Overdue    bool      // reply deadline before OverdueAt and not yet replied
	OverdueAt  time.Time // set by the service when Overdue is
	Light      Light     // reply light equals this
	From, To   time.Time // created in [From, To)
	Query      string    // free text over title, content and address (Chinese-aware)
	Sort       string
	Limit      int // the service caps it
	Offset     int
}

// Idempotency ties a client's Idempotency-Key to the ticket it created.
type Idempotency struct {
	Key    string
	User   hotline.UserID
	Hash   string // of the request body: the same key with another body is a conflict
	Ticket hotline.TicketID
}

// TicketStore keeps tickets and their history. Implementations must make
// CreateTicket and UpdateTicket atomic with their events.
type TicketStore interface {
	// CreateTicket numbers t (t.ID from its Created day and a daily
	// sequence), stores it with its first events and, when idem is not nil,
	// the idempotency record; an existing idem key gives ECONFLICT.
	CreateTicket(ctx context.Context, t *Ticket, evs []Event, idem *Idempotency) error
	FindTicketByID(ctx context.Context, id hotline.TicketID) (*Ticket, error)
	FindTickets(ctx context.Context, f TicketFilter) ([]*Ticket, error)
	// UpdateTicket stores t if its stored version is still version, bumps
	// t.Version and appends evs, all or nothing; otherwise ECONFLICT.
	UpdateTicket(ctx context.Context, t *Ticket, version int, evs []Event) error
	FindEvents(ctx context.Context, id hotline.TicketID) ([]Event, error)
	// FindTicketsToCheck returns tickets whose NextCheck is set and not after t.
	FindTicketsToCheck(ctx context.Context, t time.Time, limit int) ([]*Ticket, error)
	FindIdempotency(ctx context.Context, user hotline.UserID, key string) (*Idempotency, error)
	RecordAccess(ctx context.Context, a Access) error
	FindAccesses(ctx context.Context, id hotline.TicketID) ([]Access, error)
	// SummarizeTickets counts the tickets f selects (Sort, Limit, Offset
	// and Query ignored) by the column of group, one row per distinct value
	// ordered by key; Overdue counts against f.OverdueAt (none when zero).
	SummarizeTickets(ctx context.Context, f TicketFilter, group SummaryGroup) ([]TicketCount, error)
}

// UnitFilter selects units.
type UnitFilter struct {
	Tier   Tier
	Parent hotline.UnitID
	Kind   string
}

// ReferenceStore keeps units, categories and the dispatch catalogue.
type ReferenceStore interface {
	CreateUnit(ctx context.Context, u *Unit) error // ECONFLICT if the id exists
	UpdateUnit(ctx context.Context, u *Unit) error // ENOTFOUND if missing
	FindUnitByID(ctx context.Context, id hotline.UnitID) (*Unit, error)
	FindUnits(ctx context.Context, f UnitFilter) ([]*Unit, error)
	CreateCategory(ctx context.Context, c *Category) error
	UpdateCategory(ctx context.Context, c *Category) error
	FindCategories(ctx context.Context) ([]*Category, error)
	CreateRule(ctx context.Context, r *Rule) error // assigns r.ID
	UpdateRule(ctx context.Context, r *Rule) error
	DeleteRule(ctx context.Context, id int64) error
	FindRules(ctx context.Context) ([]*Rule, error)
}

// ArticleStore keeps the knowledge base.
type ArticleStore interface {
	CreateArticle(ctx context.Context, a *Article) error
	UpdateArticle(ctx context.Context, a *Article, version int) error
	FindArticleByID(ctx context.Context, id string) (*Article, error)
	// SearchArticles returns articles whose title, body or keywords contain
	// every term (terms come from Tokenize), best first.
	SearchArticles(ctx context.Context, terms []string, limit int) ([]*Article, error)
}

// Store is everything the ticketing service needs.
type Store interface {
	TicketStore
	ReferenceStore
	ArticleStore
}
