package test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cityhotline/hotline/internal/chromium"
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

// browserTest starts the server binary with the demo data and config for
// a test in Chromium: the browser, the server, the admin's API and mark,
// which logs a step with the time since the start.
func browserTest(t *testing.T, config string) (exe string, srv *server, admin *api, mark func(string)) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the server binary and Chromium; skipped with -short")
	}
	exe = chromium.Find(t)
	began := time.Now()
	mark = func(what string) { t.Logf("%6.2fs %s", time.Since(began).Seconds(), what) }
	srv = startServerWith(t, t.TempDir(), "", config, "HOTLINE_DEMO=1")
	admin = login(t, srv)
	mark("server up")
	return exe, srv, admin, mark
}

// portalSignIn signs in to a page as a user of the demo data (with a
// screenshot of the sign-in form when shot is not empty) and waits until
// its live-events socket is up.
func portalSignIn(p *chromium.Page, url, user, view, shot string) {
	p.OpenSignIn(url)
	if shot != "" {
		p.Shot(shot)
	}
	p.LogIn(user, "demo12345", view)
	p.Wait(user+" live", `document.querySelector('#ws-status').dataset.ok === 'true'`, 5*time.Second)
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
	exe, srv, admin, mark := browserTest(t, "")
	agent := admin.as(t, "agent1", "demo12345")

	silence := filepath.Join(t.TempDir(), "silence.wav")
	if err := media.WriteWAVFile(silence, 8000, 1, make([]int16, 8000)); err != nil {
		t.Fatal(err)
	}
	disp := chromium.Open(t, chromium.Options{Exe: exe, Mic: silence, Life: 55 * time.Second})
	unit := disp.NewTab(t, 1366, 768)
	portalSignIn(disp, srv.base+"/dispatch/", "dispatcher1", "dispatch-view", "portal-0-dispatch-sign-in")
	portalSignIn(unit, srv.base+"/unit/", "jianwai1", "unit-view", "portal-0-unit-sign-in")
	unit.Wait("unit queue loaded", `document.querySelector('#queue-status').textContent !== '' && document.querySelector('#unit-name').textContent === '建外街道'`, 5*time.Second)
	chromium.Eval[bool](unit, `(window.portalTestMarker = true)`, time.Second) // gone if the page reloads
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
	disp.Wait("order in the dispatch queue", fmt.Sprintf(`!!document.querySelector('%s')`, rowA), 5*time.Second)
	disp.Click(rowA)
	disp.Wait("order shown", fmt.Sprintf(`document.querySelector('#detail-id').textContent === '%s' &&
		document.querySelector('#dispatch-suggest-unit')?.dataset.unit === '%s' &&
		document.querySelector('#area-tree li[aria-current="true"]')?.dataset.unit === '%s' &&
		document.querySelectorAll('#similar-list > li').length > 0`, a.ID, portalJianwai, portalJianwai), 5*time.Second)
	if got := disp.Text("#dispatch-suggest-unit"); got != "建外街道" {
		t.Errorf("suggested unit shown as %q", got)
	}
	if got := disp.Value("#dispatch-unit"); got != portalJianwai {
		t.Errorf("unit preselected %q, want the suggestion", got)
	}
	if got := disp.Text("#similar-status"); !strings.Contains(got, "可能重复") {
		t.Errorf("similar orders status %q", got)
	}
	disp.Shot("portal-1-dispatch-order")

	// K and J move through the queue; D dispatches as suggested and moves on.
	prev := chromium.Eval[string](disp, `(() => { const q = window.hotlineDispatch.queue(); return q[q.indexOf(window.hotlineDispatch.selected()) - 1] ?? ''; })()`, time.Second)
	disp.Do("press K", chromedp.Focus(chromedp.CSS("#queue-list")), chromedp.KeyEvent("k"))
	disp.Wait("K moved up", fmt.Sprintf(`window.hotlineDispatch.selected() === '%s' && document.querySelector('#detail-id').textContent === '%s'`, prev, prev), 5*time.Second)
	disp.Do("press J", chromedp.KeyEvent("j"))
	disp.Wait("J moved down", fmt.Sprintf(`window.hotlineDispatch.selected() === '%[1]s' && document.querySelector('#detail-id').textContent === '%[1]s' && !!document.querySelector('#dispatch-suggest-unit')`, a.ID), 5*time.Second)
	disp.Do("press D", chromedp.KeyEvent("d"))
	disp.Wait("order left the queue", fmt.Sprintf(`!document.querySelector('%s') && window.hotlineDispatch.selected() !== '%s'`, rowA, a.ID), 5*time.Second)
	mark("dispatched with D")

	// The unit sees it arrive without reloading.
	unit.Wait("arrival shown", fmt.Sprintf(`!document.querySelector('#arrival').hidden &&
		document.querySelector('#arrival-text').textContent.includes('%[1]s') &&
		document.querySelector('#queue-list li[data-ticket="%[1]s"]')?.dataset.new === 'true'`, a.ID), 5*time.Second)
	if !chromium.Eval[bool](unit, `window.portalTestMarker === true`, time.Second) {
		t.Error("the unit page reloaded")
	}
	mark("unit saw it arrive")

	// The digest of what is due counts it (its accept clock runs out today
	// or, late in the Beijing evening, tomorrow) and lists it.
	unit.Wait("digest counts the arrival", `[...document.querySelectorAll('#digest-groups button')].some((b) =>
		['due_today', 'due_tomorrow'].includes(b.dataset.group) && Number(b.dataset.count) >= 1)`, 5*time.Second)
	chromium.Eval[bool](unit, `(() => { [...document.querySelectorAll('#digest-groups button')].find((b) =>
		['due_today', 'due_tomorrow'].includes(b.dataset.group) && Number(b.dataset.count) >= 1).click(); return true; })()`, time.Second)
	unit.Wait("digest lists it", fmt.Sprintf(`!!document.querySelector('#digest-list li[data-ticket="%s"]')`, a.ID), 5*time.Second)
	unit.Shot("portal-2-unit-arrival")

	// Open it: the number is shown, and the read is recorded.
	unit.Click("#arrival-open")
	unit.Wait("order open", fmt.Sprintf(`!document.querySelector('#order').hidden && document.querySelector('#order-id').textContent === '%s' &&
		document.querySelector('#order-state')?.dataset.tstate === 'dispatched'`, a.ID), 5*time.Second)
	if got := unit.Text("#order-contact"); got != portalContact {
		t.Errorf("contact shown %q, want %s", got, portalContact)
	}
	if got := unit.Text("#order-contact-note"); !strings.Contains(got, "留痕") {
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
	unit.Click("#act-accept")
	unit.Wait("accepted", `document.querySelector('#order-state')?.dataset.tstate === 'in_progress' && !document.querySelector('#tab-reply').hidden`, 5*time.Second)
	mark("accepted")

	// Bad input is refused next to the field, and nothing is saved.
	var before portalTicket
	admin.must(t, "GET", "/api/v1/tickets/"+a.ID, nil, &before, 200)
	unit.Click("#tab-reply")
	unit.Fill("#reply-content", "已联系路灯所，今晚修复")
	unit.Click("#reply-submit")
	unit.Wait("outcome refused", `!document.querySelector('#reply-outcome-error').hidden && document.querySelector('#reply-outcome').getAttribute('aria-invalid') === 'true' && !document.querySelector('#reply-error').hidden`, 5*time.Second)
	if got := unit.Text("#reply-outcome-error"); got == "" {
		t.Error("no message next to the outcome")
	}
	unit.Click("#tab-extend")
	unit.Fill("#extend-days", "99")
	unit.Fill("#extend-reason", "需协调供电公司")
	unit.Click("#extend-submit")
	unit.Wait("days refused", `!document.querySelector('#extend-days-error').hidden && document.querySelector('#extend-days').getAttribute('aria-invalid') === 'true'`, 5*time.Second)
	unit.Shot("portal-3-unit-bad-input")
	var after portalTicket
	admin.must(t, "GET", "/api/v1/tickets/"+a.ID, nil, &after, 200)
	if after.Version != before.Version || after.State != "in_progress" || after.PendingExtension != nil || len(after.History) != len(before.History) {
		t.Errorf("refused forms changed the order: before %+v, after %+v", before, after)
	}
	mark("bad input refused, nothing saved")

	// Record the contact, then reply.
	unit.Click("#tab-contact")
	unit.Fill("#contact-content", "已电话联系赵女士，约定今晚查看")
	unit.Click("#contact-submit")
	unit.Wait("contact recorded", `document.querySelector('#tab-contact').hidden && !!document.querySelector('#order-history li[data-action="contact"]')`, 5*time.Second)
	unit.Click("#tab-reply")
	unit.Click("#reply-outcome-resolved")
	unit.Fill("#reply-content", "已更换灯泡，当晚恢复照明")
	unit.Click("#reply-submit")
	unit.Wait("replied", `document.querySelector('#order-state')?.dataset.tstate === 'replied' && document.querySelector('#action-tabs').querySelectorAll('.tab:not([hidden])').length === 1`, 5*time.Second)
	unit.Shot("portal-4-unit-replied")
	mark("contacted and replied")
	var replied portalTicket
	admin.must(t, "GET", "/api/v1/tickets/"+a.ID, nil, &replied, 200)
	if replied.State != "replied" {
		t.Errorf("after the reply: %+v", replied)
	}

	// Another street opens the same URL: "not yours", and no number anywhere.
	other := disp.NewTab(t, 1366, 768)
	portalSignIn(other, srv.base+"/unit/", "zhongguancun1", "unit-view", "")
	other.Do("open the order's URL", chromedp.Navigate(srv.base+"/unit/#/t/"+a.ID))
	other.Wait("not yours", `!document.querySelector('#not-yours').hidden && document.querySelector('#order').hidden`, 5*time.Second)
	if got := other.Text("#not-yours-text"); !strings.Contains(got, a.ID) || !strings.Contains(got, "不属于本单位") {
		t.Errorf("not-yours text %q", got)
	}
	html := chromium.Eval[string](other, `document.documentElement.outerHTML`, 5*time.Second)
	for _, leak := range []string{portalContact, portalContact[:3] + "****" + portalContact[7:], "赵女士", "建国门外大街1号门口"} {
		if strings.Contains(html, leak) {
			t.Errorf("the not-yours page holds %q", leak)
		}
	}
	other.Shot("portal-5-not-yours")
	mark("not yours")

	// A second order: dispatched in bulk, returned by the unit, re-dispatched.
	b := file(portalAddressB, "建华南路8号路灯整排不亮")
	rowB := fmt.Sprintf(`#queue-list li[data-ticket="%s"]`, b.ID)
	disp.Wait("second order in the queue", fmt.Sprintf(`!!document.querySelector('%s')`, rowB), 5*time.Second)
	disp.Click(fmt.Sprintf("#pick-%s", b.ID))
	disp.Wait("picked", `document.querySelector('#bulk-dispatch').textContent.includes('1') && !document.querySelector('#bulk-dispatch').disabled`, 5*time.Second)
	disp.Click("#bulk-dispatch")
	disp.Wait("bulk dispatched", fmt.Sprintf(`!document.querySelector('%s') && document.querySelector('#queue-status').textContent.includes('1')`, rowB), 5*time.Second)
	mark("second order " + b.ID + " dispatched in bulk")

	unit.Wait("second arrival", fmt.Sprintf(`!!document.querySelector('#queue-list li[data-ticket="%s"]')`, b.ID), 5*time.Second)
	unit.Click(fmt.Sprintf(`#queue-list li[data-ticket="%s"]`, b.ID))
	unit.Wait("second order open", fmt.Sprintf(`document.querySelector('#order-id').textContent === '%s' && !document.querySelector('#tab-return').hidden`, b.ID), 5*time.Second)
	unit.Click("#tab-return")
	unit.Click("#return-submit")
	unit.Wait("empty reason refused", `!document.querySelector('#return-reason-error').hidden && document.querySelector('#return-reason').getAttribute('aria-invalid') === 'true'`, 5*time.Second)
	unit.Fill("#return-reason", "建华南路8号属朝外街道辖区，非本街道")
	unit.Click("#return-submit")
	unit.Wait("returned", `document.querySelector('#order-state')?.dataset.tstate === 'returned'`, 5*time.Second)
	mark("returned by the unit")

	disp.Wait("return in the queue", fmt.Sprintf(`document.querySelector('%s')?.dataset.state === 'returned'`, rowB), 5*time.Second)
	disp.Click(rowB)
	disp.Wait("return shown", fmt.Sprintf(`document.querySelector('#detail-id').textContent === '%s' && !document.querySelector('#return-box').hidden &&
		document.querySelector('#return-reason-text').textContent.includes('朝外')`, b.ID), 5*time.Second)
	disp.Fill("#approve-unit-filter", "朝外")
	disp.Wait("unit found", fmt.Sprintf(`document.querySelector('#approve-unit').value === '%s'`, portalChaowai), 5*time.Second)
	disp.Shot("portal-6-dispatch-return")
	disp.Click("#approve-submit")
	disp.Wait("re-dispatched", fmt.Sprintf(`!document.querySelector('%s')`, rowB), 5*time.Second)
	var redone portalTicket
	admin.must(t, "GET", "/api/v1/tickets/"+b.ID, nil, &redone, 200)
	if redone.State != "dispatched" || redone.Unit != portalChaowai {
		t.Errorf("after approving the return: %+v, want dispatched to %s", redone, portalChaowai)
	}
	// It left the unit's own queue too (it is another street's now).
	unit.Wait("gone from the unit", fmt.Sprintf(`!document.querySelector('#queue-list li[data-ticket="%s"]')`, b.ID), 5*time.Second)
	mark("re-dispatched to 朝外街道")

	// The same page in English, for the screenshot.
	unit.Do("English", chromedp.Navigate(srv.base+"/unit/#/t/"+a.ID))
	unit.Wait("order open again", fmt.Sprintf(`document.querySelector('#order-id').textContent === '%s'`, a.ID), 5*time.Second)
	unit.Click("#lang-toggle")
	unit.Wait("in English", `document.documentElement.lang === 'en'`, 5*time.Second)
	unit.Shot("portal-7-unit-english")
	disp.Do("reload the console", chromedp.Reload())
	disp.Wait("console in English", `document.documentElement.lang === 'en' && document.querySelectorAll('#queue-list > li').length > 0 && document.querySelector('#detail-id').textContent !== ''`, 5*time.Second)
	disp.Shot("portal-8-dispatch-english")
	disp.Click("#lang-toggle")

	for _, p := range []*chromium.Page{disp, unit, other} {
		p.CheckErrors()
		for _, e := range p.ConsoleErrors() {
			t.Errorf("page console.error: %s", e)
		}
	}
	mark("done")
}
