package test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cityhotline/hotline/api/deskproto"
	"github.com/cityhotline/hotline/internal/baresip"
	"github.com/cityhotline/hotline/internal/chromium"
	"github.com/cityhotline/hotline/internal/deskclient"
	"github.com/cityhotline/hotline/media"
)

// A citizen calls from a real phone (baresip), presses 1, waits in the
// complaints queue and is answered by an agent on a Go WebRTC softphone:
// 440 Hz from the caller is heard at the agent, 1 kHz from the agent at the
// caller; the agent files a work order linked to the call and its recording,
// hangs up, and wrap-up ends in ready. A second call shows that a softphone
// lost mid-call sends the caller back to the front of the queue, where
// another agent answers.

const deskConfig = `
acd:
  queues:
    - {name: complaints, title: 诉求反映, ring_timeout: 10s, wrap_up: 2s, announce_every: -1s}
    - {name: policy, title: 政策咨询, wrap_up: 2s, announce_every: -1s}
    - {name: business, title: 企业服务, wrap_up: 2s, announce_every: -1s}
    - {name: english, title: English, wrap_up: 2s, announce_every: -1s}
    - {name: general, title: 人工服务, wrap_up: 2s, announce_every: -1s}
`

func startDeskServer(t *testing.T) *server {
	t.Helper()
	return startServerWith(t, t.TempDir(), "", deskConfig, "HOTLINE_DEMO=1")
}

// agentDesk logs an agent in, connects its softphone sending hz, and sets it
// ready.
func agentDesk(t *testing.T, ctx context.Context, srv *server, user string, hz float64) *deskclient.Client {
	t.Helper()
	c, err := deskclient.Dial(ctx, srv.base, user, "demo12345")
	if err != nil {
		t.Fatalf("%s: %v", user, err)
	}
	t.Cleanup(c.Close)
	if c.Welcome.State == nil || c.Welcome.State.State != "not_ready" {
		t.Fatalf("%s welcome state %+v", user, c.Welcome.State)
	}
	if err := c.Do(ctx, deskproto.Message{Type: deskproto.TypeSetState, State: "ready"}); err == nil {
		t.Fatalf("%s went ready without a softphone", user)
	}
	c.SetTone(hz)
	if err := c.ConnectRTC(ctx); err != nil {
		t.Fatalf("%s softphone: %v", user, err)
	}
	if err := c.Do(ctx, deskproto.Message{Type: deskproto.TypeSetState, State: "ready"}); err != nil {
		t.Fatalf("%s ready: %v", user, err)
	}
	waitState(t, ctx, c, "ready")
	return c
}

// nextFrame waits for c's next frame of type typ and decodes it.
func nextFrame[T any](t *testing.T, ctx context.Context, c *deskclient.Client, typ string) T {
	t.Helper()
	f, err := c.Next(ctx, typ)
	if err != nil {
		t.Fatalf("no %s: %v", typ, err)
	}
	var v T
	if err := f.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func waitState(t *testing.T, ctx context.Context, c *deskclient.Client, want string) deskproto.State {
	t.Helper()
	for {
		if st := nextFrame[deskproto.State](t, ctx, c, deskproto.TypeState); st.State == want {
			return st
		}
	}
}

func nextOffer(t *testing.T, ctx context.Context, c *deskclient.Client) deskproto.Offer {
	t.Helper()
	return nextFrame[deskproto.Offer](t, ctx, c, deskproto.TypeOffer)
}

func answer(t *testing.T, ctx context.Context, c *deskclient.Client, call string) deskproto.Connected {
	t.Helper()
	if err := c.Do(ctx, deskproto.Message{Type: deskproto.TypeAnswer, Call: call}); err != nil {
		t.Fatalf("answer: %v", err)
	}
	return nextFrame[deskproto.Connected](t, ctx, c, deskproto.TypeConnected)
}

func callEnded(t *testing.T, ctx context.Context, c *deskclient.Client) deskproto.CallEnded {
	t.Helper()
	return nextFrame[deskproto.CallEnded](t, ctx, c, deskproto.TypeCallEnded)
}

// deskTest starts a server with the desk's queues for a test that uses
// baresip and WebRTC; the context bounds the test.
func deskTest(t *testing.T) (*server, *api, context.Context) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the server binary, baresip and WebRTC; skipped with -short")
	}
	baresip.NeedTool(t, "baresip")
	srv := startDeskServer(t)
	admin := login(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return srv, admin, ctx
}

// callComplaints rings 12345 from a phone whose microphone plays 440 Hz
// and presses 1 (complaints) in the greeting.
func callComplaints(t *testing.T, srv *server, caller string) *baresip.Phone {
	t.Helper()
	ph := baresip.Start(t, baresip.Options{User: caller, Mic: media.Tone(440, 60*time.Second, 8000, 0.3)})
	ph.Command("dial", "sip:12345@"+srv.sipAddr)
	ph.WaitEvent("CALL_ESTABLISHED", 10*time.Second)
	time.Sleep(1500 * time.Millisecond) // into the greeting; the key barges in
	ph.Command("sndcode", "1")
	return ph
}

// answeredCall rings in from caller (440 Hz, complaints); agent1 (1 kHz)
// is offered the call, answers and hears the caller.
func answeredCall(t *testing.T, ctx context.Context, srv *server, caller string) (*deskclient.Client, *baresip.Phone, deskproto.Offer) {
	t.Helper()
	ag := agentDesk(t, ctx, srv, "agent1", 1000)
	ph := callComplaints(t, srv, caller)
	off := nextOffer(t, ctx, ag)
	answer(t, ctx, ag, off.Call)
	if _, ok := heardTone(ag, 440, 5*time.Second); !ok {
		t.Fatal("agent1 hears no caller")
	}
	return ag, ph, off
}

// endShare is the share of hz in the last seconds a phone heard: two
// seconds, ending one second before the end of the call.
func endShare(heard []int16, hz float64) float64 {
	tail := heard[max(0, len(heard)-3*8000):]
	return media.ToneEnergy(tail[:min(len(tail), 2*8000)], 8000, hz)
}

// recordingShares reads a call's stereo recording and answers the share
// of the agent's hz on its far (right) channel and of the caller's 440 Hz
// on its near (left) one, over two seconds ending half a second before the
// end.
func recordingShares(t *testing.T, srv *server, recording string, hz float64) (far, near float64) {
	t.Helper()
	a, err := media.ReadWAVFile(filepath.Join(srv.dataDir, "recordings", recording))
	if err != nil {
		t.Fatal(err)
	}
	if a.Channels != 2 || a.Rate != 8000 {
		t.Fatalf("recording %s", a)
	}
	left, right := a.Channel(0), a.Channel(1)
	end := len(right) - 8000/2
	if end < 2*8000 {
		t.Fatalf("recording too short: %d frames", len(right))
	}
	return media.ToneEnergy(right[end-2*8000:end], 8000, hz), media.ToneEnergy(left[end-2*8000:end], 8000, 440)
}

// heardTone waits up to limit for the client to hear hz as the main
// component of its last second of audio.
func heardTone(c *deskclient.Client, hz float64, limit time.Duration) (float64, bool) {
	deadline := time.Now().Add(limit)
	var share float64
	for time.Now().Before(deadline) {
		pcm := c.Heard(time.Second)
		if len(pcm) >= 8000 {
			share = media.ToneEnergy(pcm, 8000, hz)
			if share > 0.5 {
				return share, true
			}
		}
		time.Sleep(100 * time.Millisecond) // audio arrives continuously; sample it
	}
	return share, false
}

// heardTones waits until c hears both a and b (each over 15 % of the
// energy of its last second) and answers their shares.
func heardTones(c *deskclient.Client, a, b float64, limit time.Duration) (ea, eb float64, ok bool) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		pcm := c.Heard(time.Second)
		if len(pcm) >= 8000 {
			ea, eb = media.ToneEnergy(pcm, 8000, a), media.ToneEnergy(pcm, 8000, b)
			if ea > 0.15 && eb > 0.15 {
				return ea, eb, true
			}
		}
		time.Sleep(100 * time.Millisecond) // audio arrives continuously; sample it
	}
	return ea, eb, false
}

// maxShare is the largest share of hz's energy in any second of heard
// (half-second steps).
func maxShare(heard []int16, hz float64) float64 {
	var top float64
	for i := 0; i+8000 <= len(heard); i += 4000 {
		top = max(top, media.ToneEnergy(heard[i:i+8000], 8000, hz))
	}
	return top
}

// whisperAndBack has a listening supervisor whisper a 2 kHz tone: the agent
// is told and hears it with the caller's 440 Hz, the supervisor still hears
// both sides; back to listening, the agent hears the caller alone. (That the
// caller never hears 2 kHz is checked on the caller's recording at the end.)
func whisperAndBack(t *testing.T, ctx context.Context, sup, ag *deskclient.Client, call string) {
	t.Helper()
	sup.SetTone(2000)
	if sup.Sending() {
		t.Error("a listening supervisor's microphone is on the wire")
	}
	whisper := deskproto.Message{Type: deskproto.TypeListen, Call: call, On: ptr(true), Mode: deskproto.ListenModeWhisper}
	if err := sup.Do(ctx, whisper); err != nil {
		t.Fatalf("whisper: %v", err)
	}
	w := nextFrame[deskproto.Whisper](t, ctx, ag, deskproto.TypeWhisper)
	if !w.On || w.Call != call || w.By == "" || w.ByID != sup.Welcome.Agent.ID {
		t.Fatalf("the agent was told %+v", w)
	}
	if w := nextFrame[deskproto.Whisper](t, ctx, sup, deskproto.TypeWhisper); !w.On || !sup.Sending() {
		t.Fatalf("the supervisor was told %+v (sending %v)", w, sup.Sending())
	}
	ag.ResetHeard()
	if e440, e2k, ok := heardTones(ag, 440, 2000, 5*time.Second); !ok {
		t.Errorf("while whispered to the agent hears 440 Hz %.2f, 2 kHz %.2f; want the caller and the supervisor", e440, e2k)
	}
	sup.ResetHeard()
	if e440, e1k, ok := heardTones(sup, 440, 1000, 5*time.Second); !ok {
		t.Errorf("the whispering supervisor hears 440 Hz %.2f, 1 kHz %.2f; want both sides", e440, e1k)
	}
	time.Sleep(time.Second) // the caller's recording gets a whole second of the whisper's time

	if err := sup.Do(ctx, deskproto.Message{Type: deskproto.TypeListen, Call: call, On: ptr(true), Mode: deskproto.ListenModeListen}); err != nil {
		t.Fatalf("back to listening: %v", err)
	}
	if w := nextFrame[deskproto.Whisper](t, ctx, ag, deskproto.TypeWhisper); w.On || w.Reason != "stopped" {
		t.Fatalf("the agent was told %+v", w)
	}
	if w := nextFrame[deskproto.Whisper](t, ctx, sup, deskproto.TypeWhisper); w.On || sup.Sending() {
		t.Fatalf("the supervisor was told %+v (sending %v)", w, sup.Sending())
	}
	ag.ResetHeard()
	if share, ok := heardTone(ag, 440, 5*time.Second); !ok {
		t.Errorf("back to listening the agent hears 440 Hz at %.2f", share)
	}
	if e := media.ToneEnergy(ag.Heard(time.Second), 8000, 2000); e > 0.02 {
		t.Errorf("back to listening the agent still hears 2 kHz (share %.3f)", e)
	}
	if e440, e1k, ok := heardTones(sup, 440, 1000, 5*time.Second); !ok {
		t.Errorf("back to listening the supervisor hears 440 Hz %.2f, 1 kHz %.2f", e440, e1k)
	}
}

func TestAgentTakesCallAndFilesWorkOrder(t *testing.T) {
	srv, admin, ctx := deskTest(t)

	ag := agentDesk(t, ctx, srv, "agent1", 1000)
	// Ready with the softphone connected but no call: the microphone stays
	// off the wire (the time is the claim; nothing marks "still silent").
	time.Sleep(2 * time.Second)
	if n := ag.PacketsSent(); n != 0 || ag.Sending() {
		t.Fatalf("the idle agent's softphone sent %d audio packets (sending now: %v)", n, ag.Sending())
	}
	ph := callComplaints(t, srv, "13700137000")

	off := nextOffer(t, ctx, ag)
	if off.Caller != "13700137000" || off.Queue != "complaints" || off.QueueTitle != "诉求反映" || off.Attrs["menu"] != "1" {
		t.Fatalf("offer %+v", off)
	}
	answered := time.Now()
	ag.ResetHeard()
	conn := answer(t, ctx, ag, off.Call)
	if conn.Recording == "" || conn.Caller != "13700137000" {
		t.Fatalf("connected %+v", conn)
	}
	share, ok := heardTone(ag, 440, 5*time.Second)
	if !ok {
		t.Fatalf("agent did not hear the caller's 440 Hz (share %.2f, %d packets)", share, ag.Packets())
	}
	if first := ag.FirstAudio(); !first.IsZero() {
		t.Logf("answer → first audio at the agent: %v", first.Sub(answered).Round(time.Millisecond))
	}
	// A supervisor sees it on the wallboard and listens in: both sides.
	sup, err := deskclient.Dial(ctx, srv.base, "supervisor1", "demo12345")
	if err != nil {
		t.Fatal(err)
	}
	defer sup.Close()
	if err := sup.Do(ctx, deskproto.Message{Type: deskproto.TypeWallboard, On: ptr(true)}); err != nil {
		t.Fatalf("wallboard: %v", err)
	}
	wb := nextFrame[deskproto.Wallboard](t, ctx, sup, deskproto.TypeWallboard)
	if wb.ByState["on_call"] != 1 || len(wb.Agents) != 1 || wb.Agents[0].Call != off.Call || wb.Today.Answered != 1 {
		t.Errorf("wallboard %+v", wb)
	}
	if err := ag.Do(ctx, deskproto.Message{Type: deskproto.TypeWallboard, On: ptr(true)}); err == nil {
		t.Error("an agent subscribed to the wallboard")
	}
	if err := sup.ConnectRTC(ctx); err != nil {
		t.Fatalf("supervisor softphone: %v", err)
	}
	if err := sup.Do(ctx, deskproto.Message{Type: deskproto.TypeListen, Call: off.Call, On: ptr(true)}); err != nil {
		t.Fatalf("listen: %v", err)
	}
	if e440, e1k, ok := heardTones(sup, 440, 1000, 5*time.Second); !ok {
		t.Errorf("the listening supervisor hears 440 Hz %.2f, 1 kHz %.2f; want both sides", e440, e1k)
	}
	whisperAndBack(t, ctx, sup, ag, off.Call)
	time.Sleep(time.Second) // let the caller hear the agent's tone for a while

	// The work order, from the agent's own API session.
	agentAPI := admin.as(t, "agent1", "demo12345")
	var tk ticketJSON
	agentAPI.must(t, "POST", "/api/v1/tickets", map[string]any{"type": "complaint", "category": "sanitation.streetlight",
		"content": "来电反映小区路灯不亮", "address": "北京市朝阳区建外街道光华路12号", "contact_number": "13700137000",
		"caller_number": "13700137000", "call_id": off.Call, "recording_id": conn.Recording}, &tk, 201)
	if err := ag.Do(ctx, deskproto.Message{Type: deskproto.TypeLink, Call: off.Call, Ticket: tk.ID, Disposition: "ticket"}); err != nil {
		t.Fatalf("link: %v", err)
	}
	if err := ag.Do(ctx, deskproto.Message{Type: deskproto.TypeHangup, Call: off.Call}); err != nil {
		t.Fatalf("hangup: %v", err)
	}
	if ended := callEnded(t, ctx, ag); ended.By != "agent" || ended.WrapUpUntil == nil {
		t.Errorf("call_ended %+v", ended)
	}
	if ag.Sending() || ag.PacketsSent() == 0 {
		t.Errorf("after the call the softphone is sending %v, having sent %d packets", ag.Sending(), ag.PacketsSent())
	}
	ph.WaitEvent("CALL_CLOSED", 10*time.Second)
	waitState(t, ctx, ag, "ready") // wrap-up (2 s) over

	if e := endShare(ph.Heard(), 1000); e < 0.5 {
		t.Errorf("the caller did not hear the agent's 1 kHz (share %.2f)", e)
	}
	if e := maxShare(ph.Heard(), 2000); e > 0.05 {
		t.Errorf("the caller heard the supervisor's whisper: 2 kHz share up to %.2f in a second", e)
	}

	rec := waitCall(t, admin, "13700137000")
	if rec.Agent != ag.Welcome.Agent.ID || rec.Ticket != tk.ID || rec.Queue != "complaints" || rec.Recording != conn.Recording {
		t.Fatalf("call record %+v (agent %s ticket %s)", rec, ag.Welcome.Agent.ID, tk.ID)
	}
	// The stereo recording holds both sides of the bridge.
	far, near := recordingShares(t, srv, rec.Recording, 1000)
	if far < 0.5 {
		t.Errorf("recording far channel: 1 kHz share %.2f", far)
	}
	if near < 0.5 {
		t.Errorf("recording caller channel: 440 Hz share %.2f", near)
	}
}

func TestSoftphoneLostMidCallRequeuesCaller(t *testing.T) {
	srv, admin, ctx := deskTest(t)

	first, ph, off := answeredCall(t, ctx, srv, "13600136000")
	// The second agent logs in now, so the call can only reach it after
	// the first one's softphone is gone.
	second := agentDesk(t, ctx, srv, "agent2", 1500)
	first.DropRTC()
	if ended := callEnded(t, ctx, first); ended.By != "dropped" {
		t.Errorf("first agent call_ended %+v", ended)
	}
	off2 := nextOffer(t, ctx, second)
	if off2.Call != off.Call {
		t.Fatalf("second agent offered %s, want the requeued %s", off2.Call, off.Call)
	}
	answer(t, ctx, second, off2.Call)
	if share, ok := heardTone(second, 440, 5*time.Second); !ok {
		t.Fatalf("second agent hears no caller (share %.2f)", share)
	}
	// The second agent's page reloads mid-call: a new WebSocket with the
	// same session resumes the call, and a new PeerConnection carries it.
	reloaded, err := deskclient.DialToken(ctx, srv.base, second.Token())
	if err != nil {
		t.Fatal(err)
	}
	defer reloaded.Close()
	if !reloaded.Welcome.Resumed || reloaded.Welcome.Call == nil || reloaded.Welcome.Call.Call != off.Call ||
		reloaded.Welcome.State == nil || reloaded.Welcome.State.State != "on_call" {
		t.Fatalf("resumed welcome %+v", reloaded.Welcome)
	}
	second.DropRTC()
	if err := reloaded.ConnectRTC(ctx); err != nil {
		t.Fatalf("reloaded softphone: %v", err)
	}
	if share, ok := heardTone(reloaded, 440, 5*time.Second); !ok {
		t.Fatalf("after the reload the agent hears no caller (share %.2f)", share)
	}
	second = reloaded
	ph.Command("hangup", "")
	ph.WaitEvent("CALL_CLOSED", 10*time.Second)
	if ended := callEnded(t, ctx, second); ended.By != "caller" {
		t.Errorf("second agent call_ended %+v", ended)
	}
	rec := waitCall(t, admin, "13600136000")
	if rec.Agent != second.Welcome.Agent.ID || rec.EndReason != "remote_hangup" {
		t.Fatalf("call record %+v", rec)
	}
	// The caller was never hung up on: one call, answered by the second agent.
}

func ptr[T any](v T) *T { return &v }

// A warm transfer: agent1 (1 kHz) answers the caller (440 Hz) and asks for
// agent2 (1.5 kHz) by name, staying with the caller while agent2's phone
// rings. The first time agent1 withdraws it; the second time agent2
// answers, the caller's audio moves to agent2 and agent1 goes to wrap-up.
func TestWarmTransfer(t *testing.T) {
	srv, admin, ctx := deskTest(t)

	first, ph, off := answeredCall(t, ctx, srv, "13500135000")
	// agent2 logs in now, so only the transfer can bring it the call.
	second := agentDesk(t, ctx, srv, "agent2", 1500)
	agent2 := second.Welcome.Agent
	warm := deskproto.Message{Type: deskproto.TypeTransfer, Call: off.Call, Agent: agent2.ID, Mode: "warm", Note: "请协助核实地址"}

	if err := first.Do(ctx, warm); err != nil {
		t.Fatalf("warm transfer: %v", err)
	}
	if ts := nextTransferState(t, ctx, first); ts.State != "pending" || ts.Target != agent2.ID {
		t.Fatalf("transfer_state %+v, want pending for %s", ts, agent2.ID)
	}
	o2 := nextOffer(t, ctx, second)
	if o2.Call != off.Call || o2.Note != "请协助核实地址" || o2.TransferredBy == "" {
		t.Fatalf("agent2's offer %+v", o2)
	}
	if err := first.Do(ctx, warm); !isConflict(err) {
		t.Fatalf("a second warm transfer while one is pending: %v, want conflict", err)
	}
	first.ResetHeard()
	if share, ok := heardTone(first, 440, 5*time.Second); !ok {
		t.Fatalf("while agent2's phone rings agent1 no longer hears the caller (share %.2f)", share)
	}

	// Withdrawn: agent2's phone stops ringing, agent1 keeps the caller.
	if err := first.Do(ctx, deskproto.Message{Type: deskproto.TypeTransfer, Call: off.Call, Mode: "cancel"}); err != nil {
		t.Fatalf("cancel the warm transfer: %v", err)
	}
	if ts := nextTransferState(t, ctx, first); ts.State != "cancelled" {
		t.Fatalf("transfer_state %+v, want cancelled", ts)
	}
	if oc := nextFrame[deskproto.OfferCancelled](t, ctx, second, deskproto.TypeOfferCancelled); oc.Call != off.Call || oc.Reason != "withdrawn" {
		t.Fatalf("agent2's offer_cancelled %+v", oc)
	}
	waitState(t, ctx, second, "ready")
	if err := first.Do(ctx, deskproto.Message{Type: deskproto.TypeTransfer, Call: off.Call, Mode: "cancel"}); !isConflict(err) {
		t.Fatalf("cancel with nothing pending: %v, want conflict", err)
	}

	// Again, and agent2 answers: the caller's audio moves to agent2.
	if err := first.Do(ctx, warm); err != nil {
		t.Fatalf("warm transfer again: %v", err)
	}
	nextTransferState(t, ctx, first)
	o2 = nextOffer(t, ctx, second)
	second.ResetHeard()
	answered := time.Now()
	answer(t, ctx, second, o2.Call)
	if share, ok := heardTone(second, 440, 5*time.Second); !ok {
		t.Fatalf("agent2 hears no caller after answering (share %.2f)", share)
	}
	if at := second.FirstAudio(); !at.IsZero() {
		t.Logf("answer → first audio at agent2: %v", at.Sub(answered).Round(time.Millisecond))
	}
	if ts := nextTransferState(t, ctx, first); ts.State != "answered" || ts.Agent != agent2.Name {
		t.Fatalf("transfer_state %+v, want answered by %s", ts, agent2.Name)
	}
	if ended := callEnded(t, ctx, first); ended.By != "transfer" || ended.WrapUpUntil == nil {
		t.Errorf("agent1's call_ended %+v, want by transfer with a wrap-up", ended)
	}
	time.Sleep(2 * time.Second) // let the caller hear agent2 for a while
	ph.Command("hangup", "")
	ph.WaitEvent("CALL_CLOSED", 10*time.Second)
	if ended := callEnded(t, ctx, second); ended.By != "caller" {
		t.Errorf("agent2's call_ended %+v", ended)
	}

	// The caller heard agent1, then agent2 to the end.
	heard := ph.Heard()
	if e := endShare(heard, 1500); e < 0.5 {
		t.Errorf("the caller did not hear agent2's 1.5 kHz at the end (share %.2f)", e)
	}
	if !anySecond(heard, 1000) {
		t.Error("the caller never heard agent1's 1 kHz")
	}
	rec := waitCall(t, admin, "13500135000")
	if rec.Agent != agent2.ID {
		t.Fatalf("call record agent %s, want agent2 (%s)", rec.Agent, agent2.ID)
	}
}

func nextTransferState(t *testing.T, ctx context.Context, c *deskclient.Client) deskproto.TransferState {
	t.Helper()
	return nextFrame[deskproto.TransferState](t, ctx, c, deskproto.TypeTransferState)
}

func isConflict(err error) bool {
	var e *deskclient.Error
	return errors.As(err, &e) && e.Msg.Code == "conflict"
}

// anySecond reports whether hz is the main component of some second of pcm
// (8 kHz), in half-second steps.
func anySecond(pcm []int16, hz float64) bool {
	for i := 0; i+8000 <= len(pcm); i += 4000 {
		if media.ToneEnergy(pcm[i:i+8000], 8000, hz) > 0.5 {
			return true
		}
	}
	return false
}

// packetsSentJS is the desk page's audio packets sent so far (getStats
// outbound-rtp) and whether its microphone track is on the sender.
const packetsSentJS = `window.hotlineDesk.packetsSent().then((n) => ({n, on: window.hotlineDesk.micOnWire()}))`

type micStats struct {
	N  int64 `json:"n"`
	On bool  `json:"on"`
}

// The desk page in a real Chromium keeps its PeerConnection from sign-in
// but sends no audio while the agent has no call: outbound-rtp
// packetsSent does not move while ready, nor after the call; during the
// call the caller hears the page's 1 kHz microphone.
func TestBrowserDeskIdleSendsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the server binary, Chromium, baresip and WebRTC; skipped with -short")
	}
	exe := chromium.Find(t)
	baresip.NeedTool(t, "baresip")
	srv := startDeskServer(t)
	mic := filepath.Join(t.TempDir(), "agent-mic-1khz.wav")
	if err := media.WriteWAVFile(mic, 48000, 1, media.Tone(1000, 60*time.Second, 48000, 0.3)); err != nil {
		t.Fatal(err)
	}
	p := chromium.Open(t, chromium.Options{Exe: exe, Mic: mic, Life: 60 * time.Second, Width: 1366, Height: 900})
	p.SignIn(srv.base+"/desk/", "agent1", "demo12345", "desk-view")
	p.Wait("softphone connected", `window.hotlineDesk.rtcConnected() && !document.querySelector('#state-ready').disabled`, 10*time.Second)
	p.Do("go ready", chromedp.Click(chromedp.ID("state-ready")))
	p.Wait("ready", `window.hotlineDesk.state() === 'ready'`, 10*time.Second)

	// Idle: the time is the claim (nothing marks "still silent").
	idle := func(when string) {
		t.Helper()
		before := chromium.Eval[micStats](p, packetsSentJS, 5*time.Second)
		time.Sleep(2 * time.Second)
		after := chromium.Eval[micStats](p, packetsSentJS, 5*time.Second)
		if before.On || after.On || after.N != before.N {
			t.Errorf("%s: the page's microphone on the wire %v → %v, packets sent %d → %d; want off and none",
				when, before.On, after.On, before.N, after.N)
		}
	}
	idle("ready, no call")

	ph := callComplaints(t, srv, "13400134000")
	p.Wait("offer shown", `window.hotlineDesk.call()?.phase === 'offered'`, 15*time.Second)
	p.Do("answer", chromedp.Click(chromedp.ID("answer")))
	p.Wait("in call", `window.hotlineDesk.call()?.phase === 'connected' && window.hotlineDesk.micOnWire()`, 10*time.Second)
	time.Sleep(4 * time.Second) // the caller hears the page for a while; endShare reads it
	during := chromium.Eval[micStats](p, packetsSentJS, 5*time.Second)
	p.Do("hang up", chromedp.Click(chromedp.ID("hangup")))
	ph.WaitEvent("CALL_CLOSED", 10*time.Second)
	p.Wait("microphone off the wire", `window.hotlineDesk.call()?.phase !== 'connected' && !window.hotlineDesk.micOnWire()`, 10*time.Second)
	if during.N < 100 {
		t.Errorf("during the call the page sent %d packets", during.N)
	}
	if e := endShare(ph.Heard(), 1000); e < 0.5 {
		t.Errorf("the caller did not hear the page's 1 kHz (share %.2f)", e)
	}
	idle("after the call")
	p.CheckErrors()
}
