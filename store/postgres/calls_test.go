package postgres

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

// TestCallsMigrationUpDownUp: 0002 comes after 0001, goes down on its own
// (leaving the work orders alone) and comes back up.
func TestCallsMigrationUpDownUp(t *testing.T) {
	db := OpenTest(t)
	ctx := t.Context()
	v, err := db.Version(ctx)
	if err != nil || v < 2 {
		t.Fatalf("version after up: %d, %v; want at least 2", v, err)
	}
	for ; v > 2; v, _ = db.Version(ctx) { // later migrations first
		if err := db.MigrateDown(ctx); err != nil {
			t.Fatalf("migrate down from %d: %v", v, err)
		}
	}
	// A row as 0002 knows it (CreateCall writes the columns of later ones).
	if _, err := db.pool.Exec(ctx, `INSERT INTO calls (id, arrived) VALUES ('c1', now())`); err != nil {
		t.Fatalf("create call: %v", err)
	}
	if err := db.MigrateDown(ctx); err != nil {
		t.Fatalf("migrate down: %v", err)
	}
	if v, err := db.Version(ctx); err != nil || v != 1 {
		t.Fatalf("version after one down: %d, %v; want 1", v, err)
	}
	if got := tables(t, db); slices.Contains(got, "calls") || !slices.Contains(got, "tickets") {
		t.Fatalf("tables after reverting 0002: %v; want tickets without calls", got)
	}
	if err := db.MigrateDown(ctx); err != nil {
		t.Fatalf("migrate down to nothing: %v", err)
	}
	if got := tables(t, db); strings.Join(got, ",") != "schema_migrations" {
		t.Fatalf("tables after reverting everything: %v", got)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
	if _, err := db.FindCallByID(ctx, "c1"); hotline.ErrorCode(err) != hotline.ENOTFOUND {
		t.Fatalf("the old record survived a down and up: %v", err)
	}
	if err := db.CreateCall(ctx, &hotline.CallRecord{ID: "c1", Arrived: time.Now()}); err != nil {
		t.Fatalf("create call after up/down/up: %v", err)
	}
}
