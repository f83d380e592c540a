package hotspot

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The golden test pins the whole output of Find (clusters, members, heat,
// places, keywords, representatives, periods, alerts) on a fixed generated
// corpus under several configurations, so that a change made for speed can
// be shown to change nothing. testdata/golden.json was written by the
// implementation before the speed work of issue 7; regenerate it with
//
//	go test ./analytics/hotspot -run Golden -update
//
// only for a change that is meant to change results, and say so.
var update = flag.Bool("update", false, "rewrite testdata/golden.json from the current implementation")

// goldenCorpus returns the synthetic benchmark corpus, 2,500 messages,
// plus 1,500 messages that exercise what it lacks: no titles, Han-named
// districts and roads, given places, Latin words and full-width forms,
// unnamed citizens, repeat citizens, negative support, placeless matters,
// and several places in one text.
func goldenCorpus() []Message {
	msgs := synthetic(2500)
	r := rand.New(rand.NewPCG(2026, 7))
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	districts := []string{"朝阳区", "海淀区", "丰台区", "密云县", "Ｂ２区", "J10县", "A3区"}
	streets := []string{"建外街道", "月湖街道", "西城镇", "东坝乡", ""}
	roads := []string{"人民路", "建设路", "和平街", "解放大道", "中山路", "幸福巷", ""}
	compounds := []string{"幸福里小区", "阳光花园", "永安里小区", "伊景园滨河苑", "万科魅力之城", "魅力之城",
		"锦和明家园", "祥龙上花园", "光明小区", "翠湖新城", "金港公寓", "第一中学", "人民医院", "农贸市场", ""}
	matters := []string{"暖气不热温度很低", "夜间施工噪音扰民", "路灯不亮晚上很黑", "电梯故障困人",
		"垃圾清运不及时", "自来水停水没有通知", "餐馆油烟扰民", "物业乱收费", "下水道堵塞污水外溢",
		"WiFi信号差 5G网络不稳定", "ＡＢＣ公司拖欠工资", "共享单车乱停放", "井盖缺失很危险",
		"广场舞音响声音太大", "宠物狗扰民遛狗不拴绳"}
	fillers := []string{"我们希望相关部门尽快处理", "已经反映过三次了", "请问什么时候能解决",
		"家里有老人孩子", "3号楼2单元", "谢谢领导", "影响居民正常生活，情况很严重", ""}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	month := int64(30 * 24 * time.Hour)
	for i := range 1500 {
		m := r.IntN(len(matters))
		c := compounds[r.IntN(len(compounds))]
		if r.IntN(8) == 0 { // a small hot spot: one matter at one place late in the month
			m, c = i%4, compounds[i%4]
		}
		var b strings.Builder
		if r.IntN(3) == 0 {
			b.WriteString(pick(districts))
			b.WriteString(pick(streets))
		}
		if r.IntN(3) == 0 {
			b.WriteString(pick(roads))
		}
		b.WriteString(c)
		b.WriteString(matters[m])
		b.WriteString("，")
		b.WriteString(pick(fillers))
		if r.IntN(5) == 0 { // a second place in the text
			b.WriteString("，隔壁")
			b.WriteString(pick(compounds))
			b.WriteString("也是")
		}
		msg := Message{
			ID:      fmt.Sprintf("g%05d", i),
			Text:    b.String(),
			Support: r.IntN(6) - 1,
			Time:    start.Add(time.Duration(r.Int64N(month))),
		}
		if m < 4 && r.IntN(2) == 0 {
			msg.Time = start.Add(time.Duration(month*3/4 + r.Int64N(month/4)))
		}
		if r.IntN(3) > 0 {
			msg.Title = c + matters[m]
		}
		if r.IntN(4) == 0 {
			msg.Place = pick(compounds)
		}
		switch r.IntN(4) {
		case 0: // unnamed
		case 1:
			msg.Citizen = fmt.Sprintf("r%d", r.IntN(20)) // a few who write often
		default:
			msg.Citizen = fmt.Sprintf("c%d", r.IntN(5000))
		}
		msgs = append(msgs, msg)
	}
	return msgs
}

// goldenConfigs are the configurations the golden output is taken under.
func goldenConfigs() map[string]Config {
	end := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	return map[string]Config{
		"default":   {},
		"top5":      {Top: 5},
		"top200":    {Top: 200, MinSize: 2},
		"week":      {Window: 7 * 24 * time.Hour, End: end, Period: 24 * time.Hour},
		"oneworker": {Workers: 1, Top: 30},
		"loose":     {SamePlace: 0.05, NoPlace: 0.1, Neighbours: 8, StopShare: 0.2, MaxGap: 5 * 24 * time.Hour, AlertSigma: 1, AlertMin: 2},
		"strict":    {SamePlace: 0.3, NoPlace: 0.5, Neighbours: 2, StopShare: 0.02, Recent: 0.5, SupportWeight: 0.5, MinSize: 4},
	}
}

func goldenOutput(t *testing.T) []byte {
	t.Helper()
	msgs := goldenCorpus()
	out := map[string]Result{}
	for name, cfg := range goldenConfigs() {
		out[name] = Find(msgs, cfg)
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return append(b, '\n')
}

func TestGolden(t *testing.T) {
	path := filepath.Join("testdata", "golden.json")
	got := goldenOutput(t)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden output (write it with -update): %v", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	var g, w map[string]Result
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	for name := range w {
		gb, _ := json.Marshal(g[name])
		wb, _ := json.Marshal(w[name])
		if !bytes.Equal(gb, wb) {
			t.Errorf("config %s: output differs from %s", name, path)
			diffClusters(t, name, "clusters", g[name].Clusters, w[name].Clusters)
			diffClusters(t, name, "alerts", g[name].Alerts, w[name].Alerts)
		}
	}
}

// diffClusters reports the first clusters that differ.
func diffClusters(t *testing.T, name, what string, got, want []Cluster) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s %s: %d, want %d", name, what, len(got), len(want))
	}
	shown := 0
	for k := range min(len(got), len(want)) {
		gb, _ := json.Marshal(got[k])
		wb, _ := json.Marshal(want[k])
		if !bytes.Equal(gb, wb) && shown < 3 {
			t.Errorf("%s %s[%d]:\n got %s\nwant %s", name, what, k, gb, wb)
			shown++
		}
	}
}
