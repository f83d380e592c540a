package test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/cityhotline/hotline/internal/chromium"
	"github.com/cityhotline/hotline/ticketing"
)

// The callback console and the unit portal's claims in a real headless
// Chromium, against the real server binary with the demo accounts (no
// outbound trunk: the robot places no call, so what the page does is all
// that changes). Two orders of 建外街道 are replied to; the supervisor puts
// the first on the robot's schedule through the API. On the page the
// supervisor pauses the robot (by keyboard) and resumes it, skips the
// first order's callback (refused next to the field without a reason,
// nothing changed) and re-runs it. A callback agent enters the answers of
// a call made by hand for the second order: a call time in the future is
// refused next to the field and nothing is saved; then 是/是/满意 is saved,
// a valid manual record. 建外's handler opens the second order in the unit
// portal and files an unreasonable-request claim (an empty form refused
// next to both fields; an appeal refused, nothing against the unit to
// appeal), which the order's claims then list as pending.

type cbState struct {
	ID     int64  `json:"id"`
	State  string `json:"state"`
	Reason string `json:"reason"`
}

type cbTicket struct {
	Callbacks []cbState `json:"callbacks"`
	Answers   []struct {
		ID           int64   `json:"id"`
		Manual       bool    `json:"manual"`
		Valid        bool    `json:"valid"`
		Contacted    *bool   `json:"contacted"`
		Satisfaction *string `json:"satisfaction"`
	} `json:"answers"`
}

func TestCallbacksBrowser(t *testing.T) {
	exe, srv, admin, mark := browserTest(t, "")
	sup := admin.as(t, "supervisor1", "demo12345")
	t1 := rankOrder(t, admin, "help", "sanitation.streetlight", "北京市朝阳区建外街道光华路22号", rankJianwai)
	t2 := rankOrder(t, admin, "help", "sanitation.streetlight", "北京市朝阳区建外街道光华路24号", rankJianwai)
	var first cbState
	sup.must(t, "POST", "/api/v1/tickets/"+t1+"/callback/rerun", map[string]string{"reason": "测试排期"}, &first, 200)
	if first.State != "pending" {
		t.Fatalf("the first order's callback: %+v", first)
	}
	mark(fmt.Sprintf("orders %s (callback %d) and %s replied", t1, first.ID, t2))
	ticketCallbacks := func(id string) cbTicket {
		t.Helper()
		var out cbTicket
		admin.must(t, "GET", "/api/v1/tickets/"+id+"/callback", nil, &out, 200)
		return out
	}

	// ---- the supervisor: the robot's switch, by keyboard, then back.
	p := chromium.Open(t, chromium.Options{Exe: exe, Life: 100 * time.Second, Mute: true})
	p.SignIn(srv.base+"/callbacks/", "supervisor1", "demo12345", "app-view")
	row := fmt.Sprintf(`#cb-body tr[data-callback="%d"]`, first.ID)
	p.Wait("schedule and robot shown", `document.querySelector('#robot-state').dataset.light === 'green' &&
		document.querySelector('`+row+`')?.dataset.state === 'pending' && !document.querySelector('#sw-form').hidden`, 10*time.Second)
	if got := p.Text(row + " td.number"); got != "13800138300" {
		t.Errorf("number shown %q, want the API's", got)
	}
	p.Shot("cb-1-schedule")
	p.Do("pause by keyboard", chromedp.Focus(chromedp.ID("sw-reason")), chromedp.SendKeys(chromedp.ID("sw-reason"), "中继线路检修"+kb.Enter))
	p.Wait("paused", `document.querySelector('#robot-state').dataset.light === 'red' && document.querySelector('#sw-toggle').dataset.op === 'resume'`, 5*time.Second)
	if got := p.Text("#robot-info"); !strings.Contains(got, "督办员一") || !strings.Contains(got, "中继线路检修") {
		t.Errorf("robot info %q: want who paused it and why", got)
	}
	var sw switchJSON
	sup.must(t, "GET", "/api/v1/callbacks/scheduler", nil, &sw, 200)
	if !sw.Paused || sw.Reason != "中继线路检修" {
		t.Errorf("after pausing on the page: %+v", sw)
	}
	p.Shot("cb-2-robot-paused")
	p.Click("#sw-toggle")
	p.Wait("resumed", `document.querySelector('#robot-state').dataset.light === 'green' && document.querySelector('#sw-toggle').dataset.op === 'pause'`, 5*time.Second)
	sup.must(t, "GET", "/api/v1/callbacks/scheduler", nil, &sw, 200)
	if sw.Paused {
		t.Errorf("after resuming on the page: %+v", sw)
	}
	mark("robot paused and resumed")

	// ---- skip the first order's callback: a reason is required.
	reason := fmt.Sprintf("#cb-%d-reason", first.ID)
	p.Click(row + ` button[data-op="skip"]`)
	p.Wait("skip asks for a reason", `document.activeElement === document.querySelector('`+reason+`')`, 5*time.Second)
	p.Click(`#cb-body tr.act-row button.confirm`)
	p.Wait("reason refused next to the field", `!document.querySelector('`+reason+`-error').hidden &&
		document.querySelector('`+reason+`').getAttribute('aria-invalid') === 'true' && !document.querySelector('#cb-`+fmt.Sprint(first.ID)+`-error').hidden`, 5*time.Second)
	if got := p.Text(reason + "-error"); got != "必填" {
		t.Errorf("reason error %q", got)
	}
	if cbs := ticketCallbacks(t1).Callbacks; len(cbs) != 1 || cbs[0].State != "pending" {
		t.Fatalf("a refused skip changed the callback: %+v", cbs)
	}
	p.Shot("cb-3-skip-needs-reason")
	p.Fill(reason, "市民已当面表示满意")
	p.Click(`#cb-body tr.act-row button.confirm`)
	p.Wait("skipped: off the waiting list, in the ticket's panel", `document.querySelector('`+row+`') === null &&
		document.querySelector('#tk-ticket').textContent === '`+t1+`' &&
		document.querySelector('#tk-callbacks li[data-callback="`+fmt.Sprint(first.ID)+`"]')?.dataset.state === 'skipped'`, 5*time.Second)
	if cbs := ticketCallbacks(t1).Callbacks; len(cbs) != 1 || cbs[0].State != "skipped" || cbs[0].Reason != "市民已当面表示满意" {
		t.Fatalf("after the skip: %+v", cbs)
	}
	mark("skipped")

	// ---- re-run it from the skipped ones.
	p.Click(`#flt-state [data-state="skipped"]`)
	p.Wait("skipped listed", `document.querySelector('`+row+`')?.dataset.state === 'skipped'`, 5*time.Second)
	p.Click(row + ` button[data-op="rerun"]`)
	p.Fill(reason, "市民来电要求回访")
	p.Click(`#cb-body tr.act-row button.confirm`)
	p.Wait("re-run: pending again", `document.querySelector('`+row+`')?.dataset.state === 'pending' &&
		document.querySelector('#tk-callbacks li[data-callback="`+fmt.Sprint(first.ID)+`"]')?.dataset.state === 'pending'`, 5*time.Second)
	if cbs := ticketCallbacks(t1).Callbacks; len(cbs) != 1 || cbs[0].State != "pending" {
		t.Fatalf("after the re-run: %+v", cbs)
	}
	var hist struct {
		History []struct {
			Action string `json:"action"`
			Actor  struct {
				ID string `json:"id"`
			} `json:"actor"`
		} `json:"history"`
	}
	admin.must(t, "GET", "/api/v1/tickets/"+t1, nil, &hist, 200)
	var acts []string
	for _, e := range hist.History {
		acts = append(acts, e.Action)
	}
	if got := strings.Join(acts, ","); !strings.HasSuffix(got, "callback_rerun,callback_skip,callback_rerun") {
		t.Errorf("history of %s: %s", t1, got)
	}
	p.Shot("cb-4-rerun")
	mark("re-run")

	// ---- a callback agent enters the answers of a call made by hand.
	a := p.NewTab(t, 1366, 768)
	a.SignIn(srv.base+"/callbacks/#/t/"+t2, "agent1", "demo12345", "app-view")
	a.Wait("the ticket's panel, no schedule", `document.querySelector('#tk-ticket').textContent === '`+t2+`' &&
		!document.querySelector('#list-denied').hidden && !document.querySelector('#robot-denied').hidden &&
		!document.querySelector('#tk-answers-empty').hidden`, 10*time.Second)
	tomorrow := time.Now().In(ticketing.Beijing).Add(24 * time.Hour).Format("2006-01-02T15:04")
	a.Click(`input[name="ans-contacted"][value="yes"]`)
	a.Click(`input[name="ans-resolved"][value="yes"]`)
	a.Click(`input[name="ans-satisfaction"][value="satisfied"]`)
	chromium.Eval[bool](a, `(() => { document.querySelector('#ans-called_at').value = '`+tomorrow+`'; return true; })()`, time.Second)
	a.Fill("#ans-note", "市民表示路灯已修好")
	a.Click("#ans-submit")
	a.Wait("call time refused next to the field", `!document.querySelector('#ans-called_at-error').hidden &&
		document.querySelector('#ans-called_at').getAttribute('aria-invalid') === 'true' && !document.querySelector('#ans-error').hidden`, 5*time.Second)
	if got := a.Text("#ans-called_at-error"); !strings.Contains(got, "future") {
		t.Errorf("called_at error %q", got)
	}
	if ans := ticketCallbacks(t2).Answers; len(ans) != 0 {
		t.Fatalf("a refused entry saved answers: %+v", ans)
	}
	a.Shot("cb-5-answers-refused")
	chromium.Eval[bool](a, `(() => { document.querySelector('#ans-called_at').value = ''; return true; })()`, time.Second)
	a.Click("#ans-submit")
	a.Wait("saved and shown", `!document.querySelector('#ans-done').hidden &&
		document.querySelectorAll('#tk-answers li[data-manual="true"][data-valid="true"]').length === 1 && document.querySelector('#ans-error').hidden`, 5*time.Second)
	got := ticketCallbacks(t2)
	if len(got.Answers) != 1 || !got.Answers[0].Manual || !got.Answers[0].Valid || got.Answers[0].Contacted == nil || !*got.Answers[0].Contacted ||
		got.Answers[0].Satisfaction == nil || *got.Answers[0].Satisfaction != "satisfied" {
		t.Fatalf("answers of %s: %+v", t2, got.Answers)
	}
	if li := a.Text(fmt.Sprintf(`#tk-answers li[data-answer="%d"]`, got.Answers[0].ID)); !strings.Contains(li, "有效回访") || !strings.Contains(li, "满意") {
		t.Errorf("answer shown as %q", li)
	}
	// The robot's round for the reply is settled: marked done by hand.
	if len(got.Callbacks) != 1 || got.Callbacks[0].State != "skipped" || !strings.Contains(got.Callbacks[0].Reason, "answered by hand") {
		t.Errorf("callbacks of %s after the manual answers: %+v", t2, got.Callbacks)
	}
	a.Shot("cb-6-answers-saved")
	mark("answers entered by hand")

	// ---- 建外's handler files a claim on the second order.
	u := p.NewTab(t, 1366, 768)
	u.SignIn(srv.base+"/unit/#/t/"+t2, "jianwai1", "demo12345", "unit-view")
	u.Wait("claims section", `document.querySelector('#order-id').textContent === '`+t2+`' && !document.querySelector('#claim-box').hidden &&
		document.querySelector('#claim-status').textContent !== '' && document.querySelectorAll('#claim-list li').length === 0`, 10*time.Second)
	u.Click("#claim-submit")
	u.Wait("kind and reason refused", `!document.querySelector('#claim-kind-error').hidden && !document.querySelector('#claim-reason-error').hidden &&
		document.querySelector('#claim-reason').getAttribute('aria-invalid') === 'true'`, 5*time.Second)
	u.Click("#claim-kind-appeal")
	u.Fill("#claim-reason", "回访结果有误")
	u.Click("#claim-submit")
	u.Wait("nothing to appeal", `!document.querySelector('#claim-error').hidden && document.querySelector('#claim-kind-error').hidden &&
		document.querySelector('#claim-error').textContent.includes('appeal')`, 5*time.Second)
	var claims struct {
		Claims []struct {
			ID    int64  `json:"id"`
			Kind  string `json:"kind"`
			State string `json:"state"`
		} `json:"claims"`
	}
	admin.must(t, "GET", "/api/v1/claims?ticket="+t2, nil, &claims, 200)
	if len(claims.Claims) != 0 {
		t.Fatalf("refused claims were filed: %+v", claims)
	}
	u.Shot("cb-7-claim-refused")
	u.Click("#claim-kind-unreasonable")
	u.Fill("#claim-reason", "诉求人要求在绿地内加装私人照明")
	u.Fill("#claim-evidence", "现场照片两张")
	u.Click("#claim-submit")
	u.Wait("claim pending", `document.querySelector('#claim-list li[data-kind="unreasonable"]')?.dataset.state === 'pending' && document.querySelector('#claim-error').hidden`, 5*time.Second)
	admin.must(t, "GET", "/api/v1/claims?ticket="+t2, nil, &claims, 200)
	if len(claims.Claims) != 1 || claims.Claims[0].Kind != "unreasonable" || claims.Claims[0].State != "pending" {
		t.Fatalf("claims of %s: %+v", t2, claims)
	}
	if li := u.Text("#claim-list li"); !strings.Contains(li, "待审核") || !strings.Contains(li, "绿地") || !strings.Contains(li, "现场照片两张") {
		t.Errorf("claim shown as %q", li)
	}
	u.Shot("cb-8-claim-pending")
	mark("claim filed from the portal")

	// ---- in English.
	p.Click("#lang-toggle")
	p.Wait("English", `document.querySelector('#robot-state').textContent === 'Running' && document.querySelector('`+row+` .cb-state').textContent === 'Pending'`, 5*time.Second)
	p.Shot("cb-9-english")
	u.Do("unit in English", chromedp.Reload())
	u.Wait("unit claims in English", `document.documentElement.lang === 'en' && document.querySelector('#claim-list li .claim-state')?.textContent === 'Pending'`, 10*time.Second)
	u.Shot("cb-10-claim-english")
	for _, pg := range []*chromium.Page{p, a, u} {
		pg.CheckErrors()
		for _, e := range pg.ConsoleErrors() {
			t.Errorf("page console.error: %s", e)
		}
	}
	mark("done")
}
