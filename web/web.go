// Package web serves the browser front ends of the hotline, embedded in the
// binary: the agent desk with its softphone (/desk/), the supervisor
// wallboard (/wallboard/) and a landing page (/). The dispatch console
// (/dispatch/) and the unit portal (/unit/) are further folders under
// static/, sharing static/assets/ (their common parts in assets/portal.js
// and portal.css, live updates from the API's events socket); so are the
// supervision console (/supervision/), the admin pages (/admin/) and the
// ranking page (/ranking/: the month's three-rate assessment, the 治理类
// list, CSV and XLSX downloads, and the supervisors' claims panel). Every
// page signs in through assets/gate.js; the API's field errors are shown
// by assets/forms.js. The pages are public files: every datum they show
// comes from the API, which checks the role on every call.
//
// Everything is plain HTML, CSS and JavaScript modules: no build step, no
// third-party code, nothing fetched from another origin. The pages speak the
// JSON API (docs/api.md) and the desk WebSocket (docs/softphone.md) of the
// same origin.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var static embed.FS

// ContentSecurityPolicy is sent with every response of Handler: scripts,
// styles, images and fonts only from this origin and never inline; the
// desk's WebSocket and the softphone's audio are the only other things a
// page may use.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self'; font-src 'self'; connect-src 'self' ws: wss:; media-src 'self' blob:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// contentTypes are the types of the files under static/, by extension. A
// file with another extension is not served.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".json": "application/json; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
	".txt":  "text/plain; charset=utf-8",
}

// file is one embedded file, read once.
type file struct {
	body  []byte
	ctype string
	etag  string
}

type handler struct {
	files map[string]*file // by URL path: "/desk/index.html"
}

// Handler serves the embedded pages and their assets. A folder's URL ends in
// "/" and serves its index.html ("/desk" is redirected to "/desk/"); only
// GET and HEAD are allowed. Every response carries ContentSecurityPolicy;
// everything is revalidated (Cache-Control: no-cache with a strong ETag), so
// a new binary's pages and scripts are picked up at once and an unchanged
// file costs a 304.
func Handler() http.Handler {
	h := &handler{files: map[string]*file{}}
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ctype, ok := contentTypes[path.Ext(p)]
		if !ok {
			return nil
		}
		body, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		h.files["/"+p] = &file{body: body, ctype: ctype,
			etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		panic(err) // reading the embedded tree cannot fail
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", ContentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Permissions-Policy", "microphone=(self), camera=(), geolocation=()")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	if clean != p {
		http.Redirect(w, r, clean, http.StatusMovedPermanently)
		return
	}
	name := p
	if strings.HasSuffix(name, "/") {
		name += "index.html"
	} else if _, ok := h.files[name+"/index.html"]; ok {
		target := p + "/"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return
	}
	f, ok := h.files[name]
	if !ok {
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	hd.Set("Content-Type", f.ctype)
	hd.Set("Cache-Control", "no-cache")
	hd.Set("ETag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}
