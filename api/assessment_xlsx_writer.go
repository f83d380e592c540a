package api

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// A minimal SpreadsheetML (XLSX) writer: enough for the assessment export,
// with no dependency. A workbook is a zip of XML parts: [Content_Types].xml,
// _rels/.rels, xl/workbook.xml, xl/_rels/workbook.xml.rels, xl/styles.xml
// and one xl/worksheets/sheetN.xml per sheet. Text is written as inline
// strings (no shared-string table), so a cell is never read as a formula.

// Cell styles: indexes into cellXfs of xlsxStyles.
const (
	xlsxGeneral  = 0
	xlsxHeader   = 1 // bold, grey fill
	xlsxPercent  = 2 // 0.00%
	xlsxDecimal  = 3 // 0.00
	xlsxInteger  = 4 // 0
	xlsxMovement = 5 // +0;-0;0
)

// xlsxStyles defines the styles above. numFmtId 10 (0.00%), 2 (0.00) and 1
// (0) are built in; 164 is our own.
const xlsxStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="+0;-0;0"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFE7EAEE"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="6">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>
<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>`

const (
	xmlHeader  = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	nsMain     = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel      = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkgRel   = "http://schemas.openxmlformats.org/package/2006/relationships"
	ctWorkbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
	ctSheet    = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
	ctStyles   = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
	// xlsxContentType is the media type of a workbook.
	xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// xlsxCell is one cell: text, a number, or empty.
type xlsxCell struct {
	text   string
	num    float64
	isNum  bool
	style  int
	filled bool
}

func textCell(s string, style int) xlsxCell { return xlsxCell{text: s, style: style, filled: s != ""} }
func numCell(x float64, style int) xlsxCell {
	return xlsxCell{num: x, isNum: true, style: style, filled: true}
}

// xlsxSheet is one worksheet: its tab name, column widths (in characters)
// and rows; the first row is frozen as the header.
type xlsxSheet struct {
	name   string
	widths []float64
	rows   [][]xlsxCell
}

// xlsxSheetName makes s a valid, unique sheet name: no []:*?/\, at most 31
// characters.
func xlsxSheetName(s string, taken map[string]bool) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	base := s
	for i := 2; taken[s] || s == ""; i++ {
		suffix := " " + strconv.Itoa(i)
		r := []rune(base)
		s = string(r[:min(len(r), 31-len(suffix))]) + suffix
	}
	taken[s] = true
	return s
}

// writeXLSX writes the workbook of sheets to w.
func writeXLSX(w io.Writer, sheets []xlsxSheet) error {
	z := zip.NewWriter(w)
	taken := map[string]bool{}
	names := make([]string, len(sheets))
	for i := range sheets {
		names[i] = xlsxSheetName(sheets[i].name, taken)
	}
	parts := []struct {
		name string
		body []byte
	}{
		{"[Content_Types].xml", contentTypes(len(sheets))},
		{"_rels/.rels", []byte(xmlHeader + `<Relationships xmlns="` + nsPkgRel + `"><Relationship Id="rId1" Type="` + nsRel +
			`/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		{"xl/workbook.xml", workbookXML(names)},
		{"xl/_rels/workbook.xml.rels", workbookRels(len(sheets))},
		{"xl/styles.xml", []byte(xlsxStyles)},
	}
	for i := range sheets {
		parts = append(parts, struct {
			name string
			body []byte
		}{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), sheetXML(&sheets[i])})
	}
	for _, p := range parts {
		f, err := z.Create(p.name)
		if err != nil {
			return err
		}
		if _, err := f.Write(p.body); err != nil {
			return err
		}
	}
	return z.Close()
}

func contentTypes(n int) []byte {
	var b bytes.Buffer
	b.WriteString(xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`)
	b.WriteString(`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`)
	b.WriteString(`<Default Extension="xml" ContentType="application/xml"/>`)
	b.WriteString(`<Override PartName="/xl/workbook.xml" ContentType="` + ctWorkbook + `"/>`)
	b.WriteString(`<Override PartName="/xl/styles.xml" ContentType="` + ctStyles + `"/>`)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="%s"/>`, i, ctSheet)
	}
	b.WriteString(`</Types>`)
	return b.Bytes()
}

func workbookXML(names []string) []byte {
	var b bytes.Buffer
	b.WriteString(xmlHeader + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheets>`)
	for i, n := range names {
		b.WriteString(`<sheet name="`)
		escapeXML(&b, n)
		fmt.Fprintf(&b, `" sheetId="%d" r:id="rId%d"/>`, i+1, i+1)
	}
	b.WriteString(`</sheets></workbook>`)
	return b.Bytes()
}

func workbookRels(n int) []byte {
	var b bytes.Buffer
	b.WriteString(xmlHeader + `<Relationships xmlns="` + nsPkgRel + `">`)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `<Relationship Id="rId%d" Type="%s/worksheet" Target="worksheets/sheet%d.xml"/>`, i, nsRel, i)
	}
	fmt.Fprintf(&b, `<Relationship Id="rId%d" Type="%s/styles" Target="styles.xml"/>`, n+1, nsRel)
	b.WriteString(`</Relationships>`)
	return b.Bytes()
}

func sheetXML(s *xlsxSheet) []byte {
	var b bytes.Buffer
	b.WriteString(xmlHeader + `<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">`)
	b.WriteString(`<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`)
	if len(s.widths) > 0 {
		b.WriteString(`<cols>`)
		for i, w := range s.widths {
			fmt.Fprintf(&b, `<col min="%d" max="%d" width="%s" customWidth="1"/>`, i+1, i+1, strconv.FormatFloat(w, 'f', -1, 64))
		}
		b.WriteString(`</cols>`)
	}
	b.WriteString(`<sheetData>`)
	for r, row := range s.rows {
		fmt.Fprintf(&b, `<row r="%d">`, r+1)
		for c, cell := range row {
			if !cell.filled {
				continue
			}
			ref := cellRef(c, r)
			switch {
			case cell.isNum:
				fmt.Fprintf(&b, `<c r="%s" s="%d"><v>%s</v></c>`, ref, cell.style, strconv.FormatFloat(cell.num, 'f', -1, 64))
			default:
				fmt.Fprintf(&b, `<c r="%s" s="%d" t="inlineStr"><is><t>`, ref, cell.style)
				escapeXML(&b, cell.text)
				b.WriteString(`</t></is></c>`)
			}
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(`</sheetData></worksheet>`)
	return b.Bytes()
}

// cellRef names the cell at column c, row r (both from 0): A1, B1 … AA1.
func cellRef(c, r int) string {
	col := ""
	for c++; c > 0; c = (c - 1) / 26 {
		col = string(rune('A'+(c-1)%26)) + col
	}
	return col + strconv.Itoa(r+1)
}

// escapeXML writes s escaped for element text or an attribute value,
// dropping characters XML 1.0 cannot hold.
func escapeXML(b *bytes.Buffer, s string) {
	clean := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r != 0xFFFE && r != 0xFFFF) {
			return r
		}
		return -1
	}, s)
	_ = xml.EscapeText(b, []byte(clean)) // a bytes.Buffer does not fail
}
