package test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cityhotline/hotline/media"
)

// The dispatch console and the unit portal in a real headless Chromium,
// served by the real server binary with the demo accounts: an agent files
// an order that needs a dispatcher; the dispatcher (one tab) sees it arrive,
// checks the catalogue's suggestion, the area and the possible duplicates,
// and dispatches it with the D key; the street's handler (another tab, open
// all along) sees it arrive without reloading, opens it — the citizen's
// number shown and the read recorded — accepts, records the contact and
// replies; a bad reply and a bad extension are refused next to their fields
// and change nothing. Another street's handler opening the order's URL gets
// the "not yours" page and no number anywhere. A second order, dispatched in
// bulk, is returned by the unit (an empty reason refused first), appears
// again in the dispatcher's queue and is re-dispatched to another street.

const (
	portalContact  = "13911112222"
	portalAddressA = "北京市朝阳区建外街道建国门外大街1号"
	portalAddressB = "北京市朝阳区建外街道建华南路8号"
	portalLeaf     = "sanitation.streetlight"
	portalJianwai  = "110105-001" // 建外街道: jianwai1's unit
	portalChaowai  = "110105-002" // 朝外街道
)

// newTab opens another tab of p's browser (its own sessionStorage, so its
// own signed-in user) at 1366×768.
func (p *deskPage) newTab(t *testing.T) *deskPage {
	t.Helper()
	q := &deskPage{t: t, shots: p.shots}
	t.Cleanup(func() { // registered first, runs last: no t.Logf after the test
		q.mu.Lock()
		q.over = true
		q.mu.Unlock()
	})
	ctx, cancel := chromedp.NewContext(p.ctx, chromedp.WithListener(q.listen))
	t.Cleanup(cancel)
	q.ctx = ctx
	// The first run opens the tab, whose life is that run's context: it must
	// be ctx itself (bounded by the browser's), not a shorter step context.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return q
}

// signIn opens a page and signs in through its form.
func (p *deskPage) signIn(url, user, view string) {
	p.t.Helper()
	p.do("open "+url, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("login-username")))
	p.do("sign in as "+user,
		chromedp.WaitEnabled(chromedp.ID("login-submit")), // the page's script runs
		chromedp.SendKeys(chromedp.ID("login-username"), user),
		chromedp.SendKeys(chromedp.ID("login-password"), "demo12345"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID(view)))
	p.wait(user+" live", `document.querySelector('#ws-status').dataset.ok === 'true'`, 5*time.Second)
}

// fill replaces a text field's value as typing would.
func (p *deskPage) fill(sel, value string) {
	p.t.Helper()
	pageEval[bool](p, fmt.Sprintf(`(() => { const n = document.querySelector(%q); n.value = ''; return true; })()`, sel), 5*time.Second)
	p.do("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
}

func (p *deskPage) click(sel string) {
	p.t.Helper()
	p.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

func (p *deskPage) visible(sel string) bool {
	p.t.Helper()
	return pageEval[bool](p, fmt.Sprintf(`(() => { const n = document.querySelector(%q); return !!n && !n.closest('[hidden]') && n.getClientRects().length > 0; })()`, sel), 5*time.Second)
}

type portalTicket struct {
	ID               string `json:"id"`
	State            string `json:"state"`
	Unit             string `json:"unit"`
	SuggestedUnit    string `json:"suggested_unit"`
	Version          int    `json:"version"`
	PendingExtension *struct {
		Days int `json:"days"`
	} `json:"pending_extension"`
	History []struct {
		Action string `json:"action"`
	} `json:"history"`
}

func TestPortalBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the server binary and Chromium; skipped with -short")
	}
	exe := needChromium(t)
	began := time.Now()
	mark := func(what string) { t.Logf("%6.2fs %s", time.Since(began).Seconds(), what) }

	srv := startServerWith(t, t.TempDir(), "", "", "HOTLINE_DEMO=1")
	admin := login(t, srv)
	agent := admin.as(t, "agent1", "demo12345")
	mark("server up")

	silence := filepath.Join(t.TempDir(), "silence.wav")
	if err := media.WriteWAVFile(silence, 8000, 1, make([]int16, 8000)); err != nil {
		t.Fatal(err)
	}
	disp := openBrowser(t, exe, silence, 55*time.Second)
	disp.do("viewport", chromedp.EmulateViewport(1366, 768))
	unit := disp.newTab(t)
	disp.signIn(srv.base+"/dispatch/", "dispatcher1", "dispatch-view")
	unit.signIn(srv.base+"/unit/", "jianwai1", "unit-view")
	unit.wait("unit queue loaded", `document.querySelector('#queue-status').textContent !== '' && document.querySelector('#unit-name').textContent === '建外街道'`, 5*time.Second)
	pageEval[bool](unit, `(window.portalTestMarker = true)`, time.Second) // gone if the page reloads
	mark("dispatcher and unit signed in")

	// An order that the catalogue cannot dispatch on its own.
	file := func(address, content string) portalTicket {
		var tk portalTicket
		agent.must(t, "POST", "/api/v1/tickets", map[string]any{"type": "complaint", "category": portalLeaf,
			"address": address, "content": content, "contact_number": portalContact, "citizen_name": "赵女士"}, &tk, 201)
		if tk.State != "pending_dispatch" || tk.SuggestedUnit != portalJianwai {
			t.Fatalf("filed %+v: want pending_dispatch suggesting %s", tk, portalJianwai)
		}
		return tk
	}
	a := file(portalAddressA, "建国门外大街1号门口路灯不亮，夜间行人看不清路")
	mark("order " + a.ID + " filed")

	// The dispatcher sees it arrive, with the suggestion, the area and the duplicates.
	rowA := fmt.Sprintf(`#queue-list li[data-ticket="%s"]`, a.ID)
	disp.wait("order in the dispatch queue", fmt.Sprintf(`!!document.querySelector('%s')`, rowA), 5*time.Second)
	disp.click(rowA)
	disp.wait("order shown", fmt.Sprintf(`document.querySelector('#detail-id').textContent === '%s' &&
		document.querySelector('#dispatch-suggest-unit')?.dataset.unit === '%s' &&
		document.querySelector('#area-tree li[aria-current="true"]')?.dataset.unit === '%s' &&
		document.querySelectorAll('#similar-list > li').length > 0`, a.ID, portalJianwai, portalJianwai), 5*time.Second)
	if got := disp.text("#dispatch-suggest-unit"); got != "建外街道" {
		t.Errorf("suggested unit shown as %q", got)
	}
	if got := disp.value("#dispatch-unit"); got != portalJianwai {
		t.Errorf("unit preselected %q, want the suggestion", got)
	}
	if got := disp.text("#similar-status"); !strings.Contains(got, "可能重复") {
		t.Errorf("similar orders status %q", got)
	}
	disp.shot("portal-1-dispatch-order")

	// K and J move through the queue; D dispatches as suggested and moves on.
	prev := pageEval[string](disp, `(() => { const q = window.hotlineDispatch.queue(); return q[q.indexOf(window.hotlineDispatch.selected()) - 1] ?? ''; })()`, time.Second)
	disp.do("press K", chromedp.Focus(chromedp.CSS("#queue-list")), chromedp.KeyEvent("k"))
	disp.wait("K moved up", fmt.Sprintf(`window.hotlineDispatch.selected() === '%s' && document.querySelector('#detail-id').textContent === '%s'`, prev, prev), 5*time.Second)
	disp.do("press J", chromedp.KeyEvent("j"))
	disp.wait("J moved down", fmt.Sprintf(`window.hotlineDispatch.selected() === '%[1]s' && document.querySelector('#detail-id').textContent === '%[1]s' && !!document.querySelector('#dispatch-suggest-unit')`, a.ID), 5*time.Second)
	disp.do("press D", chromedp.KeyEvent("d"))
	disp.wait("order left the queue", fmt.Sprintf(`!document.querySelector('%s') && window.hotlineDispatch.selected() !== '%s'`, rowA, a.ID), 5*time.Second)
	mark("dispatched with D")

	// The unit sees it arrive without reloading.
	unit.wait("arrival shown", fmt.Sprintf(`!document.querySelector('#arrival').hidden &&
		document.querySelector('#arrival-text').textContent.includes('%[1]s') &&
		document.querySelector('#queue-list li[data-ticket="%[1]s"]')?.dataset.new === 'true'`, a.ID), 5*time.Second)
	if !pageEval[bool](unit, `window.portalTestMarker === true`, time.Second) {
		t.Error("the unit page reloaded")
	}
	mark("unit saw it arrive")
	unit.shot("portal-2-unit-arrival")

	// Open it: the number is shown, and the read is recorded.
	unit.click("#arrival-open")
	unit.wait("order open", fmt.Sprintf(`!document.querySelector('#order').hidden && document.querySelector('#order-id').textContent === '%s' &&
		document.querySelector('#order-state')?.dataset.tstate === 'dispatched'`, a.ID), 5*time.Second)
	if got := unit.text("#order-contact"); got != portalContact {
		t.Errorf("contact shown %q, want %s", got, portalContact)
	}
	if got := unit.text("#order-contact-note"); !strings.Contains(got, "留痕") {
		t.Errorf("contact note %q does not say the read is recorded", got)
	}
	var acc struct {
		Accesses []struct {
			Actor struct {
				Unit string `json:"unit"`
			} `json:"actor"`
		} `json:"accesses"`
	}
	admin.must(t, "GET", "/api/v1/tickets/"+a.ID+"/accesses", nil, &acc, 200)
	if len(acc.Accesses) == 0 || acc.Accesses[0].Actor.Unit != portalJianwai {
		t.Errorf("contact reads %+v: want one by %s", acc.Accesses, portalJianwai)
	}

	// Accept.
	unit.click("#act-accept")
	unit.wait("accepted", `document.querySelector('#order-state')?.dataset.tstate === 'in_progress' && !document.querySelector('#tab-reply').hidden`, 5*time.Second)
	mark("accepted")

	// Bad input is refused next to the field, and nothing is saved.
	var before portalTicket
	admin.must(t, "GET", "/api/v1/tickets/"+a.ID, nil, &before, 200)
	unit.click("#tab-reply")
	unit.fill("#reply-content", "已联系路灯所，今晚修复")
	unit.click("#reply-submit")
	unit.wait("outcome refused", `!document.querySelector('#reply-outcome-error').hidden && document.querySelector('#reply-outcome').getAttribute('aria-invalid') === 'true' && !document.querySelector('#reply-error').hidden`, 5*time.Second)
	if got := unit.text("#reply-outcome-error"); got == "" {
		t.Error("no message next to the outcome")
	}
	unit.click("#tab-extend")
	unit.fill("#extend-days", "99")
	unit.fill("#extend-reason", "需协调供电公司")
	unit.click("#extend-submit")
	unit.wait("days refused", `!document.querySelector('#extend-days-error').hidden && document.querySelector('#extend-days').getAttribute('aria-invalid') === 'true'`, 5*time.Second)
	unit.shot("portal-3-unit-bad-input")
	var after portalTicket
	admin.must(t, "GET", "/api/v1/tickets/"+a.ID, nil, &after, 200)
	if after.Version != before.Version || after.State != "in_progress" || after.PendingExtension != nil || len(after.History) != len(before.History) {
		t.Errorf("refused forms changed the order: before %+v, after %+v", before, after)
	}
	mark("bad input refused, nothing saved")

	// Record the contact, then reply.
	unit.click("#tab-contact")
	unit.fill("#contact-content", "已电话联系赵女士，约定今晚查看")
	unit.click("#contact-submit")
	unit.wait("contact recorded", `document.querySelector('#tab-contact').hidden && !!document.querySelector('#order-history li[data-action="contact"]')`, 5*time.Second)
	unit.click("#tab-reply")
	unit.click("#reply-outcome-resolved")
	unit.fill("#reply-content", "已更换灯泡，当晚恢复照明")
	unit.click("#reply-submit")
	unit.wait("replied", `document.querySelector('#order-state')?.dataset.tstate === 'replied' && document.querySelector('#action-tabs').querySelectorAll('.tab:not([hidden])').length === 1`, 5*time.Second)
	unit.shot("portal-4-unit-replied")
	mark("contacted and replied")
	var replied portalTicket
	admin.must(t, "GET", "/api/v1/tickets/"+a.ID, nil, &replied, 200)
	if replied.State != "replied" {
		t.Errorf("after the reply: %+v", replied)
	}

	// Another street opens the same URL: "not yours", and no number anywhere.
	other := disp.newTab(t)
	other.signIn(srv.base+"/unit/", "zhongguancun1", "unit-view")
	other.do("open the order's URL", chromedp.Navigate(srv.base+"/unit/#/t/"+a.ID))
	other.wait("not yours", `!document.querySelector('#not-yours').hidden && document.querySelector('#order').hidden`, 5*time.Second)
	if got := other.text("#not-yours-text"); !strings.Contains(got, a.ID) || !strings.Contains(got, "不属于本单位") {
		t.Errorf("not-yours text %q", got)
	}
	html := pageEval[string](other, `document.documentElement.outerHTML`, 5*time.Second)
	for _, leak := range []string{portalContact, portalContact[:3] + "****" + portalContact[7:], "赵女士", "建国门外大街1号门口"} {
		if strings.Contains(html, leak) {
			t.Errorf("the not-yours page holds %q", leak)
		}
	}
	other.shot("portal-5-not-yours")
	mark("not yours")

	// A second order: dispatched in bulk, returned by the unit, re-dispatched.
	b := file(portalAddressB, "建华南路8号路灯整排不亮")
	rowB := fmt.Sprintf(`#queue-list li[data-ticket="%s"]`, b.ID)
	disp.wait("second order in the queue", fmt.Sprintf(`!!document.querySelector('%s')`, rowB), 5*time.Second)
	disp.click(fmt.Sprintf("#pick-%s", b.ID))
	disp.wait("picked", `document.querySelector('#bulk-dispatch').textContent.includes('1') && !document.querySelector('#bulk-dispatch').disabled`, 5*time.Second)
	disp.click("#bulk-dispatch")
	disp.wait("bulk dispatched", fmt.Sprintf(`!document.querySelector('%s') && document.querySelector('#queue-status').textContent.includes('1')`, rowB), 5*time.Second)
	mark("second order " + b.ID + " dispatched in bulk")

	unit.wait("second arrival", fmt.Sprintf(`!!document.querySelector('#queue-list li[data-ticket="%s"]')`, b.ID), 5*time.Second)
	unit.click(fmt.Sprintf(`#queue-list li[data-ticket="%s"]`, b.ID))
	unit.wait("second order open", fmt.Sprintf(`document.querySelector('#order-id').textContent === '%s' && !document.querySelector('#tab-return').hidden`, b.ID), 5*time.Second)
	unit.click("#tab-return")
	unit.click("#return-submit")
	unit.wait("empty reason refused", `!document.querySelector('#return-reason-error').hidden && document.querySelector('#return-reason').getAttribute('aria-invalid') === 'true'`, 5*time.Second)
	unit.fill("#return-reason", "建华南路8号属朝外街道辖区，非本街道")
	unit.click("#return-submit")
	unit.wait("returned", `document.querySelector('#order-state')?.dataset.tstate === 'returned'`, 5*time.Second)
	mark("returned by the unit")

	disp.wait("return in the queue", fmt.Sprintf(`document.querySelector('%s')?.dataset.state === 'returned'`, rowB), 5*time.Second)
	disp.click(rowB)
	disp.wait("return shown", fmt.Sprintf(`document.querySelector('#detail-id').textContent === '%s' && !document.querySelector('#return-box').hidden &&
		document.querySelector('#return-reason-text').textContent.includes('朝外')`, b.ID), 5*time.Second)
	disp.fill("#approve-unit-filter", "朝外")
	disp.wait("unit found", fmt.Sprintf(`document.querySelector('#approve-unit').value === '%s'`, portalChaowai), 5*time.Second)
	disp.shot("portal-6-dispatch-return")
	disp.click("#approve-submit")
	disp.wait("re-dispatched", fmt.Sprintf(`!document.querySelector('%s')`, rowB), 5*time.Second)
	var redone portalTicket
	admin.must(t, "GET", "/api/v1/tickets/"+b.ID, nil, &redone, 200)
	if redone.State != "dispatched" || redone.Unit != portalChaowai {
		t.Errorf("after approving the return: %+v, want dispatched to %s", redone, portalChaowai)
	}
	// It left the unit's own queue too (it is another street's now).
	unit.wait("gone from the unit", fmt.Sprintf(`!document.querySelector('#queue-list li[data-ticket="%s"]')`, b.ID), 5*time.Second)
	mark("re-dispatched to 朝外街道")

	// The same page in English, for the screenshot.
	unit.do("English", chromedp.Navigate(srv.base+"/unit/#/t/"+a.ID))
	unit.wait("order open again", fmt.Sprintf(`document.querySelector('#order-id').textContent === '%s'`, a.ID), 5*time.Second)
	unit.click("#lang-toggle")
	unit.wait("in English", `document.documentElement.lang === 'en'`, 5*time.Second)
	unit.shot("portal-7-unit-english")
	disp.do("reload the console", chromedp.Reload())
	disp.wait("console in English", `document.documentElement.lang === 'en' && document.querySelectorAll('#queue-list > li').length > 0 && document.querySelector('#detail-id').textContent !== ''`, 5*time.Second)
	disp.shot("portal-8-dispatch-english")
	disp.click("#lang-toggle")

	for _, p := range []*deskPage{disp, unit, other} {
		p.checkExceptions()
		p.mu.Lock()
		for _, e := range p.consoleErr {
			t.Errorf("page console.error: %s", e)
		}
		p.mu.Unlock()
	}
	mark("done")
}
