// Package sqlite is the embedded, zero-setup store: one SQLite file, pure Go
// (modernc.org/sqlite), no server to run. It implements ticketing.Store and
// account.Store and passes store/storetest.
//
// Durability: the database runs in WAL mode with synchronous=NORMAL. A
// transaction is in the WAL file when its commit returns, so an acknowledged
// ticket survives the process being killed (SIGKILL, panic, OOM); only a
// power loss or OS crash can lose the last transactions before a checkpoint.
// That is the accepted trade for commit latency; use PostgreSQL where power
// loss matters.
//
// Concurrency: SQLite has one writer at a time. All writes go through a pool
// of exactly one connection and begin with BEGIN IMMEDIATE, so writers queue
// in Go instead of failing with SQLITE_BUSY; reads use a separate pool of
// read-only connections, which WAL lets run alongside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/ticketing"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var (
	_ ticketing.Store = (*DB)(nil)
	_ account.Store   = (*DB)(nil)
)

// DB is an open SQLite store.
type DB struct {
	write *sql.DB // exactly one connection
	read  *sql.DB // read-only connections
	batch *batcher
	stmts stmtCache
}

// Open opens (creating if needed) the database file at path. Call Migrate
// before use.
func Open(ctx context.Context, path string) (*DB, error) {
	write, err := openPool(ctx, path, false)
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)

	read, err := openPool(ctx, path, true)
	if err != nil {
		write.Close()
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	db := &DB{write: write, read: read}
	db.stmts.db = write
	db.batch = newBatcher(db)
	return db, nil
}

// openPool opens a pool on path with the pragmas every connection needs.
// The writer is opened first, so it is the one that switches the file to WAL.
func openPool(ctx context.Context, path string, readOnly bool) (*sql.DB, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		// The driver reads everything after a '?' as its parameters.
		return nil, fmt.Errorf("open sqlite: bad database path %q", path)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	// Statement journals and sorts stay in memory instead of temp files.
	q.Add("_pragma", "temp_store(MEMORY)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_pragma", "cache_size(-65536)") // 64 MiB: big transactions need not spill
		q.Set("_txlock", "immediate")
	}
	// A plain path (no "file:" URI) is used as is, without percent-decoding.
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	db.batch.close()
	db.stmts.close()
	return errors.Join(db.read.Close(), db.write.Close())
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE) and commits when fn
// returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *wtx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &wtx{Tx: sqlTx, cache: &db.stmts}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error from fn is the one that matters
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	// The connection is free again: prepare what this transaction missed.
	// A failure only means the next use runs unprepared.
	_ = db.stmts.prepare(ctx)
	return nil
}

// execer is what both *sql.DB and *sql.Tx offer for writes.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// execOne runs a statement that must touch a row; none gives ENOTFOUND with
// the message missing.
func execOne(ctx context.Context, e execer, missing, query string, args ...any) error {
	res, err := e.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return hotline.Errorf(hotline.ENOTFOUND, "%s", missing)
	}
	return nil
}

// isUnique reports whether err is a uniqueness (or primary key) violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// isForeignKey reports whether err is a foreign key violation: the row
// refers to something that does not exist.
func isForeignKey(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// conflict turns a uniqueness violation into ECONFLICT with message and
// wraps any other error with what.
func conflict(err error, what, message string) error {
	if err == nil {
		return nil
	}
	if isUnique(err) {
		return hotline.Errorf(hotline.ECONFLICT, "%s", message)
	}
	return wrap(err, what)
}

// wrap adds context to err, leaving domain errors as they are.
func wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	var he *hotline.Error
	if errors.As(err, &he) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// notFound maps sql.ErrNoRows to ENOTFOUND with message and wraps the rest.
func notFound(err error, what, message string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return hotline.Errorf(hotline.ENOTFOUND, "%s", message)
	}
	return wrap(err, what)
}
