package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered step of the schema.
type migration struct {
	Version  int
	Name     string
	Up, Down string
}

// migrationLock is the advisory lock key that serialises migrators of the
// same database (several nodes starting at once).
const migrationLock = 0x686f746c696e65 // "hotline"

// migrations reads the embedded NNNN_name.up.sql / .down.sql pairs, in order.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.up.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var out []migration
	for _, name := range names {
		m, err := readMigration(name)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d", m.Name, i+1)
		}
	}
	return out, nil
}

func readMigration(upName string) (migration, error) {
	base := strings.TrimSuffix(strings.TrimPrefix(upName, "migrations/"), ".up.sql")
	num, _, ok := strings.Cut(base, "_")
	v, err := strconv.Atoi(num)
	if !ok || err != nil {
		return migration{}, fmt.Errorf("migration %s: name must be NNNN_name.up.sql", upName)
	}
	up, err := fs.ReadFile(migrationFiles, upName)
	if err != nil {
		return migration{}, fmt.Errorf("read migration %s: %w", upName, err)
	}
	down, err := fs.ReadFile(migrationFiles, "migrations/"+base+".down.sql")
	if err != nil {
		return migration{}, fmt.Errorf("read migration %s: %w", base, err)
	}
	return migration{Version: v, Name: base, Up: string(up), Down: string(down)}, nil
}

// Migrate applies every migration not yet applied, each in its own
// transaction together with its schema_migrations row.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if err := db.ensureMigrationsTable(ctx); err != nil {
		return err
	}
	for _, m := range ms {
		if err := db.step(ctx, m, true); err != nil {
			return err
		}
	}
	return nil
}

// MigrateDown reverts the newest applied migration in one transaction. It
// does nothing when none is applied. Reverting the first migration drops
// every table, and the data with them.
func (db *DB) MigrateDown(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if err := db.ensureMigrationsTable(ctx); err != nil {
		return err
	}
	v, err := db.Version(ctx)
	if err != nil || v == 0 {
		return err
	}
	if v > len(ms) {
		return fmt.Errorf("migrate down: database is at version %d, this build knows %d", v, len(ms))
	}
	return db.step(ctx, ms[v-1], false)
}

// Version returns the newest applied migration, 0 for none.
func (db *DB) Version(ctx context.Context) (int, error) {
	var v int
	err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// ensureMigrationsTable creates schema_migrations, under the migration
// lock so that migrators starting together do not race.
func (db *DB) ensureMigrationsTable(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY,
			name    text NOT NULL,
			applied timestamptz NOT NULL DEFAULT now())`)
		return err
	})
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	return nil
}

// step applies (up) or reverts (down) m in one transaction, unless another
// migrator got there first.
func (db *DB) step(ctx context.Context, m migration, up bool) error {
	dir := map[bool]string{true: "up", false: "down"}[up]
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return err
		}
		var applied bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, m.Version).Scan(&applied)
		if err != nil || applied == up {
			return err
		}
		if up {
			return runStep(ctx, tx, m.Up, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
		}
		return runStep(ctx, tx, m.Down, `DELETE FROM schema_migrations WHERE version = $1`, m.Version)
	})
	if err != nil {
		return fmt.Errorf("migrate %s %s: %w", dir, m.Name, err)
	}
	return nil
}

func runStep(ctx context.Context, tx pgx.Tx, script, record string, args ...any) error {
	if _, err := tx.Exec(ctx, script); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, record, args...)
	return err
}
