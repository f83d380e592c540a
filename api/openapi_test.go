package api

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes checks that every pattern registered on the mux
// is documented, and every documented operation is served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	w := e.request("GET", "/api/v1/openapi.json", "", "Authorization", "")
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	decodeBody(t, w, http.StatusOK, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			var op struct{ Summary string }
			if err := json.Unmarshal(raw, &op); err != nil || op.Summary == "" || op.Summary == "undocumented" {
				t.Errorf("%s %s: summary %q", method, path, op.Summary)
			}
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	registered := map[string]bool{}
	for _, p := range e.srv.patterns {
		registered[p] = true
		if !documented[p] {
			t.Errorf("route %s is not in the OpenAPI document", p)
		}
	}
	for p := range documented {
		if !registered[p] {
			t.Errorf("documented %s is not served", p)
		}
	}
	for p := range operations {
		if !registered[p] {
			t.Errorf("operation table entry %s is not registered", p)
		}
	}
	if len(registered) < 30 {
		t.Errorf("only %d routes registered", len(registered))
	}
}

// TestDocumentedRoutesReachAHandler sends every documented operation
// through the mux and checks it is not answered by a catch-all.
func TestDocumentedRoutesReachAHandler(t *testing.T) {
	e := newEnv(t)
	var keys []string
	for p := range operations {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, p := range keys {
		method, path, _ := strings.Cut(p, " ")
		path = strings.NewReplacer("{id}", "1", "{action}", "accept", "{code}", "0101.json").Replace(path)
		w := e.request(method, path, "")
		if strings.Contains(w.Body.String(), "no route") || w.Code == http.StatusMethodNotAllowed {
			t.Errorf("%s: answered by a catch-all: %d %s", p, w.Code, w.Body)
		}
	}
}

func TestOpenAPISchemasResolve(t *testing.T) {
	e := newEnv(t)
	doc := string(e.srv.doc)
	var parsed struct {
		Components struct{ Schemas map[string]any }
	}
	if err := json.Unmarshal(e.srv.doc, &parsed); err != nil {
		t.Fatal(err)
	}
	for _, part := range strings.Split(doc, `"#/components/schemas/`)[1:] {
		name, _, _ := strings.Cut(part, `"`)
		if _, ok := parsed.Components.Schemas[name]; !ok {
			t.Errorf("$ref to missing schema %q", name)
		}
	}
}
