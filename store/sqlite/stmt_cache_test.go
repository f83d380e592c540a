package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// TestStmtCachePreparesAfterMigrations: the migrations' DDL, which cannot be
// prepared once it has run, does not stop later writes' statements from
// being prepared, nor is it tried again after every transaction.
func TestStmtCachePreparesAfterMigrations(t *testing.T) {
	db := openTest(t) // migrated
	ctx := t.Context()
	for _, id := range []hotline.CallID{"a", "b"} { // a first use notes it, the next is prepared
		if err := db.CreateCall(ctx, &hotline.CallRecord{ID: id, Arrived: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.stmts.prepare(context.Background()); err != nil {
		t.Errorf("prepare after the migrations: %v", err)
	}
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	if db.stmts.stmts[callInsert] == nil {
		t.Error("the call insert is not prepared")
	}
	if len(db.stmts.pending) != 0 {
		t.Errorf("%d statements still pending", len(db.stmts.pending))
	}
}
