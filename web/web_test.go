package web

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// staticFiles lists the embedded files as URL paths ("/desk/desk.js").
func staticFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		out = append(out, strings.TrimPrefix(p, "static"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readStatic(t *testing.T, urlPath string) string {
	t.Helper()
	b, err := fs.ReadFile(static, "static"+urlPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func get(t *testing.T, srv *httptest.Server, p string, hdr ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+p, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func TestEveryFileIsServedWithTypeAndPolicy(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	want := map[string]string{
		".html": "text/html; charset=utf-8",
		".css":  "text/css; charset=utf-8",
		".js":   "text/javascript; charset=utf-8",
		".json": "application/json; charset=utf-8",
		".svg":  "image/svg+xml",
	}
	for _, f := range staticFiles(t) {
		ct, ok := want[path.Ext(f)]
		if !ok {
			t.Errorf("%s: a file type the handler does not serve", f)
			continue
		}
		res := get(t, srv, f)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", f, res.StatusCode)
			continue
		}
		if got := res.Header.Get("Content-Type"); got != ct {
			t.Errorf("GET %s: Content-Type %q, want %q", f, got, ct)
		}
		if got := res.Header.Get("Content-Security-Policy"); got != ContentSecurityPolicy {
			t.Errorf("GET %s: CSP %q", f, got)
		}
		if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q", f, got)
		}
		if got := res.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q", f, got)
		}
		body, _ := io.ReadAll(res.Body)
		if string(body) != readStatic(t, f) {
			t.Errorf("GET %s: body differs from the embedded file", f)
		}
		etag := res.Header.Get("ETag")
		if etag == "" {
			t.Errorf("GET %s: no ETag", f)
			continue
		}
		if res := get(t, srv, f, "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with its ETag: %d, want 304", f, res.StatusCode)
		}
	}
}

func TestPolicyIsStrict(t *testing.T) {
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "connect-src 'self' ws: wss:", "media-src 'self' blob:", "object-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(ContentSecurityPolicy, d) {
			t.Errorf("CSP lacks %q", d)
		}
	}
	if strings.Contains(ContentSecurityPolicy, "unsafe-") {
		t.Errorf("CSP allows unsafe sources: %s", ContentSecurityPolicy)
	}
}

func TestRoutes(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	for _, tc := range []struct {
		path     string
		status   int
		location string
		contains string
	}{
		{"/", 200, "", `href="desk/"`},
		{"/desk/", 200, "", `id="login-view"`},
		{"/wallboard/", 200, "", `id="agents-body"`},
		{"/", 200, "", `href="dispatch/"`},
		{"/", 200, "", `href="unit/"`},
		{"/dispatch/", 200, "", `id="queue-list"`},
		{"/unit/", 200, "", `id="not-yours"`},
		{"/unit", 301, "/unit/", ""},
		{"/dispatch?x=1", 301, "/dispatch/?x=1", ""},
		{"/desk", 301, "/desk/", ""},
		{"/wallboard?x=1", 301, "/wallboard/?x=1", ""},
		{"/desk//", 301, "/desk/", ""},
		{"/assets/../desk/", 301, "/desk/", ""},
		{"/nope", 404, "", ""},
		{"/assets/", 404, "", ""},
		{"/desk/missing.js", 404, "", ""},
	} {
		res := get(t, srv, tc.path)
		if res.StatusCode != tc.status {
			t.Errorf("GET %s: %d, want %d", tc.path, res.StatusCode, tc.status)
			continue
		}
		if tc.location != "" && res.Header.Get("Location") != tc.location {
			t.Errorf("GET %s: Location %q, want %q", tc.path, res.Header.Get("Location"), tc.location)
		}
		if res.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s: no CSP", tc.path)
		}
		if tc.contains != "" {
			b, _ := io.ReadAll(res.Body)
			if !strings.Contains(string(b), tc.contains) {
				t.Errorf("GET %s: body lacks %q", tc.path, tc.contains)
			}
		}
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/desk/", strings.NewReader("x"))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /desk/: %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
}

var (
	externalURL   = regexp.MustCompile(`(?i)https?://[^\s"'<>)]+`)
	xmlNamespace  = regexp.MustCompile(`xmlns(:\w+)?="http://www\.w3\.org/[^"]*"`)
	protoRelative = regexp.MustCompile(`(?i)(src|href|action)\s*=\s*["']//|url\(\s*["']?//|from\s+["']//|import\(\s*["']//`)
	attrRef       = regexp.MustCompile(`\s(?:src|href)="([^"]*)"`)
	inlineHandler = regexp.MustCompile(`(?i)<[^>]+\son[a-z]+\s*=`)
	styleAttr     = regexp.MustCompile(`(?i)<[^>]+\sstyle\s*=`)
	scriptTag     = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	idAttr        = regexp.MustCompile(`\sid="([^"]+)"`)
)

// Nothing may come from another origin, and nothing may run inline (the
// CSP would block it; this catches it before a browser does).
func TestNoExternalOrInlineCode(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	for _, f := range staticFiles(t) {
		body := xmlNamespace.ReplaceAllString(readStatic(t, f), "")
		if m := externalURL.FindString(body); m != "" {
			t.Errorf("%s references %s: everything must come from this origin", f, m)
		}
		if m := protoRelative.FindString(body); m != "" {
			t.Errorf("%s has a protocol-relative reference %q", f, m)
		}
		if strings.Contains(body, "javascript:") {
			t.Errorf("%s uses a javascript: URL", f)
		}
		if path.Ext(f) != ".html" {
			continue
		}
		if m := inlineHandler.FindString(body); m != "" {
			t.Errorf("%s has an inline event handler: %s", f, m)
		}
		if m := styleAttr.FindString(body); m != "" {
			t.Errorf("%s has an inline style: %s", f, m)
		}
		if strings.Contains(body, "<style") {
			t.Errorf("%s has a <style> element", f)
		}
		for _, m := range scriptTag.FindAllStringSubmatch(body, -1) {
			if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
				t.Errorf("%s has an inline script", f)
			}
		}
		// Every local reference resolves to a served file.
		base, _ := url.Parse(srv.URL + strings.TrimSuffix(f, "index.html"))
		for _, m := range attrRef.FindAllStringSubmatch(body, -1) {
			ref, err := base.Parse(m[1])
			if err != nil {
				t.Errorf("%s: bad reference %q", f, m[1])
				continue
			}
			res := get(t, srv, ref.Path)
			if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusMovedPermanently {
				t.Errorf("%s: %q (%s) answers %d", f, m[1], ref.Path, res.StatusCode)
			}
		}
		// ids are unique within a page.
		seen := map[string]bool{}
		for _, m := range idAttr.FindAllStringSubmatch(body, -1) {
			if seen[m[1]] {
				t.Errorf("%s: id %q is used twice", f, m[1])
			}
			seen[m[1]] = true
		}
	}
}

// JavaScript imports name files that exist.
func TestModuleImportsResolve(t *testing.T) {
	imp := regexp.MustCompile(`(?m)^\s*import\s+(?:[^'"]+\s+from\s+)?['"]([^'"]+)['"]`)
	files := staticFiles(t)
	for _, f := range files {
		if path.Ext(f) != ".js" {
			continue
		}
		for _, m := range imp.FindAllStringSubmatch(readStatic(t, f), -1) {
			target := path.Join(path.Dir(f), m[1])
			if !slices.Contains(files, target) {
				t.Errorf("%s imports %q, which is not embedded (%s)", f, m[1], target)
			}
		}
	}
}

type dictionary map[string]map[string]string

func loadDictionary(t *testing.T) dictionary {
	t.Helper()
	var d dictionary
	if err := json.Unmarshal([]byte(readStatic(t, "/assets/i18n.json")), &d); err != nil {
		t.Fatalf("i18n.json: %v", err)
	}
	return d
}

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

func TestDictionaryLanguagesAgree(t *testing.T) {
	d := loadDictionary(t)
	zh, en := d["zh"], d["en"]
	if len(d) != 2 || zh == nil || en == nil {
		t.Fatalf("i18n.json must hold exactly zh and en, has %d languages", len(d))
	}
	for k, v := range zh {
		ev, ok := en[k]
		if !ok {
			t.Errorf("key %q has no English", k)
			continue
		}
		if strings.TrimSpace(v) == "" || strings.TrimSpace(ev) == "" {
			t.Errorf("key %q is empty in one language", k)
		}
		pz, pe := placeholder.FindAllString(v, -1), placeholder.FindAllString(ev, -1)
		sort.Strings(pz)
		sort.Strings(pe)
		if !slices.Equal(pz, pe) {
			t.Errorf("key %q: placeholders differ: zh %v, en %v", k, pz, pe)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("key %q has no Chinese", k)
		}
	}
}

var (
	htmlKey   = regexp.MustCompile(`data-i18n(?:-placeholder|-title|-aria-label)?="([^"]*)"`)
	jsLiteral = regexp.MustCompile("['\"`]([a-z][a-z0-9_]*\\.[A-Za-z0-9_.]+)['\"`]")
)

// Every key that a page uses exists (in both languages, by the test above).
// In JavaScript, every string literal that looks like "namespace.key" with a
// namespace of the dictionary counts as a use: the pages map enumerations to
// keys with literal tables, never by building key strings.
func TestEveryUsedKeyExists(t *testing.T) {
	d := loadDictionary(t)
	zh := d["zh"]
	namespaces := map[string]bool{}
	for k := range zh {
		ns, _, _ := strings.Cut(k, ".")
		namespaces[ns] = true
	}
	used := map[string]bool{}
	for _, f := range staticFiles(t) {
		body := readStatic(t, f)
		switch path.Ext(f) {
		case ".html":
			for _, m := range htmlKey.FindAllStringSubmatch(body, -1) {
				used[m[1]] = true
				if _, ok := zh[m[1]]; !ok {
					t.Errorf("%s uses i18n key %q, missing from i18n.json", f, m[1])
				}
			}
		case ".js":
			for _, m := range jsLiteral.FindAllStringSubmatch(body, -1) {
				ns, _, _ := strings.Cut(m[1], ".")
				if !namespaces[ns] || strings.HasSuffix(m[1], ".") {
					continue
				}
				used[m[1]] = true
				if _, ok := zh[m[1]]; !ok {
					t.Errorf("%s uses i18n key %q, missing from i18n.json", f, m[1])
				}
			}
		}
	}
	// Keys nobody uses are dead weight for the translators.
	for k := range zh {
		if !used[k] {
			t.Errorf("i18n key %q is not used by any page", k)
		}
	}
}

// Every element with visible text in the pages is translated: text directly
// inside an element must come with data-i18n (numbers, symbols, the brand
// and keyboard names excepted).
func TestNoUntranslatedText(t *testing.T) {
	text := regexp.MustCompile(`<([a-z0-9]+)([^>]*)>([^<]+)`)
	exempt := regexp.MustCompile(`^[\s0-9*#/+:.–-]*$|^12345$|^(F\d+|Alt\+\w|Ctrl\+Enter|Enter)$`)
	for _, f := range staticFiles(t) {
		if path.Ext(f) != ".html" {
			continue
		}
		for _, m := range text.FindAllStringSubmatch(readStatic(t, f), -1) {
			tag, attrs, s := m[1], m[2], strings.TrimSpace(m[3])
			if s == "" || exempt.MatchString(s) || tag == "script" || tag == "kbd" {
				continue
			}
			if !strings.Contains(attrs, "data-i18n=") {
				t.Errorf("%s: <%s> text %q is not translated (add data-i18n)", f, tag, s)
			}
		}
	}
}

// The work-order pages (dispatch console, unit portal) look up their
// elements by id: every literal $('#id') in a page's script names an element
// of its index.html (ids the script builds itself are not literals).
func TestPortalScriptsFindTheirElements(t *testing.T) {
	lookup := regexp.MustCompile("\\$\\(['\"`]#([A-Za-z][A-Za-z0-9_-]*)['\"`]\\)")
	for _, page := range []string{"/dispatch/", "/unit/"} {
		html := readStatic(t, page+"index.html")
		ids := map[string]bool{}
		for _, m := range idAttr.FindAllStringSubmatch(html, -1) {
			ids[m[1]] = true
		}
		for _, f := range staticFiles(t) {
			if !strings.HasPrefix(f, page) || path.Ext(f) != ".js" {
				continue
			}
			for _, m := range lookup.FindAllStringSubmatch(readStatic(t, f), -1) {
				if !ids[m[1]] {
					t.Errorf("%s looks up #%s, which %sindex.html does not have", f, m[1], page)
				}
			}
		}
		// Both pages share the sign-in form (assets/gate.js renders it into
		// #login-view), the live-events pill and the portal assets.
		for _, want := range []string{`id="login-view"`, `id="ws-status"`, `href="../assets/portal.css"`, `id="lang-toggle"`} {
			if !strings.Contains(html, want) {
				t.Errorf("%sindex.html lacks %s", page, want)
			}
		}
	}
	// The live events come from the API's events socket.
	if js := readStatic(t, "/assets/portal.js"); !strings.Contains(js, "'/api/v1/events/ws'") {
		t.Error("portal.js does not connect to /api/v1/events/ws")
	}
}
