package api

import (
	"net/http"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// SLAReader is the side of the ticketing service that tells its deadline
// rules; the API serves GET /api/v1/sla when its Tickets also implement it
// (ticketing.Service does), and answers 404 otherwise.
type SLAReader interface {
	SLA() ticketing.SLAConfig
}

// clocksJSON is one urgency tier's clocks, in seconds from dispatch.
type clocksJSON struct {
	Urgency string `json:"urgency"`
	Accept  int64  `json:"accept"`
	Contact int64  `json:"contact"`
	Reply   int64  `json:"reply"`
}

type workingJSON struct {
	Accept  bool `json:"accept"`
	Contact bool `json:"contact"`
	Reply   bool `json:"reply"`
}

type slaJSON struct {
	Tiers    []clocksJSON `json:"tiers"`
	Working  workingJSON  `json:"working_days"`
	WarnAt   float64      `json:"warn_at"`
	Holidays []string     `json:"holidays"`
	Workdays []string     `json:"workdays"`
}

// getSLA answers GET /api/v1/sla: the configured deadline tiers and the
// working calendar, read-only (they come from the configuration).
func (s *server) getSLA(w http.ResponseWriter, r *http.Request) {
	rd, ok := s.tickets.(SLAReader)
	if !ok {
		s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "the deadline rules are not available"))
		return
	}
	c := rd.SLA()
	out := slaJSON{Working: workingJSON{c.Working[0], c.Working[1], c.Working[2]}, WarnAt: c.WarnAt,
		Holidays: dates(c.Calendar.Holidays()), Workdays: dates(c.Calendar.Workdays())}
	for _, u := range ticketing.Urgencies {
		d, ok := c.Deadlines[u]
		if !ok {
			continue
		}
		out.Tiers = append(out.Tiers, clocksJSON{Urgency: string(u), Accept: int64(d.Accept / time.Second),
			Contact: int64(d.Contact / time.Second), Reply: int64(d.Reply / time.Second)})
	}
	writeJSON(w, http.StatusOK, out)
}

func dates(ts []time.Time) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.In(ticketing.Beijing).Format(time.DateOnly))
	}
	return out
}
