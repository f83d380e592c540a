package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// Every write runs on the one writer connection, so a statement prepared
// once on the writer pool is reused by every transaction: SQLite then skips
// parsing and planning the same INSERT thousands of times a second.

// stmtCache prepares write statements once per query text. A statement
// cannot be prepared on the writer pool while a transaction holds its only
// connection, so a miss runs unprepared and is prepared after the
// transaction ends.
type stmtCache struct {
	db      *sql.DB
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool
	failed  map[string]bool // could not be prepared: always run unprepared
}

// get returns the prepared statement for query, or nil after noting it.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[query]; ok {
		return s
	}
	if c.failed[query] {
		return nil
	}
	if c.pending == nil {
		c.pending = map[string]bool{}
	}
	c.pending[query] = true
	return nil
}

// prepare prepares the noted statements; call it with no transaction open.
// The lock is not held while preparing: preparing waits for the writer
// connection, and a transaction that holds it may need get meanwhile.
func (c *stmtCache) prepare(ctx context.Context) error {
	c.mu.Lock()
	var todo []string
	for q := range c.pending {
		todo = append(todo, q)
	}
	c.mu.Unlock()
	var errs []error
	for _, q := range todo {
		s, err := c.db.PrepareContext(ctx, q)
		if err != nil && ctx.Err() != nil { // the caller's context, not the statement: later
			return errors.Join(append(errs, fmt.Errorf("prepare: %w", err))...)
		}
		if err != nil {
			// A statement that cannot be prepared now never will be (the
			// migrations' DDL: "table already exists"); it runs unprepared
			// from now on instead of being retried after every transaction
			// and keeping the statements after it unprepared.
			c.mu.Lock()
			delete(c.pending, q)
			if c.failed == nil {
				c.failed = map[string]bool{}
			}
			c.failed[q] = true
			c.mu.Unlock()
			errs = append(errs, fmt.Errorf("prepare: %w", err))
			continue
		}
		c.mu.Lock()
		if c.stmts == nil {
			c.stmts = map[string]*sql.Stmt{}
		}
		if _, ok := c.stmts[q]; ok { // prepared meanwhile by another committer
			s.Close()
		} else {
			c.stmts[q] = s
		}
		delete(c.pending, q)
		c.mu.Unlock()
	}
	return errors.Join(errs...)
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.stmts {
		s.Close()
	}
	c.stmts = nil
}

// wtx is a write transaction whose queries use the statement cache.
type wtx struct {
	*sql.Tx
	cache *stmtCache
}

// ExecContext runs query in the transaction, prepared when it can be.
func (tx *wtx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := tx.cache.get(query); s != nil {
		return tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction, prepared when it can be.
func (tx *wtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := tx.cache.get(query); s != nil {
		return tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}
