package call

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/api/deskproto"
	"github.com/cityhotline/hotline/media"
)

var super2 = &account.User{ID: "u-8", Username: "super2", Name: "值班长", Role: hotline.RoleSupervisor}

// payloadLeg is a bridge leg without network: the test plays frames in
// through its sink and it keeps what it is sent.
type payloadLeg struct {
	codec   string
	mu      sync.Mutex
	sink    func(p []byte)
	written [][]byte
}

func (l *payloadLeg) Codec() string { return l.codec }
func (l *payloadLeg) SetAudioSink(f func(p []byte)) {
	l.mu.Lock()
	l.sink = f
	l.mu.Unlock()
}
func (l *payloadLeg) WritePayload(p []byte) error {
	l.mu.Lock()
	l.written = append(l.written, bytes.Clone(p))
	l.mu.Unlock()
	return nil
}
func (l *payloadLeg) receive(p []byte) {
	l.mu.Lock()
	f := l.sink
	l.mu.Unlock()
	f(p)
}

// supervisorWithLeg attaches a supervisor whose softphone leg exists (not
// connected to anything: what it is sent goes nowhere) and is marked up.
func (td *testDesk) supervisorWithLeg(t *testing.T, u *account.User) (*DeskConn, *fakeClient) {
	t.Helper()
	fc := &fakeClient{}
	conn, err := td.Attach(context.Background(), u, fc)
	if err != nil {
		t.Fatal(err)
	}
	rtc, err := media.NewWebRTC(media.WebRTCConfig{})
	if err != nil {
		t.Fatal(err)
	}
	leg, err := rtc.NewAgentLeg(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = leg.Close() })
	conn.as.mu.Lock()
	conn.as.leg, conn.as.rtcUp = leg, true
	conn.as.mu.Unlock()
	return conn, fc
}

// bridgedCall registers a connected call: the caller (PCMA) bridged to as.
func (td *testDesk) bridgedCall(id hotline.CallID, as *agentSession) (*queuedCall, *payloadLeg, *payloadLeg) {
	caller, agentLeg := &payloadLeg{codec: "PCMA"}, &payloadLeg{codec: "PCMU"}
	br := media.NewBridge(caller, agentLeg, nil)
	br.Start()
	qc := &queuedCall{id: id, events: make(chan callEvent, 32), log: slog.New(slog.DiscardHandler),
		queue: "complaints", agent: as, bridge: br}
	td.mu.Lock()
	td.calls[qc.id] = qc
	td.mu.Unlock()
	return qc, caller, agentLeg
}

func TestListenModeAndWhisperConflict(t *testing.T) {
	td := newTestDesk(t)
	ctx := context.Background()
	ac, _ := td.readyAgent(t, agent1)
	qc, _, _ := td.bridgedCall("c-1", ac.as)
	s1, _ := td.supervisorWithLeg(t, super1)
	s2, _ := td.supervisorWithLeg(t, super2)
	whisper := &deskproto.Message{Type: "listen", Call: "c-1", On: ptr(true), Mode: "whisper"}

	// Only supervisors, and only the two modes.
	if err := ac.Handle(ctx, whisper); hotline.ErrorCode(err) != hotline.EFORBIDDEN {
		t.Fatalf("an agent whispered: %v", err)
	}
	var e *hotline.Error
	err := s1.Handle(ctx, &deskproto.Message{Type: "listen", Call: "c-1", Mode: "shout"})
	if hotline.ErrorCode(err) != hotline.EINVALID || !asError(err, &e) || e.Fields["mode"] == "" {
		t.Fatalf("unknown mode: %v", err)
	}
	if ev := qc.drain(); len(ev) != 0 {
		t.Fatalf("refused listens posted %+v", ev)
	}

	// One whisperer per call; a listener beside them is fine.
	if err := s1.Handle(ctx, whisper); err != nil {
		t.Fatal(err)
	}
	err = s2.Handle(ctx, whisper)
	if hotline.ErrorCode(err) != hotline.ECONFLICT || !asError(err, &e) || e.Fields["mode"] == "" {
		t.Fatalf("a second whisper: %v", err)
	}
	if err := s2.Handle(ctx, &deskproto.Message{Type: "listen", Call: "c-1", On: ptr(true)}); err != nil {
		t.Fatalf("listening beside a whisper: %v", err)
	}
	if ev := qc.drain(); len(ev) != 2 || ev[0].agent != s1.as || ev[1].agent != s2.as || !ev[0].on || !ev[1].on {
		t.Fatalf("posted %+v, want the two listens", ev)
	}

	// Back to listen (mode "listen"), or a lost softphone, frees the call.
	if err := s1.Handle(ctx, &deskproto.Message{Type: "listen", Call: "c-1", Mode: "listen"}); err != nil {
		t.Fatal(err)
	}
	if err := s2.Handle(ctx, whisper); err != nil {
		t.Fatalf("whisper after the first went back to listening: %v", err)
	}
	s2.as.dropWhisper()
	if err := s1.Handle(ctx, whisper); err != nil {
		t.Fatalf("whisper after the second's softphone was lost: %v", err)
	}
	if ev := qc.drain(); len(ev) != 4 || ev[2].agent != s2.as || !ev[2].on {
		t.Fatalf("posted %+v; want the lost whisper restarted as a listen", ev)
	}
}

// The call's goroutine's side: the whisper reaches the agent and not the
// caller, the agent (and the supervisor) are told, and it ends with a warm
// transfer to another agent or when the supervisor goes back to listening.
func TestWhisperTapMixesAndTells(t *testing.T) {
	td := newTestDesk(t)
	ctx := context.Background()
	ac, afc := td.readyAgent(t, agent1)
	qc, caller, agentLeg := td.bridgedCall("c-1", ac.as)
	s1, sfc := td.supervisorWithLeg(t, super1)
	if err := s1.Handle(ctx, &deskproto.Message{Type: "listen", Call: "c-1", Mode: "whisper"}); err != nil {
		t.Fatal(err)
	}
	listeners := map[*agentSession]*listenTap{}
	tap := startListen(s1.as, "PCMA")
	listeners[s1.as] = tap
	td.refreshTaps(qc.bridge, listeners)
	want := deskproto.Whisper{Type: "whisper", Call: "c-1", By: super1.Name, ByID: string(super1.ID), On: true}
	if w, ok := afc.last("whisper").(deskproto.Whisper); !ok || w != want {
		t.Fatalf("the agent was told %#v, want %#v", afc.last("whisper"), want)
	}
	if w, ok := sfc.last("whisper").(deskproto.Whisper); !ok || w != want {
		t.Fatalf("the supervisor was told %#v", sfc.last("whisper"))
	}

	// Half a second: the supervisor's 2 kHz arrives before each caller frame.
	voice, talk := media.Tone(2000, time.Second/2, media.G711Rate, 0.3), media.Tone(440, time.Second/2, media.G711Rate, 0.3)
	answer := media.Tone(1000, time.Second/2, media.G711Rate, 0.3)
	for i := 0; i < len(talk); i += media.FrameSamples {
		v := make([]byte, media.FrameSamples)
		media.EncodeUlaw(v, voice[i:i+media.FrameSamples])
		s1.as.voice.feed(v)
		p := make([]byte, media.FrameSamples)
		media.EncodeAlaw(p, talk[i:i+media.FrameSamples])
		caller.receive(p)
		a := make([]byte, media.FrameSamples)
		media.EncodeUlaw(a, answer[i:i+media.FrameSamples])
		agentLeg.receive(a)
	}
	heard := decodeFrames(agentLeg.written, media.DecodeUlaw)
	if e440, e2k := media.ToneEnergy(heard, media.G711Rate, 440), media.ToneEnergy(heard, media.G711Rate, 2000); e440 < 0.35 || e2k < 0.35 {
		t.Errorf("the agent hears 440 Hz %.2f, 2 kHz %.2f; want the caller and the whisper", e440, e2k)
	}
	toCaller := decodeFrames(caller.written, media.DecodeAlaw)
	if e1k, e2k := media.ToneEnergy(toCaller, media.G711Rate, 1000), media.ToneEnergy(toCaller, media.G711Rate, 2000); e1k < 0.9 || e2k > 0.01 {
		t.Errorf("the caller hears the agent's 1 kHz %.2f and the whisper's 2 kHz %.3f; want the agent alone", e1k, e2k)
	}

	// A warm transfer moves the caller to agent2: the whisper ends there.
	agent2 := &account.User{ID: "u-2", Username: "agent2", Name: "话务员二", Role: hotline.RoleAgent}
	ac2, afc2 := td.readyAgent(t, agent2)
	agentLeg2 := &payloadLeg{codec: "PCMU"}
	br2 := media.NewBridge(caller, agentLeg2, nil)
	qc.bridge.Stop()
	br2.Start()
	qc.mu.Lock()
	qc.agent, qc.bridge = ac2.as, br2
	qc.mu.Unlock()
	td.refreshTaps(br2, listeners)
	if w, ok := afc.last("whisper").(deskproto.Whisper); !ok || w.On || w.Reason != "transfer" {
		t.Fatalf("agent1 after the transfer was told %#v", afc.last("whisper"))
	}
	if w, ok := sfc.last("whisper").(deskproto.Whisper); !ok || w.On || w.Reason != "transfer" {
		t.Fatalf("the supervisor after the transfer was told %#v", sfc.last("whisper"))
	}
	if afc2.last("whisper") != nil {
		t.Fatalf("agent2 was told of a whisper: %#v", afc2.last("whisper"))
	}
	s1.as.voice.feed(make([]byte, media.FrameSamples))
	p := make([]byte, media.FrameSamples)
	media.EncodeAlaw(p, talk[:media.FrameSamples])
	caller.receive(p)
	if s := br2.Stats(); s.Whispered != 0 || s.AToB != 1 {
		t.Errorf("after the transfer the new bridge %+v", s)
	}
	// Asked again, it starts with agent2; going back to listen ends it.
	if err := s1.Handle(ctx, &deskproto.Message{Type: "listen", Call: "c-1", Mode: "whisper"}); err != nil {
		t.Fatal(err)
	}
	tap.stop()
	listeners[s1.as] = startListen(s1.as, "PCMA")
	td.refreshTaps(br2, listeners)
	if w, ok := afc2.last("whisper").(deskproto.Whisper); !ok || !w.On {
		t.Fatalf("agent2 was told %#v", afc2.last("whisper"))
	}
	if err := s1.Handle(ctx, &deskproto.Message{Type: "listen", Call: "c-1", Mode: "listen"}); err != nil {
		t.Fatal(err)
	}
	listeners[s1.as].stop()
	listeners[s1.as] = startListen(s1.as, "PCMA")
	td.refreshTaps(br2, listeners)
	if w, ok := afc2.last("whisper").(deskproto.Whisper); !ok || w.On || w.Reason != "stopped" {
		t.Fatalf("agent2 after the supervisor went back to listening was told %#v", afc2.last("whisper"))
	}
	// The call ends (talk's close stops the taps): nothing more to tell.
	n := len(afc2.types())
	listeners[s1.as].stop()
	if len(afc2.types()) != n {
		t.Errorf("a listen's end told the agent %v", afc2.types()[n:])
	}
}

// A desk reloaded (or its WebSocket reconnected) during a whisper is told
// again after its welcome who whispers, since the bridge tells the agent
// only once per whisper; once the whisper is over, a reload brings no
// whisper back. A silent listen is never told, reload or not.
func TestResumedDeskKeepsWhisper(t *testing.T) {
	td := newTestDesk(t)
	ctx := context.Background()
	ac, _ := td.readyAgent(t, agent1)
	qc, caller, _ := td.bridgedCall("c-1", ac.as)
	defer func() { qc.bridge.Stop() }()
	ac.as.mu.Lock()
	ac.as.call = qc
	ac.as.mu.Unlock()
	listeners := map[*agentSession]*listenTap{}
	start := func(sup *DeskConn, mode string) {
		t.Helper()
		if err := sup.Handle(ctx, &deskproto.Message{Type: "listen", Call: "c-1", Mode: mode}); err != nil {
			t.Fatal(err)
		}
		if l := listeners[sup.as]; l != nil { // what the call's goroutine does with the listen event
			l.stop()
		}
		listeners[sup.as] = startListen(sup.as, "PCMA")
		qc.mu.Lock()
		br := qc.bridge
		qc.mu.Unlock()
		td.refreshTaps(br, listeners)
	}
	conn := ac
	reload := func() *fakeClient {
		t.Helper()
		conn.Detach()
		fc := &fakeClient{}
		c, err := td.Attach(ctx, agent1, fc)
		if err != nil {
			t.Fatal(err)
		}
		conn = c
		w, ok := fc.msgs[0].(*deskproto.Welcome)
		if !ok || !w.Resumed || w.Call == nil || w.Call.Call != "c-1" {
			t.Fatalf("the reloaded desk's welcome %#v, want the call restored", fc.msgs[0])
		}
		return fc
	}

	s2, _ := td.supervisorWithLeg(t, super2)
	start(s2, "listen")
	if fc := reload(); countType(fc, "whisper") != 0 {
		t.Fatalf("a silent listen was revealed to the reloaded desk: %v", fc.types())
	}

	s1, _ := td.supervisorWithLeg(t, super1)
	start(s1, "whisper")
	fc := reload()
	want := deskproto.Whisper{Type: "whisper", Call: "c-1", By: super1.Name, ByID: string(super1.ID), On: true}
	if w, ok := fc.last("whisper").(deskproto.Whisper); !ok || w != want || countType(fc, "whisper") != 1 {
		t.Fatalf("the desk reloaded during the whisper got %v, last whisper %#v; want one %#v", fc.types(), fc.last("whisper"), want)
	}

	// The page's new PeerConnection moves the bridge (talker.newLeg): the
	// whisper goes on, and the agent is not told twice.
	br2 := media.NewBridge(caller, &payloadLeg{codec: "PCMU"}, nil)
	br2.Start()
	qc.bridge.Stop()
	qc.mu.Lock()
	qc.bridge = br2
	qc.mu.Unlock()
	td.refreshTaps(br2, listeners)
	if n := countType(fc, "whisper"); n != 1 {
		t.Fatalf("after the bridge moved the desk got %d whisper messages: %v", n, fc.types())
	}
	// A second reload, on the new bridge: still told.
	fc = reload()
	if w, ok := fc.last("whisper").(deskproto.Whisper); !ok || w != want {
		t.Fatalf("the desk reloaded again got %#v, want %#v", fc.last("whisper"), want)
	}

	// The whisper ends ("on": false clears the notice) and a reload after
	// that brings no whisper back; the silent listen goes on unseen.
	start(s1, "listen")
	if w, ok := fc.last("whisper").(deskproto.Whisper); !ok || w.On || w.Reason != "stopped" || w.By != super1.Name {
		t.Fatalf("the whisper's end was told %#v", fc.last("whisper"))
	}
	if fc := reload(); countType(fc, "whisper") != 0 {
		t.Fatalf("the desk reloaded after the whisper ended got %v", fc.types())
	}

	// A new whisper (by the other supervisor) is restored with its name.
	start(s2, "whisper")
	fc = reload()
	if w, ok := fc.last("whisper").(deskproto.Whisper); !ok || !w.On || w.By != super2.Name || w.ByID != string(super2.ID) {
		t.Fatalf("the desk reloaded during super2's whisper got %#v", fc.last("whisper"))
	}
}

func countType(fc *fakeClient, typ string) int {
	n := 0
	for _, ty := range fc.types() {
		if ty == typ {
			n++
		}
	}
	return n
}

func TestWhisperVoiceKeepsOnlyAFreshFrame(t *testing.T) {
	var w whisperTap
	dst := make([]int16, media.FrameSamples)
	if n := w.fill(dst); n != 0 {
		t.Fatalf("an empty voice filled %d samples", n)
	}
	p := make([]byte, media.FrameSamples)
	media.EncodeUlaw(p, media.Tone(2000, 20*time.Millisecond, media.G711Rate, 0.3))
	w.feed(p)
	if n := w.fill(dst); n != media.FrameSamples || media.ToneEnergy(dst, media.G711Rate, 2000) < 0.9 {
		t.Fatalf("a fresh frame filled %d samples", n)
	}
	w.mu.Lock()
	w.at = w.at.Add(-voiceFresh) // as old as a lost frame's successor would make it
	w.mu.Unlock()
	if n := w.fill(dst); n != 0 {
		t.Fatalf("a stale frame filled %d samples", n)
	}
}

func decodeFrames(frames [][]byte, decode func(dst []int16, codes []byte) int) []int16 {
	var out []int16
	for _, f := range frames {
		pcm := make([]int16, len(f))
		decode(pcm, f)
		out = append(out, pcm...)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// A supervisor's page forgets its listen when its WebSocket goes (a
// reloaded wallboard has no listen bar), so the server ends the listen and
// the whisper too, and a second whisperer may take the call; an agent's
// detach ends nothing.
func TestSupervisorDetachEndsListen(t *testing.T) {
	td := newTestDesk(t)
	ctx := context.Background()
	ac, _ := td.readyAgent(t, agent1)
	qc, _, _ := td.bridgedCall("c-1", ac.as)
	s1, _ := td.supervisorWithLeg(t, super1)
	s2, _ := td.supervisorWithLeg(t, super2)
	whisper := &deskproto.Message{Type: "listen", Call: "c-1", On: ptr(true), Mode: "whisper"}
	if err := s1.Handle(ctx, whisper); err != nil {
		t.Fatal(err)
	}
	qc.drain()

	ac.Detach()
	if ev := qc.drain(); len(ev) != 0 {
		t.Fatalf("the agent's detach posted %+v", ev)
	}
	s1.Detach()
	if ev := qc.drain(); len(ev) != 1 || ev[0].agent != s1.as || ev[0].on {
		t.Fatalf("the supervisor's detach posted %+v, want their listen off", ev)
	}
	s1.as.mu.Lock()
	listening, whispering := s1.as.listening, s1.as.whisper
	s1.as.mu.Unlock()
	if listening != nil || whispering != nil {
		t.Fatal("the detached supervisor still listens or whispers")
	}
	if err := s2.Handle(ctx, whisper); err != nil {
		t.Fatalf("another supervisor's whisper after the first left: %v", err)
	}
}
