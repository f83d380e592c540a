package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/configs"
	"github.com/cityhotline/hotline/internal/refseed"
	"github.com/cityhotline/hotline/internal/seedgen"
	"github.com/cityhotline/hotline/store/postgres"
	"github.com/cityhotline/hotline/store/sqlite"
	"github.com/cityhotline/hotline/ticketing"
)

// seedStore is what seed needs of a store.
type seedStore interface {
	ticketing.Store
	Migrate(ctx context.Context) error
	LoadTickets(ctx context.Context, ts []*ticketing.Ticket, evs [][]ticketing.Event) error
	LoadCalls(ctx context.Context, cs []*hotline.CallRecord) error
	LoadCallbacks(ctx context.Context, cbs []*ticketing.Callback, recs [][]*ticketing.CallbackRecord) error
}

// seedOptions are the flags of hotlinectl seed.
type seedOptions struct {
	db               string
	from, to         time.Time
	perDay, scale    float64
	seed             uint64
	calls, callbacks bool
	append           bool
	workers          int
	fresh            bool // the store held no tickets
}

// seedSummary is the JSON that seed prints when done.
type seedSummary struct {
	Store         string  `json:"store"`
	From          string  `json:"from"`
	To            string  `json:"to"`
	Seed          uint64  `json:"seed"`
	TicketsPerDay float64 `json:"tickets_per_day"`
	Days          int     `json:"days"`
	Tickets       int     `json:"tickets"`
	Events        int     `json:"events"`
	Calls         int     `json:"calls"`
	Callbacks     int     `json:"callbacks"`
	Answers       int     `json:"answers"`
	Seconds       float64 `json:"seconds"`
	TicketsPerSec float64 `json:"tickets_per_second"`
	RowsPerSec    float64 `json:"rows_per_second"`
	IndexSeconds  float64 `json:"index_seconds,omitempty"` // of Seconds: rebuilding the deferred indexes

	phases [3]time.Duration // cumulative time storing tickets, then calls, then callbacks
}

func (s *seedSummary) rows() int { return s.Tickets + s.Events + s.Calls + s.Callbacks + s.Answers }

// runSeed fills a store with generated records: hotlinectl seed --db
// sqlite:PATH|postgres://... --from DATE --to DATE [--tickets-per-day N |
// --scale X] [--seed N] [--calls] [--callbacks] [--append].
func runSeed(ctx context.Context, args []string, stdout io.Writer) error {
	return seed(ctx, args, stdout, os.Stderr)
}

func seed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseSeed(args, stderr)
	if err != nil {
		return err
	}
	st, closeStore, err := openSeedStore(ctx, o.db)
	if err != nil {
		return err
	}
	defer closeStore()
	gen, err := prepareSeed(ctx, st, o)
	if err != nil {
		return err
	}
	sum := &seedSummary{Store: redact(o.db), From: o.from.Format(time.DateOnly), To: o.to.Format(time.DateOnly), Seed: o.seed,
		TicketsPerDay: o.perDay, Days: gen.Days()}
	start := time.Now()
	if err := loadDeferred(ctx, st, gen, o, sum, stderr); err != nil {
		return err
	}
	sum.Seconds = time.Since(start).Seconds()
	sum.TicketsPerSec = float64(sum.Tickets) / sum.Seconds
	sum.RowsPerSec = float64(sum.rows()) / sum.Seconds
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(sum)
}

func parseSeed(args []string, stderr io.Writer) (*seedOptions, error) {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &seedOptions{}
	fs.StringVar(&o.db, "db", "", "store: sqlite:PATH or postgres://…")
	from := fs.String("from", "2024-01-01", "first day (Beijing), YYYY-MM-DD")
	to := fs.String("to", "2026-11-01", "day after the last (Beijing), YYYY-MM-DD; also the generator's \"now\"")
	fs.Float64Var(&o.perDay, "tickets-per-day", 3000, "mean tickets a day over a year")
	fs.Float64Var(&o.scale, "scale", 0, fmt.Sprintf("volume as a fraction of Beijing's (1.0 = %d a day); overrides --tickets-per-day", seedgen.BeijingPerDay))
	fs.Uint64Var(&o.seed, "seed", 1, "random seed: the same seed gives the same records")
	fs.BoolVar(&o.calls, "calls", false, "also generate call records")
	fs.BoolVar(&o.callbacks, "callbacks", false, "also generate satisfaction callbacks and answers")
	fs.BoolVar(&o.append, "append", false, "add to a store that already holds tickets")
	fs.IntVar(&o.workers, "workers", 2, "days generated at once")
	if err := fs.Parse(args); err != nil {
		return nil, errUsage
	}
	var err error
	if o.from, err = time.ParseInLocation(time.DateOnly, *from, ticketing.Beijing); err != nil {
		return nil, fmt.Errorf("seed: --from: %w", err)
	}
	if o.to, err = time.ParseInLocation(time.DateOnly, *to, ticketing.Beijing); err != nil {
		return nil, fmt.Errorf("seed: --to: %w", err)
	}
	switch {
	case o.db == "":
		return nil, errors.New("seed: --db is required (sqlite:PATH or postgres://…)")
	case !o.to.After(o.from):
		return nil, errors.New("seed: --to must be after --from")
	case o.scale < 0 || o.perDay <= 0:
		return nil, errors.New("seed: the volume must be positive")
	}
	if o.scale > 0 {
		o.perDay = o.scale * seedgen.BeijingPerDay
	}
	o.workers = max(o.workers, 1)
	return o, nil
}

type pgSeedStore struct{ *postgres.DB }

func openSeedStore(ctx context.Context, db string) (seedStore, func(), error) {
	var st seedStore
	var closeFn func()
	switch {
	case strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://"):
		p, err := postgres.Open(ctx, db)
		if err != nil {
			return nil, nil, fmt.Errorf("seed: open postgresql: %w", err)
		}
		st, closeFn = pgSeedStore{p}, p.Close
	case strings.HasPrefix(db, "sqlite:"):
		s, err := sqlite.Open(ctx, strings.TrimPrefix(db, "sqlite:"))
		if err != nil {
			return nil, nil, fmt.Errorf("seed: open sqlite: %w", err)
		}
		st, closeFn = s, func() { _ = s.Close() }
	default:
		return nil, nil, fmt.Errorf("seed: --db %q: want sqlite:PATH or postgres://…", db)
	}
	if err := st.Migrate(ctx); err != nil {
		closeFn()
		return nil, nil, fmt.Errorf("seed: migrate: %w", err)
	}
	return st, closeFn, nil
}

// prepareSeed loads the reference data into an empty store, refuses a store
// that holds tickets (unless appending) and builds the generator.
func prepareSeed(ctx context.Context, st seedStore, o *seedOptions) (*seedgen.Generator, error) {
	hol, work, err := configs.LoadCalendar(configs.Reference())
	if err != nil {
		return nil, fmt.Errorf("seed: calendar: %w", err)
	}
	cal := ticketing.NewCalendar(hol, work)
	tc := ticketing.DefaultConfig()
	tc.SLA.Calendar = cal
	svc := ticketing.NewService(tc, st, nil, nil, nil)
	if _, err := refseed.Load(ctx, svc, configs.Reference(), nil); err != nil {
		return nil, fmt.Errorf("seed: reference data: %w", err)
	}
	have, err := st.FindTickets(ctx, ticketing.TicketFilter{Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if len(have) > 0 && !o.append {
		return nil, errors.New("seed: the store already holds tickets; use --append to add to them")
	}
	o.fresh = len(have) == 0
	ref, err := configs.LoadReference(configs.Reference())
	if err != nil {
		return nil, fmt.Errorf("seed: reference data: %w", err)
	}
	return seedgen.New(seedgen.Config{From: o.from, To: o.to, TicketsPerDay: o.perDay, Seed: o.seed, Reference: ref,
		Calendar: cal, SLA: tc.SLA, Calls: o.calls, Callbacks: o.callbacks})
}

// indexDeferrer is a store that can build its indexes after a bulk load
// (PostgreSQL).
type indexDeferrer interface {
	DeferIndexes(ctx context.Context) (func(context.Context) error, error)
}

// loadDeferred loads everything; into an empty PostgreSQL store it drops
// the big tables' secondary indexes first and builds them at the end, even
// when the load fails or is interrupted.
func loadDeferred(ctx context.Context, st seedStore, gen *seedgen.Generator, o *seedOptions, sum *seedSummary, stderr io.Writer) error {
	d, ok := st.(indexDeferrer)
	if !ok || !o.fresh {
		return loadAll(ctx, st, gen, o.workers, sum, stderr)
	}
	rebuild, err := d.DeferIndexes(ctx)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	err = loadAll(ctx, st, gen, o.workers, sum, stderr)
	fmt.Fprintln(stderr, "seed: building the deferred indexes")
	start := time.Now()
	if rerr := rebuild(context.WithoutCancel(ctx)); rerr != nil {
		return errors.Join(err, fmt.Errorf("seed: %w", rerr))
	}
	sum.IndexSeconds = time.Since(start).Seconds()
	return err
}

// redact hides a password in a database URL.
func redact(db string) string {
	if i, j := strings.Index(db, "://"), strings.LastIndex(db, "@"); i > 0 && j > i {
		if k := strings.Index(db[i+3:j], ":"); k >= 0 {
			return db[:i+3+k] + ":xxx" + db[j:]
		}
	}
	return db
}
