package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/cityhotline/hotline/ticketing"
)

// A report exports as tables: one XLSX sheet each, or one CSV block each
// (title row, header row, rows, blank line).

// reportTable is one table of an exported report.
type reportTable struct {
	title  string
	header []string
	widths []float64
	rows   [][]xlsxCell
}

// reportTables lays out a report for export.
func reportTables(rep *ticketing.Report) []reportTable {
	name := func(k string) xlsxCell { return textCell(rep.Names[k], xlsxGeneral) }
	intc := func(n int) xlsxCell { return numCell(float64(n), xlsxInteger) }
	pct := func(f float64) xlsxCell { return numCell(f, xlsxPercent) }
	summary := reportTable{title: "概况 summary", header: []string{"项 item", "数值 value"}, widths: []float64{36, 14}}
	add := func(label string, c xlsxCell) {
		summary.rows = append(summary.rows, []xlsxCell{textCell(label, xlsxGeneral), c})
	}
	add("受理量 total", intc(rep.Total))
	add("上期 previous", intc(rep.Previous.Total))
	add("去年同期 last_year", intc(rep.LastYear.Total))
	d := rep.Dispatch
	for _, kv := range []struct {
		k string
		n int
	}{{"派单 dispatched", d.Dispatched}, {"退单 returns", d.Returns}, {"延期申请 extensions_requested", d.ExtensionsRequested},
		{"延期批准 extensions_approved", d.ExtensionsApproved}, {"超期 overdue", d.Overdue},
		{"督办 supervised", d.Supervised}, {"重办 reopened", d.Reopened}} {
		add(kv.k, intc(kv.n))
	}
	add("有效回访 valid_callbacks", intc(rep.Rates.Valid))
	add("响应率 response_rate", pct(rep.Rates.ResponseRate))
	add("解决率 resolution_rate", pct(rep.Rates.ResolutionRate))
	add("满意率 satisfaction_rate", pct(rep.Rates.SatisfactionRate))
	add("综合得分 score", numCell(rep.Rates.Score, xlsxDecimal))
	if c := rep.Calls; c != nil {
		add("呼入 offered", intc(c.Offered))
		add("接通 answered", intc(c.Answered))
		add("15秒接通率 service_level", pct(c.ServiceLevel))
		add("平均应答时长(秒) asa_s", numCell(float64(c.ASAMS)/1000, xlsxDecimal))
		add("放弃率 abandon_rate", pct(c.AbandonRate))
		add("平均处理时长(秒) aht_s", numCell(float64(c.AHTMS)/1000, xlsxDecimal))
		add("占用率 occupancy", pct(c.Occupancy))
	}
	volume := reportTable{title: "分布 volume", header: []string{"维度 dimension", "键 key", "名称 name", "数量 count"},
		widths: []float64{14, 24, 24, 10}}
	v := rep.Volume
	for _, dim := range []struct {
		name string
		kc   []ticketing.KeyCount
	}{{"channel", v.Channel}, {"type", v.Type}, {"category", v.Category}, {"district", v.District}, {"unit", v.Unit}} {
		for _, kc := range dim.kc {
			volume.rows = append(volume.rows, []xlsxCell{textCell(dim.name, xlsxGeneral), textCell(kc.Key, xlsxGeneral), name(kc.Key), intc(kc.Count)})
		}
	}
	series := reportTable{title: "趋势 series", header: []string{"时间 at", "数量 count"}, widths: []float64{20, 10}}
	for _, p := range rep.Series {
		series.rows = append(series.rows, []xlsxCell{textCell(p.At.In(ticketing.Beijing).Format("2006-01-02 15:04"), xlsxGeneral), intc(p.Count)})
	}
	return []reportTable{summary, volume, series, moverTable(rep), urgentTable(rep)}
}

// moverTable lists every dimension's rises and falls against both bases.
func moverTable(rep *ticketing.Report) reportTable {
	t := reportTable{title: "异动 movers", widths: []float64{12, 12, 8, 24, 24, 10, 10, 10, 10},
		header: []string{"维度 dimension", "基期 base_period", "方向 direction", "键 key", "名称 name", "本期 count", "基期 base", "变化 change", "变化率 pct"}}
	m := rep.Movers
	for _, dim := range []struct {
		name string
		m    ticketing.Movers
	}{{"category", m.Category}, {"district", m.District}, {"unit", m.Unit}} {
		for _, base := range []struct {
			name string
			set  ticketing.MoverSet
		}{{"previous", dim.m.Previous}, {"last_year", dim.m.LastYear}} {
			for _, dir := range []struct {
				name string
				l    []ticketing.Mover
			}{{"rise", base.set.Rise}, {"fall", base.set.Fall}} {
				for _, mv := range dir.l {
					pct := xlsxCell{}
					if mv.Pct != nil {
						pct = numCell(*mv.Pct, xlsxPercent)
					}
					t.rows = append(t.rows, []xlsxCell{textCell(dim.name, 0), textCell(base.name, 0), textCell(dir.name, 0),
						textCell(mv.Key, 0), textCell(rep.Names[mv.Key], 0), numCell(float64(mv.Count), xlsxInteger),
						numCell(float64(mv.Base), xlsxInteger), numCell(float64(mv.Change), xlsxMovement), pct})
				}
			}
		}
	}
	return t
}

// urgentTable is the urgent-sensitive brief.
func urgentTable(rep *ticketing.Report) reportTable {
	t := reportTable{title: "急难敏感 urgent", widths: []float64{10, 18, 18, 30, 40},
		header: []string{"类别 theme", "工单号 id", "时间 time", "地点 place", "摘要 summary"}}
	for _, u := range rep.Urgent {
		t.rows = append(t.rows, []xlsxCell{textCell(u.Theme, 0), textCell(u.ID, 0),
			textCell(u.Time.In(ticketing.Beijing).Format("2006-01-02 15:04"), 0), textCell(u.Place, 0), textCell(u.Summary, 0)})
	}
	return t
}

// reportFilename names an export.
func reportFilename(rep *ticketing.Report, ext string) string {
	return fmt.Sprintf(`attachment; filename="report-%s-%s.%s"`, rep.Kind, rep.Label, ext)
}

func (s *server) writeReportCSV(w http.ResponseWriter, rep *ticketing.Report) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", reportFilename(rep, "csv"))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(utf8BOM))
	cw := csv.NewWriter(w)
	for _, t := range reportTables(rep) {
		_ = cw.Write([]string{t.title})
		_ = cw.Write(t.header)
		for _, row := range t.rows {
			rec := make([]string, len(row))
			for i, c := range row {
				rec[i] = csvCell(c)
			}
			_ = cw.Write(rec)
		}
		_ = cw.Write([]string{})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.Warn("report csv", "kind", rep.Kind, "label", rep.Label, "err", err)
	}
}

// csvCell is a cell as CSV text: numbers in full, text made formula-safe.
func csvCell(c xlsxCell) string {
	if c.isNum {
		return strconv.FormatFloat(c.num, 'f', -1, 64)
	}
	return csvSafe(c.text)
}

func (s *server) writeReportXLSX(w http.ResponseWriter, r *http.Request, rep *ticketing.Report) {
	var sheets []xlsxSheet
	taken := map[string]bool{}
	for _, t := range reportTables(rep) {
		header := make([]xlsxCell, len(t.header))
		for i, h := range t.header {
			header[i] = textCell(h, xlsxHeader)
		}
		name := xlsxSheetName(t.title, taken)
		taken[name] = true
		sheets = append(sheets, xlsxSheet{name: name, widths: t.widths, rows: append([][]xlsxCell{header}, t.rows...)})
	}
	var buf bytes.Buffer
	if err := writeXLSX(&buf, sheets); err != nil {
		s.fail(w, r, fmt.Errorf("report xlsx %s %s: %w", rep.Kind, rep.Label, err))
		return
	}
	w.Header().Set("Content-Type", xlsxContentType)
	w.Header().Set("Content-Disposition", reportFilename(rep, "xlsx"))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}
