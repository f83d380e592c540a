package main

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// TestLaunchCatchesUpShortDelays: at 500 calls/s (one call every 2 ms), a
// launcher held up 10 ms starts the 5 calls it owes at once and keeps the
// schedule; held up 100 ms (past maxCatchUp) it drops what it owed and the
// schedule restarts from then.
func TestLaunchCatchesUpShortDelays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := callsOptions{rate: 500, n: 60, c: 100, duration: time.Minute}
		start := time.Now()
		var at []time.Duration
		launchCalls(context.Background(), o, func(i int, release func()) {
			at = append(at, time.Since(start))
			release()
			switch i {
			case 10:
				time.Sleep(10 * time.Millisecond)
			case 30:
				time.Sleep(100 * time.Millisecond)
			}
		})
		ms := time.Millisecond
		want := func(i int, d time.Duration) {
			t.Helper()
			if at[i] != d {
				t.Errorf("call %d started at %v; want %v", i, at[i], d)
			}
		}
		want(10, 20*ms)
		for i := 11; i <= 15; i++ { // owed at 22..30 ms, started at 30 ms
			want(i, 30*ms)
		}
		want(16, 32*ms) // back on schedule
		want(30, 60*ms)
		want(31, 160*ms) // 100 ms behind: restarted, not a burst of 50
		want(32, 162*ms)
		if len(at) != o.n {
			t.Errorf("%d calls started; want %d", len(at), o.n)
		}
	})
}
