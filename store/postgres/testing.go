package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestURLEnv names the environment variable that points tests at a
// PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const TestURLEnv = "TEST_DATABASE_URL"

// OpenTest returns a migrated store in a schema of its own on the server at
// $TEST_DATABASE_URL, dropped when the test ends. Without the variable the
// test is skipped, or fails when CI=true.
func OpenTest(t testing.TB) *DB {
	t.Helper()
	url := os.Getenv(TestURLEnv)
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; CI must run the PostgreSQL tests", TestURLEnv)
		}
		t.Skipf("%s is not set: skipping PostgreSQL tests (e.g. %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", TestURLEnv, TestURLEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	schema := createTestSchema(ctx, t, url)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatalf("parse %s: %v", TestURLEnv, err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	db, err := openConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate test schema %s: %v", schema, err)
	}
	return db
}

// createTestSchema creates a schema with a random name and registers its
// removal (after the store's pool is closed: cleanups run last first).
func createTestSchema(ctx context.Context, t testing.TB, url string) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to %s: %v", TestURLEnv, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() { dropTestSchema(t, url, schema) })
	return schema
}

func dropTestSchema(t testing.TB, url, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Errorf("drop test schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		t.Errorf("drop test schema %s: %v", schema, err)
	}
}
