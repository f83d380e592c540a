package text

import (
	"slices"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in     string
		digits DigitMode
		want   string
	}{
		{"ＡＢＣ　小区，物业费１２３元！", KeepDigits, "abc小区物业费123元"},
		{"ＡＢＣ　小区，物业费１２３元！", CollapseDigits, "abc小区物业费0元"},
		{"J10 县“某某中学”乱收费?", KeepDigits, "j10县某某中学乱收费"},
		{"J10 县“某某中学”乱收费?", CollapseDigits, "j0县某某中学乱收费"},
		{"2019年12月 3 日", CollapseDigits, "0年0月0日"},
		{"①②③ — ……\t\n", KeepDigits, ""},
		{"", KeepDigits, ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in, tt.digits); got != tt.want {
			t.Errorf("Normalize(%q, %d) = %q, want %q", tt.in, tt.digits, got, tt.want)
		}
	}
}

func TestHalfWidth(t *testing.T) {
	for in, want := range map[rune]rune{'Ａ': 'A', 'ｚ': 'z', '０': '0', '！': '!', '～': '~', '\u3000': ' ', '中': '中', 'a': 'a'} {
		if got := HalfWidth(in); got != want {
			t.Errorf("HalfWidth(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSegmentDefault(t *testing.T) {
	tests := []struct{ in, want string }{
		{"关于A1区月湖街道噪音扰民的投诉", "关于 a1区 月湖街道 噪音扰民 的 投诉"},
		{"请求解决拖欠农民工工资问题", "请求 解决 拖欠 农民工 工资 问题"},
		{"K8县丽发新城小区附近搅拌站噪音扰民", "k8县 丽发新城小区 附近 搅拌站 噪音扰民"},
		{"小区物业不作为，电梯长期停运！", "小区 物业 不作为 电梯 长期 停运"},
		{"咨询社保、医保和公积金的缴纳政策", "咨询 社保 医保 和 公积金 的 缴纳 政策"},
		{"夜间施工噪音严重", "夜间施工 噪音 严重"},
	}
	for _, tt := range tests {
		got := strings.Join(Words(tt.in), " ")
		if got != tt.want {
			t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSegmentMostProbable checks the unigram model on a classic ambiguity:
// 研究生命起源 is 研究/生命/起源, not 研究生/命/起源, because the unknown 命
// costs more than a third known word.
func TestSegmentMostProbable(t *testing.T) {
	d := NewDictionary()
	for _, w := range []string{"研究", "研究生", "生命", "起源"} {
		d.Add(w, 10)
	}
	s := NewSegmenter(d)
	if got := s.Segment("研究生命起源"); !slices.Equal(got, []string{"研究", "生命", "起源"}) {
		t.Errorf("got %q", got)
	}
	// A frequent word wins over two rare ones.
	d2 := NewDictionary()
	d2.Add("南京市", 1000)
	d2.Add("南京", 1)
	d2.Add("市长", 1)
	d2.Add("长江大桥", 1000)
	if got := NewSegmenter(d2).Segment("南京市长江大桥"); !slices.Equal(got, []string{"南京市", "长江大桥"}) {
		t.Errorf("got %q", got)
	}
}

func TestSegmentPlaces(t *testing.T) {
	d := NewDictionary()
	for _, w := range []string{"街道", "噪音", "投诉", "区"} {
		d.Add(w, 10)
	}
	s := NewSegmenter(d)
	tests := []struct{ in, want string }{
		{"月湖街道噪音", "月湖街道 噪音"},            // two unknown characters join the suffix
		{"湖街道", "湖 街道"},                  // one is not enough
		{"在月湖街道", "在 月湖街道"},              // a function character is not part of a name
		{"投诉a1区", "投诉 a1区"},              // a code joins the suffix
		{"a1 区", "a1 区"},                 // not across a separator
		{"东西南北中街道", "东 西南北中街道"},          // at most four stem characters
		{"噪音 abc123 投诉", "噪音 abc123 投诉"}, // Latin and digit runs stay whole
	}
	for _, tt := range tests {
		if got := strings.Join(s.Segment(tt.in), " "); got != tt.want {
			t.Errorf("Segment(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReadDictionary(t *testing.T) {
	d, err := ReadDictionary(strings.NewReader("# comment\n\n供暖 30\n暖气\nABC 5\n供暖 7\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 2 || !d.Contains("供暖") || !d.Contains("暖气") || d.Contains("abc") {
		t.Errorf("dictionary has %d words: %v", d.Len(), d.freq)
	}
	if d.freq["供暖"] != 30 || d.freq["暖气"] != defaultFreq || d.total != 30+defaultFreq {
		t.Errorf("frequencies %v total %d", d.freq, d.total)
	}
	if _, err := ReadDictionary(strings.NewReader("供暖 x\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad frequency: err = %v", err)
	}
}

func TestDefaultDictionary(t *testing.T) {
	d := DefaultDictionary()
	if d.Len() < 500 {
		t.Errorf("default dictionary has %d words, want several hundred", d.Len())
	}
	for _, w := range strings.Fields("供暖 暖气 物业 噪音 扰民 停车 占道 拆迁 征地 学校 学位 医保 社保 工资 拖欠 公积金 垃圾 污水 油烟 燃气 电梯 小区 业主 房产证 区 县 街道 镇 乡 村 路") {
		if !d.Contains(w) {
			t.Errorf("default dictionary lacks %q", w)
		}
	}
}

func TestCharNGrams(t *testing.T) {
	if got := CharNGrams("噪音扰", 1, 2); !slices.Equal(got, []string{"噪", "噪音", "音", "音扰", "扰"}) {
		t.Errorf("1..2: %q", got)
	}
	if got := CharNGrams("ab", 3, 3); len(got) != 0 {
		t.Errorf("too short: %q", got)
	}
	if got := CharNGrams("abc", 2, 1); got != nil {
		t.Errorf("bad range: %q", got)
	}
}

func TestWordNGrams(t *testing.T) {
	got := WordNGrams([]string{"小区", "噪音", "扰民"}, 1, 2)
	want := []string{"小区", "小区 噪音", "噪音", "噪音 扰民", "扰民"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := WordNGrams([]string{"a"}, 0, 2); got != nil {
		t.Errorf("bad range: %q", got)
	}
}
