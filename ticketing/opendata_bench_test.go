package ticketing_test

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/store/sqlite"
	"github.com/cityhotline/hotline/ticketing"
)

// maskSample is a long, dense complaint: every kind of personal data the
// masking knows, in a realistic sentence.
const maskSample = "市民赵女士来电反映：我叫赵敏，住朝阳区望京西园三区3号楼2单元501室，电话13800138000，" +
	"备用010-64701234。楼下12号院5栋1门302的住户（李先生，车牌京A·12345）长期在楼道堆放杂物，" +
	"物业电话400-810-8888多次反映无果，邮箱zhao.min@example.com，身份证11010519491231002X。" +
	"希望相关部门于11月3号前处理，地铁10号线望京站附近也有类似问题。"

// BenchmarkMaskText: one dense 200-character complaint.
func BenchmarkMaskText(b *testing.B) {
	b.SetBytes(int64(len(maskSample)))
	for b.Loop() {
		ticketing.MaskText(maskSample, "赵敏")
	}
}

// BenchmarkOpenDataExport exports every ticket of a SQLite store made by
// hotlinectl seed: HOTLINE_BENCH_OPENDATA_DB=PATH (the database file),
// HOTLINE_BENCH_OPENDATA_FROM / _TO (YYYY-MM-DD, inclusive). Each op is one
// whole export with every field, callbacks included; rows/op and bytes are
// reported.
func BenchmarkOpenDataExport(b *testing.B) {
	path := os.Getenv("HOTLINE_BENCH_OPENDATA_DB")
	if path == "" {
		b.Skip("set HOTLINE_BENCH_OPENDATA_DB to a SQLite file made by hotlinectl seed")
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	clock := hotline.ClockFunc(func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) })
	od := ticketing.NewOpenData(db, clock, nil)
	analyst := hotline.Actor{UserID: "bench-analyst", Name: "bench", Role: hotline.RoleAnalyst}
	r, err := od.RequestExport(ctx, analyst, ticketing.OpenDataInput{Partner: "bench", Purpose: "benchmark",
		From: os.Getenv("HOTLINE_BENCH_OPENDATA_FROM"), To: os.Getenv("HOTLINE_BENCH_OPENDATA_TO")})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := od.Decide(ctx, hotline.Actor{UserID: "bench-admin", Role: hotline.RoleAdmin}, r.ID, true, ticketing.OpenDataDecision{}); err != nil {
		b.Fatal(err)
	}
	var d *ticketing.OpenDataDownload
	for b.Loop() {
		if d, err = od.Export(ctx, analyst, r.ID, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.Rows), "rows/op")
	b.ReportMetric(float64(d.Bytes), "bytes/op")
}

// BenchmarkMaskTextPlain: a complaint without personal data, the common case.
func BenchmarkMaskTextPlain(b *testing.B) {
	const plain = "小区门口路灯连续三天晚上不亮，行人出行不便，存在安全隐患，希望尽快维修。"
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		ticketing.MaskText(plain)
	}
}
