package call

import (
	"sync"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/api/deskproto"
	"github.com/cityhotline/hotline/media"
)

// voiceFresh is how old a supervisor's latest frame may be and still be
// whispered: a frame and a half of jitter, as for listenTap's agent frame.
const voiceFresh = 60 * time.Millisecond

// whisperTap holds the latest frame of a supervisor's microphone (their
// softphone leg's sink feeds it) for the bridge to mix into what the agent
// hears.
type whisperTap struct {
	mu    sync.Mutex
	frame [media.FrameSamples]int16
	n     int
	at    time.Time
}

// feed takes one PCMU payload from the supervisor's leg.
func (w *whisperTap) feed(p []byte) {
	w.mu.Lock()
	w.n = media.DecodeUlaw(w.frame[:], p)
	w.at = time.Now()
	w.mu.Unlock()
}

// fill copies the latest frame into dst when it is fresh (the bridge's
// whisper source) and answers how many samples it copied.
func (w *whisperTap) fill(dst []int16) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n == 0 || time.Since(w.at) >= voiceFresh {
		return 0
	}
	return copy(dst, w.frame[:w.n])
}

// parseListenMode reads a listen message's mode: true for a whisper.
func parseListenMode(mode string) (whisper bool, err error) {
	switch mode {
	case "", deskproto.ListenModeListen:
		return false, nil
	case deskproto.ListenModeWhisper:
		return true, nil
	}
	return false, hotline.Errorf(hotline.EINVALID, "unknown listen mode %q", mode).WithField("mode", "listen or whisper")
}

// claimWhisper makes as the one supervisor whispering on qc, or says who
// is already. It sets what as listens to and how, under the desk's lock, so
// that two supervisors asking at once cannot both win.
func (d *Desk) claimWhisper(as *agentSession, qc *queuedCall, whisper bool) error {
	qc.mu.Lock()
	agentNow := qc.agent
	qc.mu.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	if whisper {
		for _, other := range d.agents {
			if other == as {
				continue
			}
			other.mu.Lock()
			taken := other.whisper == qc && other.listening == qc && other.whisperAgent == agentNow
			other.mu.Unlock()
			if taken {
				return hotline.Errorf(hotline.ECONFLICT, "%s is already whispering on this call", other.user.Name).
					WithField("mode", "one supervisor whispers at a time")
			}
		}
	}
	as.mu.Lock()
	as.listening, as.whisper, as.whisperAgent = qc, nil, nil
	if whisper {
		as.whisper, as.whisperAgent = qc, agentNow
	}
	as.mu.Unlock()
	return nil
}

// dropWhisper ends as's whisper, if any, because its softphone leg is
// lost: the listen goes on (what the leg hears when it comes back).
func (as *agentSession) dropWhisper() {
	as.mu.Lock()
	qc := as.whisper
	as.whisper, as.whisperAgent = nil, nil
	as.mu.Unlock()
	if qc != nil {
		as.log.Info("softphone lost while whispering; the whisper ends")
		qc.post(callEvent{kind: evListen, agent: as, on: true})
	}
}

// whisperTo answers the bridge's whisper source while t's supervisor
// whispers to br's agent, telling that agent (and the supervisor) when it
// starts. A warm transfer that moved the caller to another agent ends the
// whisper; the listen goes on. It runs on the call's goroutine, like
// everything that touches t.told and t.whisper.
func (t *listenTap) whisperTo(br *media.Bridge) func(dst []int16) int {
	if !t.whisper || t.qc == nil {
		return nil
	}
	t.qc.mu.Lock()
	agentNow, cur := t.qc.agent, t.qc.bridge
	t.qc.mu.Unlock()
	if cur != br || agentNow == nil {
		return nil // a stale start: the supervisor has moved to another call
	}
	switch t.told {
	case agentNow:
	case nil:
		t.told = agentNow
		t.tell(true, "")
		t.sup.log.Info("supervisor whispers", "call_id", string(t.qc.id), "agent_id", string(agentNow.user.ID))
	default:
		t.endWhisper("transfer")
		t.sup.mu.Lock()
		if t.sup.whisper == t.qc {
			t.sup.whisper, t.sup.whisperAgent = nil, nil
		}
		t.sup.mu.Unlock()
		return nil
	}
	return t.sup.voice.fill
}

// endWhisper tells the agent and the supervisor the whisper is over and
// stops taking the supervisor's microphone unless they whisper again.
func (t *listenTap) endWhisper(reason string) {
	if !t.whisper {
		return
	}
	t.whisper = false
	if t.told != nil {
		t.tell(false, reason)
		t.sup.log.Info("supervisor whisper ended", "call_id", string(t.qc.id), "reason", reason)
	}
	t.sup.mu.Lock()
	again := t.sup.whisper != nil
	leg := t.sup.leg
	t.sup.mu.Unlock()
	if !again && leg != nil {
		leg.SetSink(nil)
	}
}

func (t *listenTap) tell(on bool, reason string) {
	msg := deskproto.Whisper{Type: deskproto.TypeWhisper, Call: string(t.qc.id), By: t.sup.user.Name,
		ByID: string(t.sup.user.ID), On: on, Reason: reason}
	t.qc.notice.tell(t.told, msg)
	t.sup.send(msg)
}

// whisperNotice is what a call's agent was last told of a whisper on it,
// kept because the bridge tells the agent only once per whisper: a desk
// that reloads or reconnects mid-whisper is told again after its welcome
// (resendWhisper), or its agent would hear a voice without knowing whose.
// A silent listen is never told, so it is never here either.
type whisperNotice struct {
	// mu also orders each notice with a resumed desk's replay, so that a
	// desk cannot get the replayed "on" after the "off" that ended it.
	mu  sync.Mutex
	to  *agentSession     // the agent told the whisper is on; nil: none is
	msg deskproto.Whisper // what to was told
}

// tell sends msg to the agent to and remembers it while the whisper is on.
func (n *whisperNotice) tell(to *agentSession, msg deskproto.Whisper) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case msg.On:
		n.to, n.msg = to, msg
	case n.to == to && n.msg.ByID == msg.ByID:
		n.to, n.msg = nil, deskproto.Whisper{}
	}
	to.send(msg)
}

// resend tells as again of the whisper it was told of, if it is still on.
func (n *whisperNotice) resend(as *agentSession) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.to == as {
		as.send(n.msg)
	}
}

// resendWhisper tells an agent whose desk was just welcomed back of the
// whisper on its current call, if one is on.
func (as *agentSession) resendWhisper() {
	as.mu.Lock()
	qc := as.call
	as.mu.Unlock()
	if qc != nil {
		qc.notice.resend(as)
	}
}
