package agent

import (
	"fmt"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
)

// Defaults of QueueConfig and Config.
const (
	DefaultRingTimeout   = 15 * time.Second
	DefaultWrapUp        = 30 * time.Second
	DefaultAnnounceEvery = 30 * time.Second
	DefaultServiceLevel  = 15 * time.Second // answer within 15 s (GB/T 33358-2016)
	DefaultMaxNoAnswer   = 2
)

// OverflowCallback as a queue's Overflow sends a call that overflows out of
// the ACD with an offer to call the citizen back. It cannot name a queue.
const OverflowCallback = "callback"

// QueueConfig describes one queue. Zero values take the documented defaults.
type QueueConfig struct {
	Name          string
	Title         string        // display name, e.g. 诉求反映
	Strategy      Strategy      // "" → longest_idle
	Skill         string        // skill an agent needs to take this queue's calls; "" → Name
	RingTimeout   time.Duration // an offer not answered within this is ring-no-answer; 0 → 15 s
	WrapUp        time.Duration // after-call work, then back to ready; 0 → 30 s; negative → none
	MaxWait       time.Duration // 0: unlimited; beyond it the call overflows (needs Overflow)
	MaxLen        int           // 0: unlimited; a call arriving when full overflows at once
	Overflow      string        // a queue name, "callback", or "" (keep waiting; reject when full)
	AnnounceEvery time.Duration // position/estimated-wait announcement period; 0 → 30 s; negative → never
	ServiceLevel  time.Duration // the service-level threshold; 0 → 15 s
}

// Config configures an ACD.
type Config struct {
	Queues      []QueueConfig
	MaxNoAnswer int // consecutive unanswered offers → not_ready(no_answer); 0 → 2; negative → never

	// Log, when set, receives every queue-log event in order. It is called
	// after the ACD's lock is released, so it may call the ACD; a slow Log
	// delays only the goroutine that happens to deliver.
	Log func(Event)
}

// withDefaults fills the zero fields of q.
func (q QueueConfig) withDefaults() QueueConfig {
	if q.Strategy == "" {
		q.Strategy = StrategyLongestIdle
	}
	if q.Skill == "" {
		q.Skill = q.Name
	}
	if q.Title == "" {
		q.Title = q.Name
	}
	if q.RingTimeout == 0 {
		q.RingTimeout = DefaultRingTimeout
	}
	if q.WrapUp == 0 {
		q.WrapUp = DefaultWrapUp
	}
	if q.AnnounceEvery == 0 {
		q.AnnounceEvery = DefaultAnnounceEvery
	}
	if q.ServiceLevel == 0 {
		q.ServiceLevel = DefaultServiceLevel
	}
	return q
}

// normalize checks cfg and returns its queues with defaults filled in.
func (cfg Config) normalize() ([]QueueConfig, error) {
	var v hotline.Invalid
	if len(cfg.Queues) == 0 {
		v.Add("queues", "at least one queue is needed")
	}
	qs := make([]QueueConfig, len(cfg.Queues))
	index := make(map[string]int, len(cfg.Queues))
	for i, q := range cfg.Queues {
		qs[i] = q.withDefaults()
		field := func(name string) string { return fmt.Sprintf("queues[%d].%s", i, name) }
		switch _, dup := index[q.Name]; {
		case q.Name == "":
			v.Add(field("name"), "missing")
		case q.Name == OverflowCallback:
			v.Add(field("name"), `"callback" is reserved for the overflow target`)
		case dup:
			v.Add(field("name"), fmt.Sprintf("duplicate queue %q", q.Name))
		default:
			index[q.Name] = i
		}
		if _, err := ParseStrategy(string(qs[i].Strategy)); err != nil {
			v.Add(field("strategy"), err.Error())
		}
		checkDurations(&v, field, qs[i])
	}
	for i, q := range qs {
		checkOverflow(&v, fmt.Sprintf("queues[%d].overflow", i), q, qs, index)
	}
	if err := v.Err("invalid ACD configuration"); err != nil {
		return nil, err
	}
	return qs, nil
}

func checkDurations(v *hotline.Invalid, field func(string) string, q QueueConfig) {
	if q.RingTimeout < 0 {
		v.Add(field("ring_timeout"), "must not be negative")
	}
	if q.MaxWait < 0 {
		v.Add(field("max_wait"), "must not be negative")
	}
	if q.MaxLen < 0 {
		v.Add(field("max_len"), "must not be negative")
	}
	if q.ServiceLevel < 0 {
		v.Add(field("service_level"), "must not be negative")
	}
	if q.MaxWait > 0 && q.Overflow == "" {
		v.Add(field("max_wait"), "needs an overflow target (a queue or callback)")
	}
}

// checkOverflow refuses unknown targets and cycles: following Overflow from
// any queue must end at "callback", "" or a queue without overflow, or a call
// could bounce between queues for ever.
func checkOverflow(v *hotline.Invalid, field string, q QueueConfig, qs []QueueConfig, index map[string]int) {
	if q.Overflow == "" || q.Overflow == OverflowCallback {
		return
	}
	if q.Overflow == q.Name {
		v.Add(field, "a queue cannot overflow into itself")
		return
	}
	path := []string{q.Name}
	seen := map[string]bool{q.Name: true}
	for next := q.Overflow; next != "" && next != OverflowCallback; {
		j, ok := index[next]
		if !ok {
			v.Add(field, fmt.Sprintf("unknown queue %q", next))
			return
		}
		path = append(path, next)
		if seen[next] {
			v.Add(field, "overflow cycle "+strings.Join(path, " → "))
			return
		}
		seen[next] = true
		next = qs[j].Overflow
	}
}
