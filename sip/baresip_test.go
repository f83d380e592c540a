package sip

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline/media"
)

// A real phone for tests: baresip (Debian baresip-core) driven over its
// ctrl_tcp netstring JSON interface. Everything stays on 127.0.0.1.

type phone struct {
	t       *testing.T
	dir     string
	sipPort int
	cmd     *exec.Cmd
	conn    net.Conn
	events  chan map[string]any
	exited  chan struct{}
	log     *lockedBuffer
}

type phoneOptions struct {
	User       string // account user (default "caller")
	AutoAnswer bool
	Mic        []int16 // 8 kHz microphone audio (default 60 s of a quiet 300 Hz tone)
}

// needTool skips (or fails under CI=true) when an external tool is missing.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed (apt-get install baresip-core sox); required when CI=true", name)
		}
		t.Skipf("%s not installed (apt-get install baresip-core); skipping real-phone test", name)
	}
	return p
}

func freePortPair(t *testing.T) int {
	t.Helper()
	for range 50 {
		l, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.LocalAddr().(*net.UDPAddr).Port
		l.Close()
		if p%2 != 0 || p > 65000 {
			continue
		}
		ok := true
		for _, q := range []int{p, p + 1} {
			for _, nw := range []string{"udp", "tcp"} {
				if !portFree(nw, q) {
					ok = false
				}
			}
		}
		if ok {
			return p
		}
	}
	t.Fatal("no free port pair")
	return 0
}

func portFree(network string, port int) bool {
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if network == "udp" {
		l, err := net.ListenPacket("udp", addr)
		if err != nil {
			return false
		}
		l.Close()
		return true
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func startPhone(t *testing.T, o phoneOptions) *phone {
	t.Helper()
	bin := needTool(t, "baresip")
	if o.User == "" {
		o.User = "caller"
	}
	if o.Mic == nil {
		o.Mic = media.Tone(300, 60*time.Second, 8000, 0.1)
	}
	dir := t.TempDir()
	p := &phone{t: t, dir: dir, sipPort: freePortPair(t), events: make(chan map[string]any, 64),
		exited: make(chan struct{}), log: &lockedBuffer{}}
	ctrlPort := freePortPair(t)
	mic := filepath.Join(dir, "mic.wav")
	if err := media.WriteWAVFile(mic, 8000, 1, o.Mic); err != nil {
		t.Fatal(err)
	}
	p.writeConfig(ctrlPort, mic, o)
	p.cmd = exec.Command(bin, "-n", "127.0.0.1", "-f", dir)
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start baresip: %v", err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(p.stop)
	p.connect(ctrlPort)
	return p
}

func (p *phone) writeConfig(ctrlPort int, mic string, o phoneOptions) {
	rtp := freePortPair(p.t)
	cfg := strings.Join([]string{
		"poll_method epoll",
		fmt.Sprintf("sip_listen 127.0.0.1:%d", p.sipPort),
		"module_path /usr/lib/baresip/modules",
		"module ctrl_tcp.so",
		"module g711.so",
		"module aufile.so",
		"module sndfile.so",
		"module_app account.so",
		"module_app menu.so",
		fmt.Sprintf("ctrl_tcp_listen 127.0.0.1:%d", ctrlPort),
		"audio_source aufile," + mic,
		"audio_player aufile,/dev/null",
		"audio_alert aufile,/dev/null",
		"snd_path " + p.dir,
		fmt.Sprintf("rtp_ports %d-%d", rtp, rtp+1),
		"audio_buffer 20-160",
		"",
	}, "\n")
	acct := fmt.Sprintf("<sip:%s@127.0.0.1:%d>;regint=0", o.User, p.sipPort)
	if o.AutoAnswer {
		acct += ";answermode=auto"
	}
	must(p.t, os.WriteFile(filepath.Join(p.dir, "config"), []byte(cfg), 0o644))
	must(p.t, os.WriteFile(filepath.Join(p.dir, "accounts"), []byte(acct+"\n"), 0o644))
	must(p.t, os.WriteFile(filepath.Join(p.dir, "contacts"), nil, 0o644))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (p *phone) connect(port int) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			p.conn = c
			go p.readEvents(c)
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("baresip ctrl_tcp not reachable: %v\n%s", err, p.log.String())
		}
		select {
		case <-p.exited:
			p.t.Fatalf("baresip exited:\n%s", p.log.String())
		case <-time.After(50 * time.Millisecond): // waiting for a process to bind: no signal to wait on
		}
	}
}

// readEvents decodes netstrings "len:json," from ctrl_tcp.
func (p *phone) readEvents(c net.Conn) {
	defer close(p.events)
	r := bufio.NewReader(c)
	for {
		lenStr, err := r.ReadString(':')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(lenStr, ":")))
		if err != nil || n < 0 || n > 1<<20 {
			return
		}
		buf := make([]byte, n+1)
		if _, err := io.ReadFull(r, buf); err != nil {
			return
		}
		var m map[string]any
		if json.Unmarshal(buf[:n], &m) == nil {
			p.events <- m
		}
	}
}

func (p *phone) command(cmd, params string) {
	p.t.Helper()
	b, _ := json.Marshal(map[string]string{"command": cmd, "params": params, "token": cmd})
	if _, err := fmt.Fprintf(p.conn, "%d:%s,", len(b), b); err != nil {
		p.t.Fatalf("baresip command %s: %v", cmd, err)
	}
}

// waitEvent waits for an event of type typ (e.g. CALL_ESTABLISHED).
func (p *phone) waitEvent(typ string, timeout time.Duration) map[string]any {
	p.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-p.events:
			if !ok {
				p.t.Fatalf("baresip control closed waiting for %s\n%s", typ, p.log.String())
			}
			if ev["type"] == typ {
				return ev
			}
		case <-deadline:
			p.t.Fatalf("no %s from baresip within %s\n%s", typ, timeout, p.log.String())
		}
	}
}

// heard returns what the phone decoded (sndfile's dump-*-dec.wav).
func (p *phone) heard() []int16 {
	p.t.Helper()
	files, _ := filepath.Glob(filepath.Join(p.dir, "dump-*-dec.wav"))
	if len(files) == 0 {
		p.t.Fatalf("baresip wrote no dump-*-dec.wav\n%s", p.log.String())
	}
	a, err := media.ReadWAVFile(files[0])
	if err != nil {
		p.t.Fatalf("read %s: %v", files[0], err)
	}
	return a.Channel(0)
}

func (p *phone) stop() {
	if p.conn != nil {
		p.command("quit", "")
		p.conn.Close()
	}
	select {
	case <-p.exited:
	case <-time.After(3 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	if p.t.Failed() {
		p.t.Logf("baresip log:\n%s", p.log.String())
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
