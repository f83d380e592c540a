package ivr

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// branch returns the target of the first case that holds, else Else.
func (r *run) branch(b *Branch) (string, error) {
	for i, c := range b.Cases {
		ok, err := r.holds(c)
		if err != nil {
			return "", fmt.Errorf("case %d: %w", i, err)
		}
		if ok {
			return c.Next, nil
		}
	}
	return b.Else, nil
}

// holds reports whether every condition set in c is true now.
func (r *run) holds(c Case) (bool, error) {
	now := r.e.now()
	if c.Time != "" {
		w, err := parseWindow(c.Time)
		if err != nil {
			return false, err
		}
		if !w.contains(now) {
			return false, nil
		}
	}
	if c.Day != DayAny && !r.isDay(c.Day, now) {
		return false, nil
	}
	if c.Attr != "" && !c.attrHolds(r.attr(c.Attr)) {
		return false, nil
	}
	return c.Time != "" || c.Day != DayAny || c.Attr != "", nil
}

// isDay classifies now through the calendar.
func (r *run) isDay(d DayType, now time.Time) bool {
	cal := r.e.calendar()
	switch d {
	case DayWorkday:
		return cal.Workday(now)
	case DayHoliday:
		return cal.Holiday(now)
	case DayWeekend:
		return !cal.Workday(now) && !cal.Holiday(now)
	}
	return false
}

func (c Case) attrHolds(v string) bool {
	switch {
	case c.Equals != "":
		return v == c.Equals
	case len(c.In) > 0:
		return slices.Contains(c.In, v)
	}
	return v != ""
}

// say speaks a number or digit string from an attribute between prompts.
func (r *run) say(ctx context.Context, n *Node) error {
	s := n.Say
	v := r.attr(s.Attr)
	var middle []string
	switch n.Kind {
	case KindSayNumber:
		if r.e.SayNumber == nil {
			return errors.New("engine has no SayNumber")
		}
		num, err := strconv.Atoi(v)
		if err != nil || num < 0 {
			r.log.Warn("ivr say_number: attribute is not a number; skipped", "attr", s.Attr, "value", v)
			return nil
		}
		middle = r.e.SayNumber(num, r.language())
	default:
		if r.e.SayDigits == nil {
			return errors.New("engine has no SayDigits")
		}
		middle = r.e.SayDigits(v, r.language())
	}
	prompts := slices.Concat(s.Before, middle, s.After)
	return r.play(ctx, prompts, s.BargeIn)
}
