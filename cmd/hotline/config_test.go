package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cityhotline/hotline/ticketing"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaults(t *testing.T) {
	cfg, err := LoadConfig("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"http.addr", cfg.HTTP.Addr, "127.0.0.1:8080"},
		{"sip.addr", cfg.SIP.Addr, "127.0.0.1:5060"},
		{"rtp.ports", cfg.RTP.Ports, "20000-20999"},
		{"rtp.clock_priority", cfg.RTP.ClockPriority, 0},
		{"data_dir", cfg.DataDir, "./data"},
		{"database.url", cfg.Database.URL, ""},
		{"admin.password", cfg.Admin.Password, ""},
		{"demo", cfg.Demo, false},
		{"callback.delay", time.Duration(cfg.Callback.Delay), 24 * time.Hour},
		{"callback.hours", cfg.Callback.Hours, "09:00-20:00"},
		{"log.level", cfg.Log.Level, "info"},
		{"log.format", cfg.Log.Format, "text"},
		{"auth.token_ttl", time.Duration(cfg.Auth.TokenTTL), 12 * time.Hour},
		{"reference_dir", cfg.ReferenceDir, ""},
		{"geo.polygons", cfg.Geo.Polygons, ""},
		{"sla.sweep_interval", time.Duration(cfg.SLA.SweepInterval), 30 * time.Second},
		{"emergency.accept", time.Duration(cfg.Tickets.Deadlines.Emergency.Accept), 15 * time.Minute},
		{"emergency.contact", time.Duration(cfg.Tickets.Deadlines.Emergency.Contact), time.Hour},
		{"emergency.reply", time.Duration(cfg.Tickets.Deadlines.Emergency.Reply), 2 * time.Hour},
		{"utility.reply", time.Duration(cfg.Tickets.Deadlines.Utility.Reply), 24 * time.Hour},
		{"ordinary.reply", time.Duration(cfg.Tickets.Deadlines.Ordinary.Reply), 7 * 24 * time.Hour},
		{"complex.reply", time.Duration(cfg.Tickets.Deadlines.Complex.Reply), 15 * 24 * time.Hour},
		{"complex.accept", time.Duration(cfg.Tickets.Deadlines.Complex.Accept), 2 * time.Hour},
		{"working_days.reply", cfg.Tickets.WorkingDays.Reply, false},
		{"warn_at", cfg.Tickets.WarnAt, 0.8},
		{"max_content", cfg.Tickets.MaxContent, 4000},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestDefaultsMatchTicketing(t *testing.T) {
	got := DefaultConfig().TicketingConfig().SLA
	want := ticketing.DefaultSLA()
	for u, w := range want.Deadlines {
		if got.Deadlines[u] != w {
			t.Errorf("%s: config defaults %+v, ticketing defaults %+v", u, got.Deadlines[u], w)
		}
	}
	if got.WarnAt != want.WarnAt {
		t.Errorf("warn_at: %v vs %v", got.WarnAt, want.WarnAt)
	}
}

func TestYAMLFile(t *testing.T) {
	path := writeFile(t, "hotline.yaml", `
http:
  addr: 127.0.0.1:9090
database:
  url: postgres://u:p@127.0.0.1/h
demo: true
callback:
  delay: 2d
  hours: "08:30-21:00"
log:
  format: json
tickets:
  deadlines:
    ordinary:
      reply: 5d
    emergency:
      accept: 10m
  working_days:
    reply: true
  warn_at: 0.75
  max_content: 2000
`)
	cfg, err := LoadConfig(path, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Addr != "127.0.0.1:9090" || !cfg.Demo || cfg.Log.Format != "json" {
		t.Errorf("file values not applied: %+v", cfg)
	}
	if cfg.SIP.Addr != "127.0.0.1:5060" {
		t.Errorf("keys missing from the file must keep defaults, sip.addr = %q", cfg.SIP.Addr)
	}
	if time.Duration(cfg.Callback.Delay) != 48*time.Hour {
		t.Errorf("callback.delay = %v, want 48h", cfg.Callback.Delay)
	}
	tc := cfg.TicketingConfig()
	if got := tc.SLA.Deadlines[ticketing.UrgencyOrdinary].Reply; got != 5*24*time.Hour {
		t.Errorf("ordinary reply = %v, want 120h", got)
	}
	if got := tc.SLA.Deadlines[ticketing.UrgencyOrdinary].Accept; got != 2*time.Hour {
		t.Errorf("ordinary accept = %v, want the default 2h", got)
	}
	if got := tc.SLA.Deadlines[ticketing.UrgencyEmergency].Accept; got != 10*time.Minute {
		t.Errorf("emergency accept = %v, want 10m", got)
	}
	if tc.SLA.Working != [3]bool{false, false, true} || tc.SLA.WarnAt != 0.75 || tc.MaxContent != 2000 {
		t.Errorf("ticketing config = %+v", tc)
	}
}

func TestYAMLErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown top key", "htpp:\n  addr: x\n", "htpp"},
		{"unknown nested key", "tickets:\n  deadlines:\n    urgent:\n      reply: 1h\n", "urgent"},
		{"bad duration", "callback:\n  delay: soon\n", `bad duration "soon"`},
		{"duration not scalar", "auth:\n  token_ttl: [1h]\n", "scalar"},
		{"wrong type", "demo: maybe\n", "maybe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(writeFile(t, "c.yaml", tt.yaml), env(nil))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing.yaml"), env(nil)); err == nil {
		t.Error("a missing config file must be an error")
	}
}

func TestEmptyFileKeepsDefaults(t *testing.T) {
	cfg, err := LoadConfig(writeFile(t, "empty.yaml", "# nothing\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Addr != "127.0.0.1:8080" {
		t.Errorf("http.addr = %q", cfg.HTTP.Addr)
	}
}

func TestEnvOverrides(t *testing.T) {
	file := writeFile(t, "c.yaml", "http:\n  addr: 127.0.0.1:9090\nadmin:\n  password: fromfile\n")
	cfg, err := LoadConfig(file, env(map[string]string{
		"HOTLINE_HTTP_ADDR":      "127.0.0.1:18080",
		"HOTLINE_SIP_ADDR":       "127.0.0.1:15060",
		"HOTLINE_RTP_PORTS":      "30000-30099",
		"HOTLINE_DATA_DIR":       "/var/lib/hotline",
		"HOTLINE_DATABASE_URL":   "postgres://h:pw@127.0.0.1:5432/h",
		"HOTLINE_ADMIN_PASSWORD": "fromenv",
		"HOTLINE_DEMO":           "1",
		"HOTLINE_TRUNK_OUTBOUND": "sip:127.0.0.1:5090",
		"HOTLINE_CALLBACK_DELAY": "30m",
		"HOTLINE_CALLBACK_HOURS": "10:00-18:00",
		"HOTLINE_LOG_LEVEL":      "debug",
		"HOTLINE_LOG_FORMAT":     "json",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.HTTP.Addr = "127.0.0.1:18080"
	want.SIP.Addr = "127.0.0.1:15060"
	want.RTP.Ports = "30000-30099"
	want.DataDir = "/var/lib/hotline"
	want.Database.URL = "postgres://h:pw@127.0.0.1:5432/h"
	want.Admin.Password = "fromenv"
	want.Demo = true
	want.Trunk.Outbound = "sip:127.0.0.1:5090"
	want.Callback.Delay, want.Callback.Hours = Duration(30*time.Minute), "10:00-18:00"
	want.Log = LogConfig{Level: "debug", Format: "json"}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}
}

func TestSecretFiles(t *testing.T) {
	pw := writeFile(t, "pw", "s3cret\n")
	db := writeFile(t, "db", "postgres://h:x@127.0.0.1/h\n")
	cfg, err := LoadConfig("", env(map[string]string{
		"HOTLINE_ADMIN_PASSWORD_FILE": pw,
		"HOTLINE_DATABASE_URL_FILE":   db,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Admin.Password != "s3cret" || cfg.Database.URL != "postgres://h:x@127.0.0.1/h" {
		t.Errorf("secrets from files: %q %q", cfg.Admin.Password, cfg.Database.URL)
	}

	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"both set", map[string]string{"HOTLINE_ADMIN_PASSWORD": "a", "HOTLINE_ADMIN_PASSWORD_FILE": pw}, "both set"},
		{"missing file", map[string]string{"HOTLINE_DATABASE_URL_FILE": filepath.Join(t.TempDir(), "nope")}, "HOTLINE_DATABASE_URL_FILE"},
		{"bad demo", map[string]string{"HOTLINE_DEMO": "yes please"}, "HOTLINE_DEMO"},
		{"bad delay", map[string]string{"HOTLINE_CALLBACK_DELAY": "tomorrow"}, "HOTLINE_CALLBACK_DELAY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig("", env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   string // "" = valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"any port", func(c *Config) { c.HTTP.Addr = "127.0.0.1:0" }, ""},
		{"all interfaces", func(c *Config) { c.HTTP.Addr = ":8080" }, ""},
		{"addr without port", func(c *Config) { c.HTTP.Addr = "127.0.0.1" }, "http.addr"},
		{"addr bad port", func(c *Config) { c.SIP.Addr = "127.0.0.1:99999" }, "sip.addr"},
		{"addr named port", func(c *Config) { c.SIP.Addr = "127.0.0.1:sip" }, "sip.addr"},
		{"ports reversed", func(c *Config) { c.RTP.Ports = "21000-20000" }, "rtp.ports"},
		{"ports one number", func(c *Config) { c.RTP.Ports = "20000" }, "rtp.ports"},
		{"ports privileged", func(c *Config) { c.RTP.Ports = "100-200" }, "rtp.ports"},
		{"ports too high", func(c *Config) { c.RTP.Ports = "65000-70000" }, "rtp.ports"},
		{"clock priority negative", func(c *Config) { c.RTP.ClockPriority = -1 }, "rtp.clock_priority"},
		{"clock priority over 99", func(c *Config) { c.RTP.ClockPriority = 100 }, "rtp.clock_priority"},
		{"hours reversed", func(c *Config) { c.Callback.Hours = "20:00-09:00" }, "callback.hours"},
		{"hours garbage", func(c *Config) { c.Callback.Hours = "morning" }, "callback.hours"},
		{"hours bad minute", func(c *Config) { c.Callback.Hours = "09:75-20:00" }, "callback.hours"},
		{"warn_at zero", func(c *Config) { c.Tickets.WarnAt = 0 }, "tickets.warn_at"},
		{"warn_at one", func(c *Config) { c.Tickets.WarnAt = 1 }, "tickets.warn_at"},
		{"warn_at negative", func(c *Config) { c.Tickets.WarnAt = -0.5 }, "tickets.warn_at"},
		{"zero deadline", func(c *Config) { c.Tickets.Deadlines.Complex.Reply = 0 }, "tickets.deadlines.complex.reply"},
		{"negative deadline", func(c *Config) { c.Tickets.Deadlines.Utility.Accept = Duration(-time.Hour) }, "tickets.deadlines.utility.accept"},
		{"max_content", func(c *Config) { c.Tickets.MaxContent = 0 }, "tickets.max_content"},
		{"log level", func(c *Config) { c.Log.Level = "loud" }, "log.level"},
		{"log format", func(c *Config) { c.Log.Format = "xml" }, "log.format"},
		{"trunk", func(c *Config) { c.Trunk.Outbound = "127.0.0.1:5090" }, "trunk.outbound"},
		{"database scheme", func(c *Config) { c.Database.URL = "mysql://x@y/z" }, "database.url"},
		{"database dsn", func(c *Config) { c.Database.URL = "host=127.0.0.1 dbname=h" }, ""},
		{"database garbage", func(c *Config) { c.Database.URL = "hotline" }, "database.url"},
		{"data dir", func(c *Config) { c.DataDir = "" }, "data_dir"},
		{"sweep", func(c *Config) { c.SLA.SweepInterval = 0 }, "sla.sweep_interval"},
		{"token ttl", func(c *Config) { c.Auth.TokenTTL = 0 }, "auth.token_ttl"},
		{"no queues", func(c *Config) { c.ACD.Queues = nil }, "acd.queues"},
		{"queue strategy", func(c *Config) { c.ACD.Queues[0].Strategy = "random" }, "acd.queues[0].strategy"},
		{"queue name", func(c *Config) { c.ACD.Queues[1].Name = "" }, "acd.queues[1].name"},
		{"overflow target", func(c *Config) { c.ACD.Queues[0].Overflow = "nowhere" }, "acd.queues"},
		{"overflow callback", func(c *Config) {
			c.ACD.Queues[0].Overflow, c.ACD.Queues[0].MaxWait = "callback", Duration(3*time.Minute)
		}, ""},
		{"max_wait without overflow", func(c *Config) { c.ACD.Queues[0].MaxWait = Duration(time.Minute) }, "acd.queues"},
		{"skill level", func(c *Config) { c.ACD.Skills = map[string]map[string]int{"agent1": {"complaints": 11}} }, "acd.skills.agent1.complaints"},
		{"webrtc ports", func(c *Config) { c.WebRTC.Ports = "22000" }, "webrtc.ports"},
		{"webrtc any port", func(c *Config) { c.WebRTC.Ports = "" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.modify(&cfg)
			err := cfg.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want an error naming %q", err, tt.want)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	cfg := DefaultConfig()
	cfg.HTTP.Addr = "nope"
	cfg.Tickets.WarnAt = 2
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "http.addr") || !strings.Contains(err.Error(), "tickets.warn_at") {
		t.Fatalf("got %v, want both problems named", err)
	}
}

func TestDatabaseURLErrorHidesPassword(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Database.URL = "postgres://u:hunter2@[bad"
	err := cfg.Validate()
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error leaks the password: %v", err)
	}
}

func TestRedacted(t *testing.T) {
	tests := []struct{ url, want string }{
		{"", ""},
		{"postgres://h:pw@127.0.0.1:5432/h?sslmode=disable", "postgres://h:REDACTED@127.0.0.1:5432/h?sslmode=disable"},
		{"postgres://h@127.0.0.1/h", "postgres://h@127.0.0.1/h"},
		{"postgres://127.0.0.1/h?password=pw&user=h", "postgres://127.0.0.1/h?password=REDACTED&user=h"},
		{"host=127.0.0.1 user=h password=pw dbname=h", "host=127.0.0.1 user=h password=REDACTED dbname=h"},
		{"host=127.0.0.1 password = 'p w\\'x' dbname=h", "host=127.0.0.1 password = REDACTED dbname=h"},
	}
	for _, tt := range tests {
		cfg := DefaultConfig()
		cfg.Admin.Password = "hunter2"
		cfg.Database.URL = tt.url
		r := cfg.Redacted()
		if r.Admin.Password != "REDACTED" {
			t.Errorf("admin password: %q", r.Admin.Password)
		}
		if r.Database.URL != tt.want {
			t.Errorf("redact %q: got %q, want %q", tt.url, r.Database.URL, tt.want)
		}
		if cfg.Database.URL != tt.url || cfg.Admin.Password != "hunter2" {
			t.Error("Redacted changed the original")
		}
	}
	if DefaultConfig().Redacted().Admin.Password != "" {
		t.Error("an unset password must stay empty (it means: generate one)")
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90m", 90 * time.Minute, true},
		{"1h30m", 90 * time.Minute, true},
		{"7d", 7 * 24 * time.Hour, true},
		{"0d", 0, true},
		{" 2h ", 2 * time.Hour, true},
		{"1.5d", 0, false},
		{"d", 0, false},
		{"", 0, false},
		{"7 days", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err == nil) != tt.ok || time.Duration(got) != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	for _, d := range []Duration{Duration(15 * time.Minute), Duration(48 * time.Hour), Duration(36 * time.Hour)} {
		back, err := ParseDuration(d.String())
		if err != nil || back != d {
			t.Errorf("round trip %v: %v, %v", time.Duration(d), back, err)
		}
	}
}

func TestConfigYAMLRoundTrip(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Admin.Password = "x"
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	back, err := LoadConfig(writeFile(t, "rt.yaml", string(out)), env(nil))
	if err != nil {
		t.Fatalf("reload of a marshalled config: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(back, cfg) {
		t.Errorf("round trip changed the config:\n%s", out)
	}
}

func TestExampleConfigIsTheDefaults(t *testing.T) {
	cfg, err := LoadConfig("../../configs/hotline.example.yaml", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, DefaultConfig()) {
		t.Errorf("configs/hotline.example.yaml drifted from DefaultConfig:\n got %+v\nwant %+v", cfg, DefaultConfig())
	}
}

func TestLogHandler(t *testing.T) {
	var buf strings.Builder
	h, err := LogConfig{Level: "warn", Format: "json"}.Handler(&buf)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(h)
	log.Info("hidden")
	log.Warn("shown", "ticket_id", "20261127000001")
	out := buf.String()
	if strings.Contains(out, "hidden") || !strings.Contains(out, `"ticket_id":"20261127000001"`) {
		t.Errorf("json handler at warn wrote %q", out)
	}
	buf.Reset()
	h, err = LogConfig{Level: "debug", Format: "text"}.Handler(&buf)
	if err != nil {
		t.Fatal(err)
	}
	slog.New(h).Debug("detail", "k", "v")
	if !strings.Contains(buf.String(), "level=DEBUG msg=detail k=v") {
		t.Errorf("text handler wrote %q", buf.String())
	}
	if _, err := (LogConfig{Level: "info", Format: "xml"}).Handler(&buf); err == nil {
		t.Error("format xml accepted")
	}
}

// rtp.clock_priority reaches the SIP server's media clock.
func TestSIPConfigClockPriority(t *testing.T) {
	for _, tc := range []struct{ file, want int }{{0, 0}, {10, 10}, {99, 99}} {
		cfg := DefaultConfig()
		cfg.RTP.ClockPriority = tc.file
		sc, err := sipConfig(cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		if sc.ClockPriority != tc.want {
			t.Errorf("rtp.clock_priority %d: sip.Config.ClockPriority %d, want %d", tc.file, sc.ClockPriority, tc.want)
		}
	}
}
