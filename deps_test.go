package hotline_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/cityhotline/hotline"

// pkgInfo is what the dependency rules look at: a package's direct imports
// and everything it depends on, both without its tests.
type pkgInfo struct {
	path    string // relative to the module: "", "ticketing", "store/sqlite", ...
	imports []string
	deps    []string
}

// TestDependencyRules keeps the layering of DESIGN.md true for the packages
// that exist in the tree.
func TestDependencyRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the whole module")
	}
	pkgs, err := listPackages()
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	for _, v := range checkRules(pkgs) {
		t.Error(v)
	}
}

func listPackages() ([]pkgInfo, error) {
	cmd := exec.Command("go", "list", "-e", "-f",
		"{{.ImportPath}}\t{{join .Imports \" \"}}\t{{join .Deps \" \"}}", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w: %s", err, stderr.String())
	}
	var pkgs []pkgInfo
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("go list: unexpected line %q", sc.Text())
		}
		pkgs = append(pkgs, pkgInfo{path: rel(f[0]), imports: strings.Fields(f[1]), deps: strings.Fields(f[2])})
	}
	return pkgs, sc.Err()
}

// rel turns a module import path into a path relative to the module root;
// other paths are returned unchanged.
func rel(p string) string {
	if p == module {
		return ""
	}
	if r, ok := strings.CutPrefix(p, module+"/"); ok {
		return r
	}
	return p
}

// standard reports whether an import path belongs to the standard library
// (its first element has no dot).
func standard(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".") && !strings.HasPrefix(p, module)
}

func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

// checkRules returns one message per broken rule, naming package and import.
func checkRules(pkgs []pkgInfo) []string {
	var bad []string
	for _, p := range pkgs {
		for _, imp := range p.imports {
			if msg := importRule(p.path, imp); msg != "" {
				bad = append(bad, fmt.Sprintf("%s imports %s: %s", show(p.path), imp, msg))
			}
		}
		for _, dep := range p.deps {
			if msg := depRule(p.path, rel(dep)); msg != "" {
				bad = append(bad, fmt.Sprintf("%s depends on %s: %s", show(p.path), dep, msg))
			}
		}
	}
	return bad
}

func show(p string) string {
	if p == "" {
		return module
	}
	return module + "/" + p
}

// importRule checks one direct import of pkg.
func importRule(pkg, imp string) string {
	r := rel(imp)
	domain := pkg == "" || slices.Contains([]string{"agent", "ticketing", "ivr"}, pkg) || under(pkg, "analytics")
	switch {
	case domain && under(imp, "net/http"):
		return "the domain never imports net/http (STYLE.md rule 1); HTTP lives in api"
	case under(pkg, "analytics") && !standard(imp) && imp != module && !strings.HasPrefix(imp, module+"/"):
		return pkg + " imports only the standard library and this module"
	case pkg == "" && !standard(imp):
		return "the root package imports only the standard library"
	case slices.Contains([]string{"agent", "ticketing", "ivr"}, pkg) && !standard(imp) && r != "":
		return pkg + " imports only the root package and the standard library"
	case pkg == "account" && !standard(imp) && r != "" && !under(imp, "golang.org/x/crypto"):
		return "account imports only the root package, the standard library and golang.org/x/crypto"
	case under(r, "store") && !mayImportStore(pkg):
		return "only cmd/..., test/ and store/... may import a store"
	}
	return ""
}

// depRule checks one transitive dependency of pkg.
func depRule(pkg, dep string) string {
	if !under(pkg, "sip") && !under(pkg, "media") {
		return ""
	}
	for _, domain := range []string{"ticketing", "agent", "ivr", "account", "call"} {
		if under(dep, domain) {
			return "sip and media never depend on the domain (" + domain + ")"
		}
	}
	return ""
}

func mayImportStore(pkg string) bool {
	return under(pkg, "cmd") || under(pkg, "test") || under(pkg, "store")
}

// TestCheckRules proves that each rule catches what it should.
func TestCheckRules(t *testing.T) {
	m := func(p string) string { return module + "/" + p }
	tests := []struct {
		name string
		pkg  pkgInfo
		want string // substring of the only violation; "" = none
	}{
		{"root stdlib", pkgInfo{path: "", imports: []string{"time", "errors"}}, ""},
		{"root third party", pkgInfo{path: "", imports: []string{"github.com/google/uuid"}}, "imports github.com/google/uuid"},
		{"root domain", pkgInfo{path: "", imports: []string{m("ticketing")}}, "root package imports only"},
		{"ticketing root", pkgInfo{path: "ticketing", imports: []string{module, "sort"}}, ""},
		{"ticketing net/http", pkgInfo{path: "ticketing", imports: []string{"net/http"}}, "ticketing imports net/http"},
		{"analytics net/http", pkgInfo{path: "analytics/hotspot", imports: []string{"net/http"}}, "analytics/hotspot imports net/http"},
		{"analytics pgx", pkgInfo{path: "analytics/insight", imports: []string{"github.com/jackc/pgx/v5"}}, "analytics/insight imports github.com/jackc/pgx/v5"},
		{"analytics ticketing is fine", pkgInfo{path: "analytics/insight", imports: []string{m("ticketing"), "sort"}}, ""},
		{"root httptest", pkgInfo{path: "", imports: []string{"net/http/httptest"}}, "never imports net/http"},
		{"ticketing net/url is fine", pkgInfo{path: "ticketing", imports: []string{"net/url"}}, ""},
		{"ticketing sqlite", pkgInfo{path: "ticketing", imports: []string{"modernc.org/sqlite"}}, "ticketing imports modernc.org/sqlite"},
		{"agent other domain", pkgInfo{path: "agent", imports: []string{m("ticketing")}}, "agent imports only"},
		{"ivr prometheus", pkgInfo{path: "ivr", imports: []string{"github.com/prometheus/client_golang/prometheus"}}, "ivr imports only"},
		{"account crypto", pkgInfo{path: "account", imports: []string{"golang.org/x/crypto/bcrypt", module}}, ""},
		{"account pgx", pkgInfo{path: "account", imports: []string{"github.com/jackc/pgx/v5"}}, "account imports github.com/jackc/pgx/v5"},
		{"api store", pkgInfo{path: "api", imports: []string{m("store/sqlite")}}, "api imports " + m("store/sqlite")},
		{"metrics store", pkgInfo{path: "metrics", imports: []string{m("store/postgres")}}, "only cmd/..."},
		{"cmd store", pkgInfo{path: "cmd/hotline", imports: []string{m("store/sqlite"), m("store/postgres")}}, ""},
		{"test store", pkgInfo{path: "test", imports: []string{m("store/sqlite")}}, ""},
		{"storetest store", pkgInfo{path: "store/storetest", imports: []string{m("store")}}, ""},
		{"sip domain dep", pkgInfo{path: "sip", deps: []string{"net", m("call")}}, "sip depends on " + m("call")},
		{"media transitive", pkgInfo{path: "media/rtp", deps: []string{m("ticketing")}}, "never depend on the domain (ticketing)"},
		{"media ok", pkgInfo{path: "media", deps: []string{module, "net"}}, ""},
		{"caller of sip is free", pkgInfo{path: "call", deps: []string{m("sip"), m("ticketing")}}, ""},
		{"sipgo is not sip", pkgInfo{path: "sipgo", deps: []string{m("ticketing")}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkRules([]pkgInfo{tt.pkg})
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("unexpected violations: %q", got)
			case tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want)):
				t.Errorf("got %q, want one violation mentioning %q", got, tt.want)
			}
		})
	}
}
