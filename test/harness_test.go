// Package test holds whole-system tests: they build the real server binary,
// run it as a process on loopback ports and talk to it over HTTP.
package test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const adminPassword = "crash-test-admin-pw"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// serverBinary builds ./cmd/hotline once per test run.
func serverBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "hotline-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "hotline")
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/cityhotline/hotline/cmd/hotline")
		cmd.Dir = ".."
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/hotline: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// freePort returns a loopback port free for both TCP and UDP (SIP takes both).
func freePort(t *testing.T) int {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		l.Close()
		if err == nil {
			u.Close()
			return port
		}
	}
	t.Fatal("no free loopback port for TCP and UDP")
	return 0
}

// server is one run of the hotline binary.
type server struct {
	t       *testing.T
	cmd     *exec.Cmd
	base    string
	sipAddr string // host:port of the SIP listener
	dataDir string
	done    chan struct{} // closed when the process has exited
}

// lockedBuffer lets the process's output be read while it is written.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs the binary with the given data dir and database URL on
// fresh loopback ports and waits until /healthz answers 200.
func startServer(t *testing.T, dataDir, databaseURL string) *server {
	t.Helper()
	return startServerWith(t, dataDir, databaseURL, "")
}

// startServerWith is startServer with a YAML config file's content (""
// for none) and extra environment.
func startServerWith(t *testing.T, dataDir, databaseURL, config string, env ...string) *server {
	t.Helper()
	httpAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	sipAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	var args []string
	if config != "" {
		path := filepath.Join(t.TempDir(), "hotline.yaml")
		if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-config", path)
	}
	cmd := exec.Command(serverBinary(t), args...)
	cmd.Env = append(withoutHotlineEnv(os.Environ()),
		"HOTLINE_DATA_DIR="+dataDir,
		"HOTLINE_HTTP_ADDR="+httpAddr,
		"HOTLINE_SIP_ADDR="+sipAddr,
		"HOTLINE_ADMIN_PASSWORD="+adminPassword,
		"HOTLINE_DATABASE_URL="+databaseURL,
	)
	cmd.Env = append(cmd.Env, env...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start server: %v", err)
	}
	s := &server{t: t, cmd: cmd, base: "http://" + httpAddr, sipAddr: sipAddr, dataDir: dataDir, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			t.Logf("server output:\n%s", tail(out.String(), 4000))
		}
	})
	if err := s.waitHealthy(60 * time.Second); err != nil {
		t.Fatalf("%v\nserver output:\n%s", err, tail(out.String(), 4000))
	}
	return s
}

func withoutHotlineEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "HOTLINE_") {
			out = append(out, kv)
		}
	}
	return out
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// waitHealthy polls /healthz until it answers 200, the process exits, or
// the limit passes.
func (s *server) waitHealthy(limit time.Duration) error {
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	cl := &http.Client{Timeout: time.Second}
	for {
		resp, err := cl.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.done:
			return errors.New("server exited before /healthz answered 200")
		case <-deadline.C:
			return fmt.Errorf("/healthz did not answer 200 within %v", limit)
		case <-tick.C:
		}
	}
}

// kill sends SIGKILL and waits for the process to go.
func (s *server) kill() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	<-s.done
}

// terminate sends SIGTERM and waits (up to 40 s) for the process to exit,
// returning its exit code.
func (s *server) terminate() int {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(40 * time.Second):
		s.t.Errorf("server still running 40 s after SIGTERM")
		s.kill()
	}
	return s.cmd.ProcessState.ExitCode()
}

// api is an HTTP client logged in to a server.
type api struct {
	base  string
	token string
	http  *http.Client
}

func login(t *testing.T, s *server) *api {
	t.Helper()
	a := &api{base: s.base, http: &http.Client{Timeout: 10 * time.Second}}
	var out struct {
		Token string `json:"token"`
	}
	status, err := a.call(context.Background(), http.MethodPost, "/api/v1/login",
		map[string]string{"username": "admin", "password": adminPassword}, &out)
	if err != nil || status != http.StatusOK || out.Token == "" {
		t.Fatalf("login as admin: status %d, %v", status, err)
	}
	a.token = out.Token
	return a
}

// call sends a JSON request and decodes a 2xx answer into out.
func (a *api) call(ctx context.Context, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode/100 == 2 && out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s %s: %w: %s", method, path, err, data)
		}
	}
	return resp.StatusCode, nil
}
