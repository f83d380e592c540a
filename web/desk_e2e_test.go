package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromium returns Debian's Chromium. Without it the browser test skips,
// except under CI=true, where it fails: CI must install it
// (apt-get install -y chromium).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("HOTLINE_CHROMIUM"), "/usr/bin/chromium"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed (/usr/bin/chromium): the browser tests need it; apt-get install -y chromium")
	}
	t.Skip("Chromium is not installed (/usr/bin/chromium); apt-get install -y chromium to run the browser test")
	return ""
}

// shotsDir is where the screenshots go for people to look at.
func shotsDir() string {
	if d := os.Getenv("WEB_SHOTS_DIR"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "web-shots")
}

// pageServer serves the real pages and the fake backend on 127.0.0.1.
func pageServer(t *testing.T, fake *fakeBackend) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	fake.routes(mux)
	mux.Handle("/", Handler())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// browser is one headless Chromium tab, with the page's console and errors
// collected.
type browser struct {
	t      *testing.T
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T, deadline time.Duration) *browser {
	t.Helper()
	exe := chromium(t)
	root, cancelRoot := context.WithTimeout(context.Background(), deadline)
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
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 768),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	t.Cleanup(cancelAlloc)
	b := &browser{t: t}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(b.listen))
	t.Cleanup(cancel)
	b.ctx = ctx
	// The first run starts the browser, whose life is that run's context:
	// it must be ctx itself (bounded by root), not a shorter step context.
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 768),
		func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, t, cdplog.Enable, cdp.Empty{})
			return chromedp.Void{}, err
		})
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return b
}

// listen logs the page's console and keeps its errors (exceptions, CSP
// violations, failed loads) to fail the test with.
func (b *browser) listen(ev any) {
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
		b.t.Logf("console.%s: %s", e.Type, strings.Join(parts, " "))
		if e.Type == runtime.ConsoleAPICalledTypeError {
			b.fail("console.error: " + strings.Join(parts, " "))
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		b.fail(fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber, msg))
	case *cdplog.EventEntryAdded:
		b.t.Logf("log %s/%s: %s %s", e.Entry.Source, e.Entry.Level, e.Entry.Text, e.Entry.URL)
		// An API's 4xx answer is the page's business (a refused work
		// order, say); any other error is a fault.
		apiRefusal := e.Entry.Source == cdplog.EntrySourceNetwork && strings.Contains(e.Entry.URL, "/api/v1/") &&
			regexp.MustCompile(`status of 4\d\d`).MatchString(e.Entry.Text)
		if e.Entry.Level == cdplog.EntryLevelError && !apiRefusal {
			b.fail(fmt.Sprintf("%s error: %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
		}
	}
}

func (b *browser) fail(msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors = append(b.errors, msg)
}

// checkErrors fails the test for every error the page reported.
func (b *browser) checkErrors() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		b.t.Errorf("page: %s", e)
	}
	b.errors = nil
}

// do runs actions within 10 s, failing the test with the step's name.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.checkErrors()
		b.t.Fatalf("%s: %v", step, err)
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor waits (at most 10 s) until a JavaScript expression is truthy.
func (b *browser) waitFor(step, expr string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		b.checkErrors()
		b.t.Fatalf("%s: waiting for %s: %v", step, expr, err)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`document.querySelector(%q)?.textContent.trim() ?? ""`, sel))
}

func (b *browser) value(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`document.querySelector(%q)?.value ?? ""`, sel))
}

// shot saves a screenshot of the viewport.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	dir := shotsDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.t.Logf("screenshot %s", p)
}

func stepCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestDeskAndWallboardInChromium drives the real pages in headless Chromium
// against the fake backend: an agent signs in, goes ready, is offered a call,
// answers with F2, sees the caller's earlier work order, files a work order
// (first refused for an empty content, then accepted), survives a reload
// with the draft intact, wraps up; then a supervisor watches the wallboard
// and listens in. WebRTC itself is not faked: the fake reports the
// PeerConnection connected.
func TestDeskAndWallboardInChromium(t *testing.T) {
	fake := newFakeBackend(t)
	srv := pageServer(t, fake)
	b := newBrowser(t, 55*time.Second)

	// Sign in.
	b.do("open the landing page", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("link-desk")))
	b.shot("landing")
	b.do("open the desk", chromedp.Click(chromedp.ID("link-desk")), chromedp.WaitVisible(chromedp.ID("login-username")))
	if loc := eval[string](b, `location.pathname`); loc != "/desk/" {
		t.Errorf("the landing page's desk link leads to %s", loc)
	}
	b.do("sign in",
		chromedp.WaitEnabled(chromedp.ID("login-submit")), // the script is running
		chromedp.SendKeys(chromedp.ID("login-username"), "li.na"),
		chromedp.SendKeys(chromedp.ID("login-password"), "secret"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("desk-view")))
	auth := fake.expect(stepCtx(t), "auth")
	if auth["token"] != fakeToken {
		t.Fatalf("auth carried token %v", auth["token"])
	}
	offer := fake.expect(stepCtx(t), "rtc_offer")
	if sdp, _ := offer["sdp"].(string); !strings.Contains(sdp, "m=audio") || !strings.Contains(sdp, "a=sendrecv") {
		t.Errorf("rtc_offer without a sendrecv audio section:\n%s", sdp)
	}
	b.waitFor("audio connected", `window.hotlineDesk.rtcConnected() && !document.querySelector('#state-ready').disabled`)
	b.waitFor("signalling shown", `document.querySelector('#ws-status').dataset.ok === 'true'`)
	if got := b.text("#state-label"); !strings.Contains(got, "未就绪") {
		t.Errorf("state label after login: %q", got)
	}
	b.waitFor("categories loaded", `document.querySelectorAll('#wo-category option[value="0101"]').length === 1`)
	b.shot("desk-idle")

	// Ready.
	b.do("go ready", chromedp.Click(chromedp.ID("state-ready")))
	if m := fake.expect(stepCtx(t), "set_state"); m["state"] != "ready" {
		t.Fatalf("set_state %v", m)
	}
	b.waitFor("ready shown", `document.querySelector('#state-label').dataset.state === 'ready' && window.hotlineDesk.state() === 'ready'`)
	if got := b.text("#state-label"); got != "就绪" {
		t.Errorf("state label when ready: %q", got)
	}

	// An offer rings.
	fake.send(map[string]any{"type": "offer", "call": "c-1", "caller": fakeCaller, "queue": "complaints", "queue_title": "诉求反映",
		"attrs": map[string]any{"menu": "1", "lang": "zh"}, "waited_ms": 4200, "ring_timeout_ms": 15000, "note": "", "transferred_by": ""},
		map[string]any{"type": "state", "state": "offered", "reason": "", "since": now(), "call": "c-1", "calls_today": 0})
	b.do("offer shown", chromedp.WaitVisible(chromedp.ID("offer-panel")))
	if got := b.text("#offer-caller"); got != fakeCaller {
		t.Errorf("offer caller %q", got)
	}
	if got := b.text("#offer-queue"); got != "诉求反映" {
		t.Errorf("offer queue %q", got)
	}
	if got := b.text("#offer-ivr"); !strings.Contains(got, "1") || !strings.Contains(got, "中文") {
		t.Errorf("offer IVR choices %q", got)
	}
	b.waitFor("screen-pop on offer", `document.querySelector('#history-list li[data-ticket="`+fakeOldTicket+`"]')`)
	b.shot("desk-offer")

	// Answer with the keyboard.
	b.do("answer with F2", chromedp.KeyEvent(kb.F2))
	if m := fake.expect(stepCtx(t), "answer"); m["call"] != "c-1" {
		t.Fatalf("answer %v", m)
	}
	connected := map[string]any{"type": "connected", "call": "c-1", "caller": fakeCaller, "queue": "complaints",
		"attrs": map[string]any{"menu": "1", "lang": "zh"}, "recording": "c-1.wav", "since": now()}
	fake.setCall(connected)
	fake.send(map[string]any{"type": "state", "state": "on_call", "reason": "", "since": now(), "call": "c-1", "calls_today": 0}, connected)
	b.do("call shown", chromedp.WaitVisible(chromedp.ID("call-panel")), chromedp.WaitNotVisible(chromedp.ID("offer-panel")))
	b.waitFor("screen-pop lists the earlier order", `document.querySelector('#history-list li[data-ticket="`+fakeOldTicket+`"]') && document.querySelector('#history-status').textContent.includes('1')`)
	if got := b.text(`#history-list li[data-ticket="` + fakeOldTicket + `"] summary`); !strings.Contains(got, "路灯") || !strings.Contains(got, "办理中") {
		t.Errorf("history entry %q lacks category or state", got)
	}
	if got := b.value("#wo-contact"); got != fakeCaller {
		t.Errorf("contact number prefilled with %q, want the caller", got)
	}
	if c := eval[map[string]any](b, `window.hotlineDesk.call()`); c["id"] != "c-1" || c["phase"] != "connected" {
		t.Errorf("hotlineDesk.call() = %v", c)
	}

	// Mute, then unmute: the server is told, the button says so.
	b.do("mute", chromedp.Click(chromedp.ID("mute")))
	if m := fake.expect(stepCtx(t), "mute"); m["on"] != true || m["call"] != "c-1" {
		t.Errorf("mute %v", m)
	}
	b.waitFor("muted shown", `document.querySelector('#mute').getAttribute('aria-pressed') === 'true' && !document.querySelector('#flag-muted').hidden`)
	b.do("unmute with F8", chromedp.KeyEvent(kb.F8))
	if m := fake.expect(stepCtx(t), "mute"); m["on"] != false {
		t.Errorf("unmute %v", m)
	}

	// Hold (the server confirms with held), the keypad, a transfer.
	b.do("hold with F9", chromedp.KeyEvent(kb.F9))
	if m := fake.expect(stepCtx(t), "hold"); m["on"] != true || m["call"] != "c-1" {
		t.Errorf("hold %v", m)
	}
	fake.send(map[string]any{"type": "held", "call": "c-1", "on": true})
	b.waitFor("held shown", `!document.querySelector('#flag-held').hidden && document.querySelector('#hold').getAttribute('aria-pressed') === 'true'`)
	b.do("resume", chromedp.Click(chromedp.ID("hold")))
	if m := fake.expect(stepCtx(t), "hold"); m["on"] != false {
		t.Errorf("resume %v", m)
	}
	fake.send(map[string]any{"type": "held", "call": "c-1", "on": false})
	b.waitFor("resumed shown", `document.querySelector('#flag-held').hidden`)
	b.do("open the keypad with Alt+K", chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierAlt)), chromedp.WaitVisible(chromedp.ID("keypad-panel")))
	b.do("type digits", chromedp.KeyEvent("1"), chromedp.Click(chromedp.CSS(`#keypad-panel [data-digit="#"]`)))
	for _, want := range []string{"1", "#"} {
		if m := fake.expect(stepCtx(t), "dtmf"); m["digits"] != want || m["call"] != "c-1" {
			t.Errorf("dtmf %v, want digits %q", m, want)
		}
	}
	if got := b.text("#keypad-sent"); got != "1#" {
		t.Errorf("keypad shows %q sent", got)
	}
	b.do("transfer to a queue",
		chromedp.Click(chromedp.ID("transfer")),
		chromedp.WaitVisible(chromedp.ID("transfer-panel")),
		chromedp.SetValue(chromedp.ID("transfer-queue"), "policy"),
		chromedp.SendKeys(chromedp.ID("transfer-note"), "需政策解答"),
		chromedp.Click(chromedp.ID("transfer-submit")))
	if m := fake.expect(stepCtx(t), "transfer"); m["queue"] != "policy" || m["mode"] != "blind" || m["note"] != "需政策解答" || m["agent"] != nil {
		t.Errorf("transfer %v", m)
	}
	b.do("transfer panel closes", chromedp.WaitNotVisible(chromedp.ID("transfer-panel")))

	// Knowledge base.
	b.do("search the knowledge base",
		chromedp.SendKeys(chromedp.ID("kb-q"), "社保卡"),
		chromedp.Click(chromedp.ID("kb-search")),
		chromedp.WaitVisible(chromedp.CSS(`#kb-results button[data-article="kb-hrss-001"]`)),
		chromedp.Click(chromedp.CSS(`#kb-results button[data-article="kb-hrss-001"]`)),
		chromedp.WaitVisible(chromedp.ID("kb-article")))
	if got := b.text("#kb-article-title"); got != "社保卡补办流程" {
		t.Errorf("article title %q", got)
	}
	b.do("back to the results", chromedp.Click(chromedp.ID("kb-back")), chromedp.WaitVisible(chromedp.ID("kb-results")))

	// The work order, first without content.
	b.do("fill the form",
		chromedp.SetValue(chromedp.ID("wo-type"), "complaint"),
		chromedp.SendKeys(chromedp.ID("wo-category-filter"), "路灯"),
		chromedp.KeyEvent(kb.Enter),
		chromedp.SendKeys(chromedp.ID("wo-address"), "朝阳区建外街道建国门外大街1号"),
		chromedp.Click(chromedp.ID("wo-resolve")),
		chromedp.SendKeys(chromedp.ID("wo-name"), "王先生"))
	b.waitFor("area resolved", `document.querySelector('#wo-area').textContent.includes('建外街道')`)
	b.waitFor("unit suggested", `document.querySelector('#wo-suggest-unit')?.textContent === '建外街道'`)
	if got := b.value("#wo-category"); got != "0101" {
		t.Fatalf("category after filtering and Enter: %q", got)
	}
	b.do("submit without content", chromedp.Click(chromedp.ID("wo-submit")))
	b.do("content error shown", chromedp.WaitVisible(chromedp.ID("wo-content-error")))
	if got := b.text("#wo-content-error"); got != fakeContentProblem {
		t.Errorf("content error %q", got)
	}
	if got := eval[string](b, `document.querySelector('#wo-content').getAttribute('aria-invalid')`); got != "true" {
		t.Errorf("content aria-invalid %q", got)
	}
	for sel, want := range map[string]string{
		"#wo-type": "complaint", "#wo-category": "0101", "#wo-address": "朝阳区建外街道建国门外大街1号",
		"#wo-name": "王先生", "#wo-contact": fakeCaller,
	} {
		if got := b.value(sel); got != want {
			t.Errorf("after the refusal %s = %q, want %q (the form must keep what was typed)", sel, got, want)
		}
	}
	b.shot("desk-call-form-error")

	// Type the content, then reload mid-call: the draft survives.
	const content = "建国门外大街1号小区门口路灯三天不亮，晚上出行不便"
	b.do("type the content", chromedp.SendKeys(chromedp.ID("wo-content"), content))
	b.waitFor("field error cleared on input", `document.querySelector('#wo-content-error').hidden`)
	b.waitFor("draft saved", `sessionStorage.getItem('hotline.draft.c-1')?.includes('三天不亮')`)
	b.do("reload during the call", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("call-panel")))
	if m := fake.expect(stepCtx(t), "auth"); m["token"] != fakeToken {
		t.Errorf("re-auth after reload with %v", m["token"])
	}
	b.waitFor("draft restored", `document.querySelector('#wo-content').value.includes('三天不亮')`)
	for sel, want := range map[string]string{
		"#wo-content": content, "#wo-category": "0101", "#wo-address": "朝阳区建外街道建国门外大街1号", "#wo-name": "王先生", "#wo-type": "complaint",
	} {
		if got := b.value(sel); got != want {
			t.Errorf("after the reload %s = %q, want %q", sel, got, want)
		}
	}
	b.waitFor("resumed call shown", `window.hotlineDesk.call()?.id === 'c-1' && document.querySelector('#call-caller').textContent === '`+fakeCaller+`'`)

	// The WebSocket drops: the page reconnects (with backoff), re-authenticates
	// and the server resumes the call.
	fake.dropConn()
	b.waitFor("drop noticed", `document.querySelector('#ws-status').dataset.ok !== 'true'`)
	if m := fake.expect(stepCtx(t), "auth"); m["token"] != fakeToken {
		t.Errorf("re-auth after a drop with %v", m["token"])
	}
	b.waitFor("reconnected", `document.querySelector('#ws-status').dataset.ok === 'true' && window.hotlineDesk.call()?.id === 'c-1'`)
	if got := b.value("#wo-content"); got != content {
		t.Errorf("after the reconnect the content is %q", got)
	}
	b.do("resolve again for the picture", chromedp.Click(chromedp.ID("wo-resolve")))
	b.waitFor("unit suggested again", `document.querySelector('#wo-suggest-unit')?.textContent === '建外街道'`)
	b.shot("desk-call-form")

	// File it.
	b.do("submit", chromedp.Click(chromedp.ID("wo-submit")))
	tk := fake.expectTicket(stepCtx(t))
	for k, want := range map[string]any{
		"channel": "phone", "caller_number": fakeCaller, "contact_number": fakeCaller, "type": "complaint",
		"category": "0101", "content": content, "address": "朝阳区建外街道建国门外大街1号", "citizen_name": "王先生",
		"call_id": "c-1", "recording_id": "c-1.wav", "triage": "dispatch",
	} {
		if tk[k] != want {
			t.Errorf("filed %s = %v, want %v", k, tk[k], want)
		}
	}
	if key, _ := tk["_idempotency_key"].(string); key == "" {
		t.Errorf("no Idempotency-Key on the work order")
	}
	b.waitFor("ticket number shown", `document.querySelector('#wo-result .ticket-id')?.textContent === '`+fakeNewTicket+`'`)
	lk := fake.expect(stepCtx(t), "link")
	if lk["call"] != "c-1" || lk["ticket"] != fakeNewTicket || lk["disposition"] != "ticket" {
		t.Errorf("link %v", lk)
	}
	if n := fake.ticketPosts(); n != 2 {
		t.Errorf("%d POST /api/v1/tickets, want 2 (the refused one and the filed one)", n)
	}
	if got := eval[string](b, `window.hotlineDesk.lastTicket()`); got != fakeNewTicket {
		t.Errorf("lastTicket() = %q", got)
	}
	if got := b.value("#wo-content"); got != "" {
		t.Errorf("the form was not reset for the next matter: content %q", got)
	}
	if eval[bool](b, `sessionStorage.getItem('hotline.draft.c-1') !== null`) {
		t.Errorf("the filed draft is still stored")
	}

	// The caller hangs up: wrap-up with a countdown, then done.
	until := time.Now().Add(30 * time.Second).UTC().Format(time.RFC3339Nano)
	fake.setCall(nil)
	fake.send(map[string]any{"type": "call_ended", "call": "c-1", "by": "caller", "wrapup_until": until},
		map[string]any{"type": "state", "state": "wrap_up", "reason": "", "since": now(), "call": "c-1", "wrapup_until": until, "calls_today": 1})
	b.do("wrap-up shown", chromedp.WaitVisible(chromedp.ID("wrapup-panel")), chromedp.WaitNotVisible(chromedp.ID("call-panel")))
	cd := b.text("#wrapup-countdown")
	if !regexp.MustCompile(`^0:(2\d|30)$`).MatchString(cd) {
		t.Errorf("wrap-up countdown %q, want about 0:30", cd)
	}
	if got := b.text("#wrapup-ended"); got != "来电人已挂机" {
		t.Errorf("wrap-up says %q", got)
	}
	b.do("wrap-up done", chromedp.Click(chromedp.ID("wrapup-done")))
	fake.expect(stepCtx(t), "wrapup_done")
	b.waitFor("ready again", `document.querySelector('#state-label').dataset.state === 'ready'`)
	if got := b.text("#calls-today"); got != "1" {
		t.Errorf("calls today %q", got)
	}

	// English.
	b.do("switch to English", chromedp.Click(chromedp.ID("lang-toggle")))
	b.waitFor("English labels", `document.querySelector('#wo-submit span').textContent === 'File work order'`)
	if got := b.text("#state-label"); got != "Ready" {
		t.Errorf("state label in English %q", got)
	}
	if got := eval[string](b, `document.documentElement.lang`); got != "en" {
		t.Errorf("html lang %q", got)
	}
	b.shot("desk-english")
	b.do("back to Chinese", chromedp.Click(chromedp.ID("lang-toggle")))
	b.waitFor("Chinese labels", `document.querySelector('#wo-submit span').textContent === '提交工单'`)
	b.checkErrors()

	// The wallboard: the agent's session is refused, a supervisor's works.
	b.do("open the wallboard", chromedp.Navigate(srv.URL+"/wallboard/"), chromedp.WaitVisible(chromedp.ID("login-error")))
	if got := b.text("#login-error"); !strings.Contains(got, "班长") {
		t.Errorf("an agent's session on the wallboard: %q", got)
	}
	b.do("supervisor signs in",
		chromedp.WaitEnabled(chromedp.ID("login-submit")),
		chromedp.SendKeys(chromedp.ID("login-username"), "boss"),
		chromedp.SendKeys(chromedp.ID("login-password"), "secret"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("board-view")))
	if m := fake.expect(stepCtx(t), "wallboard"); m["on"] != true {
		t.Errorf("wallboard %v", m)
	}
	wbOffer := fake.expect(stepCtx(t), "rtc_offer")
	if sdp, _ := wbOffer["sdp"].(string); !strings.Contains(sdp, "a=recvonly") {
		t.Errorf("the wallboard's offer is not receive-only:\n%s", sdp)
	}
	b.waitFor("queues shown", `document.querySelectorAll('#queues .queue').length === 4`)
	for q, level := range map[string]string{"complaints": "ok", "policy": "warn", "utilities": "bad", "english": "ok"} {
		if got := eval[string](b, `document.querySelector('.queue[data-queue="`+q+`"]').dataset.level`); got != level {
			t.Errorf("queue %s level %q, want %q", q, got, level)
		}
	}
	if got := b.text(`.queue[data-queue="utilities"]`); !strings.Contains(got, "超2分钟") {
		t.Errorf("a red wait must also say so in words: %q", got)
	}
	if got := b.text("#kpi-sl .kpi-value"); got != "91.0%" {
		t.Errorf("service level %q", got)
	}
	if got := b.text("#kpi-aht .kpi-value"); got != "3:32" {
		t.Errorf("AHT %q", got)
	}
	if n := eval[int](b, `document.querySelectorAll('#agents-body tr').length`); n != 7 {
		t.Errorf("%d agent rows, want 7", n)
	}
	b.do("listen to an agent", chromedp.Click(chromedp.ID("listen-u17")))
	if m := fake.expect(stepCtx(t), "listen"); m["call"] != "c-88213" || m["on"] != true {
		t.Errorf("listen %v", m)
	}
	b.do("listening shown", chromedp.WaitVisible(chromedp.ID("listen-bar")))
	b.shot("wallboard")
	b.do("stop listening", chromedp.Click(chromedp.ID("listen-stop")))
	if m := fake.expect(stepCtx(t), "listen"); m["on"] != false {
		t.Errorf("stop listening %v", m)
	}
	b.checkErrors()
}
