package web

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/cityhotline/hotline/internal/chromium"
)

// shotsDir is where the screenshots go for people to look at:
// $WEB_SHOTS_DIR, else $HOTLINE_SHOTS, else web-shots in the temporary
// directory.
func shotsDir() string {
	for _, env := range []string{"WEB_SHOTS_DIR", "HOTLINE_SHOTS"} {
		if d := os.Getenv(env); d != "" {
			return d
		}
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

// wait bounds every poll of the page.
const wait = 10 * time.Second

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
	b := chromium.Open(t, chromium.Options{Life: 55 * time.Second, Mute: true, Shots: shotsDir(), Strict: true})

	// Sign in.
	b.Do("open the landing page", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("link-desk")))
	b.Shot("landing")
	b.Do("open the desk", chromedp.Click(chromedp.ID("link-desk")), chromedp.WaitVisible(chromedp.ID("login-username")))
	if loc := chromium.Eval[string](b, `location.pathname`, wait); loc != "/desk/" {
		t.Errorf("the landing page's desk link leads to %s", loc)
	}
	b.Shot("desk-sign-in")
	b.LogIn("li.na", "secret", "desk-view")
	auth := fake.expect(stepCtx(t), "auth")
	if auth["token"] != fakeToken {
		t.Fatalf("auth carried token %v", auth["token"])
	}
	offer := fake.expect(stepCtx(t), "rtc_offer")
	if sdp, _ := offer["sdp"].(string); !strings.Contains(sdp, "m=audio") || !strings.Contains(sdp, "a=sendrecv") {
		t.Errorf("rtc_offer without a sendrecv audio section:\n%s", sdp)
	}
	b.Wait("audio connected", `window.hotlineDesk.rtcConnected() && !document.querySelector('#state-ready').disabled`, wait)
	b.Wait("signalling shown", `document.querySelector('#ws-status').dataset.ok === 'true'`, wait)
	if got := b.Text("#state-label"); !strings.Contains(got, "未就绪") {
		t.Errorf("state label after login: %q", got)
	}
	b.Wait("categories loaded", `document.querySelectorAll('#wo-category option[value="0101"]').length === 1`, wait)
	b.Shot("desk-idle")

	// Ready.
	b.Do("go ready", chromedp.Click(chromedp.ID("state-ready")))
	if m := fake.expect(stepCtx(t), "set_state"); m["state"] != "ready" {
		t.Fatalf("set_state %v", m)
	}
	b.Wait("ready shown", `document.querySelector('#state-label').dataset.state === 'ready' && window.hotlineDesk.state() === 'ready'`, wait)
	if got := b.Text("#state-label"); got != "就绪" {
		t.Errorf("state label when ready: %q", got)
	}

	// An offer rings.
	fake.send(map[string]any{"type": "offer", "call": "c-1", "caller": fakeCaller, "queue": "complaints", "queue_title": "诉求反映",
		"attrs": map[string]any{"menu": "1", "lang": "zh"}, "waited_ms": 4200, "ring_timeout_ms": 15000, "note": "", "transferred_by": ""},
		map[string]any{"type": "state", "state": "offered", "reason": "", "since": now(), "call": "c-1", "calls_today": 0})
	b.Do("offer shown", chromedp.WaitVisible(chromedp.ID("offer-panel")))
	if got := b.Text("#offer-caller"); got != fakeCaller {
		t.Errorf("offer caller %q", got)
	}
	if got := b.Text("#offer-queue"); got != "诉求反映" {
		t.Errorf("offer queue %q", got)
	}
	if got := b.Text("#offer-ivr"); !strings.Contains(got, "1") || !strings.Contains(got, "中文") {
		t.Errorf("offer IVR choices %q", got)
	}
	b.Wait("screen-pop on offer", `document.querySelector('#history-list li[data-ticket="`+fakeOldTicket+`"]')`, wait)
	b.Shot("desk-offer")

	// Answer with the keyboard.
	b.Do("answer with F2", chromedp.KeyEvent(kb.F2))
	if m := fake.expect(stepCtx(t), "answer"); m["call"] != "c-1" {
		t.Fatalf("answer %v", m)
	}
	connected := map[string]any{"type": "connected", "call": "c-1", "caller": fakeCaller, "queue": "complaints",
		"attrs": map[string]any{"menu": "1", "lang": "zh"}, "recording": "c-1.wav", "since": now()}
	fake.setCall(connected)
	fake.send(map[string]any{"type": "state", "state": "on_call", "reason": "", "since": now(), "call": "c-1", "calls_today": 0}, connected)
	b.Do("call shown", chromedp.WaitVisible(chromedp.ID("call-panel")), chromedp.WaitNotVisible(chromedp.ID("offer-panel")))
	b.Wait("screen-pop lists the earlier order", `document.querySelector('#history-list li[data-ticket="`+fakeOldTicket+`"]') && document.querySelector('#history-status').textContent.includes('1')`, wait)
	if got := b.Text(`#history-list li[data-ticket="` + fakeOldTicket + `"] summary`); !strings.Contains(got, "路灯") || !strings.Contains(got, "办理中") {
		t.Errorf("history entry %q lacks category or state", got)
	}
	if got := b.Value("#wo-contact"); got != fakeCaller {
		t.Errorf("contact number prefilled with %q, want the caller", got)
	}
	if c := chromium.Eval[map[string]any](b, `window.hotlineDesk.call()`, wait); c["id"] != "c-1" || c["phase"] != "connected" {
		t.Errorf("hotlineDesk.call() = %v", c)
	}

	// Mute, then unmute: the server is told, the button says so.
	b.Do("mute", chromedp.Click(chromedp.ID("mute")))
	if m := fake.expect(stepCtx(t), "mute"); m["on"] != true || m["call"] != "c-1" {
		t.Errorf("mute %v", m)
	}
	b.Wait("muted shown", `document.querySelector('#mute').getAttribute('aria-pressed') === 'true' && !document.querySelector('#flag-muted').hidden`, wait)
	b.Do("unmute with F8", chromedp.KeyEvent(kb.F8))
	if m := fake.expect(stepCtx(t), "mute"); m["on"] != false {
		t.Errorf("unmute %v", m)
	}

	// Hold (the server confirms with held), the keypad, a transfer.
	b.Do("hold with F9", chromedp.KeyEvent(kb.F9))
	if m := fake.expect(stepCtx(t), "hold"); m["on"] != true || m["call"] != "c-1" {
		t.Errorf("hold %v", m)
	}
	fake.send(map[string]any{"type": "held", "call": "c-1", "on": true})
	b.Wait("held shown", `!document.querySelector('#flag-held').hidden && document.querySelector('#hold').getAttribute('aria-pressed') === 'true'`, wait)
	b.Do("resume", chromedp.Click(chromedp.ID("hold")))
	if m := fake.expect(stepCtx(t), "hold"); m["on"] != false {
		t.Errorf("resume %v", m)
	}
	fake.send(map[string]any{"type": "held", "call": "c-1", "on": false})
	b.Wait("resumed shown", `document.querySelector('#flag-held').hidden`, wait)
	fake.send(map[string]any{"type": "whisper", "call": "c-1", "by": "赵班长", "by_id": "u2", "on": true})
	b.Wait("whisper shown", `!document.querySelector('#flag-whisper').hidden && document.querySelector('#flag-whisper').textContent.includes('赵班长')`, wait)
	fake.send(map[string]any{"type": "whisper", "call": "c-1", "by": "赵班长", "by_id": "u2", "on": false, "reason": "stopped"})
	b.Wait("whisper over", `document.querySelector('#flag-whisper').hidden`, wait)
	b.Do("open the keypad with Alt+K", chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierAlt)), chromedp.WaitVisible(chromedp.ID("keypad-panel")))
	b.Do("type digits", chromedp.KeyEvent("1"), chromedp.Click(chromedp.CSS(`#keypad-panel [data-digit="#"]`)))
	for _, want := range []string{"1", "#"} {
		if m := fake.expect(stepCtx(t), "dtmf"); m["digits"] != want || m["call"] != "c-1" {
			t.Errorf("dtmf %v, want digits %q", m, want)
		}
	}
	if got := b.Text("#keypad-sent"); got != "1#" {
		t.Errorf("keypad shows %q sent", got)
	}
	b.Do("transfer to a queue",
		chromedp.Click(chromedp.ID("transfer")),
		chromedp.WaitVisible(chromedp.ID("transfer-panel")),
		chromedp.SetValue(chromedp.ID("transfer-queue"), "policy"),
		chromedp.SendKeys(chromedp.ID("transfer-note"), "需政策解答"),
		chromedp.Click(chromedp.ID("transfer-submit")))
	if m := fake.expect(stepCtx(t), "transfer"); m["queue"] != "policy" || m["mode"] != "blind" || m["note"] != "需政策解答" || m["agent"] != nil {
		t.Errorf("transfer %v", m)
	}
	b.Do("transfer panel closes", chromedp.WaitNotVisible(chromedp.ID("transfer-panel")))

	// Knowledge base.
	b.Do("search the knowledge base",
		chromedp.SendKeys(chromedp.ID("kb-q"), "社保卡"),
		chromedp.Click(chromedp.ID("kb-search")),
		chromedp.WaitVisible(chromedp.CSS(`#kb-results button[data-article="kb-hrss-001"]`)),
		chromedp.Click(chromedp.CSS(`#kb-results button[data-article="kb-hrss-001"]`)),
		chromedp.WaitVisible(chromedp.ID("kb-article")))
	if got := b.Text("#kb-article-title"); got != "社保卡补办流程" {
		t.Errorf("article title %q", got)
	}
	b.Do("back to the results", chromedp.Click(chromedp.ID("kb-back")), chromedp.WaitVisible(chromedp.ID("kb-results")))

	// The work order, first without content.
	b.Do("fill the form",
		chromedp.SetValue(chromedp.ID("wo-type"), "complaint"),
		chromedp.SendKeys(chromedp.ID("wo-category-filter"), "路灯"),
		chromedp.KeyEvent(kb.Enter),
		chromedp.SendKeys(chromedp.ID("wo-address"), "朝阳区建外街道建国门外大街1号"),
		chromedp.Click(chromedp.ID("wo-resolve")),
		chromedp.SendKeys(chromedp.ID("wo-name"), "王先生"))
	b.Wait("area resolved", `document.querySelector('#wo-area').textContent.includes('建外街道')`, wait)
	b.Wait("unit suggested", `document.querySelector('#wo-suggest-unit')?.textContent === '建外街道'`, wait)
	if got := b.Value("#wo-category"); got != "0101" {
		t.Fatalf("category after filtering and Enter: %q", got)
	}
	b.Do("submit without content", chromedp.Click(chromedp.ID("wo-submit")))
	b.Do("content error shown", chromedp.WaitVisible(chromedp.ID("wo-content-error")))
	if got := b.Text("#wo-content-error"); got != fakeContentProblem {
		t.Errorf("content error %q", got)
	}
	if got := chromium.Eval[string](b, `document.querySelector('#wo-content').getAttribute('aria-invalid')`, wait); got != "true" {
		t.Errorf("content aria-invalid %q", got)
	}
	for sel, want := range map[string]string{
		"#wo-type": "complaint", "#wo-category": "0101", "#wo-address": "朝阳区建外街道建国门外大街1号",
		"#wo-name": "王先生", "#wo-contact": fakeCaller,
	} {
		if got := b.Value(sel); got != want {
			t.Errorf("after the refusal %s = %q, want %q (the form must keep what was typed)", sel, got, want)
		}
	}
	b.Shot("desk-call-form-error")

	// Type the content, then reload mid-call: the draft survives.
	const content = "建国门外大街1号小区门口路灯三天不亮，晚上出行不便"
	b.Do("type the content", chromedp.SendKeys(chromedp.ID("wo-content"), content))
	b.Wait("field error cleared on input", `document.querySelector('#wo-content-error').hidden`, wait)
	// The classifier's suggestions appear under the category; a click picks one.
	b.Wait("category suggestions", `!document.querySelector('#wo-classify').hidden &&
		[...document.querySelectorAll('#wo-classify button')].map((b) => b.dataset.category).join() === '0101,0102'`, wait)
	b.Click(`#wo-classify button[data-category="0102"]`)
	if got := b.Value("#wo-category"); got != "0102" {
		t.Errorf("picked suggestion 0102, category is %q", got)
	}
	b.Click(`#wo-classify button[data-category="0101"]`)
	if got := b.Value("#wo-category"); got != "0101" {
		t.Errorf("picked suggestion 0101, category is %q", got)
	}
	b.Wait("draft saved", `sessionStorage.getItem('hotline.draft.c-1')?.includes('三天不亮')`, wait)
	b.Do("reload during the call", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("call-panel")))
	if m := fake.expect(stepCtx(t), "auth"); m["token"] != fakeToken {
		t.Errorf("re-auth after reload with %v", m["token"])
	}
	b.Wait("draft restored", `document.querySelector('#wo-content').value.includes('三天不亮')`, wait)
	for sel, want := range map[string]string{
		"#wo-content": content, "#wo-category": "0101", "#wo-address": "朝阳区建外街道建国门外大街1号", "#wo-name": "王先生", "#wo-type": "complaint",
	} {
		if got := b.Value(sel); got != want {
			t.Errorf("after the reload %s = %q, want %q", sel, got, want)
		}
	}
	b.Wait("resumed call shown", `window.hotlineDesk.call()?.id === 'c-1' && document.querySelector('#call-caller').textContent === '`+fakeCaller+`'`, wait)

	// The WebSocket drops: the page reconnects (with backoff), re-authenticates
	// and the server resumes the call.
	fake.dropConn()
	b.Wait("drop noticed", `document.querySelector('#ws-status').dataset.ok !== 'true'`, wait)
	if m := fake.expect(stepCtx(t), "auth"); m["token"] != fakeToken {
		t.Errorf("re-auth after a drop with %v", m["token"])
	}
	b.Wait("reconnected", `document.querySelector('#ws-status').dataset.ok === 'true' && window.hotlineDesk.call()?.id === 'c-1'`, wait)
	if got := b.Value("#wo-content"); got != content {
		t.Errorf("after the reconnect the content is %q", got)
	}
	b.Do("resolve again for the picture", chromedp.Click(chromedp.ID("wo-resolve")))
	b.Wait("unit suggested again", `document.querySelector('#wo-suggest-unit')?.textContent === '建外街道'`, wait)
	b.Shot("desk-call-form")

	// File it.
	b.Do("submit", chromedp.Click(chromedp.ID("wo-submit")))
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
	b.Wait("ticket number shown", `document.querySelector('#wo-result .ticket-id')?.textContent === '`+fakeNewTicket+`'`, wait)
	lk := fake.expect(stepCtx(t), "link")
	if lk["call"] != "c-1" || lk["ticket"] != fakeNewTicket || lk["disposition"] != "ticket" {
		t.Errorf("link %v", lk)
	}
	if n := fake.ticketPosts(); n != 2 {
		t.Errorf("%d POST /api/v1/tickets, want 2 (the refused one and the filed one)", n)
	}
	if got := chromium.Eval[string](b, `window.hotlineDesk.lastTicket()`, wait); got != fakeNewTicket {
		t.Errorf("lastTicket() = %q", got)
	}
	if got := b.Value("#wo-content"); got != "" {
		t.Errorf("the form was not reset for the next matter: content %q", got)
	}
	if chromium.Eval[bool](b, `sessionStorage.getItem('hotline.draft.c-1') !== null`, wait) {
		t.Errorf("the filed draft is still stored")
	}

	// The caller hangs up: wrap-up with a countdown, then done.
	until := time.Now().Add(30 * time.Second).UTC().Format(time.RFC3339Nano)
	fake.setCall(nil)
	fake.send(map[string]any{"type": "call_ended", "call": "c-1", "by": "caller", "wrapup_until": until},
		map[string]any{"type": "state", "state": "wrap_up", "reason": "", "since": now(), "call": "c-1", "wrapup_until": until, "calls_today": 1})
	b.Do("wrap-up shown", chromedp.WaitVisible(chromedp.ID("wrapup-panel")), chromedp.WaitNotVisible(chromedp.ID("call-panel")))
	cd := b.Text("#wrapup-countdown")
	if !regexp.MustCompile(`^0:(2\d|30)$`).MatchString(cd) {
		t.Errorf("wrap-up countdown %q, want about 0:30", cd)
	}
	if got := b.Text("#wrapup-ended"); got != "来电人已挂机" {
		t.Errorf("wrap-up says %q", got)
	}
	b.Do("wrap-up done", chromedp.Click(chromedp.ID("wrapup-done")))
	fake.expect(stepCtx(t), "wrapup_done")
	b.Wait("ready again", `document.querySelector('#state-label').dataset.state === 'ready'`, wait)
	if got := b.Text("#calls-today"); got != "1" {
		t.Errorf("calls today %q", got)
	}

	// English.
	b.Do("switch to English", chromedp.Click(chromedp.ID("lang-toggle")))
	b.Wait("English labels", `document.querySelector('#wo-submit span').textContent === 'File work order'`, wait)
	if got := b.Text("#state-label"); got != "Ready" {
		t.Errorf("state label in English %q", got)
	}
	if got := chromium.Eval[string](b, `document.documentElement.lang`, wait); got != "en" {
		t.Errorf("html lang %q", got)
	}
	b.Shot("desk-english")
	b.Do("back to Chinese", chromedp.Click(chromedp.ID("lang-toggle")))
	b.Wait("Chinese labels", `document.querySelector('#wo-submit span').textContent === '提交工单'`, wait)
	b.CheckErrors()

	// The wallboard: the agent's session is refused, a supervisor's works.
	b.Do("open the wallboard", chromedp.Navigate(srv.URL+"/wallboard/"), chromedp.WaitVisible(chromedp.ID("login-error")))
	if got := b.Text("#login-error"); !strings.Contains(got, "班长") {
		t.Errorf("an agent's session on the wallboard: %q", got)
	}
	b.Shot("wallboard-sign-in")
	b.LogIn("boss", "secret", "board-view")
	if m := fake.expect(stepCtx(t), "wallboard"); m["on"] != true {
		t.Errorf("wallboard %v", m)
	}
	wbOffer := fake.expect(stepCtx(t), "rtc_offer")
	// sendrecv for a later whisper, but no microphone on the wire until then.
	if sdp, _ := wbOffer["sdp"].(string); !strings.Contains(sdp, "a=sendrecv") {
		t.Errorf("the wallboard's offer cannot carry a whisper:\n%s", sdp)
	}
	if chromium.Eval[bool](b, `window.hotlineWallboard.micOnWire()`, wait) {
		t.Error("the wallboard's microphone is on the wire before any whisper")
	}
	b.Wait("queues shown", `document.querySelectorAll('#queues .queue').length === 4`, wait)
	for q, level := range map[string]string{"complaints": "ok", "policy": "warn", "utilities": "bad", "english": "ok"} {
		if got := chromium.Eval[string](b, `document.querySelector('.queue[data-queue="`+q+`"]').dataset.level`, wait); got != level {
			t.Errorf("queue %s level %q, want %q", q, got, level)
		}
	}
	if got := b.Text(`.queue[data-queue="utilities"]`); !strings.Contains(got, "超2分钟") {
		t.Errorf("a red wait must also say so in words: %q", got)
	}
	if got := b.Text("#kpi-sl .kpi-value"); got != "91.0%" {
		t.Errorf("service level %q", got)
	}
	if got := b.Text("#kpi-aht .kpi-value"); got != "3:32" {
		t.Errorf("AHT %q", got)
	}
	if n := chromium.Eval[int](b, `document.querySelectorAll('#agents-body tr').length`, wait); n != 7 {
		t.Errorf("%d agent rows, want 7", n)
	}
	b.Do("listen to an agent", chromedp.Click(chromedp.ID("listen-u17")))
	if m := fake.expect(stepCtx(t), "listen"); m["call"] != "c-88213" || m["on"] != true {
		t.Errorf("listen %v", m)
	}
	b.Do("listening shown", chromedp.WaitVisible(chromedp.ID("listen-bar")))
	b.Shot("wallboard")
	b.Do("whisper", chromedp.Click(chromedp.ID("listen-whisper")))
	if m := fake.expect(stepCtx(t), "listen"); m["call"] != "c-88213" || m["on"] != true || m["mode"] != "whisper" {
		t.Errorf("whisper %v", m)
	}
	fake.send(map[string]any{"type": "whisper", "call": "c-88213", "by": "赵班长", "by_id": "u2", "on": true})
	b.Wait("whispering shown", `document.querySelector('#listen-whisper').getAttribute('aria-pressed') === 'true' && window.hotlineWallboard.micOnWire()`, wait)
	b.Shot("wallboard-whisper")
	b.Do("back to listening", chromedp.Focus(chromedp.ID("listen-whisper")), chromedp.KeyEvent(" "))
	if m := fake.expect(stepCtx(t), "listen"); m["on"] != true || m["mode"] != "listen" {
		t.Errorf("back to listening %v", m)
	}
	b.Wait("microphone off the wire", `document.querySelector('#listen-whisper').getAttribute('aria-pressed') === 'false' && !window.hotlineWallboard.micOnWire()`, wait)
	b.Do("stop listening", chromedp.Click(chromedp.ID("listen-stop")))
	if m := fake.expect(stepCtx(t), "listen"); m["on"] != false {
		t.Errorf("stop listening %v", m)
	}
	b.CheckErrors()
}
