package api

import (
	"net/http"
	"net/url"

	"github.com/cityhotline/hotline"
)

// Knowledge-base search paging.
const (
	defaultArticles = 20
	maxArticles     = 100
)

func (s *server) searchArticles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var v hotline.Invalid
	checkParams(&v, q, "q", "limit")
	limit := intParam(&v, q, "limit", defaultArticles, 1, maxArticles)
	if err := v.Err("invalid query"); err != nil {
		s.fail(w, r, err)
		return
	}
	as, err := s.tickets.SearchArticles(r.Context(), actor(r), q.Get("q"), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]articleJSON, 0, len(as))
	for _, a := range as {
		out = append(out, toArticleJSON(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"articles": out})
}

func (s *server) getArticle(w http.ResponseWriter, r *http.Request) {
	a, err := s.tickets.Article(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toArticleJSON(a))
}

func (s *server) createArticle(w http.ResponseWriter, r *http.Request) {
	var in articleJSON
	if _, err := s.decodeRequest(w, r, &in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := in.article()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.tickets.CreateArticle(r.Context(), actor(r), a); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/kb/"+url.PathEscape(a.ID))
	writeJSON(w, http.StatusCreated, toArticleJSON(a))
}

// putArticle replaces an article; the body's version is the version the
// client read, and a stale one is the service's conflict.
func (s *server) putArticle(w http.ResponseWriter, r *http.Request) {
	var in articleJSON
	if _, err := s.decodeRequest(w, r, &in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	if in.ID != "" && in.ID != id {
		s.fail(w, r, hotline.Errorf(hotline.EINVALID, "body id %q differs from path id %q", in.ID, id).WithField("id", "must match the path"))
		return
	}
	in.ID = id
	a, err := in.article()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.tickets.UpdateArticle(r.Context(), actor(r), a); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toArticleJSON(a))
}
