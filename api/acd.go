package api

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/agent"
)

// QueueEvents is the read side of the ACD's stored queue log; the store
// satisfies it directly. Set Config.QueueLog to serve /api/v1/acd/kpis.
type QueueEvents interface {
	// FindQueueEvents returns the events f selects in time order.
	FindQueueEvents(ctx context.Context, f agent.EventFilter) ([]agent.Event, error)
}

// Limits of GET /api/v1/acd/kpis. The events of the whole window are read
// into memory (some 300,000 a day at the centre's volume), so the window
// is bounded; longer reports need a daily roll-up.
const (
	maxKPIWindow = 7 * 24 * time.Hour
	// kpiLookback is how far before the window the log is read for the
	// agents' states at its start (occupancy): an agent with no event in
	// that time counts from its first event in the window.
	kpiLookback = 24 * time.Hour
)

var kpiParams = []string{"from", "to", "queue", "interval"}

// kpiQuery is GET /api/v1/acd/kpis's query.
type kpiQuery struct {
	from, to time.Time
	queue    string
	interval string // "", "hour" or "day"
}

type kpiJSON struct {
	ServiceLevel     float64 `json:"service_level"`
	ASAMS            int64   `json:"asa_ms"`
	AbandonRate      float64 `json:"abandon_rate"`
	AHTMS            int64   `json:"aht_ms"`
	Occupancy        float64 `json:"occupancy"`
	Offered          int     `json:"offered"`
	Answered         int     `json:"answered"`
	Abandoned        int     `json:"abandoned"`
	AbandonedShort   int     `json:"abandoned_short"`
	AnsweredWithinSL int     `json:"answered_within_sl"`
	Handled          int     `json:"handled"`
	Overflowed       int     `json:"overflowed"`
	Rejected         int     `json:"rejected"`
}

func toKPIJSON(k agent.KPI) kpiJSON {
	return kpiJSON{
		ServiceLevel: round6(k.ServiceLevel), ASAMS: k.ASA.Milliseconds(), AbandonRate: round6(k.AbandonRate),
		AHTMS: k.AHT.Milliseconds(), Occupancy: round6(k.Occupancy), Offered: k.Offered, Answered: k.Answered,
		Abandoned: k.Abandoned, AbandonedShort: k.AbandonedShort, AnsweredWithinSL: k.AnsweredWithinSL,
		Handled: k.Handled, Overflowed: k.Overflowed, Rejected: k.Rejected,
	}
}

type kpiRowJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
	kpiJSON
}

type kpiReportJSON struct {
	From               string       `json:"from"`
	To                 string       `json:"to"`
	Queue              string       `json:"queue"`
	Interval           string       `json:"interval"`
	ServiceLevelTarget int64        `json:"service_level_threshold_ms"`
	KPIs               kpiJSON      `json:"kpis"`
	Rows               []kpiRowJSON `json:"rows"`
}

// queueLogReader returns the stored queue log when the actor may read the
// KPIs: the centre's managers and analysts.
func (s *server) queueLogReader(r *http.Request) (QueueEvents, error) {
	if s.cfg.QueueLog == nil {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "the queue log is not enabled")
	}
	switch a := actor(r); a.Role {
	case hotline.RoleAdmin, hotline.RoleSupervisor, hotline.RoleAnalyst:
	default:
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "role %s may not read the ACD's KPIs", a.Role)
	}
	return s.cfg.QueueLog, nil
}

// getKPIs computes the queue KPIs of a window from the stored queue log,
// with agent.ComputeKPISeries: the whole window, and with interval one row
// per hour or day (Beijing time) in it. The window ends now at the latest.
func (s *server) getKPIs(w http.ResponseWriter, r *http.Request) {
	queueLog, err := s.queueLogReader(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q, err := s.kpiQuery(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := kpiReportJSON{From: s.stampIn(q.from), To: s.stampIn(q.to), Queue: q.queue, Interval: q.interval,
		ServiceLevelTarget: agent.DefaultServiceLevel.Milliseconds(), Rows: []kpiRowJSON{}}
	if !q.from.Before(q.to) { // the window has not begun
		writeJSON(w, http.StatusOK, out)
		return
	}
	events, err := queueLog.FindQueueEvents(r.Context(), agent.EventFilter{From: q.from.Add(-kpiLookback), To: q.to})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sl := agent.DefaultServiceLevel
	out.KPIs = toKPIJSON(agent.ComputeKPISeries(events, q.queue, sl, []time.Time{q.from, q.to})[0])
	if q.interval != "" {
		bounds := s.kpiBounds(q)
		for i, k := range agent.ComputeKPISeries(events, q.queue, sl, bounds) {
			out.Rows = append(out.Rows, kpiRowJSON{From: s.stampIn(bounds[i]), To: s.stampIn(bounds[i+1]), kpiJSON: toKPIJSON(k)})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// kpiQuery reads from (default: today's midnight), to (default: now;
// never later), queue and interval. Every bad value is named.
func (s *server) kpiQuery(v url.Values) (kpiQuery, error) {
	var bad hotline.Invalid
	checkParams(&bad, v, kpiParams...)
	now := s.cfg.Clock.Now().In(s.cfg.Location)
	q := kpiQuery{queue: v.Get("queue"), interval: v.Get("interval")}
	q.from = s.timeParam(&bad, v, "from", false)
	q.to = s.timeParam(&bad, v, "to", true)
	if q.from.IsZero() && !v.Has("from") {
		q.from = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.cfg.Location)
	}
	switch {
	case q.from.IsZero() || (q.to.IsZero() && v.Has("to")):
	case q.to.IsZero(): // up to now: a window not yet begun is empty
		if now.Sub(q.from) > maxKPIWindow {
			bad.Add("from", "at most 7 days before to (now)")
		}
		q.to = now
	case !q.from.Before(q.to):
		bad.Add("to", "must be after from")
	case q.to.Sub(q.from) > maxKPIWindow:
		bad.Add("to", "at most 7 days after from")
	}
	switch q.interval {
	case "", "hour", "day":
	default:
		bad.Add("interval", "must be hour or day")
	}
	if len(q.queue) > 64 {
		bad.Add("queue", "at most 64 characters")
	}
	if q.to.After(now) {
		q.to = now
	}
	return q, bad.Err("invalid query")
}

// kpiBounds cuts [q.from, q.to) at each hour or midnight of the configured
// location.
func (s *server) kpiBounds(q kpiQuery) []time.Time {
	bounds := []time.Time{q.from}
	t := q.from.In(s.cfg.Location)
	for {
		if q.interval == "hour" {
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour()+1, 0, 0, 0, t.Location())
		} else {
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, t.Location())
		}
		if !t.Before(q.to) {
			return append(bounds, q.to)
		}
		bounds = append(bounds, t)
	}
}

// stampIn is an RFC 3339 time in the configured location.
func (s *server) stampIn(t time.Time) string { return stamp(t.In(s.cfg.Location)) }

// kpiSchemas are the shapes of /api/v1/acd/kpis.
func kpiSchemas() map[string]any {
	fraction := func(desc string) map[string]any {
		return map[string]any{"type": "number", "minimum": 0, "maximum": 1, "description": desc}
	}
	count := func(desc string) map[string]any { return map[string]any{"type": "integer", "description": desc} }
	p := map[string]any{
		"service_level":      fraction("answered within the threshold ÷ (answered + abandoned); 0 when neither"),
		"asa_ms":             count("average speed of answer, ms"),
		"abandon_rate":       fraction("abandoned ÷ offered"),
		"aht_ms":             count("average handle time (talk + wrap-up) ÷ handled, ms"),
		"occupancy":          fraction("time on a call or in wrap-up ÷ time ready, ringing, on a call or in wrap-up"),
		"offered":            count("queue visits (enter)"),
		"answered":           count("visits answered (not counting a requeued call's reconnect)"),
		"abandoned":          count("visits the caller hung up"),
		"abandoned_short":    count("of those, after at most 5 s"),
		"answered_within_sl": count("answers within the threshold"),
		"handled":            count("calls completed or transferred (the AHT divisor)"),
		"overflowed":         count("visits that left by overflow"),
		"rejected":           count("calls refused by a full queue"),
	}
	all := slices.Sorted(maps.Keys(p))
	row := map[string]any{"from": stamp3, "to": stamp3}
	for k, v := range p {
		row[k] = v
	}
	return map[string]any{
		"KPIs":   object(p, all...),
		"KPIRow": object(row, append([]string{"from", "to"}, all...)...),
		"KPIReport": object(map[string]any{
			"from": stamp3, "to": map[string]any{"type": "string", "format": "date-time", "description": "now at the latest"},
			"queue": str("empty: every queue"), "interval": str("hour, day or empty"),
			"service_level_threshold_ms": count("the service-level threshold, ms"),
			"kpis":                       ref("KPIs"),
			"rows":                       map[string]any{"type": "array", "items": ref("KPIRow"), "description": "one per hour or day with interval, else empty"},
		}, "from", "to", "queue", "interval", "service_level_threshold_ms", "kpis", "rows"),
	}
}
