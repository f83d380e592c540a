package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// Summarizer is the counting side of the ticketing service; the API serves
// GET /api/v1/tickets/summary when its Tickets also implement it
// (ticketing.Service does), and answers 404 otherwise.
type Summarizer interface {
	Summary(ctx context.Context, a hotline.Actor, f ticketing.TicketFilter, by ticketing.SummaryGroup) ([]ticketing.TicketCount, error)
}

type countJSON struct {
	Key        string `json:"key"`
	Name       string `json:"name"`
	Total      int    `json:"total"`
	Yellow     int    `json:"yellow"`
	Red        int    `json:"red"`
	Overdue    int    `json:"overdue"`
	Supervised int    `json:"supervised"`
}

type summaryJSON struct {
	Group  string      `json:"group"`
	Rows   []countJSON `json:"rows"`
	Totals countJSON   `json:"totals"`
}

// summaryOnly are the list parameters a summary does not take.
var summaryOnly = []string{"q", "phone", "sort", "limit", "offset"}

// getSummary answers GET /api/v1/tickets/summary?group=…&<ticket filters>.
func (s *server) getSummary(w http.ResponseWriter, r *http.Request) {
	sum, ok := s.tickets.(Summarizer)
	if !ok {
		s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "ticket summaries are not enabled"))
		return
	}
	q := r.URL.Query()
	var v hotline.Invalid
	group, err := ticketing.ParseSummaryGroup(q.Get("group"))
	if err != nil {
		v.Add("group", "required: unit, district, street or category")
	}
	for _, name := range summaryOnly {
		if q.Has(name) {
			v.Add(name, "not a summary parameter")
		}
	}
	q.Del("group")
	f, ferr := s.ticketFilter(q)
	if err := mergeInvalid(&v, ferr).Err("invalid query"); err != nil {
		s.fail(w, r, err)
		return
	}
	rows, err := sum.Summary(r.Context(), actor(r), f, group)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := s.groupNames(r.Context(), group)
	out := summaryJSON{Group: string(group), Rows: make([]countJSON, 0, len(rows))}
	for _, c := range rows {
		out.Rows = append(out.Rows, countJSON{Key: c.Key, Name: names[c.Key], Total: c.Total, Yellow: c.Yellow,
			Red: c.Red, Overdue: c.Overdue, Supervised: c.Supervised})
		out.Totals.Total += c.Total
		out.Totals.Yellow += c.Yellow
		out.Totals.Red += c.Red
		out.Totals.Overdue += c.Overdue
		out.Totals.Supervised += c.Supervised
	}
	writeJSON(w, http.StatusOK, out)
}

// mergeInvalid adds the fields of a validation error to v.
func mergeInvalid(v *hotline.Invalid, err error) *hotline.Invalid {
	var e *hotline.Error
	if errors.As(err, &e) {
		for k, p := range e.Fields {
			v.Add(k, p)
		}
	}
	return v
}

// groupNames maps the keys of a summary to display names: units' or
// categories' names. A lookup that fails leaves the names out.
func (s *server) groupNames(ctx context.Context, group ticketing.SummaryGroup) map[string]string {
	names := map[string]string{}
	if group == ticketing.GroupCategory {
		cs, err := s.tickets.Categories(ctx)
		if err == nil {
			for _, c := range cs {
				names[string(c.ID)] = c.Name
			}
		}
		return names
	}
	us, err := s.tickets.Units(ctx, ticketing.UnitFilter{})
	if err == nil {
		for _, u := range us {
			names[string(u.ID)] = u.Name
		}
	}
	return names
}
