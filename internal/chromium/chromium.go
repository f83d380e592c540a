// Package chromium drives the pages in a real headless Chromium for tests
// (chromedp): it finds the browser, starts it with a fake microphone and
// camera permission, collects the page's console, log and uncaught
// exceptions, and gives bounded steps, polls, evaluations and screenshots
// that fail the test with the step's name. Only tests import it.
package chromium

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// stepLimit bounds one Do, and an evaluation's helpers (Text, Value, …).
const stepLimit = 10 * time.Second

// Find returns Debian's Chromium (or $HOTLINE_CHROMIUM). Without it the
// test skips, except under CI=true, where it fails: CI must install it.
func Find(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("HOTLINE_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed (/usr/bin/chromium); required when CI=true: apt-get install -y chromium")
	}
	t.Skip("Chromium is not installed (/usr/bin/chromium); apt-get install -y chromium to run the browser test")
	return ""
}

// Options are how a browser is started.
type Options struct {
	// Exe is the browser; empty: Find.
	Exe string
	// Life bounds the browser's whole life.
	Life time.Duration
	// Width and Height are the window's and the viewport's size; 0: 1366×768.
	Width, Height int
	// Mic is a WAV file the fake microphone plays (Chromium loops it);
	// empty: Chromium's own fake beep.
	Mic string
	// Mute keeps the browser silent.
	Mute bool
	// Shots is where screenshots go; empty: $HOTLINE_SHOTS, else the
	// test's temporary directory.
	Shots string
	// Strict makes console.error calls and error log entries (but an API's
	// 4xx answer, which is the page's business) faults, as uncaught
	// exceptions always are: CheckErrors fails the test for them.
	// Otherwise they are only collected (ConsoleErrors).
	Strict bool
}

// Page is one tab with the page's console, log and exceptions collected.
type Page struct {
	t      testing.TB
	ctx    context.Context
	shots  string
	strict bool

	mu         sync.Mutex
	over       bool     // the test is over: t.Logf would panic
	faults     []string // uncaught exceptions; when strict, console and log errors too
	consoleErr []string
}

var apiRefusal = regexp.MustCompile(`status of 4\d\d`)

// Open starts Chromium and answers its first tab.
func Open(t testing.TB, o Options) *Page {
	t.Helper()
	if o.Exe == "" {
		o.Exe = Find(t)
	}
	if o.Width == 0 || o.Height == 0 {
		o.Width, o.Height = 1366, 768
	}
	if o.Shots == "" {
		o.Shots = os.Getenv("HOTLINE_SHOTS")
	}
	if o.Shots == "" {
		o.Shots = t.TempDir()
	} else if err := os.MkdirAll(o.Shots, 0o755); err != nil {
		t.Fatalf("screenshots: %v", err)
	}
	p := newPage(t, o.Shots, o.Strict)
	root, cancelRoot := context.WithTimeout(context.Background(), o.Life)
	t.Cleanup(cancelRoot)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(o.Exe),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(o.Width, o.Height),
	}
	if o.Mic != "" {
		opts = append(opts, chromedp.Flag("use-file-for-fake-audio-capture", o.Mic))
	}
	if o.Mute {
		opts = append(opts, chromedp.Flag("mute-audio", true))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(p.listen))
	t.Cleanup(cancel)
	p.ctx = ctx
	// The first run starts the browser, whose life is that run's context: it
	// must be ctx itself (bounded by root), not a shorter step context.
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(int64(o.Width), int64(o.Height)),
		func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, t, cdplog.Enable, cdp.Empty{})
			return chromedp.Void{}, err
		})
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return p
}

// newPage makes a Page for t whose events stop reaching t.Logf when the
// test is over.
func newPage(t testing.TB, shots string, strict bool) *Page {
	p := &Page{t: t, shots: shots, strict: strict}
	// Registered before the browser's own cleanups, so it runs after them:
	// once the browser is gone no event may reach t.Logf.
	t.Cleanup(func() {
		p.mu.Lock()
		p.over = true
		p.mu.Unlock()
	})
	return p
}

// NewTab opens another tab of p's browser (its own sessionStorage, so its
// own signed-in user) with a viewport of width×height.
func (p *Page) NewTab(t testing.TB, width, height int) *Page {
	t.Helper()
	q := newPage(t, p.shots, p.strict)
	ctx, cancel := chromedp.NewContext(p.ctx, chromedp.WithListener(q.listen))
	t.Cleanup(cancel)
	q.ctx = ctx
	// The first run opens the tab, whose life is that run's context: it must
	// be ctx itself (bounded by the browser's), not a shorter step context.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return q
}

func (p *Page) logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.over {
		p.t.Logf(format, args...)
	}
}

func (p *Page) fault(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, msg)
}

// listen logs the page's console and log entries and keeps its uncaught
// exceptions and console errors (and, when strict, its error log entries).
func (p *Page) listen(ev any) {
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range e.Args {
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		msg := strings.Join(parts, " ")
		p.logf("page console.%s: %s", e.Type, msg)
		if e.Type == runtime.ConsoleAPICalledTypeError {
			p.mu.Lock()
			p.consoleErr = append(p.consoleErr, msg)
			p.mu.Unlock()
			if p.strict {
				p.fault("console.error: " + msg)
			}
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		msg = fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber, msg)
		p.logf("page %s", msg)
		p.fault(msg)
	case *cdplog.EventEntryAdded:
		p.logf("page log %s/%s: %s %s", e.Entry.Source, e.Entry.Level, e.Entry.Text, e.Entry.URL)
		refusal := e.Entry.Source == cdplog.EntrySourceNetwork && strings.Contains(e.Entry.URL, "/api/v1/") &&
			apiRefusal.MatchString(e.Entry.Text)
		if p.strict && e.Entry.Level == cdplog.EntryLevelError && !refusal {
			p.fault(fmt.Sprintf("%s error: %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
		}
	}
}

// CheckErrors fails the test for every uncaught exception in the page
// (and, when strict, every console or log error) since the last check.
func (p *Page) CheckErrors() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.faults {
		p.t.Errorf("page: %s", e)
	}
	p.faults = nil
}

// ConsoleErrors are the page's console.error messages so far.
func (p *Page) ConsoleErrors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.consoleErr...)
}

// Do runs actions within 10 s, failing the test with the step's name.
func (p *Page) Do(step string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepLimit)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.CheckErrors()
		p.t.Fatalf("%s: %v", step, err)
	}
}

// Wait waits (at most limit) until a JavaScript expression is truthy; on
// failure it takes a screenshot named after the step.
func (p *Page) Wait(step, expr string, limit time.Duration) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, limit+2*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(limit)))
	if err != nil {
		p.CheckErrors()
		p.Shot("failed-" + strings.ReplaceAll(step, " ", "-"))
		p.t.Fatalf("%s: waiting for %s: %v", step, expr, err)
	}
}

// Eval evaluates a JavaScript expression (awaiting a promise) within limit.
func Eval[T any](p *Page, expr string, limit time.Duration) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, limit)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.CheckErrors()
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// Text is the trimmed text of the element sel selects ("" when none).
func (p *Page) Text(sel string) string {
	p.t.Helper()
	return Eval[string](p, fmt.Sprintf(`document.querySelector(%q)?.textContent.trim() ?? ""`, sel), stepLimit)
}

// Value is the value of the input sel selects ("" when none).
func (p *Page) Value(sel string) string {
	p.t.Helper()
	return Eval[string](p, fmt.Sprintf(`document.querySelector(%q)?.value ?? ""`, sel), stepLimit)
}

// Visible reports whether sel selects an element that is shown.
func (p *Page) Visible(sel string) bool {
	p.t.Helper()
	return Eval[bool](p, fmt.Sprintf(`(() => { const n = document.querySelector(%q); return !!n && !n.closest('[hidden]') && n.getClientRects().length > 0; })()`, sel), stepLimit)
}

// Click clicks the element sel selects.
func (p *Page) Click(sel string) {
	p.t.Helper()
	p.Do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// Fill replaces a text field's value as typing would.
func (p *Page) Fill(sel, value string) {
	p.t.Helper()
	Eval[bool](p, fmt.Sprintf(`(() => { const n = document.querySelector(%q); n.value = ''; return true; })()`, sel), stepLimit)
	p.Do("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
}

// Choose picks an option of a <select> as a person would: the value
// changes and the page hears input and change.
func (p *Page) Choose(sel, value string) {
	p.t.Helper()
	got := Eval[string](p, fmt.Sprintf(`(() => {
		const s = document.querySelector(%q);
		s.value = %q;
		s.dispatchEvent(new Event('input', {bubbles: true}));
		s.dispatchEvent(new Event('change', {bubbles: true}));
		return s.value;
	})()`, sel, value), stepLimit)
	if got != value {
		p.t.Fatalf("%s has no option %q (value %q)", sel, value, got)
	}
}

// OpenSignIn opens the page at url and waits for its sign-in form (the ids
// of web/static/assets/gate.js).
func (p *Page) OpenSignIn(url string) {
	p.t.Helper()
	p.Do("open "+url, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("login-username")))
}

// LogIn signs in through the sign-in form the page shows and waits until
// view is shown.
func (p *Page) LogIn(user, password, view string) {
	p.t.Helper()
	p.Do("sign in as "+user,
		chromedp.WaitEnabled(chromedp.ID("login-submit")), // the page's script runs
		chromedp.SendKeys(chromedp.ID("login-username"), user),
		chromedp.SendKeys(chromedp.ID("login-password"), password),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID(view)))
}

// SignIn opens the page at url and signs in through its form.
func (p *Page) SignIn(url, user, password, view string) {
	p.t.Helper()
	p.OpenSignIn(url)
	p.LogIn(user, password, view)
}

// Shot saves a screenshot of the viewport as name.png.
func (p *Page) Shot(name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepLimit)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(p.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	p.t.Logf("screenshot %s", path)
}
