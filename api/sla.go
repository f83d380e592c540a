package api

import (
	"context"
	"fmt"
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

// SLAEditor is the side of the ticketing service that lets the admin
// change the deadline rules and the working calendar: PUT /api/v1/sla
// answers 404 when Tickets does not implement it (ticketing.Service does).
type SLAEditor interface {
	SLASettings() ticketing.SLASettings
	UpdateSLA(ctx context.Context, a hotline.Actor, in ticketing.SLASettings) (ticketing.SLASettings, error)
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

// slaJSON is GET's answer and PUT's body: PUT needs every field but the
// audit ones (updated, updated_by, updated_by_name, history), which it
// ignores.
type slaJSON struct {
	Tiers    []clocksJSON `json:"tiers"`
	Working  *workingJSON `json:"working_days"`
	WarnAt   float64      `json:"warn_at"`
	Holidays []string     `json:"holidays"`
	Workdays []string     `json:"workdays"`

	Updated       *time.Time      `json:"updated,omitempty"`
	UpdatedBy     string          `json:"updated_by,omitempty"`
	UpdatedByName string          `json:"updated_by_name,omitempty"`
	History       []slaChangeJSON `json:"history,omitempty"`
}

type slaChangeJSON struct {
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	ByName  string    `json:"by_name"`
	Changes []string  `json:"changes"`
}

// getSLA answers GET /api/v1/sla: the deadline tiers, the working
// calendar and, once the admin has edited them, who did and what changed.
func (s *server) getSLA(w http.ResponseWriter, r *http.Request) {
	if ed, ok := s.tickets.(SLAEditor); ok {
		writeJSON(w, http.StatusOK, toSLAJSON(ed.SLASettings()))
		return
	}
	rd, ok := s.tickets.(SLAReader)
	if !ok {
		s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "the deadline rules are not available"))
		return
	}
	c := rd.SLA()
	writeJSON(w, http.StatusOK, toSLAJSON(ticketing.SLASettings{Deadlines: c.Deadlines, Working: c.Working, WarnAt: c.WarnAt,
		Holidays: c.Calendar.Holidays(), Workdays: c.Calendar.Workdays()}))
}

// putSLA answers PUT /api/v1/sla: the admin replaces the deadline tiers,
// the working-day switches, the warning fraction and the calendar's days
// (GET's shape). Bad input is refused with the fields named and nothing
// saved. New rules apply to clocks started afterwards.
func (s *server) putSLA(w http.ResponseWriter, r *http.Request) {
	ed, ok := s.tickets.(SLAEditor)
	if !ok {
		s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "the deadline rules cannot be changed here"))
		return
	}
	if a := actor(r); a.Role != hotline.RoleAdmin {
		s.fail(w, r, hotline.Errorf(hotline.EFORBIDDEN, "only the admin may change the deadline rules"))
		return
	}
	var in slaJSON
	if _, err := s.decodeRequest(w, r, &in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	settings, err := in.settings()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := ed.UpdateSLA(r.Context(), actor(r), settings)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toSLAJSON(out))
}

func toSLAJSON(c ticketing.SLASettings) slaJSON {
	out := slaJSON{Tiers: []clocksJSON{}, Working: &workingJSON{c.Working[0], c.Working[1], c.Working[2]}, WarnAt: c.WarnAt,
		Holidays: dates(c.Holidays), Workdays: dates(c.Workdays), UpdatedBy: string(c.By), UpdatedByName: c.ByName}
	for _, u := range ticketing.Urgencies {
		d, ok := c.Deadlines[u]
		if !ok {
			continue
		}
		out.Tiers = append(out.Tiers, clocksJSON{Urgency: string(u), Accept: int64(d.Accept / time.Second),
			Contact: int64(d.Contact / time.Second), Reply: int64(d.Reply / time.Second)})
	}
	if !c.Updated.IsZero() {
		at := c.Updated.UTC()
		out.Updated = &at
	}
	for _, h := range c.History {
		out.History = append(out.History, slaChangeJSON{At: h.At.UTC(), By: string(h.By), ByName: h.ByName, Changes: h.Changes})
	}
	return out
}

// maxClockSeconds bounds a clock before it becomes a time.Duration.
var maxClockSeconds = int64(ticketing.MaxClock / time.Second)

// settings turns a PUT body into rules, naming the fields the JSON alone
// shows are wrong; ticketing.SLASettings.Validate checks the rest.
func (in slaJSON) settings() (ticketing.SLASettings, error) {
	var v hotline.Invalid
	out := ticketing.SLASettings{Deadlines: map[ticketing.Urgency]ticketing.Clocks{}, WarnAt: in.WarnAt}
	if in.Tiers == nil {
		v.Add("tiers", "required: the clocks of every urgency tier")
	}
	for i, c := range in.Tiers {
		u, err := ticketing.ParseUrgency(c.Urgency)
		if err != nil {
			v.Add(fmt.Sprintf("tiers[%d].urgency", i), fieldOf(err, "urgency"))
			continue
		}
		if _, dup := out.Deadlines[u]; dup {
			v.Add("tiers."+c.Urgency, "listed twice")
			continue
		}
		secs := [3]int64{c.Accept, c.Contact, c.Reply}
		var d [3]time.Duration
		for k, sec := range secs {
			switch {
			case sec > maxClockSeconds:
				v.Add(fmt.Sprintf("tiers.%s.%s", u, ticketing.ClockNames[k]), "at most 365 days")
				sec = 0
			case sec < 0:
				sec = -1 // not positive, whatever its size: no overflow below
			}
			d[k] = time.Duration(sec) * time.Second
		}
		out.Deadlines[u] = ticketing.Clocks{Accept: d[0], Contact: d[1], Reply: d[2]}
	}
	if in.Working == nil {
		v.Add("working_days", "required: which clocks count working days")
	} else {
		out.Working = [3]bool{in.Working.Accept, in.Working.Contact, in.Working.Reply}
	}
	out.Holidays = parseDays(&v, "holidays", in.Holidays)
	out.Workdays = parseDays(&v, "workdays", in.Workdays)
	if err := v.Err("the deadline rules are not valid"); err != nil {
		return out, err
	}
	return out, nil
}

// parseDays parses a list of YYYY-MM-DD days; a missing list is an error
// (PUT replaces the calendar: send [] for none).
func parseDays(v *hotline.Invalid, field string, in []string) []time.Time {
	if in == nil {
		v.Add(field, "required: a list of YYYY-MM-DD days ([] for none)")
		return nil
	}
	out := make([]time.Time, 0, len(in))
	for _, s := range in {
		d, err := time.ParseInLocation(time.DateOnly, s, ticketing.Beijing)
		if err != nil {
			v.Add(field, fmt.Sprintf("%q is not a day (YYYY-MM-DD)", s))
			continue
		}
		out = append(out, d)
	}
	return out
}

// fieldOf is the problem err tells about field, or err's text.
func fieldOf(err error, field string) string {
	if e, ok := err.(*hotline.Error); ok && e.Fields[field] != "" {
		return e.Fields[field]
	}
	return err.Error()
}

func dates(ts []time.Time) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.In(ticketing.Beijing).Format(time.DateOnly))
	}
	return out
}
