package sip

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// admission is what the guard learnt about an accepted INVITE; the inbound
// handler picks it up by Call-ID.
type admission struct {
	trunk   *Trunk
	arrived time.Time
	timer   timerParams
}

// guard wraps every request handler: it validates the request (400), keeps
// unknown sources out (403), limits new requests per source, checks auth,
// session-timer, codec and capacity for new INVITEs, and serves in-dialog
// INFO DTMF itself. Nothing it receives can panic the process.
func (s *Server) guard(next sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		defer s.recoverRequest(req, tx)
		if err := ValidateRequest(req); err != nil {
			s.refuse(req, tx, RefusedMalformed, sip.StatusBadRequest, "Bad Request", err.Error())
			return
		}
		if c := s.callBySIPID(req.CallID().Value()); c != nil {
			s.inDialog(c, req, tx, next)
			return
		}
		if req.IsAck() {
			next(req, tx) // never answered; diago matches or drops it
			return
		}
		s.outOfDialog(req, tx, next)
	}
}

func (s *Server) recoverRequest(req *sip.Request, tx sip.ServerTransaction) {
	r := recover()
	if r == nil {
		return
	}
	s.log.Error("request handler panicked", "panic", fmt.Sprint(r), "method", req.Method.String())
	if tx != nil && !req.IsAck() {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusInternalServerError, "Server Internal Error", nil))
	}
}

// refuse answers a request we turn away and counts it.
func (s *Server) refuse(req *sip.Request, tx sip.ServerTransaction, why RefuseReason, code int, text, detail string, hdrs ...sip.Header) {
	s.metrics.Refused(why)
	s.log.Info("request refused", "method", req.Method.String(), "source", req.Source(),
		"status", code, "reason", string(why), "detail", detail)
	if req.IsAck() || tx == nil {
		return
	}
	res := sip.NewResponseFromRequest(req, code, text, nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if err := tx.Respond(res); err != nil {
		s.log.Debug("respond", "status", code, "error", err)
	}
}

func (s *Server) outOfDialog(req *sip.Request, tx sip.ServerTransaction, next sipgo.RequestHandler) {
	src, err := hostIP(req.Source())
	if err != nil {
		s.refuse(req, tx, RefusedMalformed, sip.StatusBadRequest, "Bad Request", "source: "+err.Error())
		return
	}
	trunk := s.cfg.trunkFor(src)
	limiter := s.limiter
	if trunk != nil {
		limiter = s.trunkLimiters[trunk.Name]
	}
	if newRequest(req) && !limiter.Allow(src) {
		s.rateLimited(req, tx)
		return
	}
	if trunk == nil {
		s.refuse(req, tx, RefusedUnknownPeer, sip.StatusForbidden, "Forbidden", "source in no trunk")
		return
	}
	if req.Method != sip.INVITE {
		next(req, tx)
		return
	}
	s.admitInvite(req, tx, trunk, next)
}

// newRequest is what the per-source limit counts: new INVITEs and REGISTERs.
func newRequest(req *sip.Request) bool {
	if req.Method == sip.REGISTER {
		return true
	}
	if req.Method != sip.INVITE {
		return false
	}
	tag, _ := req.To().Params.Get("tag")
	return tag == ""
}

// rateLimited drops a UDP request silently (an answer would feed the flood and
// the sender retransmits anyway) and answers 503 on connection transports.
func (s *Server) rateLimited(req *sip.Request, tx sip.ServerTransaction) {
	if strings.EqualFold(req.Transport(), "udp") {
		s.metrics.Refused(RefusedRateLimited)
		s.log.Debug("rate limited, dropped", "source", req.Source(), "method", req.Method.String())
		return
	}
	s.refuse(req, tx, RefusedRateLimited, sip.StatusServiceUnavailable, "Service Unavailable", "rate limited",
		sip.NewHeader("Retry-After", strconv.Itoa(int(s.cfg.RetryAfter.Seconds()))))
}

// admitInvite runs the checks of a new INVITE, then holds a call slot while
// diago serves the whole call inside next.
func (s *Server) admitInvite(req *sip.Request, tx sip.ServerTransaction, trunk *Trunk, next sipgo.RequestHandler) {
	if tag, _ := req.To().Params.Get("tag"); tag != "" {
		next(req, tx) // in-dialog for a dialog we do not know: diago answers 481
		return
	}
	if !s.authorized(req, tx, trunk) {
		return
	}
	tp, ok := s.negotiateTimer(req, tx)
	if !ok {
		return
	}
	if offer := ParseOffer(req.Body()); len(req.Body()) > 0 && !offer.G711 {
		s.refuse(req, tx, RefusedCodec, sip.StatusNotAcceptableHere, "Not Acceptable Here", "no PCMU/PCMA offered",
			sip.NewHeader("Warning", `305 hotline "Incompatible media format"`))
		return
	}
	if len(req.Body()) == 0 {
		s.refuse(req, tx, RefusedCodec, sip.StatusNotAcceptableHere, "Not Acceptable Here", "no SDP offer (late offer unsupported)")
		return
	}
	if n := s.active.Add(1); n > int64(s.cfg.MaxCalls) {
		s.active.Add(-1)
		s.refuse(req, tx, RefusedOverload, sip.StatusServiceUnavailable, "Service Unavailable", "max calls",
			sip.NewHeader("Retry-After", strconv.Itoa(int(s.cfg.RetryAfter.Seconds()))))
		return
	}
	defer s.active.Add(-1)
	id := req.CallID().Value()
	s.admissions.Store(id, &admission{trunk: trunk, arrived: s.now(), timer: tp})
	defer s.admissions.Delete(id)
	next(req, s.wrapTx(tx, tp))
}

// inDialog handles requests of a call we know: hold tracking and session
// refresh on re-INVITE, SIP INFO DTMF, the rest straight to diago.
func (s *Server) inDialog(c *Call, req *sip.Request, tx sip.ServerTransaction, next sipgo.RequestHandler) {
	switch req.Method {
	case sip.INVITE:
		if tag, _ := req.To().Params.Get("tag"); tag == "" {
			// A retransmitted initial INVITE: the transaction layer absorbs
			// these; anything reaching here is a Call-ID collision.
			s.refuse(req, tx, RefusedMalformed, sip.StatusLoopDetected, "Loop Detected", "Call-ID already in use")
			return
		}
		if body := req.Body(); len(body) > 0 {
			offer := ParseOffer(body)
			if !offer.G711 {
				s.respond(req, tx, sip.StatusNotAcceptableHere, "Not Acceptable Here")
				return
			}
			c.setHeld(offer.OnHold())
		}
		if c.st != nil {
			c.st.refreshed()
		}
		next(req, s.wrapTx(tx, c.timerParams()))
	case sip.INFO:
		s.handleInfo(c, req, tx)
	default:
		next(req, tx)
	}
}

func (s *Server) respond(req *sip.Request, tx sip.ServerTransaction, code int, text string) {
	if err := tx.Respond(sip.NewResponseFromRequest(req, code, text, nil)); err != nil {
		s.log.Debug("respond", "status", code, "error", err)
	}
}

// handleInfo accepts DTMF in SIP INFO (application/dtmf-relay "Signal=5" and
// application/dtmf "5"); other INFO packages get 415.
func (s *Server) handleInfo(c *Call, req *sip.Request, tx sip.ServerTransaction) {
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = strings.ToLower(strings.TrimSpace(h.Value()))
	}
	var digit rune
	switch {
	case strings.HasPrefix(ct, "application/dtmf-relay"):
		digit = ParseDTMFRelay(req.Body())
	case strings.HasPrefix(ct, "application/dtmf"):
		digit = normalizeDigit(strings.TrimSpace(string(req.Body())))
	case len(req.Body()) == 0:
		s.respond(req, tx, sip.StatusOK, "OK") // INFO keep-alive
		return
	default:
		s.respond(req, tx, sip.StatusUnsupportedMediaType, "Unsupported Media Type")
		return
	}
	if digit == 0 {
		s.respond(req, tx, sip.StatusBadRequest, "Bad DTMF")
		return
	}
	c.pushDigit(digit)
	s.respond(req, tx, sip.StatusOK, "OK")
}

// ParseDTMFRelay reads the Signal of an application/dtmf-relay body; 0 when
// there is none or it is not a DTMF key.
func ParseDTMFRelay(body []byte) rune {
	for line := range strings.Lines(string(body)) {
		k, v, ok := strings.Cut(line, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "signal") {
			return normalizeDigit(strings.TrimSpace(v))
		}
	}
	return 0
}

// normalizeDigit maps "0"-"9", "*", "#", "A"-"D" and the event codes "10"
// (*), "11" (#) to a digit rune, anything else to 0.
func normalizeDigit(s string) rune {
	switch s {
	case "10":
		return '*'
	case "11":
		return '#'
	}
	if len(s) != 1 {
		return 0
	}
	switch d := rune(strings.ToUpper(s)[0]); {
	case d >= '0' && d <= '9', d == '*', d == '#', d >= 'A' && d <= 'D':
		return d
	}
	return 0
}

// handleUpdate serves UPDATE (RFC 3311) as a session refresh; an UPDATE
// carrying a new offer is refused with 488 (we renegotiate by re-INVITE only).
func (s *Server) handleUpdate(req *sip.Request, tx sip.ServerTransaction) {
	c := s.callBySIPID(req.CallID().Value())
	if c == nil {
		s.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	if len(req.Body()) > 0 {
		s.respond(req, tx, sip.StatusNotAcceptableHere, "Not Acceptable Here")
		return
	}
	if c.st != nil {
		c.st.refreshed()
	}
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	c.timerParams().addTo(res)
	if err := tx.Respond(res); err != nil {
		s.log.Debug("respond update", "error", err)
	}
}

// handleUnknown answers methods nobody serves.
func (s *Server) handleUnknown(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, sip.StatusMethodNotAllowed, "Method Not Allowed", nil)
	res.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY"))
	if err := tx.Respond(res); err != nil {
		s.log.Debug("respond 405", "error", err)
	}
}
