package configs

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cityhotline/hotline"
)

func TestLoadCalendarShipped(t *testing.T) {
	holidays, workdays, err := LoadCalendar(Reference())
	if err != nil {
		t.Fatal(err)
	}
	has := func(list []time.Time, day string) bool {
		for _, d := range list {
			if d.Format(time.DateOnly) == day {
				return true
			}
		}
		return false
	}
	for _, day := range []string{"2025-01-01", "2025-01-28", "2025-10-08", "2026-01-01", "2026-02-17", "2026-10-07"} {
		if !has(holidays, day) {
			t.Errorf("%s is not a holiday", day)
		}
	}
	for _, day := range []string{"2025-01-26", "2025-10-11", "2026-01-04", "2026-10-10"} {
		if !has(workdays, day) {
			t.Errorf("%s is not a working day", day)
		}
	}
	for i := 1; i < len(holidays); i++ {
		if !holidays[i].After(holidays[i-1]) {
			t.Fatalf("holidays not sorted at %v", holidays[i])
		}
	}
	if _, off := holidays[0].Zone(); off != 8*60*60 || holidays[0].Hour() != 0 {
		t.Errorf("holiday %v is not midnight at UTC+8", holidays[0])
	}
}

func TestLoadCalendarRejects(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"both", "holidays: [2026-10-01]\nworkdays: [2026-10-01]\n", "2026-10-01 is both a holiday and a working day"},
		{"weekday workday", "workdays: [2026-10-09]\n", "workdays: 2026-10-09 is a Friday"},
		{"bad date", "holidays: [2026-02-30]\n", `holidays: "2026-02-30" is not a date`},
		{"repeat", "holidays: [2026-10-01, 2026-10-01]\n", "holidays: 2026-10-01 listed twice"},
		{"unknown key", "holiday: [2026-10-01]\n", "field holiday not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := LoadCalendar(fstest.MapFS{CalendarFile: {Data: []byte(tt.data)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if hotline.ErrorCode(err) != hotline.EINVALID {
				t.Errorf("code %q, want invalid", hotline.ErrorCode(err))
			}
		})
	}
}
