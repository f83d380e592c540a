package configs

import (
	"io/fs"
	"slices"
	"time"
)

type calendarFile struct {
	Holidays []string `yaml:"holidays"`
	Workdays []string `yaml:"workdays"`
}

// LoadCalendar reads calendar.yaml from fsys: the public holidays and the
// weekend days that are working days (调休上班), as midnights in
// Asia/Shanghai, sorted. A date listed twice, a date that is both, and a
// working day that is not a Saturday or Sunday are errors.
func LoadCalendar(fsys fs.FS) (holidays, workdays []time.Time, err error) {
	var f calendarFile
	if _, err := decodeFile(fsys, CalendarFile, "", &f); err != nil {
		return nil, nil, err
	}
	p := &problems{file: CalendarFile}
	holidays = parseDates(p, "holidays", f.Holidays)
	workdays = parseDates(p, "workdays", f.Workdays)
	for _, w := range workdays {
		if _, both := slices.BinarySearchFunc(holidays, w, compareTime); both {
			p.add(-1, "%s is both a holiday and a working day", w.Format(time.DateOnly))
		}
		if wd := w.Weekday(); wd != time.Saturday && wd != time.Sunday {
			p.add(-1, "workdays: %s is a %s; list only weekend days that are worked", w.Format(time.DateOnly), wd)
		}
	}
	if err := p.err(); err != nil {
		return nil, nil, err
	}
	return holidays, workdays, nil
}

// parseDates parses, sorts and checks one list for repeats.
func parseDates(p *problems, list string, in []string) []time.Time {
	out := make([]time.Time, 0, len(in))
	for _, s := range in {
		t, err := parseDate(s)
		if err != nil {
			p.add(-1, "%s: %v", list, err)
			continue
		}
		out = append(out, t)
	}
	slices.SortFunc(out, compareTime)
	for i := 1; i < len(out); i++ {
		if out[i].Equal(out[i-1]) {
			p.add(-1, "%s: %s listed twice", list, out[i].Format(time.DateOnly))
		}
	}
	return out
}

func compareTime(a, b time.Time) int { return a.Compare(b) }
