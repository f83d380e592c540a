package main

import (
	"math"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Report is what a run prints.
type Report struct {
	Command    string         `json:"command"`
	Count      int            `json:"count"`  // requests that got an answer of any status
	OK         int            `json:"ok"`     // of which 2xx
	Errors     map[string]int `json:"errors"` // non-2xx by status; "transport" for no answer
	Seconds    float64        `json:"seconds"`
	Throughput float64        `json:"throughput_per_s"` // 2xx answers per second
	Latency    Latency        `json:"latency_ms"`
	Dispatched int            `json:"dispatched,omitempty"` // tickets: follow-up dispatches that succeeded
}

// Latency are percentiles in milliseconds.
type Latency struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// recorder collects request outcomes from many workers.
type recorder struct {
	mu         sync.Mutex
	start      time.Time
	lat        []time.Duration
	ok         int
	errors     map[string]int
	dispatched int
}

func newRecorder() *recorder {
	return &recorder{start: time.Now(), errors: map[string]int{}}
}

// add records one request: its status (0 = transport failure) and latency.
func (r *recorder) add(status int, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case status == 0:
		r.errors["transport"]++
		return
	case status/100 == 2:
		r.ok++
	default:
		r.errors[strconv.Itoa(status)]++
	}
	r.lat = append(r.lat, d)
}

func (r *recorder) addDispatched() {
	r.mu.Lock()
	r.dispatched++
	r.mu.Unlock()
}

func (r *recorder) report(command string) Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	secs := time.Since(r.start).Seconds()
	rep := Report{
		Command: command, Count: len(r.lat), OK: r.ok, Errors: r.errors,
		Seconds: round(secs), Latency: percentiles(r.lat), Dispatched: r.dispatched,
	}
	if secs > 0 {
		rep.Throughput = round(float64(r.ok) / secs)
	}
	return rep
}

// percentiles uses the nearest-rank method.
func percentiles(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return ms(s[max(i, 0)])
	}
	return Latency{P50: rank(0.50), P95: rank(0.95), P99: rank(0.99), Max: ms(s[len(s)-1])}
}

// StampDelay is the one-way delay of stamped frames (hotline-load -stamp):
// their count, and percentiles of arrival minus the send time they carry.
type StampDelay struct {
	Frames int `json:"stamped_frames"`
	Latency
}

// stampDelay reports ds; nil when no stamped frame arrived.
func stampDelay(ds []time.Duration) *StampDelay {
	if len(ds) == 0 {
		return nil
	}
	return &StampDelay{Frames: len(ds), Latency: percentiles(ds)}
}

func ms(d time.Duration) float64 { return round(float64(d) / float64(time.Millisecond)) }

func round(f float64) float64 { return math.Round(f*1000) / 1000 }
