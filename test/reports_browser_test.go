package test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cityhotline/hotline/internal/chromium"
	"github.com/cityhotline/hotline/ticketing"
)

// reportBody is the part of GET /api/v1/reports/{kind} the test reads.
type reportBody struct {
	Kind    string `json:"kind"`
	Label   string `json:"label"`
	Total   int    `json:"total"`
	Partial bool   `json:"partial"`
	Volume  struct {
		Category []ticketing.KeyCount `json:"category"`
		District []ticketing.KeyCount `json:"district"`
	} `json:"volume"`
	Series []struct {
		Count int `json:"count"`
	} `json:"series"`
	Dispatch struct {
		Dispatched int `json:"dispatched"`
	} `json:"dispatch"`
	Urgent []struct {
		Theme string `json:"theme"`
		ID    string `json:"id"`
	} `json:"urgent"`
}

func countOf(groups []ticketing.KeyCount, key string) int {
	for _, g := range groups {
		if g.Key == key {
			return g.Count
		}
	}
	return 0
}

// The reports page in a real headless Chromium, against the real server
// binary with the demo data. The test reads today's daily report (the one
// whose noon-to-noon window holds now) through the API, files four orders
// — a heating one, a threat (扬言) in a noise complaint, a water one and an
// ordinary one that it dispatches — and expects the page to show the
// report's total plus four, the heating bar plus one, one more dispatch,
// and its three urgent orders under their themes in the brief on top.
func TestReportsBrowser(t *testing.T) {
	exe, srv, admin, mark := browserTest(t, "")
	now := time.Now().In(ticketing.Beijing)
	day := now.Add(12 * time.Hour).Format(time.DateOnly) // the report day whose window holds now
	var before reportBody
	admin.must(t, "GET", "/api/v1/reports/daily?date="+day, nil, &before, 200)
	if !before.Partial || before.Kind != "daily" || before.Label != day {
		t.Fatalf("today's daily report: %+v", before)
	}
	mark(fmt.Sprintf("daily %s before: %d tickets", day, before.Total))

	file := func(typ, category, address, content string) string {
		var tk rankTicket
		admin.must(t, "POST", "/api/v1/tickets", map[string]any{"type": typ, "category": category, "content": content,
			"address": address, "contact_number": "13800138400"}, &tk, 201)
		return tk.ID
	}
	heat := file("help", "heating.cold", "北京市朝阳区建外街道永安里小区3号楼", "暖气不热，室温14度")
	threat := file("complaint", "noise.living", "北京市海淀区中关村街道科学院南路8号", "楼上装修噪音，邻居扬言要跳楼")
	water := file("help", "water.outage", "北京市朝阳区建外街道光华路20号", "整栋楼停水")
	road := file("help", "road.damage", "北京市朝阳区建外街道光华路22号", "路面坑洼")
	var tk rankTicket
	admin.must(t, "GET", "/api/v1/tickets/"+road, nil, &tk, 200)
	if tk.State == "pending_dispatch" {
		admin.must(t, "POST", "/api/v1/tickets/"+road+"/dispatch", map[string]any{"unit": rankJianwai}, &tk, 200)
	}
	var after reportBody
	admin.must(t, "GET", "/api/v1/reports/daily?date="+day, nil, &after, 200)
	if after.Total != before.Total+4 || countOf(after.Volume.Category, "heating.cold") != countOf(before.Volume.Category, "heating.cold")+1 {
		t.Fatalf("after filing four: total %d (was %d), heating %d", after.Total, before.Total, countOf(after.Volume.Category, "heating.cold"))
	}
	mark("four orders filed")

	p := chromium.Open(t, chromium.Options{Exe: exe, Life: 60 * time.Second, Mute: true})
	p.OpenSignIn(srv.base + "/reports/")
	p.LogIn("supervisor1", "demo12345", "app-view")
	p.Wait("a report shown", `window.hotlineReports.state().report !== null`, 10*time.Second)
	chromium.Eval[bool](p, `(() => { const i = document.querySelector('#rep-date'); i.value = '`+day+`';
		i.dispatchEvent(new Event('change')); return true; })()`, 5*time.Second)
	p.Wait("today's daily report", `window.hotlineReports.state().report?.label === '`+day+`'`, 10*time.Second)

	tileValue := func(id string) string { return p.Text(`#tiles .tile[data-tile="` + id + `"] .tile-value`) }
	if got := tileValue("total"); got != fmtThousands(after.Total) {
		t.Errorf("total tile %q, want %d", got, after.Total)
	}
	if got := tileValue("dispatched"); got != fmtThousands(after.Dispatch.Dispatched) {
		t.Errorf("dispatched tile %q, want %d", got, after.Dispatch.Dispatched)
	}
	if !p.Visible("#rep-partial") || !p.Visible("#urgent") {
		t.Error("a running daily report shows neither the provisional mark nor the brief")
	}
	bar := chromium.Eval[string](p, `document.querySelector('#chart-category g.bar[data-key="heating.cold"]')?.dataset.count ?? ''`, 5*time.Second)
	if want := strconv.Itoa(countOf(after.Volume.Category, "heating.cold")); bar != want {
		t.Errorf("heating bar %q, want %s", bar, want)
	}
	lineTotal := chromium.Eval[string](p, `document.querySelector('#chart-series polyline')?.dataset.total ?? ''`, 5*time.Second)
	if lineTotal != strconv.Itoa(after.Total) {
		t.Errorf("volume line sums to %q, want %d", lineTotal, after.Total)
	}
	rows := chromium.Eval[[]string](p, `[...document.querySelectorAll('#urgent-body tr')].map((tr) => tr.dataset.theme + ' ' + tr.dataset.id)`, 5*time.Second)
	for _, want := range []string{"threat " + threat, "heating " + heat, "water " + water} {
		if !slices.Contains(rows, want) {
			t.Errorf("urgent brief %q lacks %q", rows, want)
		}
	}
	if slices.ContainsFunc(rows, func(r string) bool { return strings.HasSuffix(r, " "+road) }) {
		t.Errorf("the road order is in the urgent brief %q", rows)
	}
	if len(rows) != len(after.Urgent) || !strings.HasPrefix(rows[0], "threat ") {
		t.Errorf("urgent brief %q, want %d rows, threats first", rows, len(after.Urgent))
	}
	p.Shot("reports-1-daily")
	mark("daily report on the page as the API gives it")

	// ---- the monthly bulletin, and the English switch.
	var month reportBody
	admin.must(t, "GET", "/api/v1/reports/monthly?date="+now.Format(time.DateOnly), nil, &month, 200)
	p.Do("monthly tab", chromedp.Click(chromedp.ID("kind-monthly")))
	// The tab opens on the newest bulletin due (last month); this month's
	// is chosen with the date.
	p.Wait("the monthly bulletin", `window.hotlineReports.state().report?.kind === 'monthly'`, 10*time.Second)
	if got, want := chromium.Eval[string](p, `window.hotlineReports.state().report.label`, time.Second), ticketing.LatestDue(ticketing.ReportMonthly, now).Label(); got != want {
		t.Errorf("monthly tab opened on %q, want the newest due, %s", got, want)
	}
	chromium.Eval[bool](p, `(() => { const i = document.querySelector('#rep-date'); i.value = '`+now.Format(time.DateOnly)+`';
		i.dispatchEvent(new Event('change')); return true; })()`, 5*time.Second)
	p.Wait("this month's bulletin", `window.hotlineReports.state().report?.label === '`+month.Label+`'`, 10*time.Second)
	if got := tileValue("total"); got != fmtThousands(month.Total) {
		t.Errorf("monthly total tile %q, want %d", got, month.Total)
	}
	if p.Visible("#urgent") {
		t.Error("the monthly bulletin shows the urgent brief")
	}
	p.Do("English", chromedp.Click(chromedp.ID("lang-toggle")))
	p.Wait("English labels", `document.querySelector('#kind-monthly').textContent === 'Monthly'`, 5*time.Second)
	p.Shot("reports-2-monthly-en")
	mark("monthly bulletin in English")
}

// fmtThousands formats n as the page does (en-US grouping).
func fmtThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
