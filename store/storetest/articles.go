package storetest

import (
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

func runArticles(t *testing.T, open func(t *testing.T) Store) {
	t.Run("CRUD", func(t *testing.T) { testArticleCRUD(t, open(t)) })
	t.Run("Search", func(t *testing.T) { testArticleSearch(t, open(t)) })
}

func testArticleCRUD(t *testing.T, s Store) {
	a := &ticketing.Article{
		ID: "kb-heating-fee", Title: "供暖费缴纳标准", Body: "居民供暖费每平方米24元。",
		Category: "heating", Keywords: []string{"暖气", "收费"},
		ValidFrom: t0, ValidTo: t0.Add(180 * 24 * time.Hour), Updated: t0,
	}
	must(t, s.CreateArticle(ctx(t), a), "create article")
	if a.Version != 1 {
		t.Fatalf("Version after create = %d, want 1", a.Version)
	}
	got, err := s.FindArticleByID(ctx(t), a.ID)
	must(t, err, "find article")
	same(t, a, got, "article round trip")

	_, err = s.FindArticleByID(ctx(t), "kb-missing")
	wantCode(t, err, hotline.ENOTFOUND, "find missing article")
	wantCode(t, s.CreateArticle(ctx(t), &ticketing.Article{ID: a.ID, Title: "重复"}), hotline.ECONFLICT, "duplicate article")

	stale := *a
	a.Body, a.Updated = "居民供暖费每平方米30元。", t0.Add(time.Hour)
	must(t, s.UpdateArticle(ctx(t), a, 1), "update article")
	if a.Version != 2 {
		t.Fatalf("Version after update = %d, want 2", a.Version)
	}
	stale.Title = "过时"
	wantCode(t, s.UpdateArticle(ctx(t), &stale, 1), hotline.ECONFLICT, "stale article update")
	got, err = s.FindArticleByID(ctx(t), a.ID)
	must(t, err, "find updated article")
	same(t, a, got, "after update")

	missing := &ticketing.Article{ID: "kb-missing", Title: "无"}
	wantCode(t, s.UpdateArticle(ctx(t), missing, 1), hotline.ENOTFOUND, "update missing article")
}

func testArticleSearch(t *testing.T, s Store) {
	arts := []*ticketing.Article{
		{ID: "heating", Title: "供暖费缴纳标准", Body: "按建筑面积收取。", Keywords: []string{"暖气"}},
		{ID: "water", Title: "停水查询", Body: "可拨打自来水集团热线查询计划停水。", Keywords: []string{"供水"}},
		{ID: "social", Title: "社保卡补办", Body: "携带身份证到社保所办理 ID card。", Keywords: []string{"社会保障卡"}},
	}
	for _, a := range arts {
		must(t, s.CreateArticle(ctx(t), a), "create article "+a.ID)
	}
	cases := []struct {
		q    string
		want []string
	}{
		{"供暖费", []string{"heating"}},    // title
		{"建筑面积", []string{"heating"}},   // body
		{"暖气", []string{"heating"}},     // keyword
		{"社会保障卡", []string{"social"}},   // keyword, several bigrams
		{"id card", []string{"social"}}, // latin words, case folded
		{"停水", []string{"water"}},
		{"供暖费 停水", nil}, // every term must match
		{"燃气", nil},
	}
	for _, c := range cases {
		got, err := s.SearchArticles(ctx(t), ticketing.QueryTerms(c.q), 10)
		must(t, err, "search "+c.q)
		if g := articleIDs(got); !equalStrings(g, c.want) {
			t.Errorf("search %q: got %v, want %v", c.q, g, c.want)
		}
	}

	// "供" is in two articles; the limit applies.
	got, err := s.SearchArticles(ctx(t), ticketing.QueryTerms("供"), 1)
	must(t, err, "search with limit")
	if len(got) != 1 {
		t.Errorf("limit 1 gave %d articles", len(got))
	}

	// The index follows updates.
	a := arts[0]
	a.Title = "采暖收费标准"
	must(t, s.UpdateArticle(ctx(t), a, a.Version), "update article")
	for q, want := range map[string][]string{"供暖费": nil, "采暖": {"heating"}} {
		got, err := s.SearchArticles(ctx(t), ticketing.QueryTerms(q), 10)
		must(t, err, "search after update")
		if g := articleIDs(got); !equalStrings(g, want) {
			t.Errorf("after update, search %q: got %v, want %v", q, g, want)
		}
	}
}

func articleIDs(as []*ticketing.Article) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
