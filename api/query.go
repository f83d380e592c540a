package api

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// Paging of ticket lists.
const (
	defaultLimit = 50
	maxLimit     = 200
)

var ticketParams = []string{
	"state", "unit", "category", "district", "street", "urgency", "type", "channel", "phone",
	"supervised", "overdue", "light", "from", "to", "q", "sort", "limit", "offset",
}

// ticketFilter reads GET /api/v1/tickets's query. Every bad value is named.
func (s *server) ticketFilter(q url.Values) (ticketing.TicketFilter, error) {
	var v hotline.Invalid
	checkParams(&v, q, ticketParams...)
	f := ticketing.TicketFilter{
		Unit:     hotline.UnitID(q.Get("unit")),
		Category: hotline.CategoryID(q.Get("category")),
		District: hotline.UnitID(q.Get("district")),
		Street:   hotline.UnitID(q.Get("street")),
		Phone:    q.Get("phone"),
		Query:    q.Get("q"),
	}
	f.States = states(&v, q["state"])
	f.Urgency = enumParam(&v, q, "urgency", ticketing.ParseUrgency)
	f.Type = enumParam(&v, q, "type", ticketing.ParseRequestType)
	f.Channel = enumParam(&v, q, "channel", ticketing.ParseChannel)
	f.Light = enumParam(&v, q, "light", ticketing.ParseLight)
	if q.Has("supervised") {
		b := boolParam(&v, q, "supervised")
		f.Supervised = &b
	}
	f.Overdue = boolParam(&v, q, "overdue")
	f.From = s.timeParam(&v, q, "from", false)
	f.To = s.timeParam(&v, q, "to", true)
	f.Sort = sortParam(&v, q)
	f.Limit = intParam(&v, q, "limit", defaultLimit, 1, maxLimit)
	f.Offset = intParam(&v, q, "offset", 0, 0, math.MaxInt32)
	return f, v.Err("invalid query")
}

// checkParams reports query parameters that the route does not know.
func checkParams(v *hotline.Invalid, q url.Values, known ...string) {
	for name := range q {
		if !contains(known, name) {
			v.Add(name, "unknown parameter; known: "+strings.Join(known, ", "))
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// states reads repeated and comma-separated state values.
func states(v *hotline.Invalid, values []string) []ticketing.State {
	var out []ticketing.State
	for _, value := range values {
		for _, name := range strings.Split(value, ",") {
			st, err := ticketing.ParseState(strings.TrimSpace(name))
			if err != nil {
				v.Add("state", problem(err, "state"))
				continue
			}
			out = append(out, st)
		}
	}
	return out
}

// problem returns what a parse error says about field.
func problem(err error, field string) string {
	if e, ok := err.(*hotline.Error); ok && e.Fields[field] != "" {
		return e.Fields[field]
	}
	return err.Error()
}

func enumParam[T ~string](v *hotline.Invalid, q url.Values, name string, parse func(string) (T, error)) T {
	var zero T
	if !q.Has(name) {
		return zero
	}
	val, err := parse(q.Get(name))
	if err != nil {
		v.Add(name, problem(err, name))
		return zero
	}
	return val
}

func boolParam(v *hotline.Invalid, q url.Values, name string) bool {
	switch q.Get(name) {
	case "true":
		return true
	case "false", "":
		return false
	}
	v.Add(name, "must be true or false")
	return false
}

func intParam(v *hotline.Invalid, q url.Values, name string, def, lo, hi int) int {
	s := q.Get(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		v.Add(name, "must be an integer from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
		return def
	}
	return n
}

func floatParam(v *hotline.Invalid, q url.Values, name string) float64 {
	s := q.Get(name)
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		v.Add(name, "must be a number")
		return 0
	}
	return f
}

// timeParam reads an RFC 3339 time or a YYYY-MM-DD date in the configured
// location. A date given as an upper bound means the end of that day.
func (s *server) timeParam(v *hotline.Invalid, q url.Values, name string, upper bool) time.Time {
	str := q.Get(name)
	if str == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, str); err == nil {
		return t
	}
	d, err := time.ParseInLocation(time.DateOnly, str, s.cfg.Location)
	if err != nil {
		v.Add(name, "must be an RFC 3339 time or a YYYY-MM-DD date")
		return time.Time{}
	}
	if upper {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func sortParam(v *hotline.Invalid, q url.Values) string {
	s := q.Get("sort")
	switch s {
	case "", ticketing.SortCreatedDesc, ticketing.SortDeadline, ticketing.SortDispatch:
		return s
	}
	v.Add("sort", "must be one of created, deadline, dispatch")
	return ""
}
