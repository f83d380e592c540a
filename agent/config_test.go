package agent

import (
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

func TestNewValidates(t *testing.T) {
	q := func(name, overflow string) QueueConfig { return QueueConfig{Name: name, Overflow: overflow} }
	tests := []struct {
		name   string
		queues []QueueConfig
		field  string // "" = valid
		want   string // substring of the complaint
	}{
		{"valid chain", []QueueConfig{q("a", "b"), q("b", "callback"), q("c", "")}, "", ""},
		{"no queues", nil, "queues", "at least one"},
		{"empty name", []QueueConfig{q("", "")}, "queues[0].name", "missing"},
		{"duplicate", []QueueConfig{q("a", ""), q("a", "")}, "queues[1].name", "duplicate"},
		{"reserved name", []QueueConfig{q("callback", "")}, "queues[0].name", "reserved"},
		{"unknown strategy", []QueueConfig{{Name: "a", Strategy: "random"}}, "queues[0].strategy", "unknown strategy"},
		{"unknown overflow", []QueueConfig{q("a", "nowhere")}, "queues[0].overflow", `unknown queue "nowhere"`},
		{"self overflow", []QueueConfig{q("a", "a")}, "queues[0].overflow", "itself"},
		{"two-queue cycle", []QueueConfig{q("a", "b"), q("b", "a")}, "queues[0].overflow", "a → b → a"},
		{"cycle further on", []QueueConfig{q("a", "b"), q("b", "c"), q("c", "b")}, "queues[0].overflow", "a → b → c → b"},
		{"negative ring", []QueueConfig{{Name: "a", RingTimeout: -time.Second}}, "queues[0].ring_timeout", "negative"},
		{"negative max_len", []QueueConfig{{Name: "a", MaxLen: -1}}, "queues[0].max_len", "negative"},
		{"negative max_wait", []QueueConfig{{Name: "a", MaxWait: -1, Overflow: "callback"}}, "queues[0].max_wait", "negative"},
		{"negative sl", []QueueConfig{{Name: "a", ServiceLevel: -1}}, "queues[0].service_level", "negative"},
		{"max_wait without overflow", []QueueConfig{{Name: "a", MaxWait: time.Minute}}, "queues[0].max_wait", "overflow target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Config{Queues: tt.queues}, newClock())
			if tt.field == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			e, ok := err.(*hotline.Error)
			if !ok || e.Code != hotline.EINVALID {
				t.Fatalf("New error = %v, want EINVALID", err)
			}
			if !strings.Contains(e.Fields[tt.field], tt.want) {
				t.Fatalf("fields %v: want %s to mention %q", e.Fields, tt.field, tt.want)
			}
		})
	}
}

func TestQueuesHaveDefaults(t *testing.T) {
	a, err := New(Config{Queues: []QueueConfig{
		{Name: "complaints", Title: "诉求反映"},
		{Name: "policy", Strategy: StrategyRingAll, Skill: "general", WrapUp: -1, AnnounceEvery: -1, RingTimeout: 20 * time.Second},
	}}, newClock())
	if err != nil {
		t.Fatal(err)
	}
	got := a.Queues()
	want := []QueueConfig{
		{Name: "complaints", Title: "诉求反映", Strategy: StrategyLongestIdle, Skill: "complaints", RingTimeout: 15 * time.Second,
			WrapUp: 30 * time.Second, AnnounceEvery: 30 * time.Second, ServiceLevel: 15 * time.Second},
		{Name: "policy", Title: "policy", Strategy: StrategyRingAll, Skill: "general", RingTimeout: 20 * time.Second,
			WrapUp: -1, AnnounceEvery: -1, ServiceLevel: 15 * time.Second},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("queue %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}
