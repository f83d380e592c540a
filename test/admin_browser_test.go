package test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/cityhotline/hotline/internal/chromium"
	"github.com/cityhotline/hotline/media"
)

// The supervision console and the admin pages in a real headless Chromium
// against the real server binary (demo data, tiny deadlines so that an
// order is overdue within seconds):
//
//   - an overdue order shows red in the supervision console, counted under
//     its district and, drilled down, its street; the supervisor flags it
//     for supervision and urges it (a missing reason is refused next to the
//     field), and both land in its audit trail;
//   - the supervisor opening the admin pages gets the forbidden page;
//   - the admin's account form refuses bad input next to each field and
//     saves nothing;
//   - the admin changes a catalogue rule (heating in 门头沟区 → the district's
//     housing commission), sees the orders it covers, and a new order
//     follows it;
//   - the deadline tiers and calendar: a reply shorter than first contact
//     is refused next to its field and nothing is saved; the ordinary
//     tier's reply (3 s → 2 days) and a holiday are saved, audited, and a
//     new order gets the new deadline, the running one keeps its own;
//   - a prompt upload with a
//     bad file is refused next to the file field, a good one stored; an API
//     key is shown once and listed (by id, never the key); revoked after an
//     in-place confirmation (a cancelled one changes nothing), Open311
//     refuses it at once;
//   - after a restart the stored deadline rules override the configuration.

// adminBrowserConfig makes ordinary orders overdue 3 s after dispatch and
// complex ones yellow after 6 s; the SLA sweep runs every second.
const adminBrowserConfig = `
tickets:
  deadlines:
    ordinary: {accept: 1s, contact: 2s, reply: 3s}
    complex: {accept: 5m, contact: 10m, reply: 10m}
  warn_at: 0.01
sla:
  sweep_interval: 1s
`

type supTicket struct {
	ID            string `json:"id"`
	State         string `json:"state"`
	Unit          string `json:"unit"`
	SuggestedUnit string `json:"suggested_unit"`
	District      string `json:"district"`
	Street        string `json:"street"`
	Supervised    bool   `json:"supervised"`
	Lights        struct {
		Reply string `json:"reply"`
	} `json:"lights"`
	Counters struct {
		Urges int `json:"urges"`
	} `json:"counters"`
}

func TestAdminBrowser(t *testing.T) {
	exe, srv, admin, mark := browserTest(t, adminBrowserConfig)

	// The late order (ordinary: 3 s to reply) and a yellow one (complex).
	late := supFileAndDispatch(t, admin, "ordinary", "建外街道光华路12号路灯不亮已一周")
	yellow := supFileAndDispatch(t, admin, "complex", "建外街道光华路14号楼道照明长期损坏")
	if late.Unit != "110105-001" || late.District != "110105" || late.Street != "110105-001" {
		t.Fatalf("the late order went to %+v", late)
	}

	mic := filepath.Join(t.TempDir(), "silence.wav")
	if err := media.WriteWAVFile(mic, 8000, 1, make([]int16, 8000)); err != nil {
		t.Fatal(err)
	}
	p := chromium.Open(t, chromium.Options{Exe: exe, Mic: mic, Life: 70 * time.Second}) // an office screen; the key revocation needs a few more seconds
	mark("browser up")

	// ---- supervision: sign in, wait until the order is overdue.
	p.OpenSignIn(srv.base + "/supervision/")
	p.Shot("sup-0-sign-in")
	p.LogIn("supervisor1", "demo12345", "app-view")
	supWaitAPI(t, admin, "the order is overdue and the other yellow", 15*time.Second, func() bool {
		var l, y supTicket
		admin.must(t, "GET", "/api/v1/tickets/"+late.ID, nil, &l, 200)
		admin.must(t, "GET", "/api/v1/tickets/"+yellow.ID, nil, &y, 200)
		return l.Lights.Reply == "red" && y.Lights.Reply == "yellow"
	})
	mark("order " + late.ID + " overdue, " + yellow.ID + " yellow")
	p.Do("refresh", chromedp.Click(chromedp.ID("sup-refresh")))
	row := fmt.Sprintf(`#orders-body tr[data-ticket="%s"]`, late.ID)
	p.Wait("the overdue order is listed red", `document.querySelector('`+row+`')?.dataset.light === 'red'`, 10*time.Second)
	if got := p.Text(row + " .light-badge"); !strings.HasPrefix(got, "超期") {
		t.Errorf("light word %q", got)
	}
	p.Wait("朝阳区 counts it", `+(document.querySelector('#groups-body tr[data-key="110105"] td.overdue')?.textContent ?? 0) >= 1`, 5*time.Second)
	p.Shot("sup-1-overdue-by-district")
	p.Do("drill down to 朝阳区's streets", chromedp.Click(chromedp.CSS(`#groups-body tr[data-key="110105"] button.drill`)))
	p.Wait("建外街道 counts it", `+(document.querySelector('#groups-body tr[data-key="110105-001"] td.overdue')?.textContent ?? 0) >= 1 && document.querySelector('#scope-label').textContent === '朝阳区'`, 5*time.Second)
	p.Wait("the order is listed in the district's scope", `document.querySelector('`+row+`') !== null`, 5*time.Second)

	// ---- supervise and urge, through the order's panel.
	p.Do("open the order", chromedp.Click(chromedp.CSS(row+" button.open")))
	p.Wait("the order is shown", `document.querySelector('#detail-id').textContent === '`+late.ID+`' && document.querySelector('#detail-light').dataset.light === 'red' && document.querySelectorAll('#history li').length > 0`, 5*time.Second)
	p.Do("supervise without a reason", chromedp.Click(chromedp.ID("act-supervise")))
	p.Wait("the reason is asked for next to the field", `!document.querySelector('#act-reason-error').hidden && document.querySelector('#act-reason').getAttribute('aria-invalid') === 'true'`, 5*time.Second)
	var tk supTicket
	admin.must(t, "GET", "/api/v1/tickets/"+late.ID, nil, &tk, 200)
	if tk.Supervised {
		t.Fatalf("a supervision without a reason was saved")
	}
	p.Do("supervise", chromedp.SendKeys(chromedp.ID("act-reason"), "超期未反馈，请今日内答复"), chromedp.Click(chromedp.ID("act-supervise")))
	p.Wait("supervised", `document.querySelector('#history li[data-action="supervise"]') !== null && document.querySelector('#act-supervise').disabled`, 5*time.Second)
	p.Do("urge", chromedp.SendKeys(chromedp.ID("act-reason"), "再次催办"), chromedp.Click(chromedp.ID("act-urge")))
	p.Wait("urged", `document.querySelector('#history li[data-action="urge"]') !== null && document.querySelector('#detail-flags').textContent.includes('1')`, 5*time.Second)
	admin.must(t, "GET", "/api/v1/tickets/"+late.ID, nil, &tk, 200)
	if !tk.Supervised || tk.Counters.Urges != 1 {
		t.Errorf("after supervise and urge: supervised %v, urges %d", tk.Supervised, tk.Counters.Urges)
	}
	p.Wait("the list marks it supervised", `document.querySelector('`+row+`')?.dataset.supervised === 'true'`, 5*time.Second)
	p.Shot("sup-2-supervised-and-urged")
	p.Do("about to be overdue", chromedp.Click(chromedp.ID("filter-yellow")))
	p.Wait("the yellow order is listed", `document.querySelector('#orders-body tr[data-ticket="`+yellow.ID+`"]')?.dataset.light === 'yellow'`, 5*time.Second)
	p.Do("by unit", chromedp.Click(chromedp.ID("group-unit")))
	p.Wait("建外街道 as a unit", `document.querySelector('#groups-body tr[data-key="110105-001"]') !== null`, 5*time.Second)
	p.Shot("sup-3-yellow-by-unit")
	mark("supervised and urged")

	// ---- the supervisor may not use the admin pages.
	p.Do("open the admin pages as the supervisor", chromedp.Navigate(srv.base+"/admin/"), chromedp.WaitVisible(chromedp.ID("forbidden-view")))
	if !chromium.Eval[bool](p, `document.querySelector('#app-view').hidden && document.querySelector('#login-view').hidden`, 5*time.Second) {
		t.Errorf("the admin page shows more than the forbidden view to a supervisor")
	}
	p.Shot("admin-1-forbidden")
	p.Do("sign in as someone else", chromedp.Click(chromedp.ID("forbidden-logout")), chromedp.WaitVisible(chromedp.ID("login-username")))
	p.Shot("admin-1-sign-in")
	p.LogIn("admin", adminPassword, "app-view")
	p.Wait("units listed", `document.querySelectorAll('#units-body tr').length > 300`, 10*time.Second)
	mark("admin signed in")

	// ---- a bad account: messages next to the fields, nothing saved.
	p.Do("new account", chromedp.Click(chromedp.ID("nav-users")), chromedp.WaitVisible(chromedp.ID("sec-users")),
		chromedp.Click(chromedp.ID("user-new")))
	p.Choose("#user-role", "unit")
	p.Do("fill a bad account",
		chromedp.SendKeys(chromedp.ID("user-username"), "Bad Name!"),
		chromedp.SendKeys(chromedp.ID("user-name"), "测试人员"),
		chromedp.SendKeys(chromedp.ID("user-password"), "short"),
		chromedp.Click(chromedp.ID("user-save")))
	p.Wait("the problems are shown next to the fields", `['username', 'unit', 'password'].every((f) => !document.querySelector('#user-' + f + '-error').hidden) && document.querySelector('#user-name-error').hidden && !document.querySelector('#user-error').hidden`, 5*time.Second)
	p.Shot("admin-2-bad-account")
	var users struct {
		Users []struct{ Username, Name string } `json:"users"`
	}
	admin.must(t, "GET", "/api/v1/users", nil, &users, 200)
	for _, u := range users.Users {
		if u.Name == "测试人员" {
			t.Fatalf("the bad account was saved: %+v", u)
		}
	}
	p.Do("correct it", chromedp.SetValue(chromedp.ID("user-username"), "ceshi1"), chromedp.SetValue(chromedp.ID("user-password"), "ceshi-pass-1"),
		chromedp.SendKeys(chromedp.ID("user-unit"), "110105-001"), chromedp.Click(chromedp.ID("user-save")))
	p.Wait("the account is listed", `document.querySelector('#users-body tr[data-user="ceshi1"]') !== null && document.querySelector('#user-error').hidden`, 5*time.Second)

	// ---- the catalogue: heating in 门头沟区 goes to the district's housing commission.
	var rules struct {
		Rules []struct {
			ID       int64  `json:"id"`
			Category string `json:"category"`
			Area     string `json:"area"`
			Target   string `json:"target"`
			Unit     string `json:"unit"`
		} `json:"rules"`
	}
	admin.must(t, "GET", "/api/v1/catalogue", nil, &rules, 200)
	var ruleID int64
	for _, r := range rules.Rules {
		if r.Category == "heating" && r.Area == "110109" {
			ruleID = r.ID
		}
	}
	if ruleID == 0 {
		t.Fatal("no heating rule for 110109 in the catalogue")
	}
	before := admFileOrder(t, admin, "heating.cold", "北京市门头沟区大峪街道新桥大街1号", "暖气不热，室温只有十五度")
	if before.Unit != "110109.urban" {
		t.Fatalf("before the change heating in 门头沟区 went to %q", before.Unit)
	}
	ruleRow := fmt.Sprintf(`#rules-body tr[data-rule="%d"]`, ruleID)
	p.Do("open the catalogue", chromedp.Click(chromedp.ID("nav-catalogue")), chromedp.WaitVisible(chromedp.ID("sec-catalogue")))
	p.Wait("rules listed", `document.querySelector('`+ruleRow+`') !== null`, 5*time.Second)
	p.Do("edit the rule", chromedp.Click(chromedp.CSS(ruleRow+" button.edit")))
	p.Wait("the orders it routes", `document.querySelector('#matches-body tr[data-ticket="`+before.ID+`"]')?.dataset.routes === 'true'`, 5*time.Second)
	p.Choose("#rule-target", "unit")
	p.Do("route to the housing commission", chromedp.SetValue(chromedp.ID("rule-unit"), "110109.housing"),
		chromedp.SetValue(chromedp.ID("rule-note"), "门头沟区供暖改由区住建委承办"), chromedp.Click(chromedp.ID("rule-preview")))
	p.Wait("the preview", `!document.querySelector('#rule-matches').hidden && document.querySelector('#matches-body tr[data-ticket="`+before.ID+`"]')?.textContent.includes('住房和城乡建设委员会')`, 5*time.Second)
	p.Do("save the rule", chromedp.Click(chromedp.ID("rule-save")))
	p.Wait("saved", `document.querySelector('`+ruleRow+`')?.textContent.includes('住房和城乡建设委员会') && document.querySelector('#rule-error').hidden`, 5*time.Second)
	after := admFileOrder(t, admin, "heating.cold", "北京市门头沟区大峪街道新桥大街3号", "暖气片冰凉，家中老人怕冷")
	if after.Unit != "110109.housing" || after.SuggestedUnit != "110109.housing" {
		t.Errorf("after the change the new order went to %q (suggested %q), want 110109.housing", after.Unit, after.SuggestedUnit)
	}
	p.Do("see what the rule routes now", chromedp.Click(chromedp.CSS(ruleRow+" button.edit")))
	p.Wait("the new order is routed by it", `document.querySelector('#matches-body tr[data-ticket="`+after.ID+`"]')?.dataset.routes === 'true'`, 5*time.Second)
	p.Shot("admin-3-catalogue-rule")
	mark("catalogue rule changed; order " + after.ID + " followed it")

	// ---- deadlines and calendar: a bad value is refused next to its field
	// and nothing is saved; then the ordinary tier's reply and a holiday
	// are changed, and an order dispatched afterwards gets the new deadline
	// while the running one keeps its own.
	admEditSLA(t, p, admin, late.ID)

	// ---- IVR prompt upload.
	dir := t.TempDir()
	stereo, mono := filepath.Join(dir, "stereo.wav"), filepath.Join(dir, "greeting.wav")
	if err := media.WriteWAVFile(stereo, 44100, 2, make([]int16, 2*4410)); err != nil {
		t.Fatal(err)
	}
	if err := media.WriteWAVFile(mono, 8000, 1, media.Tone(440, 2*time.Second, 8000, 0.3)); err != nil {
		t.Fatal(err)
	}
	p.Do("prompts", chromedp.Click(chromedp.ID("nav-prompts")), chromedp.WaitVisible(chromedp.ID("sec-prompts")))
	p.Wait("prompt names", `document.querySelector('#prompt-name option[value="greeting"]') !== null`, 5*time.Second)
	p.Choose("#prompt-name", "greeting")
	p.Do("upload a stereo file", chromedp.SetUploadFiles(chromedp.CSS("#prompt-file"), []string{stereo}), chromedp.Click(chromedp.ID("prompt-upload")))
	p.Wait("refused next to the file", `!document.querySelector('#prompt-file-error').hidden && document.querySelector('#prompt-file-error').textContent.includes('8000 Hz')`, 5*time.Second)
	p.Shot("admin-5-prompt-refused")
	stored := filepath.Join(srv.dataDir, "prompts", "zh-CN", "greeting.wav")
	if _, err := os.Stat(stored); err == nil {
		t.Fatalf("a refused prompt was stored")
	}
	p.Do("upload a good file", chromedp.SetUploadFiles(chromedp.CSS("#prompt-file"), []string{mono}), chromedp.Click(chromedp.ID("prompt-upload")))
	p.Wait("uploaded", `document.querySelector('#prompts-body tr[data-prompt="zh/greeting"]')?.dataset.uploaded === 'true' && document.querySelector('#prompt-error').hidden`, 5*time.Second)
	if a, err := media.ReadWAVFile(stored); err != nil || a.Rate != 8000 || a.Channels != 1 || a.Frames() != 16000 {
		t.Errorf("stored prompt: %v, %v", a, err)
	}

	// ---- an API key, shown once.
	p.Do("api keys", chromedp.Click(chromedp.ID("nav-apikeys")), chromedp.WaitVisible(chromedp.ID("sec-apikeys")),
		chromedp.Click(chromedp.ID("key-create")))
	p.Wait("a name is needed", `!document.querySelector('#key-name-error').hidden && document.querySelector('#key-result').hidden`, 5*time.Second)
	p.Do("create a key", chromedp.SendKeys(chromedp.ID("key-name"), "市民App"), chromedp.Click(chromedp.ID("key-create")))
	p.Wait("the key is shown", `document.querySelector('#key-value').textContent.length > 20 && !document.querySelector('#key-result').hidden`, 5*time.Second)
	key := p.Text("#key-value")
	status, body := admin.raw(t, "POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded",
		url.Values{"api_key": {key}, "service_code": {"sanitation.streetlight"}, "address_string": {"北京市朝阳区建外街道光华路1号"},
			"description": {"路灯不亮"}, "phone": {"13800138009"}}.Encode())
	if status != 201 {
		t.Errorf("the key from the page does not work with Open311: %d %s", status, body)
	}
	p.Shot("admin-6-api-key")
	admRevokeKey(t, p, admin, key)

	// ---- in English.
	p.Do("switch to English", chromedp.Click(chromedp.ID("lang-toggle")), chromedp.Click(chromedp.ID("nav-users")))
	p.Wait("English", `document.querySelector('#nav-units').textContent === 'Units' && document.documentElement.lang === 'en' && document.querySelector('#users-body tr[data-user="admin"]')?.textContent.includes('Admin')`, 5*time.Second)
	p.Shot("admin-7-english")
	p.Do("deadlines in English", chromedp.Click(chromedp.ID("nav-sla")), chromedp.WaitVisible(chromedp.ID("sec-sla")))
	p.Wait("the deadlines page in English", `document.querySelector('#sla-tiers tr[data-urgency="ordinary"] th').textContent === 'Ordinary' && document.querySelector('#sla-history > li').textContent.includes('Reply: 3 s → 2 d')`, 5*time.Second)
	p.Shot("admin-7-english-deadlines")
	p.CheckErrors()

	// ---- a restart: the stored deadline rules override the configuration.
	if code := srv.terminate(); code != 0 {
		t.Fatalf("server exit code %d", code)
	}
	again := startServerWith(t, srv.dataDir, "", adminBrowserConfig, "HOTLINE_DEMO=1")
	var st slaState
	login(t, again).must(t, "GET", "/api/v1/sla", nil, &st, 200)
	if st.reply("ordinary") != 2*86400 || !slices.Contains(st.Holidays, "2026-12-31") || len(st.History) != 1 {
		t.Errorf("after a restart the deadline rules are %+v, want the stored ones", st)
	}
	mark("done")
}

// admRevokeKey finds the key on the page by its id (the first 12 hex digits
// of its SHA-256), cancels a revocation, revokes it, and checks that Open311
// refuses it and that the list never shows the key.
func admRevokeKey(t *testing.T, p *chromium.Page, admin *api, key string) {
	t.Helper()
	sum := sha256.Sum256([]byte(key))
	id := hex.EncodeToString(sum[:])[:12]
	row := `#apikeys-body tr[data-key="` + id + `"]`
	p.Wait("the new key is listed, active", `document.querySelector('`+row+`')?.dataset.revoked === 'false' && document.querySelector('`+row+`').textContent.includes('市民App')`, 5*time.Second)
	if strings.Contains(p.Text("#apikeys-body"), key) {
		t.Error("the key list shows the key itself")
	}
	p.Do("revoke, then cancel", chromedp.Click(chromedp.CSS(row+" button.revoke")))
	p.Wait("asked to confirm", `document.querySelector('`+row+` button.confirm') !== null`, 5*time.Second)
	p.Do("cancel", chromedp.Click(chromedp.CSS(row+" button.cancel")))
	p.Wait("still active", `document.querySelector('`+row+` button.revoke') !== null && document.querySelector('`+row+`').dataset.revoked === 'false'`, 5*time.Second)
	p.Do("revoke", chromedp.Click(chromedp.CSS(row+" button.revoke")))
	p.Wait("asked to confirm", `document.querySelector('`+row+` button.confirm') !== null`, 5*time.Second)
	p.Shot("admin-6-api-key-confirm")
	p.Do("confirm", chromedp.Click(chromedp.CSS(row+" button.confirm")))
	p.Wait("revoked", `document.querySelector('`+row+`')?.dataset.revoked === 'true' && document.querySelector('`+row+` button') === null`, 5*time.Second)
	p.Shot("admin-6-api-key-revoked")
	status, body := admin.raw(t, "POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded",
		url.Values{"api_key": {key}, "service_code": {"sanitation.streetlight"}, "address_string": {"北京市朝阳区建外街道光华路1号"},
			"description": {"路灯不亮"}, "phone": {"13800138009"}}.Encode())
	if status != 403 || !strings.Contains(body, "api_key is not valid") {
		t.Errorf("Open311 with the revoked key: %d %s, want 403 api_key is not valid", status, body)
	}
	status, body = admin.raw(t, "GET", "/api/v1/apikeys", "", "")
	if status != 200 || !strings.Contains(body, `"id":"`+id+`"`) || !strings.Contains(body, `"revoked":true`) || strings.Contains(body, key) || strings.Contains(body, hex.EncodeToString(sum[:])) {
		t.Errorf("GET /api/v1/apikeys: %d %s", status, body)
	}
}

// supFileAndDispatch files a street-light order in 建外街道 at the urgency and
// dispatches it by the catalogue.
func supFileAndDispatch(t *testing.T, a *api, urgency, content string) supTicket {
	t.Helper()
	var tk supTicket
	a.must(t, "POST", "/api/v1/tickets", map[string]any{"type": "complaint", "category": "sanitation.streetlight",
		"urgency": urgency, "content": content, "address": "北京市朝阳区建外街道光华路12号", "contact_number": "13800138100"}, &tk, 201)
	if tk.State == "pending_dispatch" {
		a.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/dispatch", map[string]any{}, &tk, 200)
	}
	return tk
}

// admFileOrder files an order of category at address and returns it.
func admFileOrder(t *testing.T, a *api, category, address, content string) supTicket {
	t.Helper()
	var tk supTicket
	a.must(t, "POST", "/api/v1/tickets", map[string]any{"type": "complaint", "category": category,
		"content": content, "address": address, "contact_number": "13800138101"}, &tk, 201)
	return tk
}

// supWaitAPI polls cond every 200 ms until it holds or limit passes.
func supWaitAPI(t *testing.T, _ *api, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not within %v", what, limit)
		case <-tick.C:
		}
	}
}

// slaState is what GET /api/v1/sla tells of the edit.
type slaState struct {
	Tiers []struct {
		Urgency string `json:"urgency"`
		Reply   int64  `json:"reply"`
	} `json:"tiers"`
	Holidays  []string `json:"holidays"`
	UpdatedBy string   `json:"updated_by"`
	History   []struct {
		By      string   `json:"by"`
		Changes []string `json:"changes"`
	} `json:"history"`
}

func (s slaState) reply(urgency string) int64 {
	for _, c := range s.Tiers {
		if c.Urgency == urgency {
			return c.Reply
		}
	}
	return -1
}

// replyClock is how long an order's reply clock runs: due − dispatched.
func replyClock(t *testing.T, a *api, id string) time.Duration {
	t.Helper()
	var tk struct {
		DispatchedAt string `json:"dispatched_at"`
		Deadlines    struct {
			Reply string `json:"reply"`
		} `json:"deadlines"`
	}
	a.must(t, "GET", "/api/v1/tickets/"+id, nil, &tk, 200)
	from, err1 := time.Parse(time.RFC3339Nano, tk.DispatchedAt)
	due, err2 := time.Parse(time.RFC3339Nano, tk.Deadlines.Reply)
	if err1 != nil || err2 != nil {
		t.Fatalf("order %s: dispatched %q, reply due %q", id, tk.DispatchedAt, tk.Deadlines.Reply)
	}
	return due.Sub(from)
}

// admEditSLA edits the deadlines page (see TestAdminBrowser).
func admEditSLA(t *testing.T, p *chromium.Page, admin *api, runningID string) {
	t.Helper()
	const reply, unit = `[id="sla-tiers.ordinary.reply"]`, `[id="sla-tiers.ordinary.reply-unit"]`
	p.Do("deadlines", chromedp.Click(chromedp.ID("nav-sla")), chromedp.WaitVisible(chromedp.ID("sec-sla")))
	p.Wait("tiers and calendar", `document.querySelectorAll('#sla-tiers tr').length === 4 && document.querySelectorAll('#sla-holidays-list li[data-day]').length > 0`, 5*time.Second)
	if v, u := p.Value(reply), p.Value(unit); v != "3" || u != "1" {
		t.Errorf("ordinary reply shown as %q × %q s, want 3 seconds", v, u)
	}
	p.Shot("admin-4-deadlines")

	// Reply in 1 s, shorter than first contact (2 s): refused, nothing saved.
	p.Fill(reply, "1")
	p.Do("save", chromedp.Click(chromedp.ID("sla-save")))
	p.Wait("the problem is shown next to the reply field", `(() => {
		const m = document.getElementById('sla-tiers.ordinary.reply-error');
		return !m.hidden && m.textContent.includes('首次联系') && document.getElementById('sla-tiers.ordinary.reply').getAttribute('aria-invalid') === 'true' && !document.querySelector('#sla-error').hidden;
	})()`, 5*time.Second)
	p.Shot("admin-4-deadlines-refused")
	var st slaState
	admin.must(t, "GET", "/api/v1/sla", nil, &st, 200)
	if st.reply("ordinary") != 3 || len(st.History) != 0 {
		t.Fatalf("a refused edit was saved: ordinary reply %d s, history %v", st.reply("ordinary"), st.History)
	}

	// A bad day is refused by the page before anything is sent.
	p.Do("add a bad day", chromedp.SendKeys(chromedp.ID("sla-holidays"), "2026-13-01"+kb.Enter))
	p.Wait("the day is refused next to its field", `!document.querySelector('#sla-holidays-error').hidden && document.querySelector('#sla-holidays').getAttribute('aria-invalid') === 'true'`, 5*time.Second)

	// 2 days, and New Year's Eve a holiday (typed, added with Enter).
	p.Fill(reply, "2")
	p.Choose(unit, "86400")
	p.Fill("#sla-holidays", "2026-12-31")
	p.Do("add the holiday", chromedp.SendKeys(chromedp.ID("sla-holidays"), kb.Enter))
	p.Wait("the holiday is listed", `document.querySelector('#sla-holidays-list li[data-day="2026-12-31"]') !== null && document.querySelector('#sla-holidays-error').hidden && !document.querySelector('#sla-dirty').hidden`, 5*time.Second)
	p.Do("save", chromedp.Click(chromedp.ID("sla-save")))
	p.Wait("saved and audited", `document.querySelectorAll('#sla-history > li').length === 1 && document.querySelector('#sla-error').hidden && document.querySelector('#sla-dirty').hidden && document.getElementById('sla-tiers.ordinary.reply').value === '2'`, 5*time.Second)
	p.Shot("admin-4-deadlines-saved")
	admin.must(t, "GET", "/api/v1/sla", nil, &st, 200)
	if st.reply("ordinary") != 2*86400 || !slices.Contains(st.Holidays, "2026-12-31") || st.UpdatedBy != "admin" || len(st.History) != 1 ||
		!slices.Contains(st.History[0].Changes, "tiers.ordinary.reply: 3s → 2d") || !slices.Contains(st.History[0].Changes, "holidays: +2026-12-31") {
		t.Fatalf("after the edit: %+v", st)
	}

	fresh := supFileAndDispatch(t, admin, "ordinary", "建外街道光华路16号井盖缺失")
	if got := replyClock(t, admin, fresh.ID); got != 48*time.Hour {
		t.Errorf("order %s dispatched after the edit has %v to reply, want 48h", fresh.ID, got)
	}
	if got := replyClock(t, admin, runningID); got != 3*time.Second {
		t.Errorf("order %s dispatched before the edit has %v to reply, want its 3s", runningID, got)
	}
}
