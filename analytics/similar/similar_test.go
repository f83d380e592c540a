package similar

import (
	"slices"
	"testing"
	"time"
)

func TestShingles(t *testing.T) {
	got := Shingles("暖气不热，ＡＢ 12号楼", nil)
	want := []uint64{Bigram('暖', '气'), Bigram('气', '不'), Bigram('不', '热'), Bigram('号', '楼')}
	var words int
	for _, s := range got {
		if IsWord(s) {
			words++
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing %s in %v", BigramText(w), got)
		}
	}
	if words != 2 || len(got) != 6 {
		t.Errorf("got %d shingles with %d words, want 6 with 2 (ab, 12)", len(got), words)
	}
	if !slices.IsSorted(got) {
		t.Error("shingles not sorted")
	}
	// Fillers are dropped: 我们希望 has only filler bigrams (我们, 们希, 希望).
	if s := Shingles("我们希望", nil); len(s) != 1 || BigramText(s[0]) != "们希" {
		t.Errorf("fillers: got %v", s)
	}
}

func TestCosineAndJaccard(t *testing.T) {
	a := Shingles("暖气不热", nil)                       // 暖气 气不 不热
	b := Shingles("暖气不热了", nil)                      // + 热了
	if got := Cosine(a, b); round(got, 3) != 0.866 { // 3 / √12
		t.Errorf("cosine = %v, want 0.866", got)
	}
	if got := Jaccard(a, b); got != 0.75 { // 3 / 4
		t.Errorf("jaccard = %v, want 0.75", got)
	}
}

var day0 = time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)

func corpus() (Ticket, []Ticket) {
	target := Ticket{ID: "T", Text: "幸福里小区暖气不热", Address: "幸福里小区3号楼",
		Street: "建外街道", District: "朝阳区", Category: "供暖", Time: day0}
	return target, []Ticket{
		// Duplicate: same address, same matter, a day later.
		{ID: "D1", Text: "幸福里小区暖气不热了", Address: "朝阳区 幸福里小区3号楼",
			Street: "建外街道", District: "朝阳区", Category: "供暖", Time: day0.Add(26 * time.Hour)},
		// Duplicate: no address given, same street, same matter.
		{ID: "D2", Text: "幸福里小区的暖气一直不热", Street: "建外街道", District: "朝阳区",
			Category: "供暖", Time: day0.Add(-5 * time.Hour)},
		// Same place, different matter.
		{ID: "N1", Text: "幸福里小区楼下工地夜间施工噪音扰民", Address: "幸福里小区3号楼",
			Street: "建外街道", District: "朝阳区", Category: "噪声", Time: day0.Add(2 * time.Hour)},
		// Same matter, same place, a month apart.
		{ID: "N2", Text: "幸福里小区暖气不热", Address: "幸福里小区3号楼",
			Street: "建外街道", District: "朝阳区", Category: "供暖", Time: day0.AddDate(0, 0, -30)},
		// Same matter, another compound.
		{ID: "N3", Text: "阳光花园暖气不热", Address: "阳光花园5号楼",
			Street: "建外街道", District: "朝阳区", Category: "供暖", Time: day0.Add(time.Hour)},
		{ID: "T", Text: "幸福里小区暖气不热", Address: "幸福里小区3号楼", Time: day0},
	}
}

func TestFindDuplicates(t *testing.T) {
	target, cands := corpus()
	got := Find(target, cands, Config{})
	var ids []string
	for _, m := range got {
		ids = append(ids, m.ID)
	}
	if !slices.Equal(ids, []string{"D1", "D2"}) {
		t.Fatalf("matches = %v, want [D1 D2]", ids)
	}
	// D1 without the address shingles (幸福 福里 里小 小区 3 号楼): 区暖 暖气
	// 气不 不热 (4) against the same + 热了 (5): cosine 4/√20 = 0.89; 26 h of
	// 168; same address and category:
	// 0.55·0.89 + 0.25·1 + 0.1·(1−26/168) + 0.1 = 0.9240.
	d1 := got[0]
	wantR := Reason{SameAddress: true, SameStreet: true, SameDistrict: true, SameCategory: true,
		TextSimilarity: 0.89, HoursApart: 26}
	if d1.Reason != wantR {
		t.Errorf("D1 reason = %+v, want %+v", d1.Reason, wantR)
	}
	if d1.Score != 0.924 {
		t.Errorf("D1 score = %v, want 0.924", d1.Score)
	}
	if s := d1.Reason.Chinese(); s != "同一地址；同一类别；内容相似度 0.89；相隔 1 天" {
		t.Errorf("Chinese = %q", s)
	}
	if s := d1.Reason.String(); s != "same address; same category; text similarity 0.89; 1 day apart" {
		t.Errorf("English = %q", s)
	}
}

func TestFindRespectsConfig(t *testing.T) {
	target, cands := corpus()
	// A window of 31 days lets the month-old copy in, ranked below D1.
	got := Find(target, cands, Config{MaxApart: 31 * 24 * time.Hour, Limit: 2})
	if len(got) != 2 || got[0].ID != "N2" && got[1].ID != "N2" {
		t.Errorf("with a 31-day window, want N2 among the best two; got %+v", got)
	}
}
