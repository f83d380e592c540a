package web

import (
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// The ranking page is served, linked from the landing page, and its script
// finds its elements and speaks only the API routes it is meant to.
func TestRankingPage(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	for p, want := range map[string]string{
		"/ranking/": `id="rank-body"`, "/": `href="ranking/"`, "/ranking/ranking.js": "gate({", "/ranking/ranking.css": ".rank-grid",
	} {
		res := get(t, srv, p)
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d, body lacks %q", p, res.StatusCode, want)
		}
	}
	if res := get(t, srv, "/ranking"); res.StatusCode != 301 || res.Header.Get("Location") != "/ranking/" {
		t.Errorf("GET /ranking: %d %q", res.StatusCode, res.Header.Get("Location"))
	}

	html := readStatic(t, "/ranking/index.html")
	ids := map[string]bool{}
	for _, m := range idAttr.FindAllStringSubmatch(html, -1) {
		ids[m[1]] = true
	}
	js := readStatic(t, "/ranking/ranking.js")
	lookup := regexp.MustCompile("\\$\\(['\"`]#([A-Za-z][A-Za-z0-9_-]*)['\"`]")
	for _, m := range lookup.FindAllStringSubmatch(js, -1) {
		if !ids[m[1]] {
			t.Errorf("ranking.js looks up #%s, which ranking/index.html does not have", m[1])
		}
	}
	// One tab per ranked tier, and the shared sign-in, language and assets.
	for _, want := range []string{`id="login-view"`, `id="forbidden-view"`, `id="lang-toggle"`, `id="logout"`,
		`href="../assets/app.css"`, `id="tab-street"`, `id="tab-district"`, `id="tab-district_dept"`,
		`id="tab-city_dept"`, `id="tab-enterprise"`, `role="tablist"`, `type="month"`} {
		if !strings.Contains(html, want) {
			t.Errorf("ranking/index.html lacks %s", want)
		}
	}
	for _, want := range []string{"'/api/v1/assessment'", "'/api/v1/claims'", "`/api/v1/claims/${c.id}/${approve ? 'approve' : 'reject'}`",
		"from '../assets/gate.js'", "from '../assets/forms.js'"} {
		if !strings.Contains(js, want) {
			t.Errorf("ranking.js lacks %s", want)
		}
	}
}
