package web

import (
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// The callback console is served, linked from the landing page, and its
// script finds its elements and speaks the callback routes; the unit
// portal's claims section finds its elements too.
func TestCallbacksPage(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	for p, want := range map[string]string{
		"/callbacks/": `id="cb-body"`, "/": `href="callbacks/"`, "/callbacks/callbacks.js": "gate({",
		"/callbacks/callbacks.css": ".cb-grid", "/unit/": `id="claim-form"`, "/unit/claims.js": "export function showClaims",
	} {
		res := get(t, srv, p)
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d, body lacks %q", p, res.StatusCode, want)
		}
	}
	if res := get(t, srv, "/callbacks"); res.StatusCode != 301 || res.Header.Get("Location") != "/callbacks/" {
		t.Errorf("GET /callbacks: %d %q", res.StatusCode, res.Header.Get("Location"))
	}

	html := readStatic(t, "/callbacks/index.html")
	ids := map[string]bool{}
	for _, m := range idAttr.FindAllStringSubmatch(html, -1) {
		ids[m[1]] = true
	}
	js := readStatic(t, "/callbacks/callbacks.js")
	lookup := regexp.MustCompile("\\$\\(['\"`]#([A-Za-z][A-Za-z0-9_-]*)['\"`]")
	for _, m := range lookup.FindAllStringSubmatch(js, -1) {
		if !ids[m[1]] {
			t.Errorf("callbacks.js looks up #%s, which callbacks/index.html does not have", m[1])
		}
	}
	for _, want := range []string{`id="login-view"`, `id="forbidden-view"`, `id="lang-toggle"`, `id="logout"`,
		`href="../assets/app.css"`, `href="../assets/console.css"`, `id="ans-form"`, `id="sw-form"`, `type="datetime-local"`} {
		if !strings.Contains(html, want) {
			t.Errorf("callbacks/index.html lacks %s", want)
		}
	}
	for _, want := range []string{"'/api/v1/callbacks'", "'/api/v1/callbacks/scheduler'", "`/api/v1/callbacks/scheduler/${op}`",
		"`/api/v1/tickets/${encodeURIComponent(id)}/callback`", "`/api/v1/tickets/${encodeURIComponent(ticket)}/callback/${op}`",
		"`/api/v1/tickets/${encodeURIComponent(S.ticket)}/callback/answers`",
		"roles: ['supervisor', 'admin', 'agent']", "from '../assets/gate.js'", "from '../assets/forms.js'"} {
		if !strings.Contains(js, want) {
			t.Errorf("callbacks.js lacks %s", want)
		}
	}
	claims := readStatic(t, "/unit/claims.js")
	for _, want := range []string{"'/api/v1/claims'", "`/api/v1/tickets/${encodeURIComponent(id)}/claims`"} {
		if !strings.Contains(claims, want) {
			t.Errorf("unit/claims.js lacks %s", want)
		}
	}
}
