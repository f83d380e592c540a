package web

import (
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// The forecast page is served, linked from the landing page, and its script
// finds its elements and speaks only the forecast routes.
func TestForecastPage(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	for p, want := range map[string]string{
		"/forecast/": `id="fc-chart"`, "/": `href="forecast/"`, "/forecast/forecast.js": "gate({", "/forecast/forecast.css": ".fc-grid",
	} {
		res := get(t, srv, p)
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d, body lacks %q", p, res.StatusCode, want)
		}
	}
	html := readStatic(t, "/forecast/index.html")
	ids := map[string]bool{}
	for _, m := range idAttr.FindAllStringSubmatch(html, -1) {
		ids[m[1]] = true
	}
	js := readStatic(t, "/forecast/forecast.js")
	lookup := regexp.MustCompile("\\$\\(['\"`]#([A-Za-z][A-Za-z0-9_-]*)['\"`]")
	for _, m := range lookup.FindAllStringSubmatch(js, -1) {
		if !ids[m[1]] {
			t.Errorf("forecast.js looks up #%s, which forecast/index.html does not have", m[1])
		}
	}
	for _, want := range []string{`id="login-view"`, `id="forbidden-view"`, `id="lang-toggle"`, `id="logout"`, `href="../assets/app.css"`} {
		if !strings.Contains(html, want) {
			t.Errorf("forecast/index.html lacks %s", want)
		}
	}
	for _, want := range []string{"'/api/v1/forecast'", "'/api/v1/forecast/preplans'", "from '../assets/gate.js'", "createElementNS"} {
		if !strings.Contains(js, want) {
			t.Errorf("forecast.js lacks %s", want)
		}
	}
}
