package api

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"unicode/utf8"

	"github.com/cityhotline/hotline/analytics/classify"
	"github.com/cityhotline/hotline/ticketing"
)

// fakeClassifier answers a fixed ranking and records the text it was given.
type fakeClassifier struct {
	text   string
	scored []classify.Scored
}

func (f *fakeClassifier) Suggest(_ context.Context, text string, _ int) ([]classify.Scored, error) {
	f.text = text
	return f.scored, nil
}

func newClassifyEnv(t *testing.T) (*env, *fakeClassifier) {
	e := newEnv(t)
	f := &fakeClassifier{scored: []classify.Scored{
		{Label: "heating", Score: 0.5},  // by id
		{Label: "retired", Score: 0.2},  // disabled: skipped
		{Label: "unknown", Score: 0.1},  // no such category: skipped
		{Label: "噪音扰民", Score: 0.1},     // by name
		{Label: "wages", Score: 0.06},   // third
		{Label: "schools", Score: 0.04}, // beyond three
	}}
	e.srv.cfg.Classifier = f
	e.tickets.CategoriesFn = func() ([]*ticketing.Category, error) {
		return []*ticketing.Category{
			{ID: "heating", Name: "供暖"}, {ID: "noise", Name: "噪音扰民"}, {ID: "wages", Name: "拖欠工资"},
			{ID: "schools", Name: "学校"}, {ID: "retired", Name: "旧分类", Disabled: true},
		}, nil
	}
	return e, f
}

func TestSuggestCategories(t *testing.T) {
	e, f := newClassifyEnv(t)
	w := e.request("GET", "/api/v1/categories/suggest?text="+url.QueryEscape(" 暖气不热 "), "")
	var got struct {
		Suggestions []categorySuggestion `json:"suggestions"`
	}
	decodeBody(t, w, http.StatusOK, &got)
	want := []categorySuggestion{{"heating", "供暖", 0.5}, {"noise", "噪音扰民", 0.1}, {"wages", "拖欠工资", 0.06}}
	if len(got.Suggestions) != len(want) {
		t.Fatalf("suggestions %+v", got.Suggestions)
	}
	for i := range want {
		if got.Suggestions[i] != want[i] {
			t.Errorf("suggestion %d = %+v, want %+v", i, got.Suggestions[i], want[i])
		}
	}
	if f.text != "暖气不热" {
		t.Errorf("classifier read %q", f.text)
	}
}

func TestSuggestCategoriesLongText(t *testing.T) {
	e, f := newClassifyEnv(t)
	long := make([]rune, 3000)
	for i := range long {
		long[i] = '暖'
	}
	w := e.request("GET", "/api/v1/categories/suggest?text="+url.QueryEscape(string(long)), "")
	if w.Code != http.StatusOK || utf8.RuneCountInString(f.text) != maxSuggestRunes {
		t.Errorf("status %d, classifier read %d runes", w.Code, utf8.RuneCountInString(f.text))
	}
}

func TestSuggestCategoriesErrors(t *testing.T) {
	e, _ := newClassifyEnv(t)
	for _, path := range []string{"/api/v1/categories/suggest", "/api/v1/categories/suggest?text=%20%20"} {
		body := apiError(t, e.request("GET", path, ""), http.StatusBadRequest)
		if body.Fields["text"] == "" {
			t.Errorf("%s: error %+v does not name text", path, body)
		}
	}
	body := apiError(t, e.request("GET", "/api/v1/categories/suggest?text=a&k=9", ""), http.StatusBadRequest)
	if body.Fields["k"] == "" {
		t.Errorf("unknown parameter: %+v", body)
	}
	e.srv.cfg.Classifier = nil
	apiError(t, e.request("GET", "/api/v1/categories/suggest?text=a", ""), http.StatusNotFound)
}

func TestSuggestCategoriesNoModel(t *testing.T) {
	e, f := newClassifyEnv(t)
	f.scored = nil
	w := e.request("GET", "/api/v1/categories/suggest?text=a", "")
	if w.Code != http.StatusOK || w.Body.String() != "{\"suggestions\":[]}\n" {
		t.Errorf("no model: %d %s", w.Code, w.Body)
	}
}
