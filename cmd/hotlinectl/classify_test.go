package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// classifyTestRows is 4 labels × 8 invented titles.
var classifyTestRows = map[string][]string{
	"供暖": {"小区暖气不热", "冬季供暖温度不达标", "暖气片不热请维修", "供暖公司拖延供暖", "暖气漏水无人修", "老旧小区供暖问题", "暖气费收了不供暖", "供暖管道破裂"},
	"噪音": {"夜间施工噪音扰民", "广场舞噪音太大", "工地凌晨施工噪音", "烧烤店噪音扰民", "酒吧音乐噪音", "装修噪音从早到晚", "货车鸣笛噪音", "工厂机器噪音"},
	"教育": {"孩子入学学位不足", "学校乱收费", "小学招生划片不合理", "幼儿园收费过高", "老师有偿补课", "学区入学政策", "学校食堂卫生差", "孩子转学难"},
	"工资": {"公司拖欠工资", "农民工工资被拖欠", "老板拖欠员工工资", "工地拖欠工资", "单位不发加班费", "工资被克扣", "辞职后不结工资", "工厂拖欠工人工资"},
}

// writeClassifyCSV writes the rows with a BOM, an id and a note column, and
// one row without a label.
func writeClassifyCSV(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Write([]string{"编号", "标题", "分类", "备注"})
	n := 0
	for _, l := range []string{"供暖", "噪音", "工资", "教育"} {
		for _, title := range classifyTestRows[l] {
			n++
			w.Write([]string{string(rune('0' + n%10)), title, l, "有逗号, 和\"引号\""})
		}
	}
	w.Write([]string{"99", "没有分类的一行", "", ""})
	w.Flush()
	path := filepath.Join(t.TempDir(), "rows.csv")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func runClassifyTest(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	old := classifyStderr
	classifyStderr = &stderr
	defer func() { classifyStderr = old }()
	err := run(context.Background(), append([]string{"classify"}, args...), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestClassifyTrainEval(t *testing.T) {
	csvPath := writeClassifyCSV(t)
	model := filepath.Join(t.TempDir(), "m.model")
	out, errOut, err := runClassifyTest(t, "train", "--csv", csvPath, "--text", "标题", "--label", "分类", "--model", model)
	if err != nil {
		t.Fatal(err)
	}
	var sum struct{ Examples, Labels int }
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Examples != 32 || sum.Labels != 4 {
		t.Errorf("train printed %q (%v)", out, err)
	}
	if !strings.Contains(errOut, "skipped 1 rows") {
		t.Errorf("stderr %q does not report the skipped row", errOut)
	}
	out, _, err = runClassifyTest(t, "eval", "--csv", csvPath, "--text", "标题", "--label", "分类", "--model", model)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		N         int                              `json:"n"`
		Accuracy  float64                          `json:"accuracy"`
		MacroF1   float64                          `json:"macro_f1"`
		Top3      float64                          `json:"top3_accuracy"`
		Labels    map[string]struct{ Support int } `json:"labels"`
		PredictUS *float64                         `json:"predict_us_mean"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("eval printed %q: %v", out, err)
	}
	// The model has seen these 32 distinct titles; it must get them all.
	if rep.N != 32 || rep.Accuracy != 1 || rep.MacroF1 != 1 || rep.Top3 != 1 || rep.PredictUS == nil {
		t.Errorf("eval report %+v", rep)
	}
	if len(rep.Labels) != 4 || rep.Labels["噪音"].Support != 8 {
		t.Errorf("labels %+v", rep.Labels)
	}
}

func TestClassifyParts(t *testing.T) {
	// FNV-1a 64 mod 1000: "a" 996, "暖气不热" 497, "拖欠工资" 222.
	for _, tt := range []struct {
		text     string
		fraction float64
		want     string
	}{
		{"a", 0.8, "test"}, {"a", 1, "train"}, {"暖气不热", 0.8, "train"}, {"暖气不热", 0.497, "test"},
		{"暖气不热", 0.498, "train"}, {"拖欠工资", 0.2, "test"}, {"拖欠工资", 0, "test"},
	} {
		if got := classifyPart(tt.text, tt.fraction); got != tt.want {
			t.Errorf("classifyPart(%q, %g) = %s, want %s", tt.text, tt.fraction, got, tt.want)
		}
	}
	csvPath := writeClassifyCSV(t)
	model := filepath.Join(t.TempDir(), "m.model")
	out, _, err := runClassifyTest(t, "train", "--csv", csvPath, "--text", "标题", "--label", "分类", "--model", model, "--part", "train", "--train-fraction", "0.5")
	if err != nil {
		t.Fatal(err)
	}
	var sum struct{ Examples int }
	json.Unmarshal([]byte(out), &sum)
	if sum.Examples <= 0 || sum.Examples >= 32 {
		t.Errorf("train part of a 50/50 split has %d of 32 rows", sum.Examples)
	}
}

func TestClassifyErrors(t *testing.T) {
	csvPath := writeClassifyCSV(t)
	model := filepath.Join(t.TempDir(), "m.model")
	_, _, err := runClassifyTest(t, "train", "--csv", csvPath, "--text", "留言主题", "--label", "分类", "--model", model)
	if err == nil || !strings.Contains(err.Error(), `no column "留言主题"`) || !strings.Contains(err.Error(), "标题") {
		t.Errorf("missing column: %v", err)
	}
	os.WriteFile(model, []byte("garbage"), 0o644)
	_, _, err = runClassifyTest(t, "eval", "--csv", csvPath, "--text", "标题", "--label", "分类", "--model", model)
	if err == nil || !strings.Contains(err.Error(), "not a hotline classifier model") {
		t.Errorf("bad model: %v", err)
	}
	_, _, err = runClassifyTest(t, "eval", "--csv", csvPath, "--text", "标题", "--label", "分类")
	if err == nil || !strings.Contains(err.Error(), "--model is required") {
		t.Errorf("no model flag: %v", err)
	}
	_, _, err = runClassifyTest(t, "train", "--csv", csvPath, "--text", "标题", "--label", "分类", "--model", model, "--part", "dev")
	if err == nil || !strings.Contains(err.Error(), "--part") {
		t.Errorf("bad part: %v", err)
	}
	if _, _, err = runClassifyTest(t, "fit"); err != errUsage {
		t.Errorf("unknown subcommand: %v", err)
	}
}

func TestClassifyAugment(t *testing.T) {
	csvPath := writeClassifyCSV(t)
	model := filepath.Join(t.TempDir(), "m.model")
	out, _, err := runClassifyTest(t, "train", "--csv", csvPath, "--text", "标题", "--label", "分类", "--model", model, "--augment", "备注")
	if err != nil {
		t.Fatal(err)
	}
	var sum struct{ Examples int }
	if json.Unmarshal([]byte(out), &sum); sum.Examples != 64 {
		t.Errorf("32 rows with a note learned as %d examples, want 64", sum.Examples)
	}
	out, _, err = runClassifyTest(t, "eval", "--csv", csvPath, "--text", "标题", "--label", "分类", "--model", model, "--augment", "备注")
	var rep struct{ N int }
	if err != nil || json.Unmarshal([]byte(out), &rep) != nil || rep.N != 32 {
		t.Errorf("eval with --augment read %d rows (%v), want 32", rep.N, err)
	}
}

func TestClassifyCV(t *testing.T) {
	csvPath := writeClassifyCSV(t)
	out, _, err := runClassifyTest(t, "cv", "--csv", csvPath, "--text", "标题", "--label", "分类", "--folds", "4", "--views", "c1-3+w1-2,c1-2")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		N        int     `json:"n"`
		Folds    int     `json:"folds"`
		Accuracy float64 `json:"accuracy"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rep.N != 32 || rep.Folds != 4 || rep.Accuracy < 0.5 {
		t.Errorf("cv report %s", out)
	}
	if _, _, err := runClassifyTest(t, "cv", "--csv", csvPath, "--text", "标题", "--label", "分类", "--views", "x1-2"); err == nil || !strings.Contains(err.Error(), "feature view") {
		t.Errorf("bad view: %v", err)
	}
}
