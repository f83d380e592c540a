package hotspot

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

var base = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // day 1

func at(day, hour int) time.Time {
	return base.Add(time.Duration(day-1)*24*time.Hour + time.Duration(hour)*time.Hour)
}

// corpus: six heating complaints in 幸福里小区 over three days, four noise
// complaints about the building site by 阳光花园 over a week, and scattered
// messages, among them a noise complaint in 幸福里小区 (same place as the
// heating, same matter as the noise) and last month's heating complaint.
func corpus() []Message {
	return []Message{
		{ID: "h1", Citizen: "c1", Time: at(5, 10), Title: "幸福里小区暖气不热", Text: "幸福里小区3号楼暖气不热，家里只有十五度"},
		{ID: "h2", Citizen: "c2", Time: at(5, 15), Title: "幸福里小区暖气温度低", Text: "幸福里小区的暖气温度太低，老人孩子受不了"},
		{ID: "h3", Citizen: "c3", Time: at(6, 9), Title: "幸福里小区暖气不热供暖不足", Text: "幸福里小区供暖不足，暖气片是凉的"},
		{ID: "h4", Citizen: "c4", Time: at(7, 8), Title: "幸福里小区暖气不热", Text: "幸福里小区暖气不热，打供热公司电话没人管"},
		{ID: "h5", Citizen: "c5", Time: at(7, 12), Title: "幸福里小区暖气片不热", Text: "幸福里小区5号楼暖气片不热"},
		{ID: "h6", Citizen: "c6", Time: at(7, 18), Title: "幸福里小区暖气停了", Text: "幸福里小区暖气停了，室内温度很低"},

		{ID: "n1", Citizen: "c7", Time: at(1, 22), Title: "阳光花园旁工地夜间施工噪音扰民", Text: "阳光花园旁边的工地夜间施工，噪音扰民"},
		{ID: "n2", Citizen: "c8", Time: at(3, 23), Support: 10, Title: "阳光花园工地夜间施工太吵", Text: "阳光花园工地晚上十一点还在施工，太吵了"},
		{ID: "n3", Citizen: "c7", Time: at(5, 23), Title: "阳光花园工地噪音扰民", Text: "阳光花园附近工地夜间施工噪音扰民，无法入睡"},
		{ID: "n4", Citizen: "c9", Time: at(7, 20), Title: "阳光花园工地夜间施工噪音大", Text: "阳光花园工地夜间施工噪音很大"},

		{ID: "x1", Citizen: "c10", Time: at(6, 21), Title: "幸福里小区楼下工地夜间施工噪音扰民", Text: "幸福里小区楼下工地夜间施工，噪音扰民"},
		{ID: "x2", Citizen: "c11", Time: at(-25, 10), Title: "幸福里小区暖气不热", Text: "幸福里小区暖气不热"},
		{ID: "s1", Citizen: "c12", Time: at(2, 19), Title: "人民路路灯不亮", Text: "人民路东段路灯不亮，晚上很黑"},
		{ID: "s2", Citizen: "c13", Time: at(3, 11), Title: "朝阳公园厕所脏乱", Text: "朝阳公园北门厕所很脏"},
		{ID: "s3", Citizen: "c14", Time: at(4, 9), Title: "咨询医保报销流程", Text: "请问异地就医医保怎么报销"},
		{ID: "s4", Citizen: "c15", Time: at(4, 16), Title: "光明小区电梯故障", Text: "光明小区2号楼电梯故障困人"},
		{ID: "s5", Citizen: "c16", Time: at(6, 13), Title: "出租车拒载", Text: "在火车站打车被出租车拒载"},
		{ID: "s6", Citizen: "c17", Time: at(7, 10), Title: "建设路井盖丢失", Text: "建设路与和平街口井盖丢失"},
	}
}

func weekConfig() Config {
	return Config{Window: 7 * 24 * time.Hour, End: at(8, 0), Period: 24 * time.Hour}
}

func TestFindClusters(t *testing.T) {
	res := Find(corpus(), weekConfig())
	if res.Messages != 17 { // x2 is before the window
		t.Errorf("messages in window = %d, want 17", res.Messages)
	}
	if len(res.Clusters) != 2 {
		for _, c := range res.Clusters {
			t.Logf("%s %v", c.ID, c.Members)
		}
		t.Fatalf("got %d clusters, want 2", len(res.Clusters))
	}
	heat, noise := res.Clusters[0], res.Clusters[1]
	if want := []string{"h1", "h2", "h3", "h4", "h5", "h6"}; !slices.Equal(heat.Members, want) {
		t.Errorf("first cluster = %v, want %v", heat.Members, want)
	}
	if want := []string{"n1", "n2", "n3", "n4"}; !slices.Equal(noise.Members, want) {
		t.Errorf("second cluster = %v, want %v", noise.Members, want)
	}
	// Heating: 6 citizens; 4 of 6 in the last quarter (from day 6 06:00):
	// growth (4/6)/0.25 = 2.67; heat 6·√2.667 = 9.80.
	// Noise: 3 citizens + ¼ for c7's second message; 1 of 4 recent: growth
	// 1; support 10: heat 3.25·1 + 2·ln 11 = 8.05.
	if heat.Heat != 9.8 || heat.Growth != 2.67 || heat.Citizens != 6 {
		t.Errorf("heating: heat %v growth %v citizens %d, want 9.8 2.67 6", heat.Heat, heat.Growth, heat.Citizens)
	}
	if noise.Heat != 8.05 || noise.Growth != 1 || noise.Citizens != 3 || noise.Support != 10 {
		t.Errorf("noise: heat %v growth %v citizens %d support %d, want 8.05 1 3 10",
			noise.Heat, noise.Growth, noise.Citizens, noise.Support)
	}
	if heat.ID != "hs-h1" || !heat.First.Equal(at(5, 10)) || !heat.Last.Equal(at(7, 18)) {
		t.Errorf("heating: id %s span %v–%v", heat.ID, heat.First, heat.Last)
	}
	if !slices.Contains(heat.Place, "幸福里小区") || !slices.Contains(noise.Place, "阳光花园") {
		t.Errorf("places: %v and %v", heat.Place, noise.Place)
	}
	if !slices.ContainsFunc(heat.Keywords, func(k string) bool { return k == "暖气" || k == "暖气不热" }) {
		t.Errorf("heating keywords = %v, want 暖气 among them", heat.Keywords)
	}
	if !slices.Contains(heat.Members, heat.Representative) || heat.Description == "" {
		t.Errorf("representative %q (%q) not a member", heat.Representative, heat.Description)
	}
	if want := []int{0, 0, 0, 0, 2, 1, 3}; !slices.Equal(heat.Periods, want) {
		t.Errorf("heating periods = %v, want %v", heat.Periods, want)
	}
}

func TestEarlyWarning(t *testing.T) {
	res := Find(corpus(), weekConfig())
	// Heating: latest day 3 against 0,0,0,0,2,1: mean 0.5, sd 0.76,
	// threshold 2.79. Noise: 1 on the latest day, under the minimum of 3.
	if len(res.Alerts) != 1 || res.Alerts[0].ID != "hs-h1" {
		t.Fatalf("alerts = %+v, want the heating cluster alone", res.Alerts)
	}
	a := res.Alerts[0].Alert
	if a.Latest != 3 || a.Mean != 0.5 || a.SD != 0.76 || a.Threshold != 2.79 {
		t.Errorf("alert = %+v, want latest 3, mean 0.5, sd 0.76, threshold 2.79", a)
	}
	if res.Clusters[1].Alert != nil {
		t.Errorf("noise flagged: %+v", res.Clusters[1].Alert)
	}
}

func TestAlertRule(t *testing.T) {
	cfg := Config{}.withDefaults()
	for _, tc := range []struct {
		counts []int
		fires  bool
	}{
		{[]int{3, 3, 3, 3, 3, 3, 3}, false}, // steady: sd 0, 3 is not above 3
		{[]int{2, 3, 2, 3, 2, 3, 4}, false}, // mean 2.5, sd 0.5: threshold 4
		{[]int{0, 0, 0, 0, 1, 2, 6}, true},  // mean 0.5, sd 0.76: threshold 2.79
		{[]int{0, 0, 0, 0, 0, 0, 2}, false}, // new, but under the minimum of 3
		{[]int{5, 9}, false},                // no baseline of two periods
	} {
		if got := alert(tc.counts, cfg) != nil; got != tc.fires {
			t.Errorf("alert(%v) fires = %v, want %v", tc.counts, got, tc.fires)
		}
	}
}

func TestFindIsDeterministic(t *testing.T) {
	want := Find(corpus(), weekConfig())
	msgs := corpus()
	r := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		r.Shuffle(len(msgs), func(i, j int) { msgs[i], msgs[j] = msgs[j], msgs[i] })
		if got := Find(msgs, weekConfig()); !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffled input changed the result")
		}
	}
}

func TestWindowAndGap(t *testing.T) {
	// A 60-day window takes in last month's complaint x2, exactly 30 days
	// before h1: it stays out with a 20-day gap limit and joins with 40.
	cfg := weekConfig()
	cfg.Window, cfg.MaxGap = 60*24*time.Hour, 20*24*time.Hour
	res := Find(corpus(), cfg)
	if res.Messages != 18 {
		t.Errorf("messages = %d, want 18", res.Messages)
	}
	if slices.Contains(res.Clusters[0].Members, "x2") {
		t.Errorf("x2, 30 days before, joined: %v", res.Clusters[0].Members)
	}
	cfg.MaxGap = 40 * 24 * time.Hour
	res = Find(corpus(), cfg)
	if !slices.Contains(res.Clusters[0].Members, "x2") {
		t.Errorf("with a 40-day gap limit x2 should join: %v", res.Clusters[0].Members)
	}
}

func TestPlaces(t *testing.T) {
	var got []string
	for _, p := range places("座落在A市A3区联丰路米兰春天G2栋，伊景园滨河苑和魅力之城小区的道路，北京市朝阳区建外街道永安里小区") {
		got = append(got, p.name)
	}
	// A name never runs back into the one before it: 魅力之城 (not 魅力之城小区),
	// 永安里小区 (not 道永安里小区).
	want := []string{"A市", "A3区", "联丰路", "伊景园滨河苑", "魅力之城", "北京市", "朝阳区", "建外街道", "永安里小区"}
	if !slices.Equal(got, want) {
		t.Errorf("places = %v, want %v", got, want)
	}
	if placeTail("万科魅力之城") != placeTail("魅力之城") || placeTail("伊景园滨河苑") != "滨河苑" {
		t.Errorf("tails: %q %q %q", placeTail("万科魅力之城"), placeTail("魅力之城"), placeTail("伊景园滨河苑"))
	}
}

func TestEmpty(t *testing.T) {
	res := Find(nil, Config{})
	if res.Messages != 0 || len(res.Clusters) != 0 || res.Clusters == nil || res.Alerts == nil {
		t.Errorf("empty input: %+v", res)
	}
}
