package classify

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
)

// smallCorpus is 4 labels × 10 invented titles.
func smallCorpus() []Example {
	byLabel := map[string][]string{
		"供暖": {
			"小区暖气不热，室温只有十度", "冬季供暖温度不达标", "暖气片不热请尽快维修", "供暖公司拖延供暖",
			"家里暖气漏水无人修", "老旧小区集中供暖问题", "暖气费收了却不供暖", "供暖管道破裂整栋楼不热",
			"请求延长供暖时间", "新房一直没有通暖气",
		},
		"噪音": {
			"夜间施工噪音扰民", "广场舞音响噪音太大", "工地凌晨施工噪音严重", "楼下烧烤店噪音扰民",
			"酒吧音乐噪音影响休息", "装修噪音从早到晚", "货车鸣笛噪音扰民", "商铺喇叭噪音扰民严重",
			"工厂机器噪音日夜不停", "夜间施工影响居民休息",
		},
		"教育": {
			"孩子入学学位不足", "学校乱收费补课费", "小学招生划片不合理", "幼儿园收费过高",
			"中学老师有偿补课", "学区房入学政策咨询", "学校食堂卫生差", "民办学校招生虚假宣传",
			"孩子转学手续难办", "小学放学时间太早",
		},
		"工资": {
			"公司拖欠工资三个月", "农民工工资被拖欠", "老板拖欠员工工资不发", "工地拖欠农民工工资",
			"单位不发加班费", "工资被克扣无故扣钱", "辞职后公司不结工资", "拖欠工资讨薪无门",
			"工厂拖欠工人工资跑路", "餐馆老板拖欠服务员工资",
		},
	}
	var out []Example
	for _, l := range slices.Sorted(maps.Keys(byLabel)) {
		for _, t := range byLabel[l] {
			out = append(out, Example{Text: t, Label: l})
		}
	}
	return out
}

func TestTrainPredictHeldOut(t *testing.T) {
	for _, nb := range []float64{0, -1} { // NB ratios (the default) and the plain softmax
		m, err := Train(smallCorpus(), Options{NB: nb})
		if err != nil {
			t.Fatal(err)
		}
		testHeldOut(t, m)
	}
}

func testHeldOut(t *testing.T, m *Model) {
	t.Helper()
	heldOut := []Example{
		{"暖气不热，家里好冷", "供暖"},
		{"供暖温度太低", "供暖"},
		{"楼上装修噪音扰民", "噪音"},
		{"工地夜间施工太吵", "噪音"},
		{"学校补课乱收费", "教育"},
		{"孩子上小学没有学位", "教育"},
		{"老板拖欠三个月工资", "工资"},
		{"建筑工地不发农民工工资", "工资"},
	}
	for _, e := range heldOut {
		got := m.Predict(e.Text, 1)
		if len(got) != 1 || got[0].Label != e.Label {
			t.Errorf("%v: Predict(%q) = %v, want %s", m, e.Text, got, e.Label)
		}
	}
}

func TestPredictShape(t *testing.T) {
	m, err := Train(smallCorpus(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Labels(); strings.Join(got, ",") != "供暖,噪音,工资,教育" {
		t.Errorf("labels %q", got)
	}
	all := m.Predict("暖气不热", 0)
	if len(all) != 4 {
		t.Fatalf("k=0 gave %d labels", len(all))
	}
	var sum float64
	for i, s := range all {
		if s.Score < 0 || s.Score > 1 || (i > 0 && s.Score > all[i-1].Score) {
			t.Errorf("scores not probabilities best first: %v", all)
		}
		sum += s.Score
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("scores sum to %g", sum)
	}
	if got := m.Predict("暖气不热", 3); len(got) != 3 || got[0] != all[0] {
		t.Errorf("k=3 gave %v", got)
	}
	// A text with no known feature falls back to the (balanced) bias.
	if got := m.Predict("ｘｙｚ", 9); len(got) != 4 {
		t.Errorf("unknown text gave %v", got)
	}
}

func TestTrainDeterministic(t *testing.T) {
	a, _ := Train(smallCorpus(), Options{Seed: 7})
	b, _ := Train(smallCorpus(), Options{Seed: 7})
	for _, text := range []string{"暖气不热", "拖欠工资", "噪音"} {
		pa, pb := a.Predict(text, 0), b.Predict(text, 0)
		for i := range pa {
			if pa[i] != pb[i] {
				t.Fatalf("%q: %v vs %v", text, pa, pb)
			}
		}
	}
}

func TestTrainContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := TrainContext(ctx, smallCorpus(), Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestTrainErrors(t *testing.T) {
	if _, err := Train(nil, Options{}); !errors.Is(err, ErrNoExamples) {
		t.Errorf("no examples: %v", err)
	}
	if _, err := Train([]Example{{"a", "x"}, {"b", "x"}}, Options{}); err == nil || !strings.Contains(err.Error(), "2 labels") {
		t.Errorf("one label: %v", err)
	}
	if _, err := Train([]Example{{"a", "x"}, {"", "y"}}, Options{}); err == nil || !strings.Contains(err.Error(), "example 1") {
		t.Errorf("empty text: %v", err)
	}
}

func TestSaveLoad(t *testing.T) {
	m, err := Train(smallCorpus(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	samePredictionsAfterLoad(t, m, "")
}

// samePredictionsAfterLoad saves m, loads it back and fails t unless the
// loaded model predicts exactly as m; what names the model in a failure.
func samePredictionsAfterLoad(t *testing.T, m *Model, what string) {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"暖气不热", "拖欠工资", "夜间施工"} {
		a, b := m.Predict(text, 0), got.Predict(text, 0)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s%q after load: %v, want %v", what, text, b, a)
			}
		}
	}
}

func TestLoadRefuses(t *testing.T) {
	var wrong bytes.Buffer
	enc := gob.NewEncoder(&wrong)
	enc.Encode(header{Magic: formatMagic, Version: formatVersion + 1})
	if _, err := Load(&wrong); err == nil || !strings.Contains(err.Error(), "format version 3") {
		t.Errorf("wrong version: %v", err)
	}
	if _, err := Load(strings.NewReader("not a model")); err == nil || !strings.Contains(err.Error(), "not a hotline classifier model") {
		t.Errorf("garbage: %v", err)
	}
	var short bytes.Buffer
	enc = gob.NewEncoder(&short)
	enc.Encode(header{Magic: formatMagic, Version: formatVersion})
	enc.Encode(saved{Labels: []string{"a", "b"}, Features: []string{"x"}, Weights: []byte{1, 2, 3}})
	if _, err := Load(&short); err == nil || !strings.Contains(err.Error(), "inconsistent") {
		t.Errorf("inconsistent: %v", err)
	}
}
