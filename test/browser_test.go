package test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/cityhotline/hotline/internal/baresip"
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

// needChromium returns Debian's Chromium (or HOTLINE_CHROMIUM). Without it
// the test skips, except under CI=true, where it fails: CI must install it.
func needChromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("HOTLINE_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed (/usr/bin/chromium); required when CI=true: apt-get install -y chromium")
	}
	t.Skip("Chromium is not installed (/usr/bin/chromium); apt-get install -y chromium to run the browser test")
	return ""
}

// browserShots is where the screenshots go: $HOTLINE_SHOTS, else the test's
// temporary directory.
func browserShots(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("HOTLINE_SHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatalf("HOTLINE_SHOTS: %v", err)
		}
		return d
	}
	return t.TempDir()
}

// deskPage is one headless Chromium tab with the page's console and
// exceptions collected.
type deskPage struct {
	t     *testing.T
	ctx   context.Context
	shots string

	mu         sync.Mutex
	over       bool // the test is over: t.Logf would panic
	exceptions []string
	consoleErr []string
}

// openBrowser starts Chromium with a fake microphone playing micWAV. The
// browser lives at most life.
func openBrowser(t *testing.T, exe, micWAV string, life time.Duration) *deskPage {
	t.Helper()
	p := &deskPage{t: t, shots: browserShots(t)}
	// Registered first, so it runs last: after the browser is gone no event
	// may reach t.Logf.
	t.Cleanup(func() {
		p.mu.Lock()
		p.over = true
		p.mu.Unlock()
	})
	root, cancelRoot := context.WithTimeout(context.Background(), life)
	t.Cleanup(cancelRoot)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", micWAV),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(p.listen))
	t.Cleanup(cancel)
	p.ctx = ctx
	// The first run starts the browser, whose life is that run's context: it
	// must be ctx itself (bounded by root), not a shorter step context.
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 900),
		func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, t, cdplog.Enable, cdp.Empty{})
			return chromedp.Void{}, err
		})
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return p
}

func (p *deskPage) logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.over {
		p.t.Logf(format, args...)
	}
}

// listen logs the page's console and log entries and keeps its uncaught
// exceptions (which fail the test) and console errors (which are reported).
func (p *deskPage) listen(ev any) {
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range e.Args {
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		msg := strings.Join(parts, " ")
		p.logf("page console.%s: %s", e.Type, msg)
		if e.Type == runtime.ConsoleAPICalledTypeError {
			p.mu.Lock()
			p.consoleErr = append(p.consoleErr, msg)
			p.mu.Unlock()
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		msg = fmt.Sprintf("%s:%d: %s", d.URL, d.LineNumber, msg)
		p.logf("page exception: %s", msg)
		p.mu.Lock()
		p.exceptions = append(p.exceptions, msg)
		p.mu.Unlock()
	case *cdplog.EventEntryAdded:
		p.logf("page log %s/%s: %s %s", e.Entry.Source, e.Entry.Level, e.Entry.Text, e.Entry.URL)
	}
}

// checkExceptions fails the test for every uncaught exception in the page.
func (p *deskPage) checkExceptions() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.exceptions {
		p.t.Errorf("page exception: %s", e)
	}
	p.exceptions = nil
}

// do runs actions within 10 s, failing the test with the step's name.
func (p *deskPage) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.checkExceptions()
		p.t.Fatalf("%s: %v", step, err)
	}
}

// wait waits (at most limit) until a JavaScript expression is truthy.
func (p *deskPage) wait(step, expr string, limit time.Duration) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, limit+2*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(limit)))
	if err != nil {
		p.checkExceptions()
		p.shot("failed-" + strings.ReplaceAll(step, " ", "-"))
		p.t.Fatalf("%s: waiting for %s: %v", step, expr, err)
	}
}

// pageEval evaluates a JavaScript expression (awaiting a promise) within limit.
func pageEval[T any](p *deskPage, expr string, limit time.Duration) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, limit)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.checkExceptions()
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func (p *deskPage) text(sel string) string {
	p.t.Helper()
	return pageEval[string](p, fmt.Sprintf(`document.querySelector(%q)?.textContent.trim() ?? ""`, sel), 5*time.Second)
}

func (p *deskPage) value(sel string) string {
	p.t.Helper()
	return pageEval[string](p, fmt.Sprintf(`document.querySelector(%q)?.value ?? ""`, sel), 5*time.Second)
}

// choose picks an option of a <select> as a person would: the value
// changes and the page hears input and change.
func (p *deskPage) choose(sel, value string) {
	p.t.Helper()
	got := pageEval[string](p, fmt.Sprintf(`(() => {
		const s = document.querySelector(%q);
		s.value = %q;
		s.dispatchEvent(new Event('input', {bubbles: true}));
		s.dispatchEvent(new Event('change', {bubbles: true}));
		return s.value;
	})()`, sel, value), 5*time.Second)
	if got != value {
		p.t.Fatalf("%s has no option %q (value %q)", sel, value, got)
	}
}

// shot saves a screenshot of the viewport as name.png.
func (p *deskPage) shot(name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(p.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	p.t.Logf("screenshot %s", path)
}

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
	exe := needChromium(t)
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
	p := openBrowser(t, exe, mic, 75*time.Second)
	mark("browser up")

	// Sign in through the form; the softphone connects by itself.
	p.do("open the desk", chromedp.Navigate(srv.base+"/desk/"), chromedp.WaitVisible(chromedp.ID("login-username")))
	p.do("sign in",
		chromedp.WaitEnabled(chromedp.ID("login-submit")), // the page's script runs
		chromedp.SendKeys(chromedp.ID("login-username"), "agent1"),
		chromedp.SendKeys(chromedp.ID("login-password"), "demo12345"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("desk-view")))
	p.wait("softphone connected",
		`window.hotlineDesk.rtcConnected() && document.querySelector('#rtc-status').dataset.ok === 'true' && !document.querySelector('#state-ready').disabled`,
		10*time.Second)
	mark("signed in, softphone connected")
	if got := p.text("#ws-status"); !strings.Contains(got, "正常") {
		t.Errorf("signalling status %q", got)
	}
	if st := pageEval[string](p, `window.hotlineDesk.state()`, 5*time.Second); st != "not_ready" {
		t.Errorf("state after sign-in %q, want not_ready", st)
	}
	// Who the desk is: GET /api/v1/me with the page's own session.
	me := pageEval[map[string]any](p, `fetch('/api/v1/me', {headers: {Authorization: 'Bearer ' + JSON.parse(sessionStorage.getItem('hotline.session')).token}}).then((r) => r.json())`, 5*time.Second)
	agentID, _ := me["id"].(string)
	if agentID == "" || me["username"] != "agent1" || me["role"] != "agent" {
		t.Fatalf("GET /api/v1/me from the page: %v", me)
	}
	t.Logf("agent1's user id is %q", agentID)

	// Ready.
	p.do("go ready", chromedp.Click(chromedp.ID("state-ready")))
	p.wait("ready shown", `document.querySelector('#state-label').dataset.state === 'ready' && window.hotlineDesk.state() === 'ready'`, 10*time.Second)
	if got := p.text("#state-label"); got != "就绪" {
		t.Errorf("state label when ready %q", got)
	}
	p.wait("categories loaded", `document.querySelector('#wo-category option[value="`+browserLeaf+`"]') !== null`, 10*time.Second)
	p.shot("1-ready")
	mark("ready")

	// The citizen calls and presses 1 (complaints).
	ph := baresip.Start(t, baresip.Options{User: browserCaller, Mic: media.Tone(440, 60*time.Second, 8000, 0.3)})
	ph.Command("dial", "sip:12345@"+srv.sipAddr)
	ph.WaitEvent("CALL_ESTABLISHED", 10*time.Second)
	mark("phone: call established")
	time.Sleep(1500 * time.Millisecond) // into the greeting; the key barges in
	ph.Command("sndcode", "1")

	// The offer rings on the page.
	p.wait("offer shown", `!document.querySelector('#offer-panel').hidden && document.querySelector('#offer-caller').textContent === '`+browserCaller+`'`, 15*time.Second)
	mark("offer ringing")
	if got := p.text("#offer-queue"); got != "诉求反映" {
		t.Errorf("offer queue %q", got)
	}
	if got := p.text("#offer-ivr"); !strings.Contains(got, "1") {
		t.Errorf("offer IVR choices %q", got)
	}
	if st := pageEval[string](p, `window.hotlineDesk.state()`, 5*time.Second); st != "offered" {
		t.Errorf("state while ringing %q", st)
	}
	p.shot("2-offer")

	// Answer.
	p.do("answer", chromedp.Click(chromedp.ID("answer")))
	p.wait("call shown", `!document.querySelector('#call-panel').hidden && document.querySelector('#offer-panel').hidden && window.hotlineDesk.call()?.phase === 'connected'`, 10*time.Second)
	bridged := time.Now()
	mark("in call")
	callID := pageEval[string](p, `window.hotlineDesk.call().id`, 5*time.Second)
	if got := p.text("#call-id"); got != callID || callID == "" {
		t.Errorf("#call-id %q, hotlineDesk.call().id %q", got, callID)
	}
	if got := p.text("#call-caller"); got != browserCaller {
		t.Errorf("call caller %q", got)
	}

	// The caller's 440 Hz reaches the page.
	tone := pageEval[remoteTone](p, remoteToneJS, 10*time.Second)
	mark(fmt.Sprintf("page hears %.1f Hz at %.1f dB (share %.2f, %d reads, context %s at %.0f Hz)", tone.Hz, tone.DB, tone.Share, tone.Reads, tone.State, tone.Rate))
	if tone.Why != "" || tone.Hz < 410 || tone.Hz > 470 || tone.Share < 0.5 {
		t.Errorf("the page did not hear the caller's 440 Hz: %+v", tone)
	}

	// The work order, through the form; the contact number is the caller's.
	if got := p.value("#wo-contact"); got != browserCaller {
		t.Errorf("contact number prefilled with %q, want the caller", got)
	}
	p.choose("#wo-type", "complaint")
	p.choose("#wo-category", browserLeaf)
	p.do("fill the form",
		chromedp.SendKeys(chromedp.ID("wo-address"), browserAddress),
		chromedp.SendKeys(chromedp.ID("wo-content"), browserContent))
	for sel, want := range map[string]string{"#wo-type": "complaint", "#wo-category": browserLeaf,
		"#wo-address": browserAddress, "#wo-content": browserContent, "#wo-contact": browserCaller} {
		if got := p.value(sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	p.shot("3-in-call-form")
	p.do("submit", chromedp.Click(chromedp.ID("wo-submit")))
	// Filed, and the link to the call acknowledged (the form is busy until then).
	p.wait("ticket filed", `(document.querySelector('#wo-result .ticket-id')?.textContent ?? '') !== '' && !document.querySelector('#wo-result').hidden && document.querySelector('#wo-form').getAttribute('aria-busy') === 'false'`, 10*time.Second)
	ticket := p.text("#wo-result .ticket-id")
	if ticket == "" || pageEval[string](p, `window.hotlineDesk.lastTicket()`, 5*time.Second) != ticket {
		t.Fatalf("ticket shown %q, lastTicket() %q", ticket, pageEval[string](p, `window.hotlineDesk.lastTicket()`, 5*time.Second))
	}
	if !pageEval[bool](p, `document.querySelector('#wo-error').hidden`, 5*time.Second) {
		t.Errorf("work-order error shown: %q", p.text("#wo-error"))
	}
	mark("work order " + ticket + " filed")

	// The caller must hear the agent for a while: the check below reads the
	// 3 s before the end of the call. No event marks "heard enough".
	if d := time.Until(bridged.Add(4 * time.Second)); d > 0 {
		time.Sleep(d)
	}

	// Hang up from the page: wrap-up (2 s), then ready.
	p.do("hang up", chromedp.Click(chromedp.ID("hangup")))
	// Wrap-up lasts only 2 s: everything about it is checked in one look.
	p.wait("wrap-up shown", `!document.querySelector('#wrapup-panel').hidden && document.querySelector('#call-panel').hidden &&
		window.hotlineDesk.state() === 'wrap_up' && document.querySelector('#state-label').dataset.state === 'wrap_up' &&
		window.hotlineDesk.call()?.phase === 'ended' && window.hotlineDesk.call()?.by === 'agent' && window.hotlineDesk.call()?.id === '`+callID+`' &&
		document.querySelector('#wrapup-ended').textContent === '您已挂断' && /^0:0[0-3]$/.test(document.querySelector('#wrapup-countdown').textContent)`,
		10*time.Second)
	hungUp := time.Now()
	mark("wrap-up")
	p.shot("4-wrap-up")
	ph.WaitEvent("CALL_CLOSED", 10*time.Second)
	mark("phone: call closed")
	p.wait("ready after wrap-up", `document.querySelector('#state-label').dataset.state === 'ready' && window.hotlineDesk.state() === 'ready' && document.querySelector('#wrapup-panel').hidden`, 10*time.Second)
	mark(fmt.Sprintf("ready again, %.1f s after the hang-up", time.Since(hungUp).Seconds()))
	if got := p.text("#state-label"); got != "就绪" {
		t.Errorf("state label after wrap-up %q", got)
	}
	if got := p.text("#calls-today"); got != "1" {
		t.Errorf("calls today %q", got)
	}
	p.checkExceptions()

	// The caller heard the browser's microphone.
	heard := ph.Heard()
	tail := heard[max(0, len(heard)-3*8000):]
	if e := media.ToneEnergy(tail[:min(len(tail), 2*8000)], 8000, 1000); e < 0.5 {
		t.Errorf("the caller did not hear the browser's 1 kHz (share %.2f; dominant %.0f Hz)", e, media.DominantFrequency(tail, 8000))
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
	a, err := media.ReadWAVFile(filepath.Join(srv.dataDir, "recordings", rec.Recording))
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
	far, near := media.ToneEnergy(right[end-2*8000:end], 8000, 1000), media.ToneEnergy(left[end-2*8000:end], 8000, 440)
	if far < 0.5 {
		t.Errorf("recording far (agent) channel: 1 kHz share %.2f", far)
	}
	if near < 0.5 {
		t.Errorf("recording caller channel: 440 Hz share %.2f", near)
	}
	t.Logf("recording %s: %.1f s; agent's 1 kHz share %.2f on the right, caller's 440 Hz share %.2f on the left", rec.Recording, float64(len(right))/8000, far, near)
	p.checkExceptions()
	p.mu.Lock()
	for _, e := range p.consoleErr {
		t.Logf("note: page console.error: %s", e)
	}
	p.mu.Unlock()
	mark("done")
}
