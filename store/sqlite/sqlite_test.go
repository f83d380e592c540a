package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/store/storetest"
	"github.com/cityhotline/hotline/ticketing"
)

// openTest opens a migrated store in a fresh temporary file.
func openTest(t testing.TB) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "hotline.db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return openTest(t) })
}

func tableCount(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	err := db.read.QueryRowContext(t.Context(),
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name <> 'schema_migrations' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`).Scan(&n)
	if err != nil {
		t.Fatalf("count tables: %v", err)
	}
	return n
}

func TestMigrateUpDownUp(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	if n := tableCount(t, db); n < 10 {
		t.Fatalf("after migrate up: %d tables", n)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate again (no-op): %v", err)
	}
	for v, _ := db.schemaVersion(ctx); v > 0; v, _ = db.schemaVersion(ctx) {
		if err := db.MigrateDown(ctx); err != nil {
			t.Fatalf("migrate down from %d: %v", v, err)
		}
	}
	if n := tableCount(t, db); n != 0 {
		t.Fatalf("after migrate down: %d tables left", n)
	}
	if v, err := db.schemaVersion(ctx); err != nil || v != 0 {
		t.Fatalf("version after down = %d, %v", v, err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
	tk := &ticketing.Ticket{Created: time.Now(), Title: "测试"}
	if err := db.CreateTicket(ctx, tk, nil, nil); err != nil {
		t.Fatalf("create after up/down/up: %v", err)
	}
}

// TestEventsAppendOnly goes around the store to the raw handle: the
// database itself refuses to change or remove history.
func TestEventsAppendOnly(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	tk := &ticketing.Ticket{Created: time.Now()}
	if err := db.CreateTicket(ctx, tk, []ticketing.Event{{Action: "intake", Time: time.Now()}}, nil); err != nil {
		t.Fatalf("create: %v", err)
	}
	for _, stmt := range []string{
		`UPDATE events SET reason = 'rewritten'`,
		`DELETE FROM events`,
	} {
		_, err := db.write.ExecContext(ctx, stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err %v, want the append-only trigger", stmt, err)
		}
	}
	evs, err := db.FindEvents(ctx, tk.ID)
	if err != nil || len(evs) != 1 || evs[0].Reason != "" {
		t.Fatalf("history changed: %+v, %v", evs, err)
	}
}

func TestReadPoolIsReadOnly(t *testing.T) {
	db := openTest(t)
	_, err := db.read.ExecContext(t.Context(), `INSERT INTO ticket_seq (day, n) VALUES ('20260101', 1)`)
	if err == nil {
		t.Fatal("read pool accepted a write")
	}
}

func TestRecordAccessToMissingTicket(t *testing.T) {
	db := openTest(t)
	err := db.RecordAccess(t.Context(), ticketing.Access{Ticket: "20261127999999", Time: time.Now(), Field: "contact"})
	if got := hotline.ErrorCode(err); got != hotline.ENOTFOUND {
		t.Fatalf("record access to a missing ticket: code %q (%v), want not_found", got, err)
	}
}
