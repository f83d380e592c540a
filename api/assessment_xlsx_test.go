package api

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// xlsxCellRead is one cell as a spreadsheet program reads it.
type xlsxCellRead struct {
	Ref   string `xml:"r,attr"`
	Style int    `xml:"s,attr"`
	Type  string `xml:"t,attr"`
	Value string `xml:"v"`
	Text  string `xml:"is>t"`
}

type xlsxWorkbookRead struct {
	files  map[string][]byte
	sheets []string                           // tab names in order
	cells  map[string]map[string]xlsxCellRead // sheet name → ref → cell
}

// readXLSX opens a workbook the way `unzip -p` and an XML parser would, and
// checks that every part is well-formed XML.
func readXLSX(t *testing.T, data []byte) *xlsxWorkbookRead {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	wb := &xlsxWorkbookRead{files: map[string][]byte{}, cells: map[string]map[string]xlsxCellRead{}}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		wb.files[f.Name] = b
		dec := xml.NewDecoder(bytes.NewReader(b))
		for {
			if _, err := dec.Token(); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Fatalf("%s is not well-formed: %v", f.Name, err)
				}
				break
			}
		}
	}
	var book struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(wb.files["xl/workbook.xml"], &book); err != nil {
		t.Fatalf("workbook: %v", err)
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(wb.files["xl/_rels/workbook.xml.rels"], &rels); err != nil {
		t.Fatalf("workbook rels: %v", err)
	}
	target := map[string]string{}
	for _, r := range rels.Rels {
		target[r.ID] = r.Target
	}
	for _, sh := range book.Sheets {
		part := "xl/" + target[sh.ID]
		var ws struct {
			Rows []struct {
				Cells []xlsxCellRead `xml:"c"`
			} `xml:"sheetData>row"`
		}
		if err := xml.Unmarshal(wb.files[part], &ws); err != nil {
			t.Fatalf("sheet %s (%s via %s): %v", sh.Name, part, sh.ID, err)
		}
		cells := map[string]xlsxCellRead{}
		for _, row := range ws.Rows {
			for _, c := range row.Cells {
				cells[c.Ref] = c
			}
		}
		wb.sheets = append(wb.sheets, sh.Name)
		wb.cells[sh.Name] = cells
	}
	return wb
}

// text returns a cell's text, failing unless it is an inline string.
func (wb *xlsxWorkbookRead) text(t *testing.T, sheet, ref string) string {
	t.Helper()
	c, ok := wb.cells[sheet][ref]
	if !ok {
		t.Fatalf("%s!%s is empty", sheet, ref)
	}
	if c.Type != "inlineStr" {
		t.Fatalf("%s!%s is %q, not an inline string", sheet, ref, c.Type)
	}
	return c.Text
}

// num checks a number cell's value and style.
func (wb *xlsxWorkbookRead) num(t *testing.T, sheet, ref, want string, style int) {
	t.Helper()
	c, ok := wb.cells[sheet][ref]
	if !ok || c.Type != "" || c.Value != want || c.Style != style {
		t.Errorf("%s!%s = %+v (present %v), want number %s in style %d", sheet, ref, c, ok, want, style)
	}
}

func (wb *xlsxWorkbookRead) empty(t *testing.T, sheet string, refs ...string) {
	t.Helper()
	for _, ref := range refs {
		if c, ok := wb.cells[sheet][ref]; ok {
			t.Errorf("%s!%s = %+v, want empty", sheet, ref, c)
		}
	}
}

// governanceScores adds two governance streets and a district to the sample.
func governanceScores() []ticketing.UnitScore {
	rows := sampleScores()
	rows = append(rows,
		ticketing.UnitScore{Unit: "s9", Tier: ticketing.TierStreet, Month: nov2026, Complaints: 7, Class: ticketing.ClassGovernance, GovernanceRank: 2},
		ticketing.UnitScore{Unit: "s8", Tier: ticketing.TierStreet, Month: nov2026, Complaints: 9, Valid: 1, ResponseRate: 0,
			ResolutionRate: 0, SatisfactionRate: 0, Score: 0, Rank: 3, Class: ticketing.ClassGovernance, GovernanceRank: 1},
		ticketing.UnitScore{Unit: "d1", Tier: ticketing.TierDistrict, Month: nov2026, Valid: 3, ResponseRate: 1,
			ResolutionRate: 2.0 / 3, SatisfactionRate: 0.9, Score: 100 * (0.1 + 0.5*2/3 + 0.4*0.9), Rank: 1, Class: ticketing.ClassAdvanced},
	)
	return rows
}

func TestAssessmentXLSX(t *testing.T) {
	e, _ := newAssessmentEnv(t, hotline.RoleSupervisor, governanceScores())
	w := e.request("GET", "/api/v1/assessment?month=2026-11&format=xlsx", "")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("content type %q", ct)
	}
	if cd := w.Header().Get("Content-Disposition"); cd != `attachment; filename="assessment-2026-11.xlsx"` {
		t.Errorf("content disposition %q", cd)
	}
	wb := readXLSX(t, w.Body.Bytes())
	for _, part := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"} {
		if wb.files[part] == nil {
			t.Errorf("part %s missing", part)
		}
	}
	wantSheets := "街乡镇 street|区 district|区级部门 district_dept|市级部门 city_dept|国有企业 enterprise|治理类 governance"
	if got := strings.Join(wb.sheets, "|"); got != wantSheets {
		t.Fatalf("sheets %s, want %s", got, wantSheets)
	}
	for i := 1; i <= 6; i++ {
		if !bytes.Contains(wb.files["[Content_Types].xml"], []byte(`PartName="/xl/worksheets/sheet`+string(rune('0'+i))+`.xml"`)) {
			t.Errorf("content types miss sheet %d", i)
		}
	}

	st := "街乡镇 street"
	for ref, want := range map[string]string{"A1": "单位 unit", "B1": "单位名称 unit_name", "D1": "响应率 response_rate",
		"G1": "综合得分 score", "K1": "类别 class"} {
		if got := wb.text(t, st, ref); got != want {
			t.Errorf("%s = %q, want %q", ref, got, want)
		}
	}
	if c := wb.cells[st]["A1"]; c.Style != xlsxHeader {
		t.Errorf("header style %d", c.Style)
	}
	// Row 2: s2, the hand-worked 98 points.
	if wb.text(t, st, "A2") != "s2" || wb.text(t, st, "B2") != "望京街道" || wb.text(t, st, "K2") != "先进 advanced" {
		t.Errorf("row 2 text: %+v", wb.cells[st])
	}
	wb.num(t, st, "C2", "2", xlsxInteger)
	wb.num(t, st, "D2", "1", xlsxPercent)
	wb.num(t, st, "E2", "1", xlsxPercent)
	wb.num(t, st, "F2", "0.95", xlsxPercent)
	wb.num(t, st, "G2", "98", xlsxDecimal)
	wb.num(t, st, "H2", "1", xlsxInteger)
	wb.num(t, st, "I2", "2", xlsxInteger)
	wb.num(t, st, "J2", "1", xlsxMovement)
	// Row 3: s1, 61.5 points, down one place.
	wb.num(t, st, "D3", "0.75", xlsxPercent)
	wb.num(t, st, "F3", "0.725", xlsxPercent)
	wb.num(t, st, "G3", "61.5", xlsxDecimal)
	wb.num(t, st, "J3", "-1", xlsxMovement)
	wb.empty(t, st, "K3")
	// Row 4: s3, unranked, a name that looks like a formula stays text.
	if got := wb.text(t, st, "B4"); got != "=1+1 街道" {
		t.Errorf("B4 %q", got)
	}
	wb.num(t, st, "C4", "0", xlsxInteger)
	wb.empty(t, st, "D4", "E4", "F4", "G4", "H4", "I4")
	// The district sheet has its own rows; empty tiers have the header only.
	wb.num(t, "区 district", "E2", "0.666667", xlsxPercent)
	wb.num(t, "区 district", "G2", "79.333333", xlsxDecimal)
	if n := len(wb.cells["国有企业 enterprise"]); n != len(xlsxAssessmentHeader) {
		t.Errorf("empty tier sheet has %d cells", n)
	}
	// 治理类: most complaints first.
	gov := "治理类 governance"
	if wb.text(t, gov, "B2") != "s8" || wb.text(t, gov, "B3") != "s9" {
		t.Errorf("governance order: %+v", wb.cells[gov])
	}
	wb.num(t, gov, "A2", "1", xlsxInteger)
	wb.num(t, gov, "D2", "9", xlsxInteger)
	wb.num(t, gov, "A3", "2", xlsxInteger)
	wb.num(t, gov, "D3", "7", xlsxInteger)

	// The styles say what the style numbers mean.
	styles := string(wb.files["xl/styles.xml"])
	for _, want := range []string{`<xf numFmtId="10"`, `<xf numFmtId="2"`, `formatCode="+0;-0;0"`, `<cellXfs count="6">`} {
		if !strings.Contains(styles, want) {
			t.Errorf("styles miss %s", want)
		}
	}
}

func TestAssessmentXLSXOneTier(t *testing.T) {
	e, _ := newAssessmentEnv(t, hotline.RoleAdmin, governanceScores()[4:])
	wb := readXLSX(t, e.request("GET", "/api/v1/assessment?month=2026-11&tier=district&format=xlsx", "").Body.Bytes())
	if got := strings.Join(wb.sheets, "|"); got != "区 district" {
		t.Errorf("sheets %s", got)
	}
	e, _ = newAssessmentEnv(t, hotline.RoleAdmin, sampleScores())
	wb = readXLSX(t, e.request("GET", "/api/v1/assessment?month=2026-11&tier=street&format=xlsx", "").Body.Bytes())
	if got := strings.Join(wb.sheets, "|"); got != "街乡镇 street|治理类 governance" {
		t.Errorf("sheets %s", got)
	}
	if n := len(wb.cells["治理类 governance"]); n != len(xlsxGovernanceHeader) {
		t.Errorf("empty governance sheet has %d cells", n)
	}
}

// A unit reading only its own row still sees its place in the 治理类 list.
func TestAssessmentGovernanceOwnRow(t *testing.T) {
	e, _ := newAssessmentEnv(t, hotline.RoleUnit, governanceScores()[3:4])
	var out assessmentJSON
	decodeBody(t, e.request("GET", "/api/v1/assessment?month=2026-11", ""), http.StatusOK, &out)
	if len(out.Governance) != 1 || out.Governance[0] != (governanceJSON{Unit: "s9", Complaints: 7, Rank: 2}) {
		t.Errorf("governance %+v", out.Governance)
	}
}

func TestAssessmentGovernanceJSON(t *testing.T) {
	e, _ := newAssessmentEnv(t, hotline.RoleAnalyst, governanceScores())
	var out assessmentJSON
	decodeBody(t, e.request("GET", "/api/v1/assessment?month=2026-11", ""), http.StatusOK, &out)
	if len(out.Governance) != 2 || out.Governance[0] != (governanceJSON{Unit: "s8", Complaints: 9, Rank: 1}) ||
		out.Governance[1] != (governanceJSON{Unit: "s9", Complaints: 7, Rank: 2}) {
		t.Errorf("governance %+v", out.Governance)
	}
	for _, r := range out.Assessment {
		if r.Unit == "s8" && (r.Complaints != 9 || r.Class != "governance") {
			t.Errorf("row %+v", r)
		}
	}
}

func TestXLSXEscapesText(t *testing.T) {
	var buf bytes.Buffer
	sheet := xlsxSheet{name: "a/b[c]:d*e?f\\g", rows: [][]xlsxCell{{textCell(`<b>&"x"</b>`+"\x01\x7f"+"中", xlsxGeneral)}}}
	if err := writeXLSX(&buf, []xlsxSheet{sheet}); err != nil {
		t.Fatal(err)
	}
	wb := readXLSX(t, buf.Bytes())
	if len(wb.sheets) != 1 || wb.sheets[0] != "a_b_c__d_e_f_g" {
		t.Fatalf("sheet names %q", wb.sheets)
	}
	if got := wb.text(t, wb.sheets[0], "A1"); got != `<b>&"x"</b>`+"\x7f"+"中" {
		t.Errorf("text %q", got)
	}
}

func TestXLSXSheetNames(t *testing.T) {
	taken := map[string]bool{}
	long := strings.Repeat("长", 40)
	got := []string{xlsxSheetName("区", taken), xlsxSheetName("区", taken), xlsxSheetName(long, taken), xlsxSheetName(long, taken), xlsxSheetName("", taken)}
	want := []string{"区", "区 2", strings.Repeat("长", 31), strings.Repeat("长", 29) + " 2", " 2"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("name %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestCellRef(t *testing.T) {
	cases := map[[2]int]string{{0, 0}: "A1", {25, 1}: "Z2", {26, 0}: "AA1", {27, 9}: "AB10", {701, 0}: "ZZ1", {702, 0}: "AAA1"}
	for in, want := range cases {
		if got := cellRef(in[0], in[1]); got != want {
			t.Errorf("cellRef(%d, %d) = %s, want %s", in[0], in[1], got, want)
		}
	}
}
