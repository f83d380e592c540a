// Package insight runs the duplicate finder (analytics/similar) and the hot
// spot finder (analytics/hotspot) over the stored tickets. It reads the
// store directly, not through the ticketing service: hot spots are an
// analyst's view, and the API checks the roles.
package insight

import (
	"context"
	"fmt"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/analytics/hotspot"
	"github.com/cityhotline/hotline/analytics/similar"
	"github.com/cityhotline/hotline/ticketing"
)

// Store is the part of ticketing.TicketStore the service reads.
type Store interface {
	FindTicketByID(ctx context.Context, id hotline.TicketID) (*ticketing.Ticket, error)
	FindTickets(ctx context.Context, f ticketing.TicketFilter) ([]*ticketing.Ticket, error)
}

var _ Store = ticketing.TicketStore(nil)

// Limits on what one request reads.
const (
	pageSize   = 1000
	MaxTickets = 200_000 // tickets one hot-spot request reads at most
)

// openStates are the states a duplicate candidate may be in.
var openStates = []ticketing.State{ticketing.StatePendingDispatch, ticketing.StateDispatched,
	ticketing.StateReturned, ticketing.StateInProgress, ticketing.StateReplied}

// Service answers the similar-tickets and hot-spots questions.
type Service struct {
	store   Store
	clock   hotline.Clock
	similar similar.Config
}

// New returns a service over the store.
func New(store Store, clock hotline.Clock) *Service {
	if clock == nil {
		clock = hotline.SystemClock{}
	}
	return &Service{store: store, clock: clock}
}

// Similar is one likely duplicate of a ticket.
type Similar struct {
	Ticket  hotline.TicketID `json:"ticket"`
	Title   string           `json:"title"`
	Address string           `json:"address"`
	Created time.Time        `json:"created"`
	State   ticketing.State  `json:"state"`
	Score   float64          `json:"score"`
	Reason  similar.Reason   `json:"reason"`
}

// Similar returns the likely duplicates of ticket id among the open,
// unmerged tickets created in the days before it (and after it) in its
// street, or its district when it has no street, best first.
func (s *Service) Similar(ctx context.Context, id hotline.TicketID, days int) ([]Similar, error) {
	t, err := s.store.FindTicketByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("similar to %s: %w", id, err)
	}
	f := ticketing.TicketFilter{States: openStates, Street: t.Street,
		From: t.Created.AddDate(0, 0, -days), To: t.Created.AddDate(0, 0, days).Add(time.Nanosecond)}
	if t.Street == "" {
		f.District = t.District
	}
	if f.Street == "" && f.District == "" {
		return []Similar{}, nil // nowhere to look
	}
	cands, err := s.read(ctx, f, MaxTickets)
	if err != nil {
		return nil, fmt.Errorf("similar to %s: %w", id, err)
	}
	byID := map[string]*ticketing.Ticket{}
	var in []similar.Ticket
	for _, c := range cands {
		if c.MergedInto == "" {
			byID[string(c.ID)] = c
			in = append(in, toSimilar(c))
		}
	}
	cfg := s.similar
	cfg.MaxApart = time.Duration(days) * 24 * time.Hour
	out := []Similar{}
	for _, m := range similar.Find(toSimilar(t), in, cfg) {
		c := byID[m.ID]
		out = append(out, Similar{Ticket: c.ID, Title: c.Title, Address: c.Address, Created: c.Created,
			State: c.State, Score: m.Score, Reason: m.Reason})
	}
	return out, nil
}

func toSimilar(t *ticketing.Ticket) similar.Ticket {
	return similar.Ticket{ID: string(t.ID), Text: t.Title + "\n" + t.Content, Address: t.Address,
		Street: string(t.Street), District: string(t.District), Category: string(t.Category), Time: t.Created}
}

// Hotspots finds the hot spots among the tickets created in the last days
// (at most MaxTickets of them, the newest).
func (s *Service) Hotspots(ctx context.Context, days, top int) (*hotspot.Result, error) {
	to := s.clock.Now()
	from := to.AddDate(0, 0, -days)
	list, err := s.read(ctx, ticketing.TicketFilter{From: from, To: to}, MaxTickets)
	if err != nil {
		return nil, fmt.Errorf("hot spots: %w", err)
	}
	msgs := make([]hotspot.Message, 0, len(list))
	for _, t := range list {
		if t.MergedInto != "" {
			continue // folded into another: counted there
		}
		msgs = append(msgs, hotspot.Message{ID: string(t.ID), Title: t.Title,
			Text: t.Title + "\n" + t.Content + "\n" + t.Address, Citizen: t.CallerNumber, Time: t.Created})
	}
	res := hotspot.Find(msgs, hotspot.Config{Window: to.Sub(from), End: to, Top: top})
	maskDescriptions(&res, list)
	return &res, nil
}

// maskDescriptions masks the personal data (numbers, house numbers, names)
// in each cluster's description, a shortened ticket text: the hot-spot page
// is read by analysts, who are not entitled to a citizen's contact. The
// members' ticket numbers stay, for those who may open the tickets.
func maskDescriptions(res *hotspot.Result, list []*ticketing.Ticket) {
	byID := make(map[string]*ticketing.Ticket, len(res.Clusters)+len(res.Alerts))
	want := map[string]bool{}
	for _, cs := range [][]hotspot.Cluster{res.Clusters, res.Alerts} {
		for _, c := range cs {
			want[c.Representative] = true
		}
	}
	for _, t := range list {
		if want[string(t.ID)] {
			byID[string(t.ID)] = t
		}
	}
	for _, cs := range [][]hotspot.Cluster{res.Clusters, res.Alerts} {
		for i := range cs {
			var names []string
			if t := byID[cs[i].Representative]; t != nil {
				names = []string{t.CitizenName}
			}
			cs[i].Description = ticketing.MaskText(cs[i].Description, names...)
		}
	}
}

// read pages through the tickets f selects, newest first, up to limit.
func (s *Service) read(ctx context.Context, f ticketing.TicketFilter, limit int) ([]*ticketing.Ticket, error) {
	f.Sort, f.Limit = ticketing.SortCreatedDesc, pageSize
	var out []*ticketing.Ticket
	for len(out) < limit {
		f.Offset = len(out)
		page, err := s.store.FindTickets(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < pageSize {
			break
		}
	}
	return out, nil
}
