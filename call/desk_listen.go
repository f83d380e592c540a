package call

import (
	"sync"
	"time"

	"github.com/cityhotline/hotline/media"
)

// listenTap feeds a supervisor's softphone with a live call: both sides
// mixed. The caller's packets are the clock (one every 20 ms): each is mixed
// with the agent's latest frame when that is fresh. In a whisper the
// supervisor's voice also goes to the agent (desk_whisper.go).
type listenTap struct {
	leg       *media.AgentLeg
	callerLaw string // the trunk's codec: PCMU or PCMA

	// The call's goroutine alone touches these.
	sup     *agentSession
	qc      *queuedCall   // the call the supervisor asked for
	whisper bool          // the supervisor whispers to the agent
	told    *agentSession // the agent told of the whisper

	mu      sync.Mutex
	agent   [media.FrameSamples]int16
	agentN  int
	agentAt time.Time
	stopped bool
	mix     [media.FrameSamples]int16
	caller  [media.FrameSamples]int16
	out     [media.FrameSamples]byte
}

func startListen(as *agentSession, callerLaw string) *listenTap {
	as.mu.Lock()
	leg, qc, whisper := as.leg, as.listening, as.whisper
	as.mu.Unlock()
	if leg == nil {
		return nil
	}
	t := &listenTap{leg: leg, callerLaw: callerLaw, sup: as, qc: qc, whisper: whisper != nil && whisper == qc}
	if t.whisper {
		leg.SetSink(as.voice.feed)
	}
	return t
}

// stop ends the listen, and the whisper with it: "stopped" when the
// supervisor no longer asks for it, else "ended" (the call left the agent).
func (t *listenTap) stop() {
	t.mu.Lock()
	t.stopped = true
	t.mu.Unlock()
	t.sup.mu.Lock()
	asked := t.sup.whisper == t.qc
	t.sup.mu.Unlock()
	if asked {
		t.endWhisper("ended")
	} else {
		t.endWhisper("stopped")
	}
}

// feed takes one packet from the bridge: fromCaller tells the side.
func (t *listenTap) feed(fromCaller bool, p []byte) {
	if len(p) > media.FrameSamples {
		p = p[:media.FrameSamples]
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	if !fromCaller { // the agent's side is always PCMU
		t.agentN = media.DecodeUlaw(t.agent[:], p)
		t.agentAt = time.Now()
		return
	}
	var n int
	if t.callerLaw == "PCMA" {
		n = media.DecodeAlaw(t.caller[:], p)
	} else {
		n = media.DecodeUlaw(t.caller[:], p)
	}
	fresh := time.Since(t.agentAt) < 60*time.Millisecond
	for i := range n {
		s := int32(t.caller[i])
		if fresh && i < t.agentN {
			s += int32(t.agent[i])
		}
		t.mix[i] = int16(max(min(s, 32767), -32768))
	}
	m := media.EncodeUlaw(t.out[:], t.mix[:n])
	_ = t.leg.WritePayload(t.out[:m])
}

// refreshTaps points the bridge's tap at the current listeners, and its
// whisper at the one whispering, if any.
func (d *Desk) refreshTaps(br *media.Bridge, listeners map[*agentSession]*listenTap) {
	var voice func(dst []int16) int
	for _, t := range listeners {
		if f := t.whisperTo(br); f != nil && voice == nil {
			voice = f
		}
	}
	br.Whisper(voice)
	if len(listeners) == 0 {
		br.Tap(nil)
		return
	}
	taps := make([]*listenTap, 0, len(listeners))
	for _, t := range listeners {
		taps = append(taps, t)
	}
	br.Tap(func(fromCaller bool, p []byte) {
		for _, t := range taps {
			t.feed(fromCaller, p)
		}
	})
}
