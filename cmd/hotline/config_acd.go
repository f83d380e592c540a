package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/agent"
)

// ACDConfig is the agents' queues and the desk.
type ACDConfig struct {
	Queues      []QueueEntry `yaml:"queues"`
	MaxNoAnswer int          `yaml:"max_no_answer"` // unanswered offers in a row before an agent is set not ready
	Grace       Duration     `yaml:"grace"`         // a dropped desk WebSocket keeps the session this long
	// Skills gives named agents (by username) their skill levels; the others
	// serve every queue at level 5.
	Skills map[string]map[string]int `yaml:"skills,omitempty"`
}

// QueueEntry is one ACD queue.
type QueueEntry struct {
	Name          string   `yaml:"name"`
	Title         string   `yaml:"title"`
	Strategy      string   `yaml:"strategy"` // longest_idle, fewest_calls, round_robin, ring_all, skill_weighted
	Skill         string   `yaml:"skill"`    // "" = the queue's name
	RingTimeout   Duration `yaml:"ring_timeout"`
	WrapUp        Duration `yaml:"wrap_up"` // negative: none
	MaxWait       Duration `yaml:"max_wait"`
	MaxLen        int      `yaml:"max_len"`
	Overflow      string   `yaml:"overflow"` // another queue, "callback" or ""
	AnnounceEvery Duration `yaml:"announce_every"`
}

// WebRTCConfig is the agents' softphone media.
type WebRTCConfig struct {
	// Ports is the UDP range for the softphones' ICE, e.g. "21000-21999".
	Ports string `yaml:"ports"`
	// PublicIPs are advertised instead of the host's addresses (NAT 1:1).
	PublicIPs []string `yaml:"public_ips,omitempty"`
	// Loopback offers 127.0.0.1 candidates: on for a desk on the same
	// machine (the development default), off behind a real network.
	Loopback bool `yaml:"loopback"`
}

// defaultQueues are the queues the shipped inbound IVR flow enqueues into.
func defaultQueues() []QueueEntry {
	q := func(name, title string) QueueEntry {
		return QueueEntry{Name: name, Title: title, Strategy: "longest_idle", RingTimeout: Duration(15 * time.Second),
			WrapUp: Duration(30 * time.Second), AnnounceEvery: Duration(45 * time.Second)}
	}
	return []QueueEntry{
		q("complaints", "诉求反映"), q("policy", "政策咨询"), q("business", "企业服务"),
		q("english", "English"), q("general", "人工服务"),
	}
}

// AgentConfig is the ACD configuration.
func (c ACDConfig) AgentConfig() (agent.Config, error) {
	cfg := agent.Config{MaxNoAnswer: c.MaxNoAnswer}
	for i, q := range c.Queues {
		st, err := agent.ParseStrategy(q.Strategy)
		if q.Strategy == "" {
			st, err = agent.Strategy("longest_idle"), nil
		}
		if err != nil {
			return cfg, fmt.Errorf("acd.queues[%d].strategy: %q is not one of longest_idle, fewest_calls, round_robin, ring_all, skill_weighted", i, q.Strategy)
		}
		cfg.Queues = append(cfg.Queues, agent.QueueConfig{Name: q.Name, Title: q.Title, Strategy: st, Skill: q.Skill,
			RingTimeout: time.Duration(q.RingTimeout), WrapUp: time.Duration(q.WrapUp), MaxWait: time.Duration(q.MaxWait),
			MaxLen: q.MaxLen, Overflow: q.Overflow, AnnounceEvery: time.Duration(q.AnnounceEvery)})
	}
	return cfg, nil
}

func (c ACDConfig) validate() []error {
	var errs []error
	if len(c.Queues) == 0 {
		errs = append(errs, fmt.Errorf("acd.queues: at least one queue"))
	}
	for i, q := range c.Queues {
		if q.Name == "" {
			errs = append(errs, fmt.Errorf("acd.queues[%d].name: required", i))
		}
	}
	if acfg, err := c.AgentConfig(); err != nil {
		errs = append(errs, err)
	} else if _, err := agent.New(acfg, hotline.SystemClock{}); err != nil && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("acd.queues: %w", err)) // overflow targets and cycles
	}
	if c.MaxNoAnswer < 0 {
		errs = append(errs, fmt.Errorf("acd.max_no_answer: must not be negative"))
	}
	for user, skills := range c.Skills {
		for skill, level := range skills {
			if level < 1 || level > 10 {
				errs = append(errs, fmt.Errorf("acd.skills.%s.%s: level %d is not 1..10", user, skill, level))
			}
		}
	}
	return errs
}

// Range parses the WebRTC port range ("" = any port).
func (w WebRTCConfig) Range() (lo, hi uint16, err error) {
	if strings.TrimSpace(w.Ports) == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(w.Ports, "-")
	l, err1 := strconv.ParseUint(strings.TrimSpace(a), 10, 16)
	h, err2 := strconv.ParseUint(strings.TrimSpace(b), 10, 16)
	if !ok || err1 != nil || err2 != nil || l == 0 || l > h {
		return 0, 0, fmt.Errorf("webrtc.ports: %q is not a range like 21000-21999", w.Ports)
	}
	return uint16(l), uint16(h), nil
}
