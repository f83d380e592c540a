package ivr

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// window is a daily time window in minutes after midnight, end exclusive.
// from > to wraps midnight ("20:00-08:00").
type window struct{ from, to int }

// parseWindow parses "HH:MM-HH:MM". The end may be 24:00; the two ends
// must differ.
func parseWindow(s string) (window, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return window{}, fmt.Errorf("time window %q: want HH:MM-HH:MM", s)
	}
	from, err := parseClock(strings.TrimSpace(a), false)
	if err != nil {
		return window{}, fmt.Errorf("time window %q: %w", s, err)
	}
	to, err := parseClock(strings.TrimSpace(b), true)
	if err != nil {
		return window{}, fmt.Errorf("time window %q: %w", s, err)
	}
	if from == to {
		return window{}, fmt.Errorf("time window %q is empty", s)
	}
	return window{from, to}, nil
}

// parseClock parses HH:MM into minutes; 24:00 only when end is set.
func parseClock(s string, end bool) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	if !ok || len(hh) != 2 || len(mm) != 2 {
		return 0, fmt.Errorf("%q is not a time like 09:00", s)
	}
	h, herr := strconv.Atoi(hh)
	m, merr := strconv.Atoi(mm)
	if herr != nil || merr != nil || h < 0 || m < 0 || m > 59 {
		return 0, fmt.Errorf("%q is not a time like 09:00", s)
	}
	if h > 24 || (h == 24 && (m != 0 || !end)) {
		return 0, fmt.Errorf("%q is past the end of the day", s)
	}
	return h*60 + m, nil
}

// contains reports whether t's local clock time falls in the window.
func (w window) contains(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	if w.from < w.to {
		return m >= w.from && m < w.to
	}
	return m >= w.from || m < w.to
}
