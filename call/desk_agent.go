package call

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/agent"
	"github.com/cityhotline/hotline/api/deskproto"
	"github.com/cityhotline/hotline/media"
)

// agentSession is one person at the desk: their WebSocket (while attached),
// their softphone leg and the call they are on. It outlives a WebSocket for
// the grace period.
type agentSession struct {
	d    *Desk
	user *account.User
	log  *slog.Logger

	mu        sync.Mutex
	client    deskproto.Client // nil while detached
	detached  time.Time
	leg       *media.AgentLeg
	rtcUp     bool
	call      *queuedCall // the connected call
	listening *queuedCall // supervisor: the call listened to

	// A supervisor's whisper (desk_whisper.go): the call they asked to
	// whisper on, its agent then, and their microphone's latest frame.
	whisper      *queuedCall
	whisperAgent *agentSession
	voice        whisperTap
}

// send delivers a message to the browser, if one is attached.
func (as *agentSession) send(msg any) {
	as.mu.Lock()
	c := as.client
	as.mu.Unlock()
	if c != nil {
		c.Send(msg)
	}
}

func (as *agentSession) closeLeg() {
	as.mu.Lock()
	leg := as.leg
	as.leg, as.rtcUp = nil, false
	as.mu.Unlock()
	if leg != nil {
		if err := leg.Close(); err != nil {
			as.log.Debug("close softphone leg", "err", err)
		}
	}
}

// connectedMsg describes the current call, if any (for a resumed desk).
func (as *agentSession) connectedMsg() *deskproto.Connected {
	as.mu.Lock()
	qc := as.call
	as.mu.Unlock()
	if qc == nil {
		return nil
	}
	m := qc.connectedMsg()
	m.Type = ""
	return &m
}

// onRTC follows the softphone leg's connection. A leg lost during a call
// sends the caller back to the queue; a ready agent without a softphone
// cannot take calls and is set not ready.
func (as *agentSession) onRTC(leg *media.AgentLeg, up bool) {
	as.mu.Lock()
	if as.leg != leg {
		as.mu.Unlock()
		return // an old leg
	}
	was := as.rtcUp
	as.rtcUp = up
	qc := as.call
	as.mu.Unlock()
	if was == up {
		return
	}
	as.log.Info("softphone", "connected", up)
	as.send(deskproto.RTCState{Type: deskproto.TypeRTCState, Connected: up})
	if !up {
		as.dropWhisper()
	}
	if up || as.user.Role != hotline.RoleAgent {
		return
	}
	if qc != nil {
		qc.post(callEvent{kind: evDropped, agent: as})
		return
	}
	st, ok := as.d.acd.Status(as.user.ID)
	if !ok {
		return
	}
	switch st.State {
	case agent.StateReady, agent.StateOffered:
		effs, err := as.d.acd.SetNotReady(as.user.ID, agent.Reason("other"))
		if err != nil {
			as.log.Warn("set not ready after softphone loss", "err", err)
		}
		as.d.apply(effs)
	}
}

// DeskConn is one attached WebSocket of a session.
type DeskConn struct {
	as     *agentSession
	client deskproto.Client
}

// Detach marks the session detached unless a newer WebSocket replaced this
// one; the driver ends it after the grace period.
func (c *DeskConn) Detach() {
	as := c.as
	as.mu.Lock()
	mine := as.client == c.client
	if mine {
		as.client, as.detached = nil, as.d.clock.Now()
	}
	as.mu.Unlock()
	if mine {
		as.d.mu.Lock()
		delete(as.d.watchers, as)
		as.d.mu.Unlock()
		// The wallboard forgets its listen when its WebSocket goes (a
		// reloaded page has no listen bar), so the server ends it too:
		// otherwise the page's next PeerConnection would play a call with
		// no way to see or stop it, and an agent could be left whispered
		// to by nobody on screen.
		if as.user.Role != hotline.RoleAgent {
			as.stopListening()
		}
		as.log.Info("desk detached; session kept for the grace period", "grace", as.d.cfg.Grace.String())
	}
}

// Handle carries out one client message.
func (c *DeskConn) Handle(ctx context.Context, m *deskproto.Message) error {
	as := c.as
	d := as.d
	agentOnly := func() error {
		if as.user.Role != hotline.RoleAgent {
			return hotline.Errorf(hotline.EFORBIDDEN, "%s is for agents", m.Type)
		}
		return nil
	}
	switch m.Type {
	case deskproto.TypeRTCOffer:
		return as.rtcOffer(ctx, m.SDP)
	case deskproto.TypeRTCICE:
		return as.rtcICE(m.Candidate)
	case deskproto.TypeSetState:
		if err := agentOnly(); err != nil {
			return err
		}
		return as.setState(m.State, m.Reason)
	case deskproto.TypeWrapUpDone:
		if err := agentOnly(); err != nil {
			return err
		}
		t0 := time.Now()
		effs, err := d.acd.EndWrapUp(as.user.ID)
		d.applyFrom(t0, effs)
		return err
	case deskproto.TypeAnswer, deskproto.TypeReject:
		if err := agentOnly(); err != nil {
			return err
		}
		if m.Call == "" {
			return hotline.Errorf(hotline.EINVALID, "%s needs the call", m.Type).WithField("call", "required")
		}
		var effs []agent.Effect
		var err error
		if m.Type == deskproto.TypeAnswer {
			as.mu.Lock()
			up := as.rtcUp
			as.mu.Unlock()
			if !up {
				return hotline.Errorf(hotline.ECONFLICT, "the softphone is not connected")
			}
			effs, err = d.acd.Answer(as.user.ID, hotline.CallID(m.Call))
		} else {
			effs, err = d.acd.Reject(as.user.ID, hotline.CallID(m.Call))
		}
		d.apply(effs)
		return err
	case deskproto.TypeHangup, deskproto.TypeHold, deskproto.TypeMute, deskproto.TypeDTMF, deskproto.TypeTransfer:
		if err := agentOnly(); err != nil {
			return err
		}
		return as.control(m)
	case deskproto.TypeLink:
		if err := agentOnly(); err != nil {
			return err
		}
		return as.link(ctx, m)
	case deskproto.TypeWallboard:
		return as.watch(m.On == nil || *m.On)
	case deskproto.TypeListen:
		return as.listen(m)
	}
	return hotline.Errorf(hotline.EINVALID, "unknown message type %q", m.Type).WithField("type", "unknown")
}

// rtcOffer answers the browser's SDP offer, creating the softphone leg on
// the first one. An offer from a new PeerConnection (the page was reloaded)
// gets a new leg, and a call in progress moves to it.
func (as *agentSession) rtcOffer(ctx context.Context, sdp string) error {
	if strings.TrimSpace(sdp) == "" {
		return hotline.Errorf(hotline.EINVALID, "rtc_offer needs the SDP").WithField("sdp", "required")
	}
	if as.d.rtc == nil {
		return hotline.Errorf(hotline.ECONFLICT, "this server has no WebRTC")
	}
	actx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	as.mu.Lock()
	old := as.leg
	as.mu.Unlock()
	leg := old
	if leg != nil {
		answer, err := leg.Answer(actx, sdp)
		if err == nil {
			as.send(deskproto.RTCAnswer{Type: deskproto.TypeRTCAnswer, SDP: answer})
			return nil
		}
		if !errors.Is(err, media.ErrNewPeerConnection) {
			// pion cannot roll back a refused offer: the leg is spent.
			as.replaceLeg(old, nil)
			return hotline.Errorf(hotline.EINVALID, "cannot answer the offer: %v", err).WithField("sdp", "not an acceptable offer")
		}
	}
	leg, err := as.d.rtc.NewAgentLeg(as.log)
	if err != nil {
		return fmt.Errorf("softphone leg: %w", err)
	}
	leg.OnConnectionChange(func(up bool) { as.onRTC(leg, up) })
	answer, err := leg.Answer(actx, sdp)
	if err != nil {
		_ = leg.Close()
		return hotline.Errorf(hotline.EINVALID, "cannot answer the offer: %v", err).WithField("sdp", "not an acceptable offer")
	}
	as.replaceLeg(old, leg)
	as.send(deskproto.RTCAnswer{Type: deskproto.TypeRTCAnswer, SDP: answer})
	return nil
}

// replaceLeg puts leg (nil: none) in old's place, closes old, and moves a
// call in progress to the new leg.
func (as *agentSession) replaceLeg(old, leg *media.AgentLeg) {
	as.mu.Lock()
	if as.leg != old {
		as.mu.Unlock()
		if leg != nil {
			_ = leg.Close()
		}
		return
	}
	as.leg, as.rtcUp = leg, false
	qc := as.call
	as.mu.Unlock()
	if old != nil {
		as.log.Info("softphone leg replaced", "old", old.String())
		_ = old.Close()
	}
	if qc == nil {
		return
	}
	if leg == nil {
		qc.post(callEvent{kind: evDropped, agent: as})
		return
	}
	qc.post(callEvent{kind: evNewLeg, agent: as, leg: leg})
}

func (as *agentSession) rtcICE(c *deskproto.ICECandidate) error {
	if c == nil {
		return hotline.Errorf(hotline.EINVALID, "rtc_ice needs a candidate").WithField("candidate", "required")
	}
	as.mu.Lock()
	leg := as.leg
	as.mu.Unlock()
	if leg == nil {
		return hotline.Errorf(hotline.ECONFLICT, "send rtc_offer before candidates")
	}
	if c.Candidate == "" {
		return nil // end of candidates
	}
	if err := leg.AddICECandidate(iceCandidate(c)); err != nil {
		return hotline.Errorf(hotline.EINVALID, "bad candidate: %v", err).WithField("candidate", "not a valid ICE candidate")
	}
	return nil
}

func (as *agentSession) setState(state, reason string) error {
	d := as.d
	st, err := agent.ParseState(state)
	if err != nil {
		return hotline.Errorf(hotline.EINVALID, "unknown state %q", state).WithField("state", "ready or not_ready")
	}
	var effs []agent.Effect
	t0 := time.Now()
	switch st {
	case agent.StateReady:
		as.mu.Lock()
		up := as.rtcUp
		as.mu.Unlock()
		if !up {
			return hotline.Errorf(hotline.ECONFLICT, "connect the softphone before going ready").WithField("state", "softphone not connected")
		}
		effs, err = d.acd.SetReady(as.user.ID)
	case agent.StateNotReady:
		r, perr := agent.ParseReason(reason)
		if perr != nil {
			return hotline.Errorf(hotline.EINVALID, "unknown reason %q", reason).WithField("reason", "break, training, meeting or other")
		}
		effs, err = d.acd.SetNotReady(as.user.ID, r)
	default:
		return hotline.Errorf(hotline.EINVALID, "an agent sets ready or not_ready, not %s", state).WithField("state", "ready or not_ready")
	}
	d.applyFrom(t0, effs)
	return err
}

// control passes in-call commands to the call's goroutine.
func (as *agentSession) control(m *deskproto.Message) error {
	as.mu.Lock()
	qc := as.call
	as.mu.Unlock()
	if qc == nil || string(qc.id) != m.Call {
		return hotline.Errorf(hotline.ECONFLICT, "you are not on call %q", m.Call).WithField("call", "not your current call")
	}
	on := m.On != nil && *m.On
	switch m.Type {
	case deskproto.TypeHangup:
		qc.post(callEvent{kind: evHangup, agent: as})
	case deskproto.TypeHold:
		if m.On == nil {
			return hotline.Errorf(hotline.EINVALID, "hold needs on").WithField("on", "required")
		}
		qc.post(callEvent{kind: evHold, agent: as, on: on})
	case deskproto.TypeMute:
		if m.On == nil {
			return hotline.Errorf(hotline.EINVALID, "mute needs on").WithField("on", "required")
		}
		qc.post(callEvent{kind: evMute, agent: as, on: on})
	case deskproto.TypeDTMF:
		if m.Digits == "" || strings.Trim(m.Digits, "0123456789*#ABCD") != "" || len(m.Digits) > 32 {
			return hotline.Errorf(hotline.EINVALID, "digits must be 1-32 of 0-9 * # A-D").WithField("digits", "0-9 * # A-D")
		}
		qc.post(callEvent{kind: evDTMF, agent: as, digits: m.Digits})
	case deskproto.TypeTransfer:
		return as.transfer(qc, m)
	}
	return nil
}

// transfer hands the caller to a queue or an agent: blind (at once) or
// warm (this agent stays with the caller until the target answers); mode
// cancel withdraws a pending warm transfer.
func (as *agentSession) transfer(qc *queuedCall, m *deskproto.Message) error {
	d := as.d
	mode := m.Mode
	switch mode {
	case "":
		mode = "blind"
	case "blind", "warm":
	case "cancel":
		return as.cancelTransfer(qc)
	default:
		return hotline.Errorf(hotline.EINVALID, "unknown transfer mode %q", m.Mode).WithField("mode", "blind, warm or cancel")
	}
	if (m.Queue == "") == (m.Agent == "") {
		return hotline.Errorf(hotline.EINVALID, "transfer to a queue or to an agent").WithField("queue", "give queue or agent, not both")
	}
	queue := m.Queue
	if m.Agent != "" {
		st, ok := d.acd.Status(hotline.UserID(m.Agent))
		if !ok || st.State == agent.StateOffline {
			return hotline.Errorf(hotline.ENOTFOUND, "agent %s is not logged in", m.Agent).WithField("agent", "not logged in")
		}
		if hotline.UserID(m.Agent) == as.user.ID {
			return hotline.Errorf(hotline.EINVALID, "cannot transfer to yourself").WithField("agent", "yourself")
		}
		queue = qc.queueName()
	}
	if _, ok := d.titles[queue]; !ok {
		return hotline.Errorf(hotline.EINVALID, "no queue %q", queue).WithField("queue", "unknown queue")
	}
	qc.mu.Lock()
	qc.transferredBy = as.user.Name
	qc.mu.Unlock()
	if mode == "warm" {
		return as.warmTransfer(qc, queue, hotline.UserID(m.Agent), m.Note)
	}
	effs, err := d.acd.Transfer(qc.id, as.user.ID, queue, hotline.UserID(m.Agent), m.Note)
	if err != nil {
		return err
	}
	// The call's goroutine hears of it before the offers go out, so before
	// any new agent can answer.
	qc.post(callEvent{kind: evTransfer, agent: as, target: queue})
	d.apply(effs)
	return nil
}

// warmTransfer is not a three-way conference: the transferring agent stays
// connected with the caller while the target is offered the call; the
// call's goroutine moves the bridge when the target answers. The agent
// hears transfer_state pending now, then answered (and call_ended by
// transfer) or, after its cancel, cancelled.
func (as *agentSession) warmTransfer(qc *queuedCall, queue string, to hotline.UserID, note string) error {
	d := as.d
	effs, err := d.acd.TransferWarm(qc.id, as.user.ID, queue, to, note)
	if err != nil {
		return err
	}
	target := queue
	if to != "" {
		target = string(to)
	}
	qc.startWarm(target)
	as.send(deskproto.TransferState{Type: deskproto.TypeTransferState, Call: string(qc.id),
		State: deskproto.TransferPending, Target: target})
	d.apply(effs) // the offers, after pending
	as.log.Info("warm transfer", "call_id", string(qc.id), "target", target)
	return nil
}

// cancelTransfer withdraws the agent's pending warm transfer: the target's
// offer is cancelled and the agent keeps the caller. ECONFLICT when none is
// pending (it may have been answered a moment ago).
func (as *agentSession) cancelTransfer(qc *queuedCall) error {
	d := as.d
	effs, err := d.acd.CancelTransfer(qc.id, as.user.ID)
	if err != nil {
		return err
	}
	target := qc.endWarm("")
	as.send(deskproto.TransferState{Type: deskproto.TypeTransferState, Call: string(qc.id),
		State: deskproto.TransferCancelled, Target: target})
	d.apply(effs)
	as.log.Info("warm transfer withdrawn", "call_id", string(qc.id), "target", target)
	return nil
}

// link records the work order filed from a call on its call record.
func (as *agentSession) link(ctx context.Context, m *deskproto.Message) error {
	if m.Call == "" {
		return hotline.Errorf(hotline.EINVALID, "link needs the call").WithField("call", "required")
	}
	switch m.Disposition {
	case "ticket":
		if m.Ticket == "" {
			return hotline.Errorf(hotline.EINVALID, "a ticket disposition needs the ticket").WithField("ticket", "required")
		}
	case "answered":
	default:
		return hotline.Errorf(hotline.EINVALID, "unknown disposition %q", m.Disposition).WithField("disposition", "ticket or answered")
	}
	return as.d.svc.linkTicket(ctx, hotline.CallID(m.Call), as.user.ID, hotline.TicketID(m.Ticket), m.Disposition)
}

// watch subscribes a supervisor to the wallboard.
func (as *agentSession) watch(on bool) error {
	switch as.user.Role {
	case hotline.RoleSupervisor, hotline.RoleAdmin:
	default:
		return hotline.Errorf(hotline.EFORBIDDEN, "the wallboard is for supervisors")
	}
	d := as.d
	d.mu.Lock()
	if on {
		d.watchers[as] = struct{}{}
	} else {
		delete(d.watchers, as)
	}
	d.mu.Unlock()
	if on {
		as.send(d.wallboard())
	}
	return nil
}

// listen lets a supervisor hear a live call through their own softphone,
// and in whisper mode speak to its agent, whom the caller cannot hear.
func (as *agentSession) listen(m *deskproto.Message) error {
	switch as.user.Role {
	case hotline.RoleSupervisor, hotline.RoleAdmin:
	default:
		return hotline.Errorf(hotline.EFORBIDDEN, "listening in is for supervisors")
	}
	whisper, err := parseListenMode(m.Mode)
	if err != nil {
		return err
	}
	on := m.On == nil || *m.On
	d := as.d
	as.mu.Lock()
	prev, leg, up := as.listening, as.leg, as.rtcUp
	as.mu.Unlock()
	if !on {
		as.stopListening()
		return nil
	}
	if leg == nil || !up {
		return hotline.Errorf(hotline.ECONFLICT, "connect the softphone before listening")
	}
	d.mu.Lock()
	qc := d.calls[hotline.CallID(m.Call)]
	d.mu.Unlock()
	if qc == nil || !qc.isConnected() {
		return hotline.Errorf(hotline.ENOTFOUND, "no connected call %q", m.Call).WithField("call", "not a live bridged call")
	}
	if err := d.claimWhisper(as, qc, whisper); err != nil {
		return err
	}
	if prev != nil && prev != qc {
		prev.post(callEvent{kind: evListen, agent: as, on: false})
	}
	qc.post(callEvent{kind: evListen, agent: as, on: true}) // restarts a listen already on qc in the new mode
	return nil
}

// stopListening ends the supervisor's listen (and whisper), if any.
func (as *agentSession) stopListening() {
	as.mu.Lock()
	prev := as.listening
	as.listening, as.whisper, as.whisperAgent = nil, nil, nil
	as.mu.Unlock()
	if prev != nil {
		prev.post(callEvent{kind: evListen, agent: as, on: false})
	}
}

// iceCandidate converts the browser's candidate JSON for the media leg.
func iceCandidate(c *deskproto.ICECandidate) media.ICECandidateInit {
	return media.ICECandidateInit{Candidate: c.Candidate, SDPMid: c.SDPMid, SDPMLineIndex: c.SDPMLineIndex,
		UsernameFragment: c.UsernameFragment}
}
