package ivr

import (
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestQueueAnnouncement(t *testing.T) {
	say := func(n int, lang string) []string { return []string{lang + "-" + strconv.Itoa(n)} }
	tests := []struct {
		ahead int
		wait  time.Duration
		lang  string
		want  []string
	}{
		{3, 0, "zh", []string{"queue-ahead", "zh-3", "queue-people"}},
		{0, 20 * time.Second, "zh", []string{"queue-ahead", "zh-0", "queue-people", "queue-wait", "about", "zh-1", "minute"}},
		{-1, 0, "zh", []string{"queue-ahead", "zh-0", "queue-people"}},
		{2, 61 * time.Second, "en", []string{"queue-ahead", "en-2", "queue-people", "queue-wait", "about", "en-2", "minutes"}},
		{1, time.Minute, "en", []string{"queue-ahead", "en-1", "queue-people", "queue-wait", "about", "en-1", "minute"}},
	}
	for _, tt := range tests {
		if got := QueueAnnouncement(tt.ahead, tt.wait, tt.lang, say); !slices.Equal(got, tt.want) {
			t.Errorf("QueueAnnouncement(%d, %s, %s) = %v, want %v", tt.ahead, tt.wait, tt.lang, got, tt.want)
		}
	}
}
