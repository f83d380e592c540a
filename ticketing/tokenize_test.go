package ticketing

import (
	"slices"
	"strings"
	"testing"
)

func TestIndexTokens(t *testing.T) {
	got := IndexTokens("路灯不亮 12号楼 ABC")
	want := []string{"路", "路灯", "灯", "灯不", "不", "不亮", "亮", "12", "号", "楼", "号楼", "abc"}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("IndexTokens missing %q: %v", w, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("IndexTokens = %v, want %d tokens", got, len(want))
	}
}

func TestQueryTermsMatchIndex(t *testing.T) {
	doc := IndexTokens("市民反映小区楼下路灯不亮，已经三天了")
	match := func(q string) bool {
		for _, term := range QueryTerms(q) {
			if !slices.Contains(doc, term) {
				return false
			}
		}
		return len(QueryTerms(q)) > 0
	}
	for q, want := range map[string]bool{"路灯": true, "路灯不亮": true, "灯": true, "路灯坏了": false, "小区 路灯": true, "暖气": false} {
		if got := match(q); got != want {
			t.Errorf("match(%q) = %v, want %v (terms %v)", q, got, want, QueryTerms(q))
		}
	}
}

func TestFullWidthFolded(t *testing.T) {
	if got := QueryTerms("１２号ＡＢ"); !slices.Equal(got, []string{"12", "号", "ab"}) {
		t.Errorf("QueryTerms full-width = %v", got)
	}
}

func TestIndexTextJoins(t *testing.T) {
	if s := IndexText("供暖", "费"); strings.Count(s, " ") != len(IndexTokens("供暖 费"))-1 {
		t.Errorf("IndexText = %q", s)
	}
}

func FuzzTokens(f *testing.F) {
	f.Add("朝阳区建外街道路灯不亮")
	f.Add("\xff\xfe１２")
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range IndexTokens(s) {
			if tok == "" || strings.ContainsAny(tok, " \t\n") {
				t.Fatalf("bad token %q from %q", tok, s)
			}
		}
		_ = QueryTerms(s)
	})
}
