package call

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cityhotline/hotline/agent"
)

// QueueLogStore is where the queue log is kept; the stores implement it.
type QueueLogStore interface {
	// CreateQueueEvents stores a batch whole or not at all.
	CreateQueueEvents(ctx context.Context, events []agent.Event) error
	// FindQueueEvents returns the events f selects in time order.
	FindQueueEvents(ctx context.Context, f agent.EventFilter) ([]agent.Event, error)
}

// QueueLogConfig tunes a QueueLog. Zero values take the defaults.
type QueueLogConfig struct {
	Buffer       int           // events waiting to be written at most; more are dropped; 0 → 8192
	BatchSize    int           // events per write at most; 0 → 500
	FlushEvery   time.Duration // a partial batch waits at most this; 0 → 500 ms
	Retries      int           // further attempts at a batch whose write failed; 0 → 3, negative → none
	Backoff      time.Duration // before the first retry, doubling after each; 0 → 200 ms
	WriteTimeout time.Duration // for one write; 0 → 10 s
	StopTimeout  time.Duration // for Stop's writing of what is left, retries included; 0 → 15 s
}

func (c QueueLogConfig) withDefaults() QueueLogConfig {
	if c.Buffer <= 0 {
		c.Buffer = 8192
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 500
	}
	if c.FlushEvery <= 0 {
		c.FlushEvery = 500 * time.Millisecond
	}
	if c.Retries == 0 {
		c.Retries = 3
	}
	c.Retries = max(c.Retries, 0)
	if c.Backoff <= 0 {
		c.Backoff = 200 * time.Millisecond
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.StopTimeout <= 0 {
		c.StopTimeout = 15 * time.Second
	}
	return c
}

// QueueLogStats counts what became of the events given to Add.
type QueueLogStats struct {
	Written uint64 // stored
	Dropped uint64 // refused by Add: the buffer was full, or the log stopped
	Lost    uint64 // in batches that still failed after every retry
}

// QueueLog makes the ACD's queue log durable: Add, as agent.Config.Log,
// takes each event without blocking, and a goroutine writes them to the
// store in batches (every FlushEvery, or as soon as BatchSize are waiting),
// retrying a failed batch with backoff. Stop writes everything still
// waiting. An event is dropped, counted and logged, rather than delaying
// the ACD, when Buffer events are already waiting: the store is the
// record, the ACD's memory the live figures.
type QueueLog struct {
	cfg   QueueLogConfig
	store QueueLogStore
	log   *slog.Logger

	events chan agent.Event

	mu      sync.RWMutex // Add holds it for reading; Stop takes it to fence Add off
	started bool
	stopped bool
	stop    chan struct{}
	done    chan struct{} // closed when the writer has ended
	left    []agent.Event // the writer's unwritten batch, for Stop

	// writes is the context of every write: Start's context ending does
	// not cancel it, StopTimeout after Stop does.
	writes       context.Context
	cancelWrites context.CancelFunc

	written, dropped, lost atomic.Uint64
	reported               uint64 // drops already logged; the writer's
}

// NewQueueLog returns a QueueLog over st. Events given to Add before Start
// wait in the buffer.
func NewQueueLog(cfg QueueLogConfig, st QueueLogStore, log *slog.Logger) *QueueLog {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	q := &QueueLog{cfg: cfg, store: st, log: log.With("component", "queue_log"),
		events: make(chan agent.Event, cfg.Buffer), stop: make(chan struct{}), done: make(chan struct{})}
	q.writes, q.cancelWrites = context.WithCancel(context.Background())
	return q
}

// Add queues e for writing. It never blocks: when the buffer is full, or
// after Stop, it drops e and counts it.
func (q *QueueLog) Add(e agent.Event) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.stopped {
		q.dropped.Add(1)
		return
	}
	select {
	case q.events <- e:
	default:
		q.dropped.Add(1)
	}
}

// Stats returns the counts so far.
func (q *QueueLog) Stats() QueueLogStats {
	return QueueLogStats{Written: q.written.Load(), Dropped: q.dropped.Load(), Lost: q.lost.Load()}
}

// Start runs the writer until Stop or until ctx ends. Writes do not end
// with ctx: what is waiting when ctx ends is written by Stop.
func (q *QueueLog) Start(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.started || q.stopped {
		return errors.New("queue log: already started or stopped")
	}
	q.started = true
	go q.run(ctx)
	return nil
}

// Stop refuses further events, waits for the writer to end, and writes
// every event still waiting. It returns within StopTimeout, retries
// included: what is not written by then is lost, counted and logged. It
// is idempotent; without Start it writes what was added.
func (q *QueueLog) Stop() {
	q.mu.Lock()
	if q.stopped {
		q.mu.Unlock()
		return
	}
	q.stopped = true // no Add is sending from here on
	started := q.started
	close(q.stop)
	q.mu.Unlock()
	deadline := time.AfterFunc(q.cfg.StopTimeout, q.cancelWrites) // also ends the writer's retries
	defer deadline.Stop()
	defer q.cancelWrites()
	if started {
		<-q.done
	}
	q.write(q.take(q.left))
	for batch := q.take(nil); len(batch) > 0; batch = q.take(nil) {
		q.write(batch)
	}
	q.reportDrops()
}

// run is the writer: it collects events into a batch and writes it when
// full or when FlushEvery has passed, until Stop or ctx's end; it leaves
// its last batch to Stop.
func (q *QueueLog) run(ctx context.Context) {
	defer close(q.done)
	tick := time.NewTicker(q.cfg.FlushEvery)
	defer tick.Stop()
	batch := make([]agent.Event, 0, q.cfg.BatchSize)
	for {
		select {
		case e := <-q.events:
			batch = q.take(append(batch, e))
			if len(batch) < q.cfg.BatchSize {
				continue
			}
		case <-tick.C:
			q.reportDrops()
			if len(batch) == 0 {
				continue
			}
		case <-q.stop:
			q.left = batch
			return
		case <-ctx.Done():
			q.left = batch
			return
		}
		q.write(batch)
		batch = make([]agent.Event, 0, q.cfg.BatchSize)
	}
}

// take appends the events waiting, up to a full batch, without waiting.
func (q *QueueLog) take(batch []agent.Event) []agent.Event {
	for len(batch) < q.cfg.BatchSize {
		select {
		case e := <-q.events:
			batch = append(batch, e)
		default:
			return batch
		}
	}
	return batch
}

// write stores batch, retrying with doubling backoff; a batch that still
// fails is logged and counted as lost. The store keeps a batch whole or
// not at all, so a retry duplicates nothing.
func (q *QueueLog) write(batch []agent.Event) {
	if len(batch) == 0 {
		return
	}
	wait := q.cfg.Backoff
	for attempt := 0; ; attempt++ {
		err := q.create(batch)
		if err == nil {
			q.written.Add(uint64(len(batch)))
			return
		}
		if attempt == q.cfg.Retries || q.writes.Err() != nil {
			q.lost.Add(uint64(len(batch)))
			q.log.Error("queue log: batch lost", "events", len(batch), "from", batch[0].At,
				"attempts", attempt+1, "err", err)
			return
		}
		q.log.Warn("queue log: write failed; retrying", "events", len(batch), "attempt", attempt+1,
			"retry_in", wait, "err", err)
		select {
		case <-time.After(wait):
		case <-q.writes.Done():
		}
		wait *= 2
	}
}

func (q *QueueLog) create(batch []agent.Event) error {
	ctx, cancel := context.WithTimeout(q.writes, q.cfg.WriteTimeout)
	defer cancel()
	return q.store.CreateQueueEvents(ctx, batch)
}

// reportDrops logs the events dropped since the last report, if any. Only
// the writer calls it (Stop, after the writer has ended).
func (q *QueueLog) reportDrops() {
	n := q.dropped.Load()
	if n == q.reported {
		return
	}
	q.log.Warn("queue log: events dropped (buffer full or stopped)", "dropped", n-q.reported,
		"dropped_total", n, "buffer", q.cfg.Buffer)
	q.reported = n
}

// Restore reads the events stored since since and loads them into acd
// (agent.ACD.Restore), so that its KPIs count a previous run's events. It
// returns how many it read.
func (q *QueueLog) Restore(ctx context.Context, acd *agent.ACD, since time.Time) (int, error) {
	events, err := q.store.FindQueueEvents(ctx, agent.EventFilter{From: since})
	if err != nil {
		return 0, fmt.Errorf("restore queue log since %s: %w", since.Format(time.RFC3339), err)
	}
	acd.Restore(events)
	return len(events), nil
}
