package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cityhotline/hotline/ticketing"
)

// Config is the server's whole configuration: defaults from DefaultConfig,
// then the YAML file, then the environment (see LoadConfig).
type Config struct {
	HTTP         HTTPConfig       `yaml:"http"`
	SIP          SIPConfig        `yaml:"sip"`
	RTP          RTPConfig        `yaml:"rtp"`
	DataDir      string           `yaml:"data_dir"`
	Database     DatabaseConfig   `yaml:"database"`
	Admin        AdminConfig      `yaml:"admin"`
	Demo         bool             `yaml:"demo"`
	Trunk        TrunkConfig      `yaml:"trunk"`
	Callback     CallbackConfig   `yaml:"callback"`
	Log          LogConfig        `yaml:"log"`
	Auth         AuthConfig       `yaml:"auth"`
	ReferenceDir string           `yaml:"reference_dir"` // "" = the embedded reference data
	Geo          GeoConfig        `yaml:"geo"`
	SLA          SLAConfig        `yaml:"sla"`
	Tickets      TicketsConfig    `yaml:"tickets"`
	IVR          IVRConfig        `yaml:"ivr"`
	Recordings   RecordingsConfig `yaml:"recordings"`
	ACD          ACDConfig        `yaml:"acd"`
	WebRTC       WebRTCConfig     `yaml:"webrtc"`
	Reports      ReportsConfig    `yaml:"reports"`
	Classifier   ClassifierConfig `yaml:"classifier"`
}

// HTTPConfig is the HTTP listener.
type HTTPConfig struct {
	Addr string `yaml:"addr"`
}

// SIPConfig is the SIP gateway: listeners, trunks and limits.
type SIPConfig struct {
	Addr         string       `yaml:"addr"`
	PublicIP     string       `yaml:"public_ip"` // address written in SDP; "" = the listen IP
	TLS          SIPTLSConfig `yaml:"tls"`
	Trunks       []TrunkEntry `yaml:"trunks,omitempty"` // none configured: loopback only
	MaxCalls     int          `yaml:"max_calls"`        // concurrent calls; more get 503
	MediaTimeout Duration     `yaml:"media_timeout"`
	RatePerIP    float64      `yaml:"rate_per_source"` // INVITE/s from an address outside every trunk
}

// SIPTLSConfig is the optional SIP over TLS listener.
type SIPTLSConfig struct {
	Addr string `yaml:"addr"`
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
}

// TrunkEntry is one carrier interconnect.
type TrunkEntry struct {
	Name         string   `yaml:"name"`
	CIDRs        []string `yaml:"cidrs"`
	Username     string   `yaml:"username"` // with password: digest auth on INVITE
	Password     string   `yaml:"password"`
	CallerIDFrom string   `yaml:"caller_id_from"`  // pai (default) | from
	RatePerIP    float64  `yaml:"rate_per_source"` // INVITE/s per source address; default 1000
}

// IVRConfig is the inbound IVR.
type IVRConfig struct {
	PromptsDir string `yaml:"prompts_dir"` // real recordings laid out as zh-CN/NAME.wav, en/NAME.wav; "" = the shipped ones
	// OverloadWaiting is the number of callers on hold above which the IVR
	// plays the overload message; 0 disables it.
	OverloadWaiting int `yaml:"overload_waiting"`
}

// RecordingsConfig is call recording.
type RecordingsConfig struct {
	Enabled       bool `yaml:"enabled"`
	RetentionDays int  `yaml:"retention_days"` // 0 keeps them forever
}

// RTPConfig is the media port range, "LO-HI".
type RTPConfig struct {
	Ports string `yaml:"ports"`
	// ClockPriority, 1 to 99, runs the threads that pace every prompt under
	// SCHED_FIFO at that priority; 0 (the default) runs them on Go timers.
	// The kernel grants it to root, CAP_SYS_NICE or RLIMIT_RTPRIO; refused,
	// the server says so once and uses Go timers. See docs/operations.md.
	ClockPriority int `yaml:"clock_priority"`
}

// DatabaseConfig selects the store: an empty URL means SQLite in DataDir.
type DatabaseConfig struct {
	URL string `yaml:"url"`
}

// AdminConfig is the bootstrap admin account.
type AdminConfig struct {
	Password string `yaml:"password"` // "" = generate one and print it once
}

// TrunkConfig is where outbound calls go.
type TrunkConfig struct {
	Outbound string `yaml:"outbound"` // SIP URI, e.g. sip:127.0.0.1:5090
}

// CallbackConfig schedules the satisfaction callbacks.
type CallbackConfig struct {
	Delay Duration `yaml:"delay"` // from the unit's reply to the callback
	Hours string   `yaml:"hours"` // calling window, "HH:MM-HH:MM"
	// NoReopen keeps tickets closed after an unresolved or dissatisfied
	// answer (the answer is still recorded); by default they reopen for
	// the same unit.
	NoReopen bool `yaml:"no_reopen"`
	// MaxConcurrent caps the survey calls in progress at once (default 10).
	MaxConcurrent int `yaml:"max_concurrent"`
}

// LogConfig is the log level and format.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug|info|warn|error
	Format string `yaml:"format"` // text|json
}

// AuthConfig is the API session settings.
type AuthConfig struct {
	TokenTTL Duration `yaml:"token_ttl"`
}

// GeoConfig points to district/street polygons for position-based routing.
type GeoConfig struct {
	Polygons string `yaml:"polygons"` // path to a GeoJSON file; "" = none
}

// SLAConfig is the SLA sweep.
type SLAConfig struct {
	SweepInterval Duration `yaml:"sweep_interval"`
}

// TicketsConfig is the work-order rules.
type TicketsConfig struct {
	Deadlines   DeadlinesConfig `yaml:"deadlines"`
	WorkingDays ClockFlags      `yaml:"working_days"`
	WarnAt      float64         `yaml:"warn_at"`     // used fraction of a clock that turns it yellow
	MaxContent  int             `yaml:"max_content"` // characters
}

// DeadlinesConfig holds the three clocks of each urgency tier.
type DeadlinesConfig struct {
	Emergency ClockDurations `yaml:"emergency"`
	Utility   ClockDurations `yaml:"utility"`
	Ordinary  ClockDurations `yaml:"ordinary"`
	Complex   ClockDurations `yaml:"complex"`
}

// ClockDurations are the accept, contact and reply clocks, from dispatch.
type ClockDurations struct {
	Accept  Duration `yaml:"accept"`
	Contact Duration `yaml:"contact"`
	Reply   Duration `yaml:"reply"`
}

// ClockFlags says, per clock, whether it counts working days only.
type ClockFlags struct {
	Accept  bool `yaml:"accept"`
	Contact bool `yaml:"contact"`
	Reply   bool `yaml:"reply"`
}

const day = 24 * time.Hour

// DefaultConfig returns the defaults of the operator contract and DESIGN.md.
func DefaultConfig() Config {
	return Config{
		HTTP:       HTTPConfig{Addr: "127.0.0.1:8080"},
		SIP:        SIPConfig{Addr: "127.0.0.1:5060", MaxCalls: 500, MediaTimeout: Duration(30 * time.Second), RatePerIP: 20},
		IVR:        IVRConfig{OverloadWaiting: 500},
		Recordings: RecordingsConfig{Enabled: true, RetentionDays: 180},
		RTP:        RTPConfig{Ports: "20000-20999"},
		ACD:        ACDConfig{Queues: defaultQueues(), MaxNoAnswer: 2, Grace: Duration(30 * time.Second)},
		WebRTC:     WebRTCConfig{Ports: "21000-21999", Loopback: true},
		Reports:    ReportsConfig{Enabled: true},
		DataDir:    "./data",
		Callback:   CallbackConfig{Delay: Duration(day), Hours: "09:00-20:00", MaxConcurrent: 10},
		Log:        LogConfig{Level: "info", Format: "text"},
		Auth:       AuthConfig{TokenTTL: Duration(12 * time.Hour)},
		SLA:        SLAConfig{SweepInterval: Duration(30 * time.Second)},
		Tickets: TicketsConfig{
			Deadlines: DeadlinesConfig{
				Emergency: clocks(15*time.Minute, time.Hour, 2*time.Hour),
				Utility:   clocks(2*time.Hour, day, day),
				Ordinary:  clocks(2*time.Hour, day, 7*day),
				Complex:   clocks(2*time.Hour, day, 15*day),
			},
			WarnAt:     0.8,
			MaxContent: 4000,
		},
	}
}

func clocks(accept, contact, reply time.Duration) ClockDurations {
	return ClockDurations{Duration(accept), Duration(contact), Duration(reply)}
}

// LoadConfig builds the configuration: the defaults, then the YAML file at
// path (when path is not empty; unknown keys are errors), then the
// environment read through getenv. The result is validated.
func LoadConfig(path string, getenv func(string) string) (Config, error) {
	cfg := DefaultConfig()
	if path != "" {
		if err := cfg.loadFile(path); err != nil {
			return Config{}, err
		}
	}
	if err := cfg.applyEnv(getenv); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func (c *Config) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

// applyEnv applies the operator contract's environment overrides.
func (c *Config) applyEnv(getenv func(string) string) error {
	strs := []struct {
		name string
		dst  *string
	}{
		{"HOTLINE_HTTP_ADDR", &c.HTTP.Addr},
		{"HOTLINE_SIP_ADDR", &c.SIP.Addr},
		{"HOTLINE_RTP_PORTS", &c.RTP.Ports},
		{"HOTLINE_DATA_DIR", &c.DataDir},
		{"HOTLINE_TRUNK_OUTBOUND", &c.Trunk.Outbound},
		{"HOTLINE_CALLBACK_HOURS", &c.Callback.Hours},
		{"HOTLINE_LOG_LEVEL", &c.Log.Level},
		{"HOTLINE_LOG_FORMAT", &c.Log.Format},
		{"HOTLINE_CLASSIFIER_MODEL", &c.Classifier.Model},
	}
	for _, s := range strs {
		if v := getenv(s.name); v != "" {
			*s.dst = v
		}
	}
	if err := secretEnv(getenv, "HOTLINE_ADMIN_PASSWORD", &c.Admin.Password); err != nil {
		return err
	}
	if err := secretEnv(getenv, "HOTLINE_DATABASE_URL", &c.Database.URL); err != nil {
		return err
	}
	if v := getenv("HOTLINE_DEMO"); v != "" {
		demo, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("HOTLINE_DEMO: %q is not a boolean (use 1 or 0)", v)
		}
		c.Demo = demo
	}
	if v := getenv("HOTLINE_CALLBACK_DELAY"); v != "" {
		d, err := ParseDuration(v)
		if err != nil {
			return fmt.Errorf("HOTLINE_CALLBACK_DELAY: %w", err)
		}
		c.Callback.Delay = d
	}
	return nil
}

// secretEnv sets *dst from NAME, or from the file named by NAME_FILE (its
// content without the trailing newline). Setting both is an error.
func secretEnv(getenv func(string) string, name string, dst *string) error {
	v, file := getenv(name), getenv(name+"_FILE")
	switch {
	case v != "" && file != "":
		return fmt.Errorf("%s and %s_FILE are both set; use one", name, name)
	case file != "":
		data, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("%s_FILE: %w", name, err)
		}
		*dst = strings.TrimRight(string(data), "\r\n")
	case v != "":
		*dst = v
	}
	return nil
}

// Validate checks the configuration and names every problem found.
func (c Config) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(checkAddr("http.addr", c.HTTP.Addr))
	add(checkAddr("sip.addr", c.SIP.Addr))
	for i, tr := range c.SIP.Trunks {
		if tr.Name == "" || len(tr.CIDRs) == 0 {
			add(fmt.Errorf("sip.trunks[%d]: name and cidrs are required", i))
		}
		if tr.CallerIDFrom != "" && tr.CallerIDFrom != "pai" && tr.CallerIDFrom != "from" {
			add(fmt.Errorf("sip.trunks[%d].caller_id_from: %q is not pai or from", i, tr.CallerIDFrom))
		}
	}
	if c.SIP.MaxCalls < 1 {
		add(fmt.Errorf("sip.max_calls: must be at least 1"))
	}

	if c.Recordings.RetentionDays < 0 {
		add(fmt.Errorf("recordings.retention_days: must not be negative"))
	}
	if _, _, err := c.RTP.Range(); err != nil {
		add(err)
	}
	if p := c.RTP.ClockPriority; p < 0 || p > 99 {
		add(fmt.Errorf("rtp.clock_priority: %d is not 0 (Go timers) or a SCHED_FIFO priority from 1 to 99", p))
	}
	if _, _, err := c.Callback.Window(); err != nil {
		add(err)
	}
	add(checkTrunk(c.Trunk.Outbound))
	add(checkDatabaseURL(c.Database.URL))
	if c.DataDir == "" {
		add(errors.New("data_dir: must not be empty"))
	}
	if _, err := c.Log.SlogLevel(); err != nil {
		add(err)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		add(fmt.Errorf("log.format: %q is not text or json", c.Log.Format))
	}
	add(positive("callback.delay", c.Callback.Delay))
	if c.Callback.MaxConcurrent < 1 || c.Callback.MaxConcurrent > 1000 {
		add(fmt.Errorf("callback.max_concurrent: %d, want 1..1000", c.Callback.MaxConcurrent))
	}
	add(positive("auth.token_ttl", c.Auth.TokenTTL))
	add(positive("sla.sweep_interval", c.SLA.SweepInterval))
	errs = append(errs, c.Tickets.validate()...)
	errs = append(errs, c.ACD.validate()...)
	if _, _, err := c.WebRTC.Range(); err != nil {
		add(err)
	}
	return errors.Join(errs...)
}

func (t TicketsConfig) validate() []error {
	var errs []error
	for _, tier := range []struct {
		name string
		d    ClockDurations
	}{
		{"emergency", t.Deadlines.Emergency}, {"utility", t.Deadlines.Utility},
		{"ordinary", t.Deadlines.Ordinary}, {"complex", t.Deadlines.Complex},
	} {
		prefix := "tickets.deadlines." + tier.name + "."
		for _, e := range []error{
			positive(prefix+"accept", tier.d.Accept),
			positive(prefix+"contact", tier.d.Contact),
			positive(prefix+"reply", tier.d.Reply),
		} {
			if e != nil {
				errs = append(errs, e)
			}
		}
	}
	if !(t.WarnAt > 0 && t.WarnAt < 1) {
		errs = append(errs, fmt.Errorf("tickets.warn_at: %v must lie strictly between 0 and 1", t.WarnAt))
	}
	if t.MaxContent <= 0 {
		errs = append(errs, fmt.Errorf("tickets.max_content: %d must be positive", t.MaxContent))
	}
	return errs
}

func positive(key string, d Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s: %s must be positive", key, d)
	}
	return nil
}

func checkAddr(key, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s: %q is not host:port: %w", key, addr, err)
	}
	if host != "" && net.ParseIP(host) == nil && strings.ContainsAny(host, " /") {
		return fmt.Errorf("%s: bad host %q", key, host)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%s: bad port %q", key, port)
	}
	return nil
}

func checkTrunk(uri string) error {
	if uri == "" {
		return nil
	}
	if !strings.HasPrefix(uri, "sip:") && !strings.HasPrefix(uri, "sips:") {
		return fmt.Errorf("trunk.outbound: %q is not a sip: URI", uri)
	}
	return nil
}

func checkDatabaseURL(raw string) error {
	if raw == "" {
		return nil
	}
	if !strings.Contains(raw, "://") {
		if !strings.Contains(raw, "=") {
			return errors.New("database.url: neither a postgres:// URL nor a key=value DSN")
		}
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("database.url: not a URL") // the error would print the password
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("database.url: scheme %q is not postgres", u.Scheme)
	}
	return nil
}

// Range parses the port range "LO-HI".
func (r RTPConfig) Range() (lo, hi int, err error) {
	a, b, ok := strings.Cut(r.Ports, "-")
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || lo < 1024 || hi > 65535 || lo > hi {
		return 0, 0, fmt.Errorf("rtp.ports: %q is not a port range LO-HI within 1024-65535", r.Ports)
	}
	return lo, hi, nil
}

// Window parses the calling window "HH:MM-HH:MM" into offsets from midnight.
func (c CallbackConfig) Window() (from, to time.Duration, err error) {
	a, b, ok := strings.Cut(c.Hours, "-")
	from, err1 := clockTime(a)
	to, err2 := clockTime(b)
	if !ok || err1 != nil || err2 != nil || from >= to {
		return 0, 0, fmt.Errorf("callback.hours: %q is not a window HH:MM-HH:MM with start before end", c.Hours)
	}
	return from, to, nil
}

func clockTime(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// SlogLevel parses the log level.
func (l LogConfig) SlogLevel() (slog.Level, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(l.Level)); err != nil {
		return 0, fmt.Errorf("log.level: %q is not debug, info, warn or error", l.Level)
	}
	return lvl, nil
}

// Handler returns the slog handler the level and format ask for.
func (l LogConfig) Handler(w io.Writer) (slog.Handler, error) {
	lvl, err := l.SlogLevel()
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch l.Format {
	case "json":
		return slog.NewJSONHandler(w, opts), nil
	case "text":
		return slog.NewTextHandler(w, opts), nil
	}
	return nil, fmt.Errorf("log.format: %q is not text or json", l.Format)
}

// Redacted returns a copy safe to log: the admin password and the database
// URL's password are replaced by "REDACTED".
func (c Config) Redacted() Config {
	if c.Admin.Password != "" {
		c.Admin.Password = "REDACTED"
	}
	c.Database.URL = redactURL(c.Database.URL)
	return c
}

// dsnPassword finds the password of a key=value DSN, quoted or not.
var dsnPassword = regexp.MustCompile(`(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

func redactURL(raw string) string {
	if raw == "" {
		return ""
	}
	if !strings.Contains(raw, "://") {
		return dsnPassword.ReplaceAllString(raw, "${1}REDACTED")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "REDACTED"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "REDACTED")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "REDACTED")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// TicketingConfig maps the ticket rules onto the ticketing service's config.
func (c Config) TicketingConfig() ticketing.Config {
	tc := ticketing.DefaultConfig()
	d := c.Tickets.Deadlines
	tc.SLA.Deadlines = map[ticketing.Urgency]ticketing.Clocks{
		ticketing.UrgencyEmergency: d.Emergency.clocks(),
		ticketing.UrgencyUtility:   d.Utility.clocks(),
		ticketing.UrgencyOrdinary:  d.Ordinary.clocks(),
		ticketing.UrgencyComplex:   d.Complex.clocks(),
	}
	w := c.Tickets.WorkingDays
	tc.SLA.Working = [3]bool{w.Accept, w.Contact, w.Reply}
	tc.SLA.WarnAt = c.Tickets.WarnAt
	tc.MaxContent = c.Tickets.MaxContent
	return tc
}

func (d ClockDurations) clocks() ticketing.Clocks {
	return ticketing.Clocks{
		Accept:  time.Duration(d.Accept),
		Contact: time.Duration(d.Contact),
		Reply:   time.Duration(d.Reply),
	}
}

// Duration is a time.Duration written as a Go duration ("90m", "1h30m") or
// a whole number of days ("7d").
type Duration time.Duration

// ParseDuration parses a Go duration or "Nd".
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q: want e.g. 90m, 2h or 7d", s)
		}
		return Duration(time.Duration(days) * day), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q: want e.g. 90m, 2h or 7d", s)
	}
	return Duration(d), nil
}

// UnmarshalYAML decodes a duration scalar.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a duration must be a scalar like 2h or 7d", n.Line)
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = v
	return nil
}

// MarshalYAML writes the duration back in the form ParseDuration reads.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// String prints whole days as "Nd", anything else as a Go duration.
func (d Duration) String() string {
	td := time.Duration(d)
	if td > 0 && td%day == 0 {
		return strconv.Itoa(int(td/day)) + "d"
	}
	return td.String()
}
