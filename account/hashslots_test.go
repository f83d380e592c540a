package account

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

// No more password hashes run at once than there are slots; the others
// wait their turn, and one whose caller gives up while waiting returns the
// context's error without hashing.
func TestHashSlotsBoundConcurrentHashes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := NewService(Config{HashSlots: 2}, nil, nil, nil)
		var running, done atomic.Int32
		release := make(chan struct{})
		for range 8 {
			go func() {
				err := s.withHashSlot(context.Background(), func() {
					running.Add(1)
					<-release
					running.Add(-1)
				})
				if err != nil {
					t.Error(err)
				}
				done.Add(1)
			}()
		}
		synctest.Wait()
		if n := running.Load(); n != 2 {
			t.Fatalf("%d hashes at once, want 2", n)
		}

		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ran := false
		if err := s.withHashSlot(ctx, func() { ran = true }); !errors.Is(err, context.Canceled) || ran {
			t.Fatalf("a caller that gave up while the slots were taken: err %v, hashed %v", err, ran)
		}

		for i := 1; i <= 8; i++ {
			release <- struct{}{}
			synctest.Wait()
			if n, d := running.Load(), done.Load(); d != int32(i) || n != min(2, 8-int32(i)) {
				t.Fatalf("after %d released: %d running, %d done", i, n, d)
			}
		}
	})
}

func TestHashSlotsDefaultToTheCPUs(t *testing.T) {
	s := NewService(Config{}, nil, nil, nil)
	if got := cap(s.hashing); got != runtime.NumCPU() {
		t.Fatalf("%d hash slots, want one per CPU (%d)", got, runtime.NumCPU())
	}
}
