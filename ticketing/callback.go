package ticketing

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
)

// CallbackPolicy holds the rules for satisfaction callbacks (回访, Art. 23):
// when they fall due, the hours in which the robot may call, and how often it
// tries. Defaults come from DefaultCallbackPolicy; cmd/ overrides them from
// HOTLINE_CALLBACK_DELAY, HOTLINE_CALLBACK_HOURS and friends.
type CallbackPolicy struct {
	// Delay is how long after the unit's reply the citizen is called.
	Delay time.Duration
	// Window is the daily calling window, Beijing time.
	Window CallbackWindow
	// SkipHolidays keeps the robot silent on public holidays. Weekends are
	// ordinary calling days: citizens are more often reachable then, and
	// the law names no quiet days. Adjusted working days (调休) are calling
	// days too.
	SkipHolidays bool
	// MaxAttempts is how many calls are made before the citizen is marked
	// "could not be reached".
	MaxAttempts int
	// RetryAfter[i] is the pause after the (i+1)-th failed attempt; attempts
	// beyond its length reuse the last entry.
	RetryAfter []time.Duration
	// MaxConcurrent caps the outbound survey calls in progress at once.
	MaxConcurrent int
	// GroupSpan is how far apart the due times of one citizen's tickets may
	// be for them to be asked about in a single call.
	GroupSpan time.Duration
}

// CallbackWindow is the part of each day, as offsets from midnight Beijing
// time, in which calls may start: [From, To). It never spans midnight: a
// citizen is not called at night.
type CallbackWindow struct {
	From, To time.Duration
}

// DefaultCallbackPolicy returns the defaults: a day after the reply, 09:00 to
// 20:00, no calls on public holidays, three attempts two and four hours
// apart, ten calls at once, one citizen's tickets grouped within a day.
func DefaultCallbackPolicy() CallbackPolicy {
	return CallbackPolicy{
		Delay:         24 * time.Hour,
		Window:        CallbackWindow{From: 9 * time.Hour, To: 20 * time.Hour},
		SkipHolidays:  true,
		MaxAttempts:   3,
		RetryAfter:    []time.Duration{2 * time.Hour, 4 * time.Hour},
		MaxConcurrent: 10,
		GroupSpan:     24 * time.Hour,
	}
}

// Validate reports the policy's problems as one EINVALID error.
func (p CallbackPolicy) Validate() error {
	v := &hotline.Invalid{}
	if p.Delay < 0 {
		v.Add("delay", "must not be negative")
	}
	if err := p.Window.validate(); err != "" {
		v.Add("hours", err)
	}
	if p.MaxAttempts < 1 {
		v.Add("max_attempts", "must be at least 1")
	}
	if p.MaxAttempts > 1 && len(p.RetryAfter) == 0 {
		v.Add("retry_after", "needs at least one pause when more than one attempt is allowed")
	}
	for _, d := range p.RetryAfter {
		if d <= 0 {
			v.Add("retry_after", "every pause must be positive")
			break
		}
	}
	if p.MaxConcurrent < 1 {
		v.Add("max_concurrent", "must be at least 1")
	}
	if p.GroupSpan < 0 {
		v.Add("group_span", "must not be negative")
	}
	return v.Err("invalid callback policy")
}

// retryAfter is the pause after the given failed attempt (1-based).
func (p CallbackPolicy) retryAfter(attempt int) time.Duration {
	if len(p.RetryAfter) == 0 {
		return 0
	}
	i := min(max(attempt-1, 0), len(p.RetryAfter)-1)
	return p.RetryAfter[i]
}

func (w CallbackWindow) validate() string {
	switch {
	case w.From < 0 || w.To > 24*time.Hour:
		return "must lie within one day (00:00-24:00)"
	case w.From >= w.To:
		return "must end after it starts, on the same day (no calls across midnight)"
	}
	return ""
}

// String formats the window as "HH:MM-HH:MM".
func (w CallbackWindow) String() string {
	return clockString(w.From) + "-" + clockString(w.To)
}

func clockString(d time.Duration) string {
	m := int(d / time.Minute)
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// ParseCallbackWindow parses "HH:MM-HH:MM" (e.g. "09:00-20:00"; "24:00" may
// end the window). The window must not span midnight.
func ParseCallbackWindow(s string) (CallbackWindow, error) {
	from, to, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return CallbackWindow{}, windowError(s, `must look like "09:00-20:00"`)
	}
	var w CallbackWindow
	var err error
	if w.From, err = parseClock(from); err != nil {
		return CallbackWindow{}, windowError(s, "start: "+err.Error())
	}
	if w.To, err = parseClock(to); err != nil {
		return CallbackWindow{}, windowError(s, "end: "+err.Error())
	}
	if msg := w.validate(); msg != "" {
		return CallbackWindow{}, windowError(s, msg)
	}
	return w, nil
}

func windowError(s, problem string) error {
	return hotline.Errorf(hotline.EINVALID, "invalid callback hours %q", s).WithField("hours", problem)
}

// parseClock parses "HH:MM", 00:00 to 24:00.
func parseClock(s string) (time.Duration, error) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(hh) != 2 || len(mm) != 2 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	h, errH := strconv.Atoi(hh)
	m, errM := strconv.Atoi(mm)
	if errH != nil || errM != nil || h < 0 || m < 0 || m > 59 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	if h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is past 24:00", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// ParseRetryAfter parses a comma-separated list of pauses, e.g. "2h,4h".
func ParseRetryAfter(s string) ([]time.Duration, error) {
	var out []time.Duration
	for part := range strings.SplitSeq(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil || d <= 0 {
			return nil, hotline.Errorf(hotline.EINVALID, "invalid callback retry pauses %q", s).
				WithField("retry_after", fmt.Sprintf("%q is not a positive duration like 2h", part))
		}
		out = append(out, d)
	}
	return out, nil
}
