package web

import (
	"io"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"
)

// The supervision console and the admin pages are served, each with its
// sign-in gate.
func TestConsolePages(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	for _, tc := range []struct{ path, contains string }{
		{"/supervision/", `id="groups-body"`},
		{"/supervision/", `id="act-supervise"`},
		{"/admin/", `id="unit-form"`},
		{"/admin/", `id="rule-preview"`},
		{"/admin/", `id="prompt-file"`},
		{"/", `href="supervision/"`},
		{"/", `href="admin/"`},
	} {
		res := get(t, srv, tc.path)
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || !strings.Contains(string(b), tc.contains) {
			t.Errorf("GET %s: %d, body lacks %q", tc.path, res.StatusCode, tc.contains)
		}
	}
	if res := get(t, srv, "/admin"); res.StatusCode != 301 || res.Header.Get("Location") != "/admin/" {
		t.Errorf("GET /admin: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

var (
	formTag   = regexp.MustCompile(`(?s)<form id="([a-z]+)-form"(.*?)</form>`)
	controlID = regexp.MustCompile(`<(input|select|textarea)\b([^>]*)>`)
	attrID    = regexp.MustCompile(`\sid="([^"]+)"`)
)

// Every form the API validates shows a message next to each of its
// fields: an input #P-F has a .field-error #P-F-error, and the form has a
// box #P-error for the rest (assets/forms.js).
func TestFormsHaveFieldMessages(t *testing.T) {
	for _, f := range []string{"/admin/index.html", "/supervision/index.html", "/callbacks/index.html"} {
		body := readStatic(t, f)
		forms := formTag.FindAllStringSubmatch(body, -1)
		if len(forms) == 0 {
			t.Errorf("%s: no forms", f)
		}
		for _, m := range forms {
			prefix, inner := m[1], m[2]
			if prefix == "login" || prefix == "lookup" {
				continue // the gate's form and a search box
			}
			if !strings.Contains(inner, `id="`+prefix+`-error"`) {
				t.Errorf("%s: form %s-form has no #%s-error box", f, prefix, prefix)
			}
			for _, c := range controlID.FindAllStringSubmatch(inner, -1) {
				id := attrID.FindStringSubmatch(c[2])
				if id == nil || strings.Contains(c[2], `type="checkbox"`) && !strings.HasSuffix(id[1], "disabled") {
					continue
				}
				if !strings.HasPrefix(id[1], prefix+"-") {
					t.Errorf("%s: %s in %s-form does not follow the P-F naming", f, id[1], prefix)
				}
				if !strings.Contains(inner, `id="`+id[1]+`-error" class="field-error"`) {
					t.Errorf("%s: field %s has no message element #%s-error", f, id[1], id[1])
				}
			}
		}
	}
}

var gateOption = regexp.MustCompile(`\b(view|who|forbidden): '([^']+)'`)

// A page behind gate.js has the placeholders the gate renders into
// (#login-view, and #forbidden-view when the page has a forbidden view),
// its own view, the element for the user's name and #logout; the gate
// renders the ids the tests drive.
func TestGatedPagesHaveTheirViews(t *testing.T) {
	gate := readStatic(t, "/assets/gate.js")
	for _, id := range []string{"login-form", "login-username", "login-password", "login-error", "login-submit",
		"forbidden-user", "forbidden-logout"} {
		if !strings.Contains(gate, "id: '"+id+"'") {
			t.Errorf("gate.js does not render #%s", id)
		}
	}
	for _, f := range staticFiles(t) {
		js := readStatic(t, f)
		if path.Ext(f) != ".js" || !strings.Contains(js, "from '../assets/gate.js'") {
			continue
		}
		html := readStatic(t, path.Join(path.Dir(f), "index.html"))
		ids := map[string]string{"view": "app-view", "who": "who"}
		for _, m := range gateOption.FindAllStringSubmatch(js, -1) {
			ids[m[1]] = m[2]
		}
		want := []string{"login-view", ids["view"], ids["who"], "logout"}
		if ids["forbidden"] != "" {
			want = append(want, "forbidden-view")
		}
		for _, id := range want {
			if !strings.Contains(html, `id="`+id+`"`) {
				t.Errorf("%s uses gate.js but its page lacks #%s", f, id)
			}
		}
	}
}

// The pages keep the API token in sessionStorage and send it as a bearer
// header; none of them touches cookies (docs/api.md, "CSRF").
func TestNoPageUsesCookies(t *testing.T) {
	for _, f := range staticFiles(t) {
		if path.Ext(f) == ".js" && strings.Contains(readStatic(t, f), "document.cookie") {
			t.Errorf("%s uses document.cookie", f)
		}
	}
}
