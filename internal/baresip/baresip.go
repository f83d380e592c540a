// Package baresip runs a real SIP phone for tests: baresip (Debian
// baresip-core) driven over its ctrl_tcp netstring JSON interface, with a
// WAV file as its microphone and what it hears recorded by sndfile.
// Everything stays on 127.0.0.1. Only tests import it.
package baresip

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

// Phone is one running baresip.
type Phone struct {
	t       testing.TB
	dir     string
	sipPort int
	cmd     *exec.Cmd
	conn    net.Conn
	events  chan map[string]any
	exited  chan struct{}
	log     *lockedBuffer
}

// SIPPort is the port the phone listens on for SIP.
func (p *Phone) SIPPort() int { return p.sipPort }

// Log is what baresip printed so far.
func (p *Phone) Log() string { return p.log.String() }

// Options configure a phone.
type Options struct {
	User       string // account user (default "caller")
	AutoAnswer bool
	Mic        []int16 // 8 kHz microphone audio (default 60 s of a quiet 300 Hz tone)
}

// NeedTool skips (or fails under CI=true) when an external tool is missing.
func NeedTool(t testing.TB, name string) string {
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

// FreePortPair returns an even loopback port P with P and P+1 free for UDP
// and TCP (baresip takes P+1 too).
func FreePortPair(t testing.TB) int {
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

// Start runs a phone until the test ends.
func Start(t testing.TB, o Options) *Phone {
	t.Helper()
	bin := NeedTool(t, "baresip")
	if o.User == "" {
		o.User = "caller"
	}
	if o.Mic == nil {
		o.Mic = media.Tone(300, 60*time.Second, 8000, 0.1)
	}
	dir := t.TempDir()
	p := &Phone{t: t, dir: dir, sipPort: FreePortPair(t), events: make(chan map[string]any, 64),
		exited: make(chan struct{}), log: &lockedBuffer{}}
	ctrlPort := FreePortPair(t)
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
	t.Cleanup(p.Stop)
	p.connect(ctrlPort)
	return p
}

func (p *Phone) writeConfig(ctrlPort int, mic string, o Options) {
	rtp := FreePortPair(p.t)
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

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (p *Phone) connect(port int) {
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
func (p *Phone) readEvents(c net.Conn) {
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

// Command sends a ctrl_tcp command, e.g. ("dial", "sip:12345@127.0.0.1:5060"),
// ("sndcode", "1"), ("hangup", "").
func (p *Phone) Command(cmd, params string) {
	p.t.Helper()
	b, _ := json.Marshal(map[string]string{"command": cmd, "params": params, "token": cmd})
	if _, err := fmt.Fprintf(p.conn, "%d:%s,", len(b), b); err != nil {
		p.t.Fatalf("baresip command %s: %v", cmd, err)
	}
}

// WaitEvent waits for an event of type typ (e.g. CALL_ESTABLISHED).
func (p *Phone) WaitEvent(typ string, timeout time.Duration) map[string]any {
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

// Heard returns what the phone decoded (sndfile's dump-*-dec.wav).
func (p *Phone) Heard() []int16 {
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

// Stop quits the phone; Start registers it as a cleanup too.
func (p *Phone) Stop() {
	if p.conn != nil {
		p.Command("quit", "")
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
