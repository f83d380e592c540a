package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cityhotline/hotline/analytics/hotspot"
)

// hotspotsCSV: four heating complaints in 幸福里小区 (two citizens write
// twice), in three time formats; two unrelated rows; one row whose time does
// not parse.
const hotspotsCSV = `编号,用户,主题,时间,详情,点赞数
101,u1,幸福里小区暖气不热,2019/1/5 9:00:00,幸福里小区3号楼暖气不热，室温只有十五度,3
102,u2,幸福里小区暖气温度低,2019-01-05 18:30:00,幸福里小区的暖气温度太低了,0
103,u3,人民路路灯不亮,2019-01-06T20:00:00+08:00,人民路东段路灯不亮,1
104,u1,幸福里小区暖气还是不热,2019/1/6 8:00,幸福里小区暖气还是不热，没人来修,5
105,u4,咨询医保报销,2019/1/6,异地就医医保怎么报销,0
106,u2,幸福里小区暖气不热,昨天,幸福里小区暖气不热,0
107,u5,幸福里小区暖气片不热,2019/1/7 10:00:00,幸福里小区5号楼暖气片不热,2
`

func writeHotspotsCSV(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "messages.csv")
	if err := os.WriteFile(path, []byte(hotspotsCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func runHotspotsCmd(t *testing.T, args ...string) (hotspot.Result, string, error) {
	t.Helper()
	var stderr bytes.Buffer
	hotspotsStderr = &stderr
	t.Cleanup(func() { hotspotsStderr = os.Stderr })
	var out bytes.Buffer
	err := runHotspots(context.Background(), args, &out)
	var res hotspot.Result
	if err == nil {
		if jerr := json.Unmarshal(out.Bytes(), &res); jerr != nil {
			t.Fatalf("output is not JSON: %v\n%s", jerr, out.String())
		}
	}
	return res, stderr.String(), err
}

func TestHotspotsCommand(t *testing.T) {
	path := writeHotspotsCSV(t)
	res, stderr, err := runHotspotsCmd(t, "--csv", path, "--text", "主题,详情", "--time", "时间",
		"--id", "编号", "--citizen", "用户", "--support", "点赞数", "--top", "5")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "data row 6") || !strings.Contains(stderr, `"昨天"`) {
		t.Errorf("stderr should name the unparsable row 6: %q", stderr)
	}
	if res.Messages != 6 || len(res.Clusters) != 1 {
		t.Fatalf("messages %d, clusters %d (%+v); want 6 and 1", res.Messages, len(res.Clusters), res.Clusters)
	}
	c := res.Clusters[0]
	if want := []string{"101", "102", "104", "107"}; !slices.Equal(c.Members, want) {
		t.Errorf("members = %v, want %v", c.Members, want)
	}
	// u1 twice: 3 citizens + ¼; support 3+5+2 = 10.
	if c.Size != 4 || c.Citizens != 3 || c.Support != 10 {
		t.Errorf("size %d citizens %d support %d, want 4 3 10", c.Size, c.Citizens, c.Support)
	}
	if !slices.Contains(c.Place, "幸福里小区") {
		t.Errorf("place = %v", c.Place)
	}
}

func TestHotspotsRowNumbers(t *testing.T) {
	path := writeHotspotsCSV(t)
	res, _, err := runHotspotsCmd(t, "--csv", path, "--text", "详情", "--time", "时间")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Clusters) != 1 || !slices.Equal(res.Clusters[0].Members, []string{"1", "2", "4", "7"}) {
		t.Errorf("without --id members are 1-based data rows; got %+v", res.Clusters)
	}
}

func TestHotspotsErrors(t *testing.T) {
	path := writeHotspotsCSV(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--csv", path, "--text", "正文", "--time", "时间"}, `no column "正文" (--text)`},
		{[]string{"--csv", path, "--text", "详情", "--time", "日期"}, `no column "日期" (--time)`},
		{[]string{"--csv", path, "--text", "详情", "--time", "时间", "--support", "赞"}, `no column "赞" (--support)`},
		{[]string{"--csv", path, "--text", "详情"}, "--csv, --text and --time are required"},
		{[]string{"--csv", filepath.Join(t.TempDir(), "none.csv"), "--text", "详情", "--time", "时间"}, "no such file"},
	} {
		_, _, err := runHotspotsCmd(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to contain %q", tc.args, err, tc.want)
		}
	}
}

func TestParseHotspotTime(t *testing.T) {
	for in, want := range map[string]string{
		"2019/4/25 9:32:09":         "2019-04-25T09:32:09Z",
		"2019-01-01 10:00:00":       "2019-01-01T10:00:00Z",
		"2019-01-01T10:00:00+08:00": "2019-01-01T02:00:00Z",
		"2018/4/24":                 "2018-04-24T00:00:00Z",
		"2019/1/6 8:00":             "2019-01-06T08:00:00Z",
	} {
		got, err := parseHotspotTime(in)
		if err != nil || got.UTC().Format("2006-01-02T15:04:05Z07:00") != want {
			t.Errorf("parseHotspotTime(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
}
