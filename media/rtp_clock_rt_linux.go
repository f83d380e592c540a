package media

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// lockRealtime locks the calling goroutine to its OS thread and moves the
// thread to SCHED_FIFO at prio, so that the kernel runs it the moment its
// sleep ends, ahead of every ordinary thread. restore puts the thread back
// to SCHED_OTHER before unlocking it, so no other goroutine ever runs on a
// realtime thread; if that fails the thread stays locked and the runtime
// ends it with the goroutine.
//
// The kernel refuses (EPERM) a process without CAP_SYS_NICE or an
// RLIMIT_RTPRIO of at least prio; the goroutine is then unlocked again.
func lockRealtime(prio int) (restore func(), err error) {
	runtime.LockOSThread()
	attr := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_FIFO, Priority: uint32(prio)}
	if err := unix.SchedSetAttr(0, &attr, 0); err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("SCHED_FIFO priority %d: %w", prio, err)
	}
	return func() {
		normal := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_NORMAL}
		if unix.SchedSetAttr(0, &normal, 0) != nil {
			return // the thread ends with the goroutine
		}
		runtime.UnlockOSThread()
	}, nil
}

// sleepThread sleeps the calling thread for d in the kernel (not on a Go
// timer, which waits for a scheduler to notice it). The runtime's
// preemption signals end the sleep early with EINTR; the caller loops.
func sleepThread(d time.Duration) {
	ts := unix.NsecToTimespec(int64(d))
	if err := unix.ClockNanosleep(unix.CLOCK_MONOTONIC, 0, &ts, nil); err != nil && !errors.Is(err, unix.EINTR) {
		time.Sleep(d) // not expected on Linux; keep the schedule anyway
	}
}
