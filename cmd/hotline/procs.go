package main

import (
	"runtime"
	"strconv"
)

// procsPerCPU is how many Go schedulers (Ps) the server runs per CPU it may
// use, unless the operator sets GOMAXPROCS.
//
// Why more than one: the Go runtime looks for sockets that became readable
// only when a P runs out of work, or from its monitor thread every 10 ms.
// A busy media server's Ps rarely run out of work, so an RTP packet can sit
// in its socket for milliseconds before its goroutine is even woken, and
// pion's receive path hands each packet across three goroutines. With
// more Ps than CPUs some P is usually idle, one thread waits in the
// poller, and a packet is picked up as soon as the kernel runs that
// thread. Measured with the server alone on one core, 200 bridged calls
// (docs/benchmarks.md "Go schedulers per core"), agent → caller p99: one P
// 109 ms, two 41 ms, four 36.5 ms, eight 17.6 ms, at the same CPU. Each P
// costs CPU when the media is light (Ps spin looking for work before they
// park: about a fifth more CPU per IVR call at two per CPU), so two per
// CPU is the default; an operator sets GOMAXPROCS to trade otherwise.
const procsPerCPU = 2

// setProcs raises GOMAXPROCS to procsPerCPU times the CPUs the process may
// use (the runtime's default, which follows CPU affinity and cgroup
// limits), unless the GOMAXPROCS environment variable is set: an
// operator's value always wins. It returns the value in force and whether
// it was chosen here.
func setProcs(getenv func(string) string) (int, bool) {
	if v := getenv("GOMAXPROCS"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return runtime.GOMAXPROCS(0), false
		}
	}
	n := procsPerCPU * runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(n)
	return n, true
}
