package api

import (
	"context"
	"maps"
	"net/http"
	"strings"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/analytics/classify"
	"github.com/cityhotline/hotline/ticketing"
)

// Classifier suggests category labels for a request's text, best first;
// classify.Service does. Labels are category ids or names. Set
// Config.Classifier to serve /api/v1/categories/suggest.
type Classifier interface {
	Suggest(ctx context.Context, text string, k int) ([]classify.Scored, error)
}

var _ Classifier = (*classify.Service)(nil)

// maxSuggestions is how many categories a suggestion lists; maxSuggestRunes
// is how much of the text the classifier reads.
const (
	maxSuggestions  = 3
	maxSuggestRunes = 2000
)

func (s *server) classifyRoutes() {
	s.handle("GET /api/v1/categories/suggest", s.authed(s.suggestCategories))
}

func init() {
	maps.Copy(operations, map[string]operation{
		"GET /api/v1/categories/suggest": {summary: "Suggested categories for a request's text (title and content), " +
			"from the classifier trained on the centre's own tickets: up to 3, best first, with probabilities; " +
			"an empty list while no model is trained",
			tag: "reference", status: 200, result: "CategorySuggestions", params: []param{
				query("text", "the request's title and content; required; only the first 2,000 characters are read")}},
	})
}

// categorySuggestion is one suggested category.
type categorySuggestion struct {
	Category hotline.CategoryID `json:"category"`
	Name     string             `json:"name"`
	Score    float64            `json:"score"`
}

func (s *server) suggestCategories(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Classifier == nil {
		s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "category suggestions are not enabled"))
		return
	}
	q := r.URL.Query()
	var bad hotline.Invalid
	checkParams(&bad, q, "text")
	text := strings.TrimSpace(q.Get("text"))
	if text == "" {
		bad.Add("text", "required: the request's title and content")
	}
	if err := bad.Err("invalid query"); err != nil {
		s.fail(w, r, err)
		return
	}
	if runes := []rune(text); len(runes) > maxSuggestRunes {
		text = string(runes[:maxSuggestRunes])
	}
	scored, err := s.cfg.Classifier.Suggest(r.Context(), text, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cats, err := s.tickets.Categories(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"suggestions": mapSuggestions(scored, cats)})
}

// mapSuggestions turns labels into the centre's enabled categories (a label
// is a category id or else a category name), keeping the first
// maxSuggestions that map.
func mapSuggestions(scored []classify.Scored, cats []*ticketing.Category) []categorySuggestion {
	byID := map[hotline.CategoryID]*ticketing.Category{}
	byName := map[string]*ticketing.Category{}
	for _, c := range cats {
		if !c.Disabled {
			byID[c.ID] = c
			byName[c.Name] = c
		}
	}
	out := []categorySuggestion{}
	for _, sc := range scored {
		c := byID[hotline.CategoryID(sc.Label)]
		if c == nil {
			c = byName[sc.Label]
		}
		if c == nil {
			continue
		}
		out = append(out, categorySuggestion{Category: c.ID, Name: c.Name, Score: sc.Score})
		if len(out) == maxSuggestions {
			break
		}
	}
	return out
}

// classifySchemas are the shapes of the suggestion route.
func classifySchemas() map[string]any {
	return map[string]any{
		"CategorySuggestions": object(map[string]any{
			"suggestions": map[string]any{"type": "array", "items": object(map[string]any{
				"category": str("category id"), "name": str("category name"),
				"score": map[string]any{"type": "number", "description": "probability, 0-1"}},
				"category", "name", "score")},
		}, "suggestions"),
	}
}
