package ticketing_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

var (
	analyst2    = hotline.Actor{UserID: "ana2", Name: "另一位分析员", Role: hotline.RoleAnalyst}
	supervisor2 = hotline.Actor{UserID: "sup2", Name: "督办 二", Role: hotline.RoleSupervisor}
)

// openDataWorld is a world with three tickets created on 2026-11-27 and
// the open-data service over the same store.
type openDataWorld struct {
	*world
	od                     *ticketing.OpenData
	lamp, secret, answered *ticketing.Ticket
}

func newOpenDataWorld(t *testing.T, w *world) *openDataWorld {
	t.Helper()
	st, ok := w.store.(ticketing.OpenDataBackend)
	if !ok {
		t.Fatal("the store does not serve open data")
	}
	ow := &openDataWorld{world: w, od: ticketing.NewOpenData(st, w.clock, nil)}
	ow.lamp = w.intake(t, ticketing.IntakeInput{Category: "city.streetlight", CitizenName: "赵敏", ContactNumber: "13900139000",
		Title: "赵敏反映路灯不亮", Content: "我叫赵敏，住朝阳区望京西园三区3号楼2单元501室，电话13900139000", Address: "朝阳区望京西园三区3号楼2单元501室"})
	ow.secret = w.intake(t, ticketing.IntakeInput{Category: "city.streetlight", CitizenName: "孙悦", Confidential: true,
		Title: "保密件", Content: "举报人孙悦", Address: "朝阳区望京"})
	ow.answered = w.intake(t, ticketing.IntakeInput{Category: "other", Triage: "answered", Reason: "已告知办理流程",
		Title: "咨询社保", Content: "王先生咨询社保卡办理，身份证11010519491231002X"})
	return ow
}

func (ow *openDataWorld) request(t *testing.T, a hotline.Actor) *ticketing.OpenDataRequest {
	t.Helper()
	r, err := ow.od.RequestExport(ow.ctx, a, ticketing.OpenDataInput{Partner: "北京大学", Purpose: "热点研究",
		From: "2026-11-27", To: "2026-11-27", Fields: []string{"created_hour", "category", "district", "street", "content", "outcome"}})
	if err != nil {
		t.Fatalf("request export: %v", err)
	}
	return r
}

func wantErrCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if got := hotline.ErrorCode(err); got != code {
		t.Fatalf("%s: %q (%v), want %s", what, got, err, code)
	}
}

func TestOpenDataGovernance(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ow := newOpenDataWorld(t, w)
		_, err := ow.od.RequestExport(w.ctx, agent, ticketing.OpenDataInput{})
		wantErrCode(t, err, hotline.EFORBIDDEN, "an agent requests")
		_, err = ow.od.RequestExport(w.ctx, analyst, ticketing.OpenDataInput{Partner: "北大"})
		wantErrCode(t, err, hotline.EINVALID, "a request without purpose and period")

		r := ow.request(t, analyst)
		if r.State != ticketing.OpenDataPending || r.Requester != "ana1" || r.Version != 1 || r.Fields[0] != "pseudonym" {
			t.Fatalf("request %+v", r)
		}
		_, err = ow.od.Export(w.ctx, analyst, r.ID, &bytes.Buffer{})
		wantErrCode(t, err, hotline.EFORBIDDEN, "download while pending")
		_, err = ow.od.Decide(w.ctx, analyst2, r.ID, true, ticketing.OpenDataDecision{})
		wantErrCode(t, err, hotline.EFORBIDDEN, "an analyst approves")
		_, err = ow.od.Decide(w.ctx, supervisor, r.ID, false, ticketing.OpenDataDecision{})
		wantErrCode(t, err, hotline.EINVALID, "a rejection without note")
		_, err = ow.od.Request(w.ctx, analyst2, r.ID)
		wantErrCode(t, err, hotline.ENOTFOUND, "another analyst's request")

		own := ow.request(t, supervisor)
		_, err = ow.od.Decide(w.ctx, supervisor, own.ID, true, ticketing.OpenDataDecision{})
		wantErrCode(t, err, hotline.EFORBIDDEN, "approving one's own request")
		rejected, err := ow.od.Decide(w.ctx, supervisor2, own.ID, false, ticketing.OpenDataDecision{Note: "用途不明确"})
		if err != nil || rejected.State != ticketing.OpenDataRejected || rejected.DecidedBy != "sup2" || rejected.Version != 2 {
			t.Fatalf("reject: %+v %v", rejected, err)
		}
		_, err = ow.od.Export(w.ctx, supervisor, own.ID, &bytes.Buffer{})
		wantErrCode(t, err, hotline.EFORBIDDEN, "download a rejected request")

		_, err = ow.od.Decide(w.ctx, supervisor, r.ID, true, ticketing.OpenDataDecision{Version: 7})
		wantErrCode(t, err, hotline.ECONFLICT, "approve at a stale version")
		approved, err := ow.od.Decide(w.ctx, supervisor, r.ID, true, ticketing.OpenDataDecision{Note: "同意"})
		if err != nil || approved.State != ticketing.OpenDataApproved || approved.DecidedBy != "sup1" {
			t.Fatalf("approve: %+v %v", approved, err)
		}
		_, err = ow.od.Decide(w.ctx, admin, r.ID, false, ticketing.OpenDataDecision{Note: "改主意"})
		wantErrCode(t, err, hotline.ECONFLICT, "decide twice")
		_, err = ow.od.Export(w.ctx, supervisor, r.ID, &bytes.Buffer{})
		wantErrCode(t, err, hotline.EFORBIDDEN, "someone else downloads")

		mine, err := ow.od.Requests(w.ctx, analyst, ticketing.OpenDataFilter{})
		if err != nil || len(mine) != 1 || mine[0].ID != r.ID {
			t.Errorf("analyst's list: %v %v", mine, err)
		}
		all, err := ow.od.Requests(w.ctx, supervisor2, ticketing.OpenDataFilter{})
		if err != nil || len(all) != 2 || all[0].ID != own.ID {
			t.Errorf("supervisor's list, newest first: %v %v", all, err)
		}
		_, err = ow.od.Downloads(w.ctx, analyst, ticketing.OpenDataDownloadFilter{})
		wantErrCode(t, err, hotline.EFORBIDDEN, "an analyst lists every download")
	})
}

func TestOpenDataExport(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ow := newOpenDataWorld(t, w)
		r := ow.request(t, analyst)
		if _, err := ow.od.Decide(w.ctx, supervisor, r.ID, true, ticketing.OpenDataDecision{}); err != nil {
			t.Fatal(err)
		}
		w.clock.advance(time.Hour)
		var first bytes.Buffer
		d, err := ow.od.Export(w.ctx, analyst, r.ID, &first)
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		sum := sha256.Sum256(first.Bytes())
		if !d.Complete || d.Rows != 2 || d.Bytes != int64(first.Len()) || d.SHA256 != hex.EncodeToString(sum[:]) || d.By != "ana1" {
			t.Errorf("download record %+v for %d bytes", d, first.Len())
		}
		rows := readCSV(t, first.Bytes())
		want := [][]string{
			{"pseudonym", "created_hour", "category", "district", "street", "content", "outcome"},
			{"", "2026-11-27 09:00", "其他", "", "", "[姓名]先生咨询社保卡办理，身份证[身份证号]", "answered"},
			{"", "2026-11-27 09:00", "路灯", "朝阳区", "望京街道", "我叫[姓名]，住[地址]，电话[手机号]", ""},
		}
		for i := range rows {
			if i > 0 {
				rows[i][0] = "" // the pseudonym is random per export
			}
		}
		if !equalRows(rows, want) {
			t.Errorf("export\n got %q\nwant %q", rows, want)
		}
		text := first.String()
		for _, leak := range []string{"13900139000", "赵敏", "孙悦", "3号楼", string(ow.lamp.ID), string(ow.answered.ID), "11010519491231002X"} {
			if strings.Contains(text, leak) {
				t.Errorf("the export holds %q", leak)
			}
		}

		var second bytes.Buffer
		if _, err := ow.od.Export(w.ctx, admin, r.ID, &second); err != nil {
			t.Fatalf("the admin exports: %v", err)
		}
		if readCSV(t, second.Bytes())[1][0] == readCSV(t, first.Bytes())[1][0] {
			t.Error("two exports share a pseudonym: they could be joined")
		}
		list, err := ow.od.Downloads(w.ctx, analyst, ticketing.OpenDataDownloadFilter{Request: r.ID})
		if err != nil || len(list) != 2 || list[0].ID != d.ID || list[1].By != "admin" {
			t.Errorf("downloads %+v %v", list, err)
		}
	})
}

// TestOpenDataExportRecordsABrokenDownload: a writer that fails leaves an
// incomplete download on the record.
func TestOpenDataExportRecordsABrokenDownload(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ow := newOpenDataWorld(t, w)
		r := ow.request(t, analyst)
		if _, err := ow.od.Decide(w.ctx, admin, r.ID, true, ticketing.OpenDataDecision{}); err != nil {
			t.Fatal(err)
		}
		d, err := ow.od.Export(w.ctx, analyst, r.ID, failingWriter{})
		if err == nil || d == nil || d.Complete {
			t.Fatalf("export to a broken writer: %+v %v", d, err)
		}
		list, err := ow.od.Downloads(w.ctx, supervisor, ticketing.OpenDataDownloadFilter{})
		if err != nil || len(list) != 1 || list[0].Complete || list[0].Bytes != 0 {
			t.Errorf("downloads %+v %v", list, err)
		}
	})
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("connection reset") }

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	body, ok := bytes.CutPrefix(data, []byte("\uFEFF"))
	if !ok {
		t.Fatal("the export does not start with a BOM")
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("read csv: %v", err)
	}
	return rows
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}
