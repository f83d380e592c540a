package test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestCrashSQLite kills the server with SIGKILL in the middle of a burst of
// intakes and checks that every ticket it acknowledged with 201 survives.
func TestCrashSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary; skipped with -short")
	}
	crashAndRecover(t, t.TempDir(), "")
}

// TestCrashPostgres is the same against PostgreSQL, in a schema of its own.
func TestCrashPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary; skipped with -short")
	}
	crashAndRecover(t, t.TempDir(), postgresSchema(t))
}

// postgresSchema is TEST_DATABASE_URL pointed at a fresh schema (see
// freshSchema); without the URL the test skips, or fails under CI=true.
func postgresSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TEST_DATABASE_URL is not set; CI must run the PostgreSQL tests")
		}
		t.Skip("TEST_DATABASE_URL is not set; skipping this PostgreSQL test")
	}
	return freshSchema(t, base)
}

// freshSchema creates a schema crash_<random> that is dropped when the test
// ends, and returns base with search_path pointing at it.
func freshSchema(t *testing.T, base string) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "crash_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to TEST_DATABASE_URL: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(base, schema)
}

// withSearchPath adds search_path to a URL; pgx passes unknown URL
// parameters on as run-time parameters of every connection.
func withSearchPath(base, schema string) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + url.QueryEscape(schema)
}

func crashAndRecover(t *testing.T, dataDir, databaseURL string) {
	srv := startServer(t, dataDir, databaseURL)
	filed := fileUntilKilled(t, login(t, srv), srv, 2*time.Second)
	if len(filed) == 0 {
		t.Fatal("no intake was answered 201 before the kill; the load never worked")
	}
	t.Logf("%d tickets acknowledged before SIGKILL", len(filed))

	again := startServer(t, dataDir, databaseURL)
	checkAllPresent(t, login(t, again), filed)
}

// fileUntilKilled runs 8 workers filing tickets; after d it SIGKILLs the
// server while they are still sending. It returns content by id for every
// intake answered 201.
func fileUntilKilled(t *testing.T, a *api, srv *server, d time.Duration) map[string]string {
	t.Helper()
	filed, _ := fileUntil(t, a, d, srv.kill)
	return filed
}

// fileUntil runs 8 workers filing tickets; after d it calls halt while they
// are still sending. It returns content by id for every intake answered 201,
// and how many answers were 5xx.
func fileUntil(t *testing.T, a *api, d time.Duration, halt func()) (map[string]string, int) {
	t.Helper()
	var (
		mu       sync.Mutex
		filed    = map[string]string{}
		wg       sync.WaitGroup
		stop     = make(chan struct{})
		failures int
	)
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := crashTicket(w, i)
				var out struct {
					ID string `json:"id"`
				}
				status, err := a.call(context.Background(), http.MethodPost, "/api/v1/tickets", body, &out)
				if err == nil && status >= 500 {
					mu.Lock()
					failures++
					mu.Unlock()
				}
				if err != nil || status != http.StatusCreated {
					continue // the kill cuts requests off; only 201s are promises
				}
				mu.Lock()
				filed[out.ID] = body["content"]
				mu.Unlock()
			}
		})
	}
	timer := time.NewTimer(d)
	<-timer.C
	halt() // while the workers are still sending
	close(stop)
	wg.Wait()
	return filed, failures
}

func crashTicket(worker, i int) map[string]string {
	cats := []string{"heating.cold", "sanitation.streetlight", "property.service"}
	phone := fmt.Sprintf("13800%02d%04d", worker, i%10000)
	return map[string]string{
		"channel":        "phone",
		"caller_number":  phone,
		"contact_number": phone,
		"type":           "complaint",
		"category":       cats[(worker+i)%len(cats)],
		"title":          "暖气不热",
		"content":        fmt.Sprintf("朝阳区建外街道某小区暖气不热，室温只有十四度（进程%d 第%d件）", worker, i),
		"address":        fmt.Sprintf("北京市朝阳区建外街道光华路%d号", 1+i%50),
	}
}

// checkAllPresent fetches every acknowledged ticket from the restarted
// server and compares its content.
func checkAllPresent(t *testing.T, a *api, filed map[string]string) {
	t.Helper()
	ids := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var missing []string
	for range 4 {
		wg.Go(func() {
			for id := range ids {
				if problem := checkTicket(a, id, filed[id]); problem != "" {
					mu.Lock()
					missing = append(missing, problem)
					mu.Unlock()
				}
			}
		})
	}
	for id := range filed {
		ids <- id
	}
	close(ids)
	wg.Wait()
	if len(missing) > 0 {
		t.Errorf("%d of %d acknowledged tickets lost or changed after SIGKILL, e.g.:\n%s",
			len(missing), len(filed), strings.Join(missing[:min(10, len(missing))], "\n"))
	}
}

func checkTicket(a *api, id, content string) string {
	var got struct {
		ID      string `json:"id"`
		Content string `json:"content"`
	}
	status, err := a.call(context.Background(), http.MethodGet, "/api/v1/tickets/"+url.PathEscape(id), nil, &got)
	switch {
	case err != nil:
		return fmt.Sprintf("%s: %v", id, err)
	case status != http.StatusOK:
		return fmt.Sprintf("%s: status %d", id, status)
	case got.ID != id || got.Content != content:
		return fmt.Sprintf("%s: got id %q content %q, want %q", id, got.ID, got.Content, content)
	}
	return ""
}

func TestWithSearchPath(t *testing.T) {
	tests := []struct{ base, want string }{
		{"postgres://u@127.0.0.1/db", "postgres://u@127.0.0.1/db?search_path=crash_1"},
		{"postgres://u@127.0.0.1/db?sslmode=disable", "postgres://u@127.0.0.1/db?sslmode=disable&search_path=crash_1"},
	}
	for _, tt := range tests {
		if got := withSearchPath(tt.base, "crash_1"); got != tt.want {
			t.Errorf("withSearchPath(%q) = %q, want %q", tt.base, got, tt.want)
		}
	}
}

// TestGracefulShutdown: SIGTERM under load finishes what is in flight
// (no request is answered 5xx), exits 0, and every acknowledged ticket is
// there after a restart.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary; skipped with -short")
	}
	dir := t.TempDir()
	srv := startServer(t, dir, "")
	code := -1
	filed, failures := fileUntil(t, login(t, srv), 2*time.Second, func() { code = srv.terminate() })
	if code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
	if failures > 0 {
		t.Errorf("%d requests answered 5xx during the shutdown", failures)
	}
	if len(filed) == 0 {
		t.Fatal("nothing was filed before SIGTERM")
	}
	checkAllPresent(t, login(t, startServer(t, dir, "")), filed)
}
