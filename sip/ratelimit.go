package sip

import (
	"net/netip"
	"sync"
	"time"
)

// sourceLimiter is a token bucket per source address. Buckets that are full
// again are forgotten when the table grows, so a scan over many addresses
// cannot grow it without bound.
type sourceLimiter struct {
	rate  Rate
	now   func() time.Time
	mu    sync.Mutex
	table map[netip.Addr]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

const limiterSweepAt = 4096

func newSourceLimiter(r Rate, now func() time.Time) *sourceLimiter {
	if r.Burst < 1 {
		r.Burst = 1
	}
	return &sourceLimiter{rate: r, now: now, table: make(map[netip.Addr]*bucket)}
}

// Allow takes one token from addr's bucket and reports whether there was one.
func (l *sourceLimiter) Allow(addr netip.Addr) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.table[addr]
	if b == nil {
		if len(l.table) >= limiterSweepAt {
			l.sweep(now)
		}
		b = &bucket{tokens: float64(l.rate.Burst), last: now}
		l.table[addr] = b
	}
	b.refill(now, l.rate)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (b *bucket) refill(now time.Time, r Rate) {
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(float64(r.Burst), b.tokens+el*r.PerSecond)
	}
	b.last = now
}

func (l *sourceLimiter) sweep(now time.Time) {
	for a, b := range l.table {
		b.refill(now, l.rate)
		if b.tokens >= float64(l.rate.Burst) {
			delete(l.table, a)
		}
	}
}
