package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/cityhotline/hotline/ticketing"
)

// The XLSX export of the assessment (format=xlsx): one sheet per tier
// assessed, in ticketing.RankedTiers order (every ranked tier when no tier
// was asked for, even one with no rows), then, when streets are included, a
// 治理类 sheet. Rates are numbers formatted 0.00%, scores 0.00, movements
// +0;-0;0; unranked units have empty rate, score and rank cells, as in the
// CSV.

// tierSheetNames are the tabs, Chinese first as in the CSV header.
var tierSheetNames = map[ticketing.Tier]string{
	ticketing.TierStreet: "街乡镇 street", ticketing.TierDistrict: "区 district",
	ticketing.TierDistrictDept: "区级部门 district_dept", ticketing.TierCityDept: "市级部门 city_dept",
	ticketing.TierEnterprise: "国有企业 enterprise",
}

// xlsxAssessmentHeader is the CSV header less the tier column (the sheet
// says the tier).
var xlsxAssessmentHeader = []string{
	"单位 unit", "单位名称 unit_name", "有效回访 valid_callbacks",
	"响应率 response_rate", "解决率 resolution_rate", "满意率 satisfaction_rate", "综合得分 score",
	"排名 rank", "上月排名 previous_rank", "名次变化 movement", "类别 class",
}

var xlsxGovernanceHeader = []string{"排名 rank", "单位 unit", "单位名称 unit_name", "投诉量 complaints"}

func headerRow(names []string) []xlsxCell {
	row := make([]xlsxCell, len(names))
	for i, n := range names {
		row[i] = textCell(n, xlsxHeader)
	}
	return row
}

// assessmentSheets lays the assessment out as sheets; tier is the tier
// asked for ("" for all).
func assessmentSheets(a assessmentJSON, tier ticketing.Tier) []xlsxSheet {
	tiers := ticketing.RankedTiers
	if tier != "" {
		tiers = []ticketing.Tier{tier}
	}
	var sheets []xlsxSheet
	for _, t := range tiers {
		sh := xlsxSheet{name: tierSheetNames[t], widths: []float64{16, 24, 12, 12, 12, 12, 12, 8, 10, 10, 12},
			rows: [][]xlsxCell{headerRow(xlsxAssessmentHeader)}}
		for i := range a.Assessment {
			if r := &a.Assessment[i]; r.Tier == t {
				sh.rows = append(sh.rows, assessmentXLSXRow(r))
			}
		}
		sheets = append(sheets, sh)
	}
	if tier == "" || tier == ticketing.TierStreet {
		gov := xlsxSheet{name: "治理类 governance", widths: []float64{8, 16, 24, 12},
			rows: [][]xlsxCell{headerRow(xlsxGovernanceHeader)}}
		for _, g := range a.Governance {
			gov.rows = append(gov.rows, []xlsxCell{numCell(float64(g.Rank), xlsxInteger), textCell(string(g.Unit), xlsxGeneral),
				textCell(g.UnitName, xlsxGeneral), numCell(float64(g.Complaints), xlsxInteger)})
		}
		sheets = append(sheets, gov)
	}
	return sheets
}

func assessmentXLSXRow(r *assessmentRowJSON) []xlsxCell {
	ranked := r.Rank > 0
	num := func(x float64, style int) xlsxCell {
		if !ranked {
			return xlsxCell{}
		}
		return numCell(x, style)
	}
	rank := func(n int) xlsxCell {
		if n == 0 {
			return xlsxCell{}
		}
		return numCell(float64(n), xlsxInteger)
	}
	class := ""
	if r.Class != "" {
		class = classLabels[r.Class] + " " + r.Class
	}
	return []xlsxCell{
		textCell(string(r.Unit), xlsxGeneral), textCell(r.UnitName, xlsxGeneral), numCell(float64(r.ValidCallbacks), xlsxInteger),
		num(r.ResponseRate, xlsxPercent), num(r.ResolutionRate, xlsxPercent), num(r.SatisfactionRate, xlsxPercent),
		num(r.Score, xlsxDecimal), rank(r.Rank), rank(r.PreviousRank), numCell(float64(r.Movement), xlsxMovement),
		textCell(class, xlsxGeneral),
	}
}

// writeAssessmentXLSX writes the workbook as an attachment. It is built in
// memory first, so a failure is still a JSON error.
func (s *server) writeAssessmentXLSX(w http.ResponseWriter, r *http.Request, a assessmentJSON, tier ticketing.Tier) {
	var buf bytes.Buffer
	if err := writeXLSX(&buf, assessmentSheets(a, tier)); err != nil {
		s.fail(w, r, fmt.Errorf("assessment xlsx %s: %w", a.Month, err))
		return
	}
	w.Header().Set("Content-Type", xlsxContentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="assessment-%s.xlsx"`, a.Month))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}
