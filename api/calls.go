package api

import (
	"context"
	"math"
	"net/http"
	"net/url"

	"github.com/cityhotline/hotline"
)

// Calls is the read side of the call records (CDRs); the store satisfies
// it directly. Set Config.Calls to serve /api/v1/calls.
type Calls interface {
	// FindCalls returns the records f selects, newest arrival first.
	FindCalls(ctx context.Context, f hotline.CallFilter) ([]*hotline.CallRecord, error)
	// FindCallByID returns one record or ENOTFOUND.
	FindCallByID(ctx context.Context, id hotline.CallID) (*hotline.CallRecord, error)
}

var callParams = []string{"from", "to", "caller", "queue", "direction", "end_reason", "limit", "offset"}

type callJSON struct {
	ID              hotline.CallID   `json:"id"`
	SIPCallID       string           `json:"sip_call_id"`
	Direction       string           `json:"direction"`
	Caller          string           `json:"caller"`
	Callee          string           `json:"callee"`
	Trunk           string           `json:"trunk"`
	Arrived         string           `json:"arrived,omitempty"`
	Answered        string           `json:"answered,omitempty"`
	Ended           string           `json:"ended,omitempty"`
	DurationSeconds float64          `json:"duration_seconds"`
	IVRPath         []string         `json:"ivr_path"`
	Digits          string           `json:"digits"`
	Queue           string           `json:"queue"`
	Agent           hotline.UserID   `json:"agent"`
	Ticket          hotline.TicketID `json:"ticket"`
	EndReason       string           `json:"end_reason"`
	SIPCause        int              `json:"sip_cause"`
	Recording       string           `json:"recording"`
	RTPReceived     int64            `json:"rtp_received"`
	RTPLost         int64            `json:"rtp_lost"`
}

func toCallJSON(c *hotline.CallRecord) callJSON {
	path := c.IVRPath
	if path == nil {
		path = []string{}
	}
	return callJSON{
		ID: c.ID, SIPCallID: c.SIPCallID, Direction: c.Direction, Caller: c.Caller, Callee: c.Callee,
		Trunk: c.Trunk, Arrived: stamp(c.Arrived), Answered: stamp(c.Answered), Ended: stamp(c.Ended),
		DurationSeconds: math.Round(c.Duration().Seconds()*1000) / 1000,
		IVRPath:         path, Digits: c.Digits, Queue: c.Queue, Agent: c.Agent, Ticket: c.Ticket,
		EndReason: c.EndReason, SIPCause: c.SIPCause, Recording: c.Recording,
		RTPReceived: c.RTPReceived, RTPLost: c.RTPLost,
	}
}

type callListJSON struct {
	Calls      []callJSON `json:"calls"`
	Limit      int        `json:"limit"`
	Offset     int        `json:"offset"`
	NextOffset *int       `json:"next_offset,omitempty"`
}

// callReader returns the call records when the actor may read them: they
// hold citizens' numbers, so only the centre's own roles may.
func (s *server) callReader(r *http.Request) (Calls, error) {
	if s.cfg.Calls == nil {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "call records are not enabled")
	}
	if a := actor(r); !a.Role.Centre() {
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "role %s may not read call records", a.Role)
	}
	return s.cfg.Calls, nil
}

func (s *server) listCalls(w http.ResponseWriter, r *http.Request) {
	calls, err := s.callReader(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.callFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cs, err := calls.FindCalls(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := callListJSON{Calls: make([]callJSON, 0, len(cs)), Limit: f.Limit, Offset: f.Offset}
	for _, c := range cs {
		out.Calls = append(out.Calls, toCallJSON(c))
	}
	if len(cs) >= f.Limit {
		next := f.Offset + len(cs)
		out.NextOffset = &next
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) getCall(w http.ResponseWriter, r *http.Request) {
	calls, err := s.callReader(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := calls.FindCallByID(r.Context(), hotline.CallID(r.PathValue("id")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toCallJSON(c))
}

// callFilter reads GET /api/v1/calls's query. Every bad value is named.
func (s *server) callFilter(q url.Values) (hotline.CallFilter, error) {
	var v hotline.Invalid
	checkParams(&v, q, callParams...)
	f := hotline.CallFilter{Caller: q.Get("caller"), Queue: q.Get("queue")}
	f.From = s.timeParam(&v, q, "from", false)
	f.To = s.timeParam(&v, q, "to", true)
	switch d := q.Get("direction"); d {
	case "", "inbound", "outbound":
		f.Direction = d
	default:
		v.Add("direction", "must be inbound or outbound")
	}
	f.EndReason = q.Get("end_reason")
	if !isWord(f.EndReason) {
		v.Add("end_reason", "must be lower-case letters and underscores, e.g. remote_hangup")
	}
	f.Limit = intParam(&v, q, "limit", hotline.CallPageDefault, 1, hotline.CallPageMax)
	f.Offset = intParam(&v, q, "offset", 0, 0, math.MaxInt32)
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		v.Add("to", "must be after from")
	}
	return f, v.Err("invalid query")
}

// isWord reports whether s is at most 64 lower-case letters, digits and
// underscores (empty included).
func isWord(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}
