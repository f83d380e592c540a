package main

import (
	"runtime"
	"testing"
)

func TestSetProcs(t *testing.T) {
	base := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(base) })
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "GOMAXPROCS" {
				return v
			}
			return ""
		}
	}

	if n, chosen := setProcs(env("3")); chosen || n != base || runtime.GOMAXPROCS(0) != base {
		t.Fatalf("with GOMAXPROCS set: got %d (chosen %v), GOMAXPROCS %d; want the operator's value %d kept",
			n, chosen, runtime.GOMAXPROCS(0), base)
	}
	n, chosen := setProcs(env(""))
	if !chosen || n != procsPerCPU*base || runtime.GOMAXPROCS(0) != n {
		t.Fatalf("unset: got %d (chosen %v), GOMAXPROCS %d; want %d", n, chosen, runtime.GOMAXPROCS(0), procsPerCPU*base)
	}
	runtime.GOMAXPROCS(base)
	if n, chosen := setProcs(env("lots")); !chosen || n != procsPerCPU*base {
		t.Fatalf("an invalid GOMAXPROCS (which the runtime ignores): got %d (chosen %v), want %d", n, chosen, procsPerCPU*base)
	}
}
