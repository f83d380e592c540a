package ticketing

import (
	"slices"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// callbackCalendar is the 2026 National Day holiday (1–7 October off,
// Saturday 10 October worked) plus a one-day holiday on Saturday 26
// September made up for these tests, so a Friday-evening reply meets a
// holiday the next day.
func callbackCalendar() *Calendar {
	hol := []time.Time{day("2026-09-26")}
	for d := 1; d <= 7; d++ {
		hol = append(hol, time.Date(2026, 10, d, 0, 0, 0, 0, Beijing))
	}
	return NewCalendar(hol, []time.Time{day("2026-10-10")})
}

// bjs parses "2006-01-02 15:04:05" in Beijing time.
func bjs(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, Beijing)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCallbackEnumsRoundTrip(t *testing.T) {
	roundTrip(t, CallbackStates, ParseCallbackState)
	roundTrip(t, CallResults, ParseCallResult)
}

func TestCallbackPolicyDefaults(t *testing.T) {
	p := DefaultCallbackPolicy()
	if err := p.Validate(); err != nil {
		t.Fatalf("default policy invalid: %v", err)
	}
	if p.Delay != 24*time.Hour || p.Window.String() != "09:00-20:00" || !p.SkipHolidays ||
		p.MaxAttempts != 3 || !slices.Equal(p.RetryAfter, []time.Duration{2 * time.Hour, 4 * time.Hour}) {
		t.Errorf("defaults = %+v", p)
	}
}

func TestCallbackPolicyValidate(t *testing.T) {
	for name, tc := range map[string]struct {
		edit  func(*CallbackPolicy)
		field string
	}{
		"negative delay":  {func(p *CallbackPolicy) { p.Delay = -time.Hour }, "delay"},
		"empty window":    {func(p *CallbackPolicy) { p.Window.To = p.Window.From }, "hours"},
		"window too long": {func(p *CallbackPolicy) { p.Window.To = 25 * time.Hour }, "hours"},
		"no attempts":     {func(p *CallbackPolicy) { p.MaxAttempts = 0 }, "max_attempts"},
		"no pauses":       {func(p *CallbackPolicy) { p.RetryAfter = nil }, "retry_after"},
		"zero pause":      {func(p *CallbackPolicy) { p.RetryAfter = []time.Duration{time.Hour, 0} }, "retry_after"},
		"no lines":        {func(p *CallbackPolicy) { p.MaxConcurrent = 0 }, "max_concurrent"},
		"negative span":   {func(p *CallbackPolicy) { p.GroupSpan = -1 }, "group_span"},
	} {
		p := DefaultCallbackPolicy()
		tc.edit(&p)
		err := p.Validate()
		e, ok := err.(*hotline.Error)
		if !ok || e.Code != hotline.EINVALID || e.Fields[tc.field] == "" {
			t.Errorf("%s: Validate() = %v, want EINVALID on %s", name, err, tc.field)
		}
	}
	one := DefaultCallbackPolicy()
	one.MaxAttempts, one.RetryAfter = 1, nil
	if err := one.Validate(); err != nil {
		t.Errorf("a single attempt needs no pauses: %v", err)
	}
}

func TestCallbackWindowParse(t *testing.T) {
	for _, tc := range []struct {
		in       string
		from, to time.Duration
	}{
		{"09:00-20:00", 9 * time.Hour, 20 * time.Hour},
		{" 08:30 - 21:15 ", 8*time.Hour + 30*time.Minute, 21*time.Hour + 15*time.Minute},
		{"00:00-24:00", 0, 24 * time.Hour},
	} {
		w, err := ParseCallbackWindow(tc.in)
		if err != nil || w.From != tc.from || w.To != tc.to {
			t.Errorf("ParseCallbackWindow(%q) = %v, %v", tc.in, w, err)
			continue
		}
		if back, err := ParseCallbackWindow(w.String()); err != nil || back != w {
			t.Errorf("round trip of %q: %q → %v, %v", tc.in, w.String(), back, err)
		}
	}
}

func TestCallbackWindowParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		"":                  `must look like "09:00-20:00"`,
		"09:00":             `must look like "09:00-20:00"`,
		"9:00-20:00":        `start: "9:00" is not HH:MM`,
		"09:00-20:60":       `end: "20:60" is not HH:MM`,
		"09:00-24:30":       `end: "24:30" is past 24:00`,
		"09:00-xx:00":       `end: "xx:00" is not HH:MM`,
		"20:00-08:00":       "must end after it starts, on the same day (no calls across midnight)",
		"09:00-09:00":       "must end after it starts, on the same day (no calls across midnight)",
		"-1:00-09:00":       `start: "" is not HH:MM`, // cut at the first '-'
		"09:00-20:00-21:00": `end: "20:00-21:00" is not HH:MM`,
	} {
		_, err := ParseCallbackWindow(in)
		e, ok := err.(*hotline.Error)
		if !ok || e.Code != hotline.EINVALID {
			t.Errorf("ParseCallbackWindow(%q) error = %v, want EINVALID", in, err)
			continue
		}
		if got := e.Fields["hours"]; got != want {
			t.Errorf("ParseCallbackWindow(%q) problem = %q, want %q", in, got, want)
		}
	}
}

func TestCallbackRetryAfterParse(t *testing.T) {
	got, err := ParseRetryAfter("2h, 4h30m")
	if err != nil || !slices.Equal(got, []time.Duration{2 * time.Hour, 4*time.Hour + 30*time.Minute}) {
		t.Errorf("ParseRetryAfter = %v, %v", got, err)
	}
	for _, bad := range []string{"", "2h,", "two hours", "-1h", "0s"} {
		if _, err := ParseRetryAfter(bad); hotline.ErrorCode(err) != hotline.EINVALID {
			t.Errorf("ParseRetryAfter(%q) error = %v, want EINVALID", bad, err)
		}
	}
}
