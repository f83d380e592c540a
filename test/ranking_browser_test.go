package test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/internal/chromium"
	"github.com/cityhotline/hotline/store/sqlite"
	"github.com/cityhotline/hotline/ticketing"
)

// The ranking page in a real headless Chromium, against the real server
// binary with the demo accounts. Orders of 建外街道 (110105-001), 中关村街道
// (110108-010) and the heating group (soe.heating) are filed and replied;
// their callbacks are written to the server's own SQLite file (what the
// survey robot would have stored). 建外's handler files, through the API, an
// assessment appeal and an unreasonable-request claim; the supervisor, on
// the page, rejects the claim (a rejection without a note is refused next
// to the field) and approves the appeal; the street ranking changes exactly
// as worked out by hand:
//
//	last month  建外 P1 是/是/满意 → 100, rank 1; 中关村 P2 否/否/不满意 → 0, rank 2
//	this month  建外 J1 是/是/满意, J2 是/否/不满意, J3 否/否/基本满意
//	            → 2/3, 1/3, 1.9/3 = 66.67%, 33.33%, 63.33% → 146/3 = 48.67, rank 2 (↓1)
//	            中关村 Z1 是/否/满意 → 100%, 0%, 100% → 50.00, rank 1 (↑1)
//	J2 approved 建外 J1, J3 → 1/2, 1/2, 1.9/2 = 50%, 50%, 95%
//	            → 100×(0.05+0.25+0.38) = 68.00, rank 1 (持平); 中关村 50.00, rank 2 (持平)
//	heating     H1 是/是/基本满意 → 100%, 100%, 90% → 96.00, rank 1 of 1: 先进, new
//
// The 治理类 list counts the month's complaints per street: the demo's
// heating complaint in 建外 and property complaint in 中关村, plus Z1 (a
// complaint): 中关村 2, 建外 1 — both streets are 治理类.

const (
	rankJianwai = "110105-001"
	rankZgc     = "110108-010"
	rankHeating = "soe.heating"
)

type rankTicket struct {
	ID    string `json:"id"`
	State string `json:"state"`
	Unit  string `json:"unit"`
}

// rankOrder files an order, has it dispatched to unit (unless the intake
// already did) and replied, all as the admin, and returns its number.
func rankOrder(t *testing.T, a *api, typ, category, address, unit string) string {
	t.Helper()
	var tk rankTicket
	a.must(t, "POST", "/api/v1/tickets", map[string]any{"type": typ, "category": category, "content": "测试工单：" + address,
		"address": address, "contact_number": "13800138300", "unit": unit}, &tk, 201)
	if tk.State == "pending_dispatch" {
		a.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/dispatch", map[string]any{"unit": unit}, &tk, 200)
	}
	a.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/accept", map[string]any{}, &tk, 200)
	a.must(t, "POST", "/api/v1/tickets/"+tk.ID+"/reply", map[string]any{"outcome": "resolved", "content": "已处理"}, &tk, 200)
	if tk.Unit != unit || tk.State != "replied" {
		t.Fatalf("order %s: unit %s state %s, want %s replied", tk.ID, tk.Unit, tk.State, unit)
	}
	return tk.ID
}

type rankRow struct {
	Unit             string  `json:"unit"`
	Tier             string  `json:"tier"`
	Valid            int     `json:"valid_callbacks"`
	ResponseRate     float64 `json:"response_rate"`
	ResolutionRate   float64 `json:"resolution_rate"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
	Score            float64 `json:"score"`
	Rank             int     `json:"rank"`
	PreviousRank     int     `json:"previous_rank"`
	Movement         int     `json:"movement"`
	Class            string  `json:"class"`
}

// rankCells are the cells the page shows for a unit's row.
type rankCells struct {
	Rank, Valid, Response, Resolution, Satisfaction, Score, Move, MoveKind, Class, ClassWord string
}

const rankCellsJS = `((unit) => {
  const tr = document.querySelector('#rank-body tr[data-unit="' + unit + '"]');
  if (!tr) return null;
  const c = (s) => tr.querySelector(s)?.textContent.trim() ?? '';
  return { Rank: c('td.rank'), Valid: c('td.valid'), Response: c('td.response'), Resolution: c('td.resolution'),
    Satisfaction: c('td.satisfaction'), Score: c('td.score'), Move: c('td.move'),
    MoveKind: tr.querySelector('td.move [data-move]')?.dataset.move ?? '',
    Class: tr.querySelector('.class-badge')?.dataset.class ?? '', ClassWord: c('.class-badge') };
})`

func pageRow(t *testing.T, p *chromium.Page, unit string) rankCells {
	t.Helper()
	return chromium.Eval[rankCells](p, rankCellsJS+`('`+unit+`')`, 5*time.Second)
}

func TestRankingBrowser(t *testing.T) {
	exe, srv, admin, mark := browserTest(t, "")
	ctx := context.Background()

	// ---- orders, replied.
	j1 := rankOrder(t, admin, "help", "sanitation.streetlight", "北京市朝阳区建外街道光华路12号", rankJianwai)
	j2 := rankOrder(t, admin, "help", "sanitation.streetlight", "北京市朝阳区建外街道光华路14号", rankJianwai)
	j3 := rankOrder(t, admin, "help", "sanitation.streetlight", "北京市朝阳区建外街道光华路16号", rankJianwai)
	p1 := rankOrder(t, admin, "help", "sanitation.streetlight", "北京市朝阳区建外街道光华路18号", rankJianwai)
	z1 := rankOrder(t, admin, "complaint", "sanitation.streetlight", "北京市海淀区中关村街道科学院南路2号", rankZgc)
	p2 := rankOrder(t, admin, "help", "sanitation.streetlight", "北京市海淀区中关村街道科学院南路4号", rankZgc)
	h1 := rankOrder(t, admin, "help", "heating.cold", "北京市朝阳区建外街道永安里小区7号楼", rankHeating)
	mark("orders replied")

	// ---- their callbacks, in the server's own database.
	now := time.Now()
	month := ticketing.MonthOf(now)
	last := month.Previous().Start().Add(10*24*time.Hour + 10*time.Hour)
	db, err := sqlite.Open(ctx, filepath.Join(srv.dataDir, "hotline.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	records := map[string]*ticketing.CallbackRecord{}
	record := func(id, unit string, tier ticketing.Tier, at time.Time, c, r ticketing.YesNo, s ticketing.Satisfaction) {
		rec := &ticketing.CallbackRecord{Ticket: hotline.TicketID(id), Unit: hotline.UnitID(unit), Tier: tier, CalledAt: at, Reached: true,
			Contacted: c, Resolved: r, Satisfaction: s, Manual: true, By: "callback-agent"}
		if err := db.RecordAnswers(ctx, rec); err != nil {
			t.Fatalf("record %s: %v", id, err)
		}
		records[id] = rec
	}
	street, ent := ticketing.TierStreet, ticketing.TierEnterprise
	record(p1, rankJianwai, street, last, "yes", "yes", "satisfied")
	record(p2, rankZgc, street, last, "no", "no", "dissatisfied")
	record(j1, rankJianwai, street, now, "yes", "yes", "satisfied")
	record(j2, rankJianwai, street, now, "yes", "no", "dissatisfied")
	record(j3, rankJianwai, street, now, "no", "no", "basically")
	record(z1, rankZgc, street, now, "yes", "no", "satisfied")
	record(h1, rankHeating, ent, now, "yes", "yes", "basically")
	mark("callbacks stored for " + month.String())

	// ---- 建外's handler files an appeal and a claim through the API.
	jianwai := admin.as(t, "jianwai1", "demo12345")
	var appeal, claim struct {
		ID       int64  `json:"id"`
		State    string `json:"state"`
		Month    string `json:"month"`
		Callback int64  `json:"callback"`
	}
	jianwai.must(t, "POST", "/api/v1/tickets/"+j2+"/claims", map[string]any{"kind": "appeal",
		"reason": "市民当面确认路灯已修复，回访时误按键", "evidence": "维修照片与市民签字回执"}, &appeal, 201)
	if appeal.State != "pending" || appeal.Month != month.String() || appeal.Callback != records[j2].ID {
		t.Fatalf("appeal %+v, want pending in %s contesting record %d", appeal, month, records[j2].ID)
	}
	jianwai.must(t, "POST", "/api/v1/tickets/"+j3+"/claims", map[string]any{"kind": "unreasonable",
		"reason": "诉求人要求在绿地内加装私人照明"}, &claim, 201)
	jianwai.must(t, "POST", "/api/v1/tickets/"+j2+"/claims", map[string]any{"kind": "appeal", "reason": "再次申诉"}, nil, 409)
	jianwai.must(t, "POST", "/api/v1/claims/"+fmt.Sprint(appeal.ID)+"/approve", map[string]any{}, nil, 403)
	mark(fmt.Sprintf("appeal %d on %s and claim %d on %s filed", appeal.ID, j2, claim.ID, j3))

	// ---- the supervisor's page, before the rulings.
	p := chromium.Open(t, chromium.Options{Exe: exe, Life: 90 * time.Second, Mute: true})
	// Downloads land next to the screenshots when they are kept, to be
	// opened by hand.
	downloads := t.TempDir()
	if shots := os.Getenv("HOTLINE_SHOTS"); shots != "" {
		downloads = filepath.Join(shots, "ranking-downloads")
		if err := os.RemoveAll(downloads); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(downloads, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p.Do("allow downloads", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
		return chromedp.Void{}, err
	})
	p.OpenSignIn(srv.base + "/ranking/")
	p.LogIn("supervisor1", "demo12345", "app-view")
	p.Wait("street ranking shown", `document.querySelectorAll('#rank-body tr[data-rank]').length >= 2 && document.querySelectorAll('#claims-list li[data-claim]').length === 2`, 10*time.Second)
	if got := p.Value("#rank-month"); got != month.String() {
		t.Errorf("month picker %q, want %s", got, month)
	}
	if got := p.Text("#tab-street"); got != "街乡镇 (2)" {
		t.Errorf("street tab %q", got)
	}
	order := chromium.Eval[[]string](p, `[...document.querySelectorAll('#rank-body tr')].map((tr) => tr.dataset.unit)`, 5*time.Second)
	if strings.Join(order, ",") != rankZgc+","+rankJianwai {
		t.Errorf("street order %v, want 中关村 then 建外", order)
	}
	wantRow := func(unit string, want rankCells) {
		t.Helper()
		if got := pageRow(t, p, unit); got != want {
			t.Errorf("%s row\n got %+v\nwant %+v", unit, got, want)
		}
	}
	wantRow(rankZgc, rankCells{"1", "1", "100.00%", "0.00%", "100.00%", "50.00", "↑ 1", "up", "governance", "治理"})
	wantRow(rankJianwai, rankCells{"2", "3", "66.67%", "33.33%", "63.33%", "48.67", "↓ 1", "down", "governance", "治理"})
	gov := chromium.Eval[[]string](p, `[...document.querySelectorAll('#gov-list li')].map((li) => li.dataset.unit + ' ' + li.textContent.trim())`, 5*time.Second)
	if len(gov) != 2 || !strings.HasPrefix(gov[0], rankZgc+" 1") || !strings.Contains(gov[0], "投诉 2 件") ||
		!strings.HasPrefix(gov[1], rankJianwai+" 2") || !strings.Contains(gov[1], "投诉 1 件") {
		t.Errorf("治理类 list %q", gov)
	}
	p.Shot("rank-1-streets-before")
	mark("street ranking as worked out by hand")

	// ---- the keyboard moves between tiers.
	p.Do("to the enterprise tab by keyboard", chromedp.Focus(chromedp.ID("tab-street")),
		chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight))
	p.Wait("enterprise tab", `document.querySelector('#tab-enterprise').getAttribute('aria-selected') === 'true' && document.activeElement.id === 'tab-enterprise' && document.querySelector('#rank-body tr[data-unit="`+rankHeating+`"]') !== null`, 5*time.Second)
	wantRow(rankHeating, rankCells{"1", "1", "100.00%", "100.00%", "90.00%", "96.00", "新上榜", "new", "advanced", "先进"})
	p.Shot("rank-2-enterprises")
	p.Do("back to streets", chromedp.KeyEvent(kb.Home))
	p.Wait("street tab", `document.querySelector('#tab-street').getAttribute('aria-selected') === 'true' && document.querySelector('#rank-body tr[data-unit="`+rankJianwai+`"]') !== null`, 5*time.Second)

	// ---- reject the claim: first without a note, refused next to the field.
	claimItem := fmt.Sprintf(`#claims-list li[data-claim="%d"]`, claim.ID)
	appealItem := fmt.Sprintf(`#claims-list li[data-claim="%d"]`, appeal.ID)
	p.Do("reject without a note", chromedp.Click(chromedp.CSS(claimItem+" button.reject")))
	note := fmt.Sprintf("#claim-%d-note", claim.ID)
	p.Wait("the note is asked for next to it", `!document.querySelector('`+note+`-error').hidden && document.querySelector('`+note+`').getAttribute('aria-invalid') === 'true' && document.activeElement === document.querySelector('`+note+`')`, 5*time.Second)
	if got := p.Text(note + "-error"); got != "必填" {
		t.Errorf("note error %q", got)
	}
	var claims struct {
		Claims []struct {
			ID    int64  `json:"id"`
			State string `json:"state"`
		} `json:"claims"`
	}
	admin.must(t, "GET", "/api/v1/claims?state=pending&month="+month.String(), nil, &claims, 200)
	if len(claims.Claims) != 2 {
		t.Fatalf("a refused rejection changed the claims: %+v", claims)
	}
	p.Shot("rank-3-note-required")
	p.Do("reject with a note", chromedp.SendKeys(chromedp.CSS(note), "绿地照明属公共设施，诉求合理"), chromedp.Click(chromedp.CSS(claimItem+" button.reject")))
	p.Wait("the claim leaves the pending list", `document.querySelector('`+claimItem+`') === null && document.querySelector('`+appealItem+`') !== null`, 5*time.Second)
	wantRow(rankJianwai, rankCells{"2", "3", "66.67%", "33.33%", "63.33%", "48.67", "↓ 1", "down", "governance", "治理"})

	// ---- approve the appeal: J2 leaves the assessment.
	p.Do("approve the appeal", chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#claim-%d-note", appeal.ID)), "经核实维修属实，回访误按"),
		chromedp.Click(chromedp.CSS(appealItem+" button.approve")))
	p.Wait("the ranking changes", `document.querySelector('#rank-body tr')?.dataset.unit === '`+rankJianwai+`' && document.querySelector('`+appealItem+`') === null`, 10*time.Second)
	wantRow(rankJianwai, rankCells{"1", "2", "50.00%", "50.00%", "95.00%", "68.00", "持平", "same", "governance", "治理"})
	wantRow(rankZgc, rankCells{"2", "1", "100.00%", "0.00%", "100.00%", "50.00", "持平", "same", "governance", "治理"})
	if !p.Visible("#claims-empty") {
		t.Errorf("pending claims left: %q", p.Text("#claims-list"))
	}
	p.Shot("rank-4-after-approval")
	mark("appeal approved on the page; 建外 now first with 68.00")

	// The API agrees, and the order's history tells the story.
	var assessment struct {
		Assessment []rankRow `json:"assessment"`
	}
	admin.must(t, "GET", "/api/v1/assessment?tier=street&month="+month.String(), nil, &assessment, 200)
	if len(assessment.Assessment) != 2 {
		t.Fatalf("street assessment %+v", assessment)
	}
	if jw := assessment.Assessment[0]; jw.Unit != rankJianwai || jw.Valid != 2 || jw.ResponseRate != 0.5 || jw.ResolutionRate != 0.5 ||
		jw.SatisfactionRate != 0.95 || jw.Score != 68 || jw.Rank != 1 || jw.PreviousRank != 1 || jw.Movement != 0 {
		t.Errorf("建外 from the API %+v", jw)
	}
	var history struct {
		History []struct {
			Action string                       `json:"action"`
			Reason string                       `json:"reason"`
			Diff   map[string]map[string]string `json:"diff"`
			Actor  struct {
				ID string `json:"id"`
			} `json:"actor"`
		} `json:"history"`
	}
	admin.must(t, "GET", "/api/v1/tickets/"+j2, nil, &history, 200)
	var actions []string
	for _, e := range history.History {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, ","); !strings.HasSuffix(got, ",reply,claim,approve_claim") {
		t.Errorf("history of %s: %s", j2, got)
	}
	if last := history.History[len(history.History)-1]; last.Reason != "经核实维修属实，回访误按" || last.Diff["assessed"]["to"] != "false" {
		t.Errorf("approval event %+v", last)
	}

	// ---- the month as XLSX, through the page's button.
	p.Do("download xlsx", chromedp.Click(chromedp.ID("rank-xlsx")))
	p.Wait("downloaded", `window.hotlineRanking.state().download?.name === 'assessment-`+month.String()+`.xlsx'`, 10*time.Second)
	xlsx := waitFile(t, filepath.Join(downloads, "assessment-"+month.String()+".xlsx"), 10*time.Second)
	cells := xlsxSheet(t, xlsx, "街乡镇 street")
	for ref, want := range map[string]string{"A2": rankJianwai, "C2": "2", "D2": "0.5", "E2": "0.5", "F2": "0.95", "G2": "68", "H2": "1",
		"A3": rankZgc, "D3": "1", "E3": "0", "G3": "50", "H3": "2", "K2": "治理 governance"} {
		if cells[ref] != want {
			t.Errorf("xlsx street sheet %s = %q, want %q", ref, cells[ref], want)
		}
	}
	if ent := xlsxSheet(t, xlsx, "国有企业 enterprise"); ent["A2"] != rankHeating || ent["G2"] != "96" || ent["F2"] != "0.9" {
		t.Errorf("xlsx enterprise sheet %v", ent)
	}
	p.Do("download csv", chromedp.Click(chromedp.ID("rank-csv")))
	csv := waitFile(t, filepath.Join(downloads, "assessment-"+month.String()+".csv"), 10*time.Second)
	if !bytes.Contains(csv, []byte(rankJianwai+",建外街道,street,2,0.5,0.5,0.95,68,1,1,0,治理 governance")) {
		t.Errorf("csv lacks 建外's row:\n%s", csv)
	}
	mark("xlsx and csv downloaded")

	// ---- the ruled claims under their states.
	p.Choose("#claims-state", "approved")
	p.Wait("approved claims", `document.querySelector('`+appealItem+`')?.dataset.state === 'approved'`, 5*time.Second)

	// ---- 建外's handler sees its own row and its own claims, no buttons.
	u := p.NewTab(t, 1366, 768)
	u.SignIn(srv.base+"/ranking/", "jianwai1", "demo12345", "app-view")
	u.Wait("own row", `document.querySelectorAll('#rank-body tr').length === 1 && document.querySelector('#rank-body tr[data-unit="`+rankJianwai+`"]') !== null && document.querySelectorAll('#claims-list li').length === 0`, 10*time.Second)
	u.Choose("#claims-state", "rejected")
	u.Wait("own rejected claim, read only", `document.querySelector('`+claimItem+`') !== null && document.querySelector('`+claimItem+` button') === null`, 5*time.Second)
	if got := pageRow(t, u, rankJianwai); got.Rank != "1" || got.Score != "68.00" {
		t.Errorf("unit's own row %+v", got)
	}
	// Its place in the 治理类 list is the city's, not one of one.
	if got := chromium.Eval[[]string](u, `[...document.querySelectorAll('#gov-list li')].map((li) => li.dataset.unit + ' ' + li.textContent.trim())`, 5*time.Second); len(got) != 1 || !strings.HasPrefix(got[0], rankJianwai+" 2") {
		t.Errorf("unit's 治理类 list %q", got)
	}
	u.Shot("rank-5-unit-view")
	u.CheckErrors()

	// ---- in English, the same numbers in other words.
	p.Do("English", chromedp.Click(chromedp.ID("lang-toggle")))
	p.Wait("English", `document.querySelector('#rank-body tr td.move')?.textContent.trim() === 'same' && document.querySelector('#rank-body .class-badge')?.textContent === 'Governance'`, 5*time.Second)
	p.Shot("rank-6-english")
	p.CheckErrors()
	mark("done")
}

// waitFile waits until a download has landed and answers its bytes.
func waitFile(t *testing.T, path string, limit time.Duration) []byte {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		b, err := os.ReadFile(path)
		if err == nil && len(b) > 0 {
			return b
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(filepath.Dir(path))
			t.Fatalf("%s not downloaded within %v (%d files there): %v", path, limit, len(entries), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// xlsxSheet reads a workbook's sheet by name as ref → value (numbers as
// written, inline strings as text), as a spreadsheet program would.
func xlsxSheet(t *testing.T, data []byte, name string) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	read := func(part string) []byte {
		f, err := z.Open(part)
		if err != nil {
			t.Fatalf("xlsx part %s: %v", part, err)
		}
		defer f.Close()
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(f); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	var book struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(read("xl/workbook.xml"), &book); err != nil {
		t.Fatal(err)
	}
	n := -1
	for i, s := range book.Sheets {
		if s.Name == name {
			n = i + 1
		}
	}
	if n < 0 {
		t.Fatalf("xlsx has no sheet %q: %+v", name, book.Sheets)
	}
	var ws struct {
		Rows []struct {
			Cells []struct {
				Ref   string `xml:"r,attr"`
				Value string `xml:"v"`
				Text  string `xml:"is>t"`
			} `xml:"c"`
		} `xml:"sheetData>row"`
	}
	if err := xml.Unmarshal(read(fmt.Sprintf("xl/worksheets/sheet%d.xml", n)), &ws); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range ws.Rows {
		for _, c := range r.Cells {
			out[c.Ref] = c.Value + c.Text
		}
	}
	return out
}
