package web

import (
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// The open-data page is served, linked from the landing page, its script
// finds its elements, speaks the open-data routes, and its request form
// shows a message next to each field the API may name.
func TestOpenDataPage(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	for p, want := range map[string]string{
		"/opendata/": `id="req-form"`, "/": `href="opendata/"`, "/opendata/opendata.js": "gate({", "/opendata/opendata.css": ".od-grid",
	} {
		res := get(t, srv, p)
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d, body lacks %q", p, res.StatusCode, want)
		}
	}
	html := readStatic(t, "/opendata/index.html")
	ids := map[string]bool{}
	for _, m := range idAttr.FindAllStringSubmatch(html, -1) {
		ids[m[1]] = true
	}
	js := readStatic(t, "/opendata/opendata.js")
	lookup := regexp.MustCompile("\\$\\(['\"`]#([A-Za-z][A-Za-z0-9_-]*)['\"`]")
	for _, m := range lookup.FindAllStringSubmatch(js, -1) {
		if !ids[m[1]] {
			t.Errorf("opendata.js looks up #%s, which opendata/index.html does not have", m[1])
		}
	}
	for _, f := range []string{"partner", "purpose", "from", "to", "fields"} {
		if !ids["req-"+f] || !ids["req-"+f+"-error"] {
			t.Errorf("the request form lacks #req-%s or its message #req-%s-error", f, f)
		}
	}
	for _, want := range []string{"'/api/v1/opendata/requests'", "'/api/v1/opendata/downloads'", "/download`", "from '../assets/gate.js'"} {
		if !strings.Contains(js, want) {
			t.Errorf("opendata.js lacks %s", want)
		}
	}
}
