package test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cityhotline/hotline/internal/baresip"
	"github.com/cityhotline/hotline/internal/chromium"
	"github.com/cityhotline/hotline/media"
)

// A citizen calls from a real phone (baresip), presses 1 and waits in the
// complaints queue; an agent in a real headless Chromium, signed in to the
// agent desk page served by the real server binary, answers with the page's
// own WebRTC softphone. The caller's 440 Hz is measured in the page (WebAudio
// on the desk's remote stream), the browser's fake microphone (1 kHz) is
// heard by the phone; the agent files the work order through the page's form,
// hangs up from the page, and the page goes through wrap-up back to ready.
// The call record, the ticket and the stereo recording tie it all together.

const (
	browserCaller  = "13500135000"
	browserAddress = "北京市朝阳区建外街道光华路12号"
	browserContent = "来电反映小区路灯不亮"
	browserLeaf    = "sanitation.streetlight"
)

// remoteToneJS measures, in the page, the audio the desk plays from the
// server: the MediaStream on #remote-audio (where rtc.js attaches the
// remote track; Chromium feeds a WebRTC stream to WebAudio only while a
// media element plays it) goes into an AnalyserNode. It polls for up to 5 s
// until the strongest bin is loud and steady over five reads, and returns
// that bin's frequency, its level and the share of the spectrum's power
// within ±30 Hz of it.
const remoteToneJS = `(async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const el = document.querySelector('#remote-audio');
  const deadline = performance.now() + 5000;
  while (!(el.srcObject instanceof MediaStream) || !el.srcObject.getAudioTracks().some((t) => t.readyState === 'live')) {
    if (performance.now() > deadline) return { hz: 0, db: -999, share: 0, reads: 0, why: 'no live remote stream on #remote-audio' };
    await sleep(50);
  }
  const ac = new AudioContext();
  await ac.resume();
  const src = ac.createMediaStreamSource(el.srcObject);
  const an = ac.createAnalyser();
  an.fftSize = 8192;
  an.smoothingTimeConstant = 0;
  src.connect(an);
  const bins = new Float32Array(an.frequencyBinCount);
  const binHz = ac.sampleRate / an.fftSize;
  let last = { hz: 0, db: -999, share: 0, reads: 0, why: 'no steady tone within 5 s' };
  let steady = 0;
  let reads = 0;
  try {
    while (performance.now() < deadline) {
      await sleep(100);
      an.getFloatFrequencyData(bins);
      reads++;
      let k = 1;
      for (let i = 2; i < bins.length; i++) if (bins[i] > bins[k]) k = i;
      let total = 0;
      let near = 0;
      const span = Math.ceil(30 / binHz);
      for (let i = 1; i < bins.length; i++) {
        const pw = Math.pow(10, bins[i] / 10);
        total += pw;
        if (Math.abs(i - k) <= span) near += pw;
      }
      const cur = { hz: k * binHz, db: Math.max(bins[k], -999), share: total > 0 ? near / total : 0, reads, why: '', state: ac.state, rate: ac.sampleRate };
      steady = cur.db > -70 && last.db > -70 && Math.abs(cur.hz - last.hz) <= 2 * binHz ? steady + 1 : 0;
      last = cur;
      if (steady >= 5) return last;
    }
    last.why = 'no steady tone within 5 s';
    return last;
  } finally {
    src.disconnect();
    await ac.close();
  }
})()`

type remoteTone struct {
	Hz    float64 `json:"hz"`
	DB    float64 `json:"db"`
	Share float64 `json:"share"`
	Reads int     `json:"reads"`
	Why   string  `json:"why"`
	State string  `json:"state"`
	Rate  float64 `json:"rate"`
}

// browserTicketJSON is what GET /api/v1/tickets/{id} tells about the order.
type browserTicketJSON struct {
	ID           string `json:"id"`
	Channel      string `json:"channel"`
	Type         string `json:"type"`
	Category     string `json:"category"`
	Address      string `json:"address"`
	Content      string `json:"content"`
	Contact      string `json:"contact_number"`
	CallerNumber string `json:"caller_number"`
	CallID       string `json:"call_id"`
	RecordingID  string `json:"recording_id"`
	Agent        string `json:"agent"`
	Triage       string `json:"triage"`
}

func TestBrowserDeskTakesCall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the server binary, Chromium, baresip and WebRTC; skipped with -short")
	}
	exe := chromium.Find(t)
	baresip.NeedTool(t, "baresip")
	began := time.Now()
	mark := func(what string) { t.Logf("%6.2fs %s", time.Since(began).Seconds(), what) }

	srv := startDeskServer(t)
	admin := login(t, srv)
	mark("server up")

	// The agent's microphone: 60 s of 1 kHz (Chromium loops the file).
	mic := filepath.Join(t.TempDir(), "agent-mic-1khz.wav")
	if err := media.WriteWAVFile(mic, 48000, 1, media.Tone(1000, 60*time.Second, 48000, 0.3)); err != nil {
		t.Fatal(err)
	}
	p := chromium.Open(t, chromium.Options{Exe: exe, Mic: mic, Life: 75 * time.Second, Width: 1366, Height: 900})
	mark("browser up")

	// Sign in through the form; the softphone connects by itself.
	p.SignIn(srv.base+"/desk/", "agent1", "demo12345", "desk-view")
	p.Wait("softphone connected",
		`window.hotlineDesk.rtcConnected() && document.querySelector('#rtc-status').dataset.ok === 'true' && !document.querySelector('#state-ready').disabled`,
		10*time.Second)
	mark("signed in, softphone connected")
	if got := p.Text("#ws-status"); !strings.Contains(got, "正常") {
		t.Errorf("signalling status %q", got)
	}
	if st := chromium.Eval[string](p, `window.hotlineDesk.state()`, 5*time.Second); st != "not_ready" {
		t.Errorf("state after sign-in %q, want not_ready", st)
	}
	// Who the desk is: GET /api/v1/me with the page's own session.
	me := chromium.Eval[map[string]any](p, `fetch('/api/v1/me', {headers: {Authorization: 'Bearer ' + JSON.parse(sessionStorage.getItem('hotline.session')).token}}).then((r) => r.json())`, 5*time.Second)
	agentID, _ := me["id"].(string)
	if agentID == "" || me["username"] != "agent1" || me["role"] != "agent" {
		t.Fatalf("GET /api/v1/me from the page: %v", me)
	}
	t.Logf("agent1's user id is %q", agentID)

	// Ready.
	p.Do("go ready", chromedp.Click(chromedp.ID("state-ready")))
	p.Wait("ready shown", `document.querySelector('#state-label').dataset.state === 'ready' && window.hotlineDesk.state() === 'ready'`, 10*time.Second)
	if got := p.Text("#state-label"); got != "就绪" {
		t.Errorf("state label when ready %q", got)
	}
	p.Wait("categories loaded", `document.querySelector('#wo-category option[value="`+browserLeaf+`"]') !== null`, 10*time.Second)
	p.Shot("1-ready")
	mark("ready")

	// The citizen calls and presses 1 (complaints).
	ph := callComplaints(t, srv, browserCaller)
	mark("phone: call established, 1 pressed")

	// The offer rings on the page.
	p.Wait("offer shown", `!document.querySelector('#offer-panel').hidden && document.querySelector('#offer-caller').textContent === '`+browserCaller+`'`, 15*time.Second)
	mark("offer ringing")
	if got := p.Text("#offer-queue"); got != "诉求反映" {
		t.Errorf("offer queue %q", got)
	}
	if got := p.Text("#offer-ivr"); !strings.Contains(got, "1") {
		t.Errorf("offer IVR choices %q", got)
	}
	if st := chromium.Eval[string](p, `window.hotlineDesk.state()`, 5*time.Second); st != "offered" {
		t.Errorf("state while ringing %q", st)
	}
	p.Shot("2-offer")

	// Answer.
	p.Do("answer", chromedp.Click(chromedp.ID("answer")))
	p.Wait("call shown", `!document.querySelector('#call-panel').hidden && document.querySelector('#offer-panel').hidden && window.hotlineDesk.call()?.phase === 'connected'`, 10*time.Second)
	bridged := time.Now()
	mark("in call")
	callID := chromium.Eval[string](p, `window.hotlineDesk.call().id`, 5*time.Second)
	if got := p.Text("#call-id"); got != callID || callID == "" {
		t.Errorf("#call-id %q, hotlineDesk.call().id %q", got, callID)
	}
	if got := p.Text("#call-caller"); got != browserCaller {
		t.Errorf("call caller %q", got)
	}

	// The caller's 440 Hz reaches the page.
	tone := chromium.Eval[remoteTone](p, remoteToneJS, 10*time.Second)
	mark(fmt.Sprintf("page hears %.1f Hz at %.1f dB (share %.2f, %d reads, context %s at %.0f Hz)", tone.Hz, tone.DB, tone.Share, tone.Reads, tone.State, tone.Rate))
	if tone.Why != "" || tone.Hz < 410 || tone.Hz > 470 || tone.Share < 0.5 {
		t.Errorf("the page did not hear the caller's 440 Hz: %+v", tone)
	}

	// The work order, through the form; the contact number is the caller's.
	if got := p.Value("#wo-contact"); got != browserCaller {
		t.Errorf("contact number prefilled with %q, want the caller", got)
	}
	p.Choose("#wo-type", "complaint")
	p.Choose("#wo-category", browserLeaf)
	p.Do("fill the form",
		chromedp.SendKeys(chromedp.ID("wo-address"), browserAddress),
		chromedp.SendKeys(chromedp.ID("wo-content"), browserContent))
	for sel, want := range map[string]string{"#wo-type": "complaint", "#wo-category": browserLeaf,
		"#wo-address": browserAddress, "#wo-content": browserContent, "#wo-contact": browserCaller} {
		if got := p.Value(sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	p.Shot("3-in-call-form")
	p.Do("submit", chromedp.Click(chromedp.ID("wo-submit")))
	// Filed, and the link to the call acknowledged (the form is busy until then).
	p.Wait("ticket filed", `(document.querySelector('#wo-result .ticket-id')?.textContent ?? '') !== '' && !document.querySelector('#wo-result').hidden && document.querySelector('#wo-form').getAttribute('aria-busy') === 'false'`, 10*time.Second)
	ticket := p.Text("#wo-result .ticket-id")
	if ticket == "" || chromium.Eval[string](p, `window.hotlineDesk.lastTicket()`, 5*time.Second) != ticket {
		t.Fatalf("ticket shown %q, lastTicket() %q", ticket, chromium.Eval[string](p, `window.hotlineDesk.lastTicket()`, 5*time.Second))
	}
	if !chromium.Eval[bool](p, `document.querySelector('#wo-error').hidden`, 5*time.Second) {
		t.Errorf("work-order error shown: %q", p.Text("#wo-error"))
	}
	mark("work order " + ticket + " filed")

	// The caller must hear the agent for a while: the check below reads the
	// 3 s before the end of the call. No event marks "heard enough".
	if d := time.Until(bridged.Add(4 * time.Second)); d > 0 {
		time.Sleep(d)
	}

	// Hang up from the page: wrap-up (2 s), then ready.
	p.Do("hang up", chromedp.Click(chromedp.ID("hangup")))
	// Wrap-up lasts only 2 s: everything about it is checked in one look.
	p.Wait("wrap-up shown", `!document.querySelector('#wrapup-panel').hidden && document.querySelector('#call-panel').hidden &&
		window.hotlineDesk.state() === 'wrap_up' && document.querySelector('#state-label').dataset.state === 'wrap_up' &&
		window.hotlineDesk.call()?.phase === 'ended' && window.hotlineDesk.call()?.by === 'agent' && window.hotlineDesk.call()?.id === '`+callID+`' &&
		document.querySelector('#wrapup-ended').textContent === '您已挂断' && /^0:0[0-3]$/.test(document.querySelector('#wrapup-countdown').textContent)`,
		10*time.Second)
	hungUp := time.Now()
	mark("wrap-up")
	p.Shot("4-wrap-up")
	ph.WaitEvent("CALL_CLOSED", 10*time.Second)
	mark("phone: call closed")
	p.Wait("ready after wrap-up", `document.querySelector('#state-label').dataset.state === 'ready' && window.hotlineDesk.state() === 'ready' && document.querySelector('#wrapup-panel').hidden`, 10*time.Second)
	mark(fmt.Sprintf("ready again, %.1f s after the hang-up", time.Since(hungUp).Seconds()))
	if got := p.Text("#state-label"); got != "就绪" {
		t.Errorf("state label after wrap-up %q", got)
	}
	if got := p.Text("#calls-today"); got != "1" {
		t.Errorf("calls today %q", got)
	}
	p.CheckErrors()

	// The caller heard the browser's microphone.
	heard := ph.Heard()
	if e := endShare(heard, 1000); e < 0.5 {
		t.Errorf("the caller did not hear the browser's 1 kHz (share %.2f; dominant %.0f Hz)", e, media.DominantFrequency(heard[max(0, len(heard)-3*8000):], 8000))
	} else {
		t.Logf("the caller heard the browser's 1 kHz (share %.2f)", e)
	}

	// The call record, the work order and the recording agree.
	rec := waitCall(t, admin, browserCaller)
	if rec.ID != callID || rec.Agent != agentID || rec.Ticket != ticket || rec.Queue != "complaints" || rec.Recording == "" {
		t.Fatalf("call record %+v, want id %s agent %s ticket %s", rec, callID, agentID, ticket)
	}
	var tk browserTicketJSON
	admin.must(t, "GET", "/api/v1/tickets/"+ticket, nil, &tk, 200)
	want := browserTicketJSON{ID: ticket, Channel: "phone", Type: "complaint", Category: browserLeaf, Address: browserAddress,
		Content: browserContent, Contact: browserCaller, CallerNumber: browserCaller, CallID: rec.ID, RecordingID: rec.Recording,
		Agent: agentID, Triage: "dispatch"}
	if tk != want {
		t.Errorf("ticket\n got %+v\nwant %+v", tk, want)
	}
	far, near := recordingShares(t, srv, rec.Recording, 1000)
	if far < 0.5 {
		t.Errorf("recording far (agent) channel: 1 kHz share %.2f", far)
	}
	if near < 0.5 {
		t.Errorf("recording caller channel: 440 Hz share %.2f", near)
	}
	t.Logf("recording %s: agent's 1 kHz share %.2f on the right, caller's 440 Hz share %.2f on the left", rec.Recording, far, near)
	p.CheckErrors()
	for _, e := range p.ConsoleErrors() {
		t.Logf("note: page console.error: %s", e)
	}
	mark("done")
}
