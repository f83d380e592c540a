package sip

import (
	"context"
	"errors"
	"fmt"

	"github.com/emiago/diago"
	dmedia "github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// DialOptions shape an outbound INVITE.
type DialOptions struct {
	CallerID string            // our number in From (default Config.OutboundCallerID)
	Headers  map[string]string // extra headers, e.g. X-Ticket-ID
}

// DialError is a failed outbound call: Status is the SIP final response (486
// busy, 480/408 no answer, 503, ...), or 0 when no response came.
type DialError struct {
	Status int
	Reason string
	Err    error
}

func (e *DialError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("dial: %d %s", e.Status, e.Reason)
	}
	return fmt.Sprintf("dial: %v", e.Err)
}

func (e *DialError) Unwrap() error { return e.Err }

// EndReason classifies the failure the way CallEnded does.
func (e *DialError) EndReason() EndReason {
	switch e.Status {
	case sip.StatusBusyHere, 600:
		return EndBusy
	case sip.StatusRequestTimeout, sip.StatusTemporarilyUnavailable, 0:
		return EndNoAnswer
	case sip.StatusGlobalDecline, sip.StatusForbidden:
		return EndRejected
	}
	return EndFailed
}

// Dial calls "to" (a number, or a full sip: URI) through Config.Outbound and
// returns the call once it is answered and acknowledged. It answers a digest
// challenge with the outbound credentials. ctx bounds the ringing time; a
// failure is a *DialError carrying the SIP status.
func (s *Server) Dial(ctx context.Context, to string, opts DialOptions) (*Call, error) {
	if s.dg == nil {
		return nil, errors.New("dial: server not started")
	}
	uri, err := s.dialURI(to)
	if err != nil {
		return nil, err
	}
	if n := s.active.Add(1); n > int64(s.cfg.MaxCalls) {
		s.active.Add(-1)
		return nil, &DialError{Status: sip.StatusServiceUnavailable, Reason: "local call limit"}
	}
	d, dm, err := s.dg.Invite(ctx, uri, s.inviteOptions(opts))
	if err != nil {
		s.active.Add(-1)
		de := dialError(err)
		s.metrics.CallStarted(Outbound)
		s.metrics.CallEnded(Outbound, de.EndReason())
		s.log.Info("outbound call failed", "to", uri.User, "status", de.Status, "error", err)
		return nil, de
	}
	c := newCall(s, Outbound, d.InviteRequest.CallID().Value())
	c.dlg = d
	c.from, c.to = d.InviteRequest.From().Address.User, uri.User
	s.calls.Store(c.sipCallID, c)
	s.metrics.CallStarted(Outbound)
	if err := c.attachMedia(dm); err != nil {
		c.endWith(EndFailed)
	}
	c.watch()
	go s.reapOutbound(c)
	c.log.Info("outbound call answered", "to", c.to)
	return c, nil
}

// reapOutbound releases the slot and the registry entry when the call ends.
func (s *Server) reapOutbound(c *Call) {
	<-c.done
	s.calls.Delete(c.sipCallID)
	s.active.Add(-1)
	s.metrics.CallEnded(Outbound, c.EndReason())
}

func (s *Server) dialURI(to string) (sip.Uri, error) {
	var uri sip.Uri
	target := to
	if !hasScheme(to) {
		if s.cfg.Outbound == "" {
			return uri, errors.New("dial: no outbound trunk configured")
		}
		var trunk sip.Uri
		if err := sip.ParseUri(s.cfg.Outbound, &trunk); err != nil {
			return uri, fmt.Errorf("dial: outbound %q: %w", s.cfg.Outbound, err)
		}
		trunk.User = to
		return trunk, nil
	}
	if err := sip.ParseUri(target, &uri); err != nil {
		return uri, fmt.Errorf("dial: %q: %w", to, err)
	}
	return uri, nil
}

func hasScheme(s string) bool {
	return len(s) > 4 && (s[:4] == "sip:" || (len(s) > 5 && s[:5] == "sips:"))
}

func (s *Server) inviteOptions(opts DialOptions) diago.InviteOptions {
	io := diago.InviteOptions{
		Username: s.cfg.OutboundUsername,
		Password: s.cfg.OutboundPassword,
		RTPNAT:   dmedia.RTPNATSymetric,
	}
	caller := opts.CallerID
	if caller == "" {
		caller = s.cfg.OutboundCallerID
	}
	if caller != "" {
		host := s.cfg.PublicIP
		if host == "" {
			host, _, _ = splitAddr(s.Addr("udp").String())
		}
		io.Headers = append(io.Headers, &sip.FromHeader{
			Address: sip.Uri{Scheme: "sip", User: caller, Host: host},
			Params:  sip.NewParams(),
		})
	}
	for k, v := range opts.Headers {
		io.Headers = append(io.Headers, sip.NewHeader(k, v))
	}
	return io
}

func dialError(err error) *DialError {
	var de sipgo.ErrDialogResponse
	if errors.As(err, &de) && de.Res != nil {
		return &DialError{Status: de.Res.StatusCode, Reason: de.Res.Reason, Err: err}
	}
	var dep *sipgo.ErrDialogResponse
	if errors.As(err, &dep) && dep.Res != nil {
		return &DialError{Status: dep.Res.StatusCode, Reason: dep.Res.Reason, Err: err}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &DialError{Status: sip.StatusRequestTimeout, Reason: "Request Timeout", Err: err}
	}
	return &DialError{Err: err}
}
