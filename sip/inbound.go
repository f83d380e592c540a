package sip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/emiago/diago"
	dmedia "github.com/emiago/diago/media"
	"github.com/emiago/sipgo/sip"
)

// serveInbound is diago's dialog handler: it runs for the whole inbound call.
func (s *Server) serveInbound(d *diago.DialogServerSession) {
	req := d.InviteRequest
	adm := s.takeAdmission(req.CallID().Value())
	c := newCall(s, Inbound, req.CallID().Value(), "trunk", adm.trunk.Name)
	c.in, c.dlg = d, d
	c.arrived = adm.arrived
	c.trunk = adm.trunk.Name
	c.from = callerNumber(req, adm.trunk.CallerIDFrom)
	c.to = req.Recipient.User
	c.st = s.inboundTimer(c, adm.timer)
	s.calls.Store(c.sipCallID, c)
	defer s.calls.Delete(c.sipCallID)
	s.metrics.CallStarted(Inbound)
	c.log.Info("inbound call", "from", c.from, "to", c.to)

	c.watch()
	if err := d.Trying(); err != nil {
		c.log.Debug("100 trying", "error", err)
	}
	s.handler.HandleCall(c.ctx, c)
	c.endWith(EndLocalHangup)
	<-c.done
	c.bye.Wait() // diago must not send a second BYE while ours is in flight
	s.metrics.CallEnded(Inbound, c.EndReason())
}

func (s *Server) takeAdmission(id string) *admission {
	if v, ok := s.admissions.Load(id); ok {
		return v.(*admission)
	}
	// Unreachable through the guard; keep a safe default anyway.
	return &admission{trunk: &Trunk{Name: "unknown"}, arrived: s.now()}
}

// callerNumber reads the caller's number from P-Asserted-Identity (when the
// trunk says so and sends one) or From.
func callerNumber(req *sip.Request, src CallerIDSource) string {
	if src == CallerIDFromPAI {
		if h := req.GetHeader("P-Asserted-Identity"); h != nil {
			var uri sip.Uri
			if _, err := sip.ParseAddressValue(h.Value(), &uri, nil); err == nil && uri.User != "" {
				return uri.User
			}
		}
	}
	return req.From().Address.User
}

func (s *Server) inboundTimer(c *Call, tp timerParams) *sessionTimer {
	if tp.Interval <= 0 {
		return nil
	}
	return newSessionTimer(tp, tp.Refresher == "uas", c.dlg.ReInvite, func() { go c.endWith(EndSessionExpired) })
}

// timerParams is the call's negotiated session timer (zero without one).
func (c *Call) timerParams() timerParams {
	if c.st == nil {
		return timerParams{}
	}
	return c.st.tp
}

// Answer sends 200 OK with our SDP answer (PCMU/PCMA and telephone-event at
// the offered payload type), waits for the ACK and starts the media. diago
// bounds the wait for ACK (64*T1); ctx only bounds entry.
func (c *Call) Answer(ctx context.Context) error {
	if c.in == nil {
		return errors.New("answer: not an inbound call")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("call %s: answer: %w", c.id, err)
	}
	dm, err := c.in.Answer(diago.AnswerOptions{RTPNAT: dmedia.RTPNATSymetric})
	if err != nil {
		c.finish(EndFailed, 0)
		return fmt.Errorf("call %s: answer: %w", c.id, err)
	}
	c.srv.metrics.InviteLatency(c.srv.now().Sub(c.arrived).Seconds())
	if err := c.attachMedia(dm); err != nil {
		c.endWith(EndFailed)
		return fmt.Errorf("call %s: media: %w", c.id, err)
	}
	if c.st != nil {
		c.st.start()
	}
	if c.log.Enabled(ctx, slog.LevelInfo) { // the media's String formats two addresses
		c.log.Info("answered", "media", c.Media().String(), "setup_ms", time.Since(c.arrived).Milliseconds())
	}
	return nil
}
