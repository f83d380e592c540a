package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cityhotline/hotline/internal/seedgen"
)

// chunk is how many tickets one load transaction takes.
const chunk = 5000

// generate produces the days of g in order on a channel, workers of them
// generated at once. The channel closes after the last day or when ctx is
// done; every goroutine started here ends by then (a day's goroutine
// writes to a buffered slot and never blocks).
func generate(ctx context.Context, g *seedgen.Generator, workers int) <-chan *seedgen.Batch {
	out := make(chan *seedgen.Batch)
	slots := make(chan chan *seedgen.Batch, workers)
	go func() {
		defer close(slots)
		for i := range g.Days() {
			c := make(chan *seedgen.Batch, 1)
			select {
			case slots <- c:
			case <-ctx.Done():
				return
			}
			go func() { c <- g.Day(i) }()
		}
	}()
	go func() {
		defer close(out)
		for c := range slots {
			select {
			case out <- <-c:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// loadAll streams the generated days into st, reporting progress on
// stderr every few seconds.
func loadAll(ctx context.Context, st seedStore, g *seedgen.Generator, workers int, sum *seedSummary, stderr io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start, last := time.Now(), time.Now()
	day := 0
	for b := range generate(ctx, g, workers) {
		if err := loadBatch(ctx, st, b, sum); err != nil {
			return fmt.Errorf("seed %s: %w", b.Day.Format(time.DateOnly), err)
		}
		day++
		if time.Since(last) >= 3*time.Second || day == g.Days() {
			last = time.Now()
			secs := time.Since(start).Seconds()
			p := sum.phases
			fmt.Fprintf(stderr, "seed: %s  day %d/%d  %d tickets  %d rows  %.0f tickets/s  %.0f rows/s  (storing: tickets %.0fs, calls %.0fs, callbacks %.0fs)\n",
				b.Day.Format(time.DateOnly), day, g.Days(), sum.Tickets, sum.rows(), float64(sum.Tickets)/secs, float64(sum.rows())/secs,
				p[0].Seconds(), (p[1] - p[0]).Seconds(), (p[2] - p[1]).Seconds())
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if day != g.Days() {
		return fmt.Errorf("seed: stopped after %d of %d days", day, g.Days())
	}
	return nil
}

// loadBatch loads one day: the tickets first (they get their numbers),
// then the calls and callbacks that name them.
func loadBatch(ctx context.Context, st seedStore, b *seedgen.Batch, sum *seedSummary) error {
	t0 := time.Now()
	defer func() { sum.phases[2] += time.Since(t0) }()
	for i := 0; i < len(b.Tickets); i += chunk {
		j := min(i+chunk, len(b.Tickets))
		if err := st.LoadTickets(ctx, b.Tickets[i:j], b.Events[i:j]); err != nil {
			return err
		}
		for _, evs := range b.Events[i:j] {
			sum.Events += len(evs)
		}
	}
	sum.Tickets += len(b.Tickets)
	sum.phases[0] += time.Since(t0)
	b.Link()
	for i := 0; i < len(b.Calls); i += chunk {
		if err := st.LoadCalls(ctx, b.Calls[i:min(i+chunk, len(b.Calls))]); err != nil {
			return err
		}
	}
	sum.Calls += len(b.Calls)
	sum.phases[1] += time.Since(t0)
	for i := 0; i < len(b.Callbacks); i += chunk {
		j := min(i+chunk, len(b.Callbacks))
		if err := st.LoadCallbacks(ctx, b.Callbacks[i:j], b.Records[i:j]); err != nil {
			return err
		}
		for _, rs := range b.Records[i:j] {
			sum.Answers += len(rs)
		}
	}
	sum.Callbacks += len(b.Callbacks)
	return nil
}
