package ticketno

import (
	"testing"
	"time"
)

func TestDayUsesBeijingTime(t *testing.T) {
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 26, 15, 59, 59, 0, time.UTC), "20261126"},
		{time.Date(2026, 11, 26, 16, 0, 0, 0, time.UTC), "20261127"}, // midnight in Beijing
		{time.Date(2026, 11, 27, 0, 30, 0, 0, Beijing), "20261127"},
	}
	for _, tt := range tests {
		if got := Day(tt.at); got != tt.want {
			t.Errorf("Day(%v) = %s, want %s", tt.at, got, tt.want)
		}
	}
}

func TestID(t *testing.T) {
	if got := ID("20261127", 42); got != "20261127000042" {
		t.Errorf("ID = %s", got)
	}
	if got := ID("20261127", 1234567); got != "202611271234567" {
		t.Errorf("ID past a million = %s", got)
	}
}
