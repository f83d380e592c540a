package api

import (
	"context"
	"net/http"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// open311RequestJSON is a service request as the public sees it: never a
// caller's number or name, and for confidential tickets no description,
// address or position either.
type open311RequestJSON struct {
	ServiceRequestID  hotline.TicketID   `json:"service_request_id"`
	Status            string             `json:"status"`
	StatusNotes       string             `json:"status_notes"`
	ServiceName       string             `json:"service_name"`
	ServiceCode       hotline.CategoryID `json:"service_code"`
	Description       string             `json:"description,omitempty"`
	AgencyResponsible string             `json:"agency_responsible"`
	ServiceNotice     string             `json:"service_notice"`
	RequestedDatetime string             `json:"requested_datetime,omitempty"`
	UpdatedDatetime   string             `json:"updated_datetime,omitempty"`
	ExpectedDatetime  string             `json:"expected_datetime,omitempty"`
	Address           string             `json:"address,omitempty"`
	Lat               *float64           `json:"lat,omitempty"`
	Long              *float64           `json:"long,omitempty"`
}

// open311Names looks up category and unit names once per response.
type open311Lookup struct {
	categories map[hotline.CategoryID]string
	units      map[hotline.UnitID]string
}

func (s *server) writeOpen311Requests(w http.ResponseWriter, r *http.Request, ts []*ticketing.Ticket) {
	look, err := s.open311Lookup(r.Context())
	if err != nil {
		s.open311Fail(w, r, err)
		return
	}
	out := make([]open311RequestJSON, 0, len(ts))
	for _, t := range ts {
		out = append(out, s.toOpen311Request(r.Context(), look, t))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) open311Lookup(ctx context.Context) (*open311Lookup, error) {
	cs, err := s.tickets.Categories(ctx)
	if err != nil {
		return nil, err
	}
	look := &open311Lookup{categories: map[hotline.CategoryID]string{}, units: map[hotline.UnitID]string{}}
	for _, c := range cs {
		look.categories[c.ID] = c.Name
	}
	return look, nil
}

// unitName returns a unit's name, or its id when it cannot be found.
func (s *server) unitName(ctx context.Context, look *open311Lookup, id hotline.UnitID) string {
	if id == "" {
		return ""
	}
	if name, ok := look.units[id]; ok {
		return name
	}
	name := string(id)
	if u, err := s.tickets.Unit(ctx, id); err == nil && u != nil {
		name = u.Name
	} else if err != nil && !isNotFound(err) {
		s.log.WarnContext(ctx, "open311: unit lookup failed", "unit", id, "err", err)
	}
	look.units[id] = name
	return name
}

func (s *server) toOpen311Request(ctx context.Context, look *open311Lookup, t *ticketing.Ticket) open311RequestJSON {
	out := open311RequestJSON{
		ServiceRequestID:  t.ID,
		Status:            "closed",
		StatusNotes:       statusNotes(t),
		ServiceName:       look.categories[t.Category],
		ServiceCode:       t.Category,
		AgencyResponsible: s.unitName(ctx, look, t.Unit),
		RequestedDatetime: stamp(t.Created),
		UpdatedDatetime:   stamp(t.Updated),
		ExpectedDatetime:  stamp(t.ReplyDue),
	}
	if t.State.Open() {
		out.Status = "open"
	}
	if t.Confidential {
		return out
	}
	out.Description, out.Address = t.Content, t.Address
	if t.HasPosition() {
		lat, lng := t.Lat, t.Lng
		out.Lat, out.Long = &lat, &lng
	}
	return out
}

// statusNotes says where the request is, from the state alone: the unit's
// free-text reply may name people and stays inside.
func statusNotes(t *ticketing.Ticket) string {
	if t.MergedInto != "" {
		return "merged into request " + string(t.MergedInto)
	}
	switch t.State {
	case ticketing.StatePendingDispatch:
		return "received, awaiting dispatch"
	case ticketing.StateDispatched:
		return "dispatched to the responsible unit"
	case ticketing.StateReturned:
		return "being re-dispatched"
	case ticketing.StateInProgress:
		return "being handled"
	case ticketing.StateReplied:
		return "the unit has replied: " + string(t.Outcome)
	case ticketing.StateClosed, ticketing.StateArchived:
		if t.Outcome != "" {
			return "closed: " + string(t.Outcome)
		}
		return "closed"
	}
	return ""
}
