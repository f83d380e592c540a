// Command hotline runs the 12345 hotline server: the work-order API, the
// Open311 facade, health and metrics, and the SLA sweep, in one process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/analytics/forecast"
	"github.com/cityhotline/hotline/analytics/insight"
	"github.com/cityhotline/hotline/api"
	"github.com/cityhotline/hotline/call"
	"github.com/cityhotline/hotline/configs"
	"github.com/cityhotline/hotline/metrics"
	"github.com/cityhotline/hotline/store/postgres"
	"github.com/cityhotline/hotline/store/sqlite"
	"github.com/cityhotline/hotline/ticketing"
	"github.com/cityhotline/hotline/web"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "hotline:", err)
		os.Exit(1)
	}
}

// store is what the server needs of a backend.
type store interface {
	ticketing.Store
	account.Store
	call.Store
	call.QueueLogStore // the ACD's queue log; api.QueueEvents too
	ticketing.CallbackStore
	ticketing.ReportStore // daily, weekly and monthly reports
	ticketing.OpenDataStore
	api.Calls
	forecast.Store // calls per half hour and tickets per category for the forecasts
	Migrate(ctx context.Context) error
	Close() error
}

// pgStore adapts the PostgreSQL pool, whose Close cannot fail.
type pgStore struct{ *postgres.DB }

func (s pgStore) Close() error { s.DB.Close(); return nil }

func run() error {
	configPath := flag.String("config", "", "YAML configuration file (optional)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file (for benchmarks)")
	pprofAddr := flag.String("pprof", "", "serve Go's runtime profiles (/debug/pprof/) on this loopback address, e.g. 127.0.0.1:6060")
	flag.Parse()
	if *cpuProfile != "" {
		stopProfile, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	cfg, err := LoadConfig(*configPath, os.Getenv)
	if err != nil {
		return err
	}
	h, err := cfg.Log.Handler(os.Stderr)
	if err != nil {
		return err
	}
	log := slog.New(h)
	procs, chosen := setProcs(os.Getenv)
	log.Info("starting hotline", "config", cfg.Redacted(), "gomaxprocs", procs, "gomaxprocs_default", chosen)
	if *pprofAddr != "" {
		_, stopPprof, err := servePprof(*pprofAddr, log)
		if err != nil {
			return err
		}
		defer stopPprof()
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close store", "err", err)
		}
	}()

	refFS := configs.Reference()
	if cfg.ReferenceDir != "" {
		refFS = os.DirFS(cfg.ReferenceDir)
	}
	tcfg, err := ticketingConfig(cfg, refFS)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	mon := metrics.New(reg)
	clock := hotline.SystemClock{}
	// Live ticket events for the pages (GET /api/v1/events/ws) hear what the
	// metrics hear; the hub never blocks the service.
	// It also pushes each connected unit its morning digest, which the
	// service below computes (the hub starts after the service exists).
	var tickets *ticketing.Service
	events := api.NewEvents(api.EventsConfig{Find: st.FindTicketByID, Log: log,
		Digest: func(ctx context.Context, u hotline.UnitID) (*ticketing.Digest, error) {
			return tickets.Digest(ctx, hotline.System, u)
		}})
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "hotline_live_events_dropped_total",
		Help: "Live ticket events not delivered: hub inbox full or client too slow."}, func() float64 { return float64(events.Dropped()) }))
	published := mon.Publisher()
	tickets = ticketing.NewService(tcfg, st, clock, hotline.PublisherFunc(func(e hotline.Event) {
		published.Publish(e)
		events.Publish(e)
	}), log)
	// The admin's deadline rules and calendar (PUT /api/v1/sla), once
	// saved, override the configuration and calendar.yaml.
	if ok, err := tickets.LoadSLA(ctx); err != nil {
		log.Error("deadline rules: keeping the configuration's", "err", err)
	} else if ok {
		log.Info("deadline rules: the admin's stored rules and calendar override the configuration")
	}
	accounts := account.NewService(account.Config{
		TokenTTL: time.Duration(cfg.Auth.TokenTTL),
		UnitExists: func(ctx context.Context, id hotline.UnitID) bool {
			_, err := st.FindUnitByID(ctx, id)
			return err == nil
		},
	}, st, clock, log)

	if err := seedReference(ctx, tickets, refFS, log); err != nil {
		return err
	}
	pw, err := accounts.Bootstrap(ctx, cfg.Admin.Password)
	if err != nil {
		return err
	}
	if pw != "" {
		fmt.Fprintf(os.Stderr, "\n  bootstrap admin account: username admin, password %s\n  (printed once; set HOTLINE_ADMIN_PASSWORD to choose it)\n\n", pw)
	}
	if cfg.Demo {
		if err := seedDemo(ctx, tickets, accounts, log); err != nil {
			return err
		}
	}

	sweeper := ticketing.NewSweeper(tickets, time.Duration(cfg.SLA.SweepInterval))
	if err := sweeper.Start(ctx); err != nil {
		return err
	}
	defer sweeper.Stop()
	if err := events.Start(ctx); err != nil {
		return err
	}
	defer events.Stop()
	house := startHousekeeping(ctx, accounts, log)
	defer house()
	reporter := ticketing.NewReporter(st, queueKPIs{st}, clock, log)
	if cfg.Reports.Enabled {
		sched := &reportSchedule{rep: reporter, clock: clock, log: log}
		if err := sched.Start(ctx); err != nil {
			return err
		}
		defer sched.Stop()
	}

	tel, err := newTelephony(cfg, st, tcfg.SLA.Calendar, mon, log)
	if err != nil {
		return err
	}
	stopTel, err := tel.start(ctx, log)
	if err != nil {
		return err
	}
	defer stopTel()
	stopCallbacks, err := tel.startCallbacks(ctx, cfg, st, tickets, tcfg.SLA.Calendar, log)
	if err != nil {
		return err
	}
	defer stopCallbacks()

	cbPolicy, err := callbackPolicy(cfg)
	if err != nil {
		return err
	}
	// Supervisors steer the callbacks and agents enter manual answers with
	// or without an outbound trunk.
	callbackDesk := ticketing.NewCallbackDesk(tickets, st, cbPolicy, tcfg.SLA.Calendar, !cfg.Callback.NoReopen)
	classifier, stopClassifier, err := startClassifier(ctx, cfg.Classifier, st, log)
	if err != nil {
		return err
	}
	defer stopClassifier()

	var ready atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if !ready.Load() {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", mon.Handler())
	apiHandler := mon.HTTPMiddleware(api.New(api.Config{Calls: st, Location: ticketing.Beijing, Desk: deskAPI{tel.desk}, QueueLog: st, Events: events,
		Prompts: tel.prompts, Callbacks: callbackDesk, OpenData: ticketing.NewOpenData(st, clock, log),
		Forecast: forecast.NewService(st, forecast.Config{Calendar: tcfg.SLA.Calendar}, clock), Reports: reporter,
		Analytics:  insight.New(st, clock),
		Classifier: classifier},
		tickets, accounts, log))
	mux.Handle("/api/", apiHandler)
	mux.Handle("/open311/", apiHandler)
	mux.Handle("/", web.Handler()) // the agent desk, the wallboard and the other pages
	return serve(ctx, cfg.HTTP.Addr, mux, &ready, log)
}

// serve runs the HTTP server until ctx ends, then lets in-flight requests
// finish (up to 30 s) before returning.
func serve(ctx context.Context, addr string, h http.Handler, ready *atomic.Bool, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen http %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	ready.Store(true)
	log.Info("hotline ready", "http", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	ready.Store(false)
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	log.Info("stopped")
	return nil
}

func openStore(ctx context.Context, cfg Config, log *slog.Logger) (store, error) {
	var st store
	if cfg.Database.URL != "" {
		db, err := postgres.Open(ctx, cfg.Database.URL)
		if err != nil {
			return nil, fmt.Errorf("open postgresql: %w", err)
		}
		st = pgStore{db}
		log.Info("store: postgresql")
	} else {
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		path := filepath.Join(cfg.DataDir, "hotline.db")
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		st = db
		log.Info("store: sqlite", "path", path)
	}
	if err := st.Migrate(ctx); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return st, nil
}

// ticketingConfig adds the holiday calendar and the polygons to the
// configured rules.
func ticketingConfig(cfg Config, refFS fs.FS) (ticketing.Config, error) {
	tc := cfg.TicketingConfig()
	hol, work, err := configs.LoadCalendar(refFS)
	if err != nil {
		return tc, fmt.Errorf("calendar: %w", err)
	}
	tc.SLA.Calendar = ticketing.NewCalendar(hol, work)
	if cfg.Geo.Polygons != "" {
		data, err := os.ReadFile(cfg.Geo.Polygons)
		if err != nil {
			return tc, fmt.Errorf("polygons: %w", err)
		}
		if tc.Regions, err = ticketing.ParseRegions(data); err != nil {
			return tc, fmt.Errorf("polygons %s: %w", cfg.Geo.Polygons, err)
		}
	}
	return tc, nil
}

// startHousekeeping deletes expired sessions every hour until ctx ends; the
// returned function waits for it to finish.
func startHousekeeping(ctx context.Context, accounts *account.Service, log *slog.Logger) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Hour)
		defer tick.Stop()
		for {
			if n, err := accounts.ExpireSessions(ctx); err != nil && ctx.Err() == nil {
				log.Error("expire sessions", "err", err)
			} else if n > 0 {
				log.Info("expired sessions deleted", "count", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}

// deskAPI adapts the call package's desk to the api's Desk seam.
type deskAPI struct{ d *call.Desk }

func (a deskAPI) Attach(ctx context.Context, u *account.User, c api.DeskClient) (api.DeskSession, error) {
	conn, err := a.d.Attach(ctx, u, c)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return conn, nil
}
