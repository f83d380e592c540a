package sqlite

import (
	"fmt"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

func hasTable(t *testing.T, db *DB, name string) bool {
	t.Helper()
	var n int
	err := db.read.QueryRowContext(t.Context(),
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	if err != nil {
		t.Fatalf("look for table %s: %v", name, err)
	}
	return n == 1
}

// TestCallsMigrationUpDownUp: 0002 comes after 0001, goes down on its own
// (leaving the work orders alone) and comes back up.
func TestCallsMigrationUpDownUp(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	v, err := db.schemaVersion(ctx)
	if err != nil || v < 2 {
		t.Fatalf("version after up = %d, %v; want at least 2", v, err)
	}
	for ; v > 2; v, _ = db.schemaVersion(ctx) { // later migrations first
		if err := db.MigrateDown(ctx); err != nil {
			t.Fatalf("migrate down from %d: %v", v, err)
		}
	}
	// A row as 0002 knows it (CreateCall writes the columns of later ones).
	if _, err := db.write.ExecContext(ctx, `INSERT INTO calls (id, arrived) VALUES ('c1', ?)`, time.Now().UnixMicro()); err != nil {
		t.Fatalf("create call: %v", err)
	}
	if err := db.MigrateDown(ctx); err != nil {
		t.Fatalf("migrate down: %v", err)
	}
	if v, err := db.schemaVersion(ctx); err != nil || v != 1 {
		t.Fatalf("version after one down = %d, %v; want 1", v, err)
	}
	if hasTable(t, db, "calls") || !hasTable(t, db, "tickets") {
		t.Fatal("after reverting 0002: want no calls table and the tickets table kept")
	}
	if err := db.MigrateDown(ctx); err != nil {
		t.Fatalf("migrate down to nothing: %v", err)
	}
	if n := tableCount(t, db); n != 0 {
		t.Fatalf("after reverting everything: %d tables left", n)
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

// TestCallIVRPathStoredAsJSON goes around the store: the path is a JSON
// array, [] when empty, so that SQL tools can read it.
func TestCallIVRPathStoredAsJSON(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	for _, c := range []*hotline.CallRecord{
		{ID: "with", IVRPath: []string{"greeting", "menu"}},
		{ID: "without"},
	} {
		if err := db.CreateCall(ctx, c); err != nil {
			t.Fatalf("create %s: %v", c.ID, err)
		}
	}
	want := map[string]string{"with": `["greeting","menu"]`, "without": `[]`}
	for id, w := range want {
		var raw string
		var arrived any
		err := db.read.QueryRowContext(ctx, `SELECT ivr_path, arrived FROM calls WHERE id = ?`, id).Scan(&raw, &arrived)
		if err != nil {
			t.Fatal(err)
		}
		if raw != w || arrived != nil {
			t.Errorf("%s: ivr_path %s, arrived %v; want %s and NULL", id, raw, arrived, w)
		}
	}
}

// TestCallsConcurrentWrites: many calls create and update their records at
// once on a fresh store (every statement a first use) without a lost write
// or a stuck writer.
func TestCallsConcurrentWrites(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	const n = 32
	errs := make(chan error, n)
	for i := range n {
		go func() {
			c := &hotline.CallRecord{ID: hotline.CallID(fmt.Sprintf("c%02d", i)), Arrived: time.Now()}
			err := db.CreateCall(ctx, c)
			if err == nil {
				c.Ended, c.EndReason = time.Now(), "remote_hangup"
				err = db.UpdateCall(ctx, c)
			}
			errs <- err
		}()
	}
	deadline := time.After(30 * time.Second)
	for range n {
		select {
		case err := <-errs:
			if err != nil {
				t.Fatalf("write: %v", err)
			}
		case <-deadline:
			t.Fatal("concurrent call record writes are stuck")
		}
	}
	cs, err := db.FindCalls(ctx, hotline.CallFilter{EndReason: "remote_hangup"})
	if err != nil || len(cs) != n {
		t.Fatalf("ended calls: %d, %v; want %d", len(cs), err, n)
	}
}
