// Package postgres is the production store of hotline, over PostgreSQL
// through pgx/v5. It implements ticketing.Store and account.Store; the
// conformance suite in store/storetest pins down their behaviour.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/ticketing"
)

var (
	_ ticketing.Store = (*DB)(nil)
	_ account.Store   = (*DB)(nil)
)

// DB is the PostgreSQL store: a connection pool and the queries over it.
type DB struct {
	pool *pgxpool.Pool

	creates     chan *createReq    // to the batching goroutine (create.go)
	stopCreates context.CancelFunc // stops it
	createsDone chan struct{}      // closed when it has stopped
	closeOnce   sync.Once
}

// Open connects to the database at url (a postgres:// URL or a key=value
// DSN; pgxpool's pool_* parameters are honoured) and checks that it answers.
// It does not migrate: call Migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	return openConfig(ctx, cfg)
}

func openConfig(ctx context.Context, cfg *pgxpool.Config) (*DB, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping database: %w", err)
	}
	db := &DB{pool: pool, creates: make(chan *createReq, maxCreateBatch), createsDone: make(chan struct{})}
	loopCtx, stop := context.WithCancel(context.Background())
	db.stopCreates = stop
	go db.createLoop(loopCtx)
	return db, nil
}

// Close stops the ticket-creating goroutine and closes every connection of
// the pool. It may be called more than once.
func (db *DB) Close() {
	db.closeOnce.Do(func() {
		db.stopCreates()
		<-db.createsDone
		db.pool.Close()
	})
}

// Ping checks that the database answers, for health checks.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// SQLSTATE codes this package translates.
const (
	uniqueViolation = "23505"
)

// classify turns a database error into a domain error when it is one:
// no rows → ENOTFOUND, a unique violation → ECONFLICT. what names the thing
// for the message, e.g. "ticket 20261127000001".
func classify(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return hotline.Errorf(hotline.ENOTFOUND, "%s not found", what)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == uniqueViolation {
		return hotline.Errorf(hotline.ECONFLICT, "%s already exists", what)
	}
	return err
}

// notFound is the ENOTFOUND error for what.
func notFound(what string) error {
	return hotline.Errorf(hotline.ENOTFOUND, "%s not found", what)
}

// ts is a time as a query argument: the zero time is NULL.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// timeDest scans a timestamptz into *t: NULL is the zero time, anything
// else comes back in UTC.
type timeDest struct{ t *time.Time }

// ScanTimestamptz implements pgtype.TimestamptzScanner.
func (d timeDest) ScanTimestamptz(v pgtype.Timestamptz) error {
	if !v.Valid {
		*d.t = time.Time{}
		return nil
	}
	*d.t = v.Time.UTC()
	return nil
}

// limitClause renders LIMIT/OFFSET; a limit of 0 means no limit.
func limitClause(limit, offset int) string {
	s := ""
	if limit > 0 {
		s += fmt.Sprintf(" LIMIT %d", limit)
	}
	if offset > 0 {
		s += fmt.Sprintf(" OFFSET %d", offset)
	}
	return s
}
