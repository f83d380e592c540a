package metrics_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cityhotline/hotline/metrics"
)

// dashboardFile is the Grafana dashboard shipped for operators.
const dashboardFile = "../configs/grafana/hotline.json"

var (
	descName   = regexp.MustCompile(`fqName: "([^"]+)"`)
	descLabels = regexp.MustCompile(`variableLabels: \{([^}]*)\}`)
	// selector is a metric name with its label matchers.
	selector = regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}`)
	// metricLike is any name with one of the prefixes our registry uses.
	metricLike = regexp.MustCompile(`\b(?:hotline|go|process|promhttp)_[a-zA-Z0-9_:]+`)
	matcher    = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)`)
)

// registered returns every metric name the Monitor's registry describes,
// with its variable labels.
func registered(t *testing.T) map[string][]string {
	t.Helper()
	reg := prometheus.NewRegistry()
	metrics.New(reg)
	ch := make(chan *prometheus.Desc)
	go func() { // ends when Describe has sent every descriptor
		reg.Describe(ch)
		close(ch)
	}()
	out := map[string][]string{}
	for d := range ch {
		s := d.String()
		name := descName.FindStringSubmatch(s)
		if name == nil {
			t.Fatalf("cannot read a descriptor: %s", s)
		}
		var labels []string
		if l := descLabels.FindStringSubmatch(s); l != nil && l[1] != "" {
			labels = strings.Split(l[1], ",")
		}
		out[name[1]] = labels
	}
	return out
}

// expressions returns every PromQL string of the dashboard: panel targets
// and template-variable queries.
func expressions(t *testing.T) ([]string, map[string]any) {
	t.Helper()
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var dash map[string]any
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && (k == "expr" || k == "query" || k == "definition") {
					out = append(out, s)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(dash)
	return out, dash
}

// baseName resolves a histogram or summary series name to its family.
func baseName(name string, known map[string][]string) (string, bool) {
	if _, ok := known[name]; ok {
		return name, true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			if _, ok := known[base]; ok {
				return base, true
			}
		}
	}
	return "", false
}

// TestDashboardMetricsExist fails when a PromQL expression of the Grafana
// dashboard names a metric the Monitor does not register, or matches on a
// label the metric does not have.
func TestDashboardMetricsExist(t *testing.T) {
	known := registered(t)
	exprs, _ := expressions(t)
	if len(exprs) < 20 {
		t.Fatalf("only %d expressions in the dashboard", len(exprs))
	}
	used := map[string]bool{}
	for _, e := range exprs {
		for _, name := range metricLike.FindAllString(e, -1) {
			base, ok := baseName(name, known)
			if !ok {
				t.Errorf("%q names %s, which the Monitor does not register", e, name)
				continue
			}
			used[base] = true
		}
		for _, m := range selector.FindAllStringSubmatch(e, -1) {
			base, ok := baseName(m[1], known)
			if !ok {
				t.Errorf("%q selects %s, which the Monitor does not register", e, m[1])
				continue
			}
			allowed := append([]string{"instance", "job"}, known[base]...)
			if strings.HasSuffix(m[1], "_bucket") {
				allowed = append(allowed, "le")
			}
			for _, l := range matcher.FindAllStringSubmatch(m[2], -1) {
				if !slices.Contains(allowed, l[1]) {
					t.Errorf("%q matches label %s, which %s does not have (labels %v)", e, l[1], base, known[base])
				}
			}
		}
	}
	for name := range known {
		if strings.HasPrefix(name, "hotline_") && !used[name] {
			t.Errorf("the dashboard shows nothing of %s", name)
		}
	}
}

// TestDashboardShape checks the data-source variable, the rows and that
// every query uses the variable.
func TestDashboardShape(t *testing.T) {
	_, dash := expressions(t)
	vars := dash["templating"].(map[string]any)["list"].([]any)
	ds := vars[0].(map[string]any)
	if ds["type"] != "datasource" || ds["query"] != "prometheus" || ds["name"] != "datasource" {
		t.Errorf("first variable %v: want a Prometheus data-source variable named datasource", ds)
	}
	var rows []string
	for _, p := range dash["panels"].([]any) {
		p := p.(map[string]any)
		if p["type"] == "row" {
			rows = append(rows, p["title"].(string))
			continue
		}
		src, _ := p["datasource"].(map[string]any)
		if src["uid"] != "${datasource}" {
			t.Errorf("panel %q does not use the data-source variable: %v", p["title"], p["datasource"])
		}
	}
	want := []string{"Trunk & IVR", "ACD & agents", "Work orders & SLA", "Callbacks", "Process"}
	if !slices.Equal(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
}
