package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one numbered schema change, e.g. 0001_init.up.sql with its
// 0001_init.down.sql.
type migration struct {
	version  int
	name     string
	up, down string
}

// migrations reads the embedded files in version order.
func migrations() ([]migration, error) {
	files, err := fs.Glob(migrationFS, "migrations/*.up.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, f := range files {
		m, err := readMigration(f)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

func readMigration(upFile string) (migration, error) {
	base := strings.TrimSuffix(strings.TrimPrefix(upFile, "migrations/"), ".up.sql")
	num, name, ok := strings.Cut(base, "_")
	v, err := strconv.Atoi(num)
	if !ok || err != nil {
		return migration{}, fmt.Errorf("migration %s: name must be NNNN_name.up.sql", upFile)
	}
	up, err := migrationFS.ReadFile(upFile)
	if err != nil {
		return migration{}, err
	}
	down, err := migrationFS.ReadFile("migrations/" + base + ".down.sql")
	if err != nil {
		return migration{}, fmt.Errorf("migration %s has no down file: %w", upFile, err)
	}
	return migration{version: v, name: name, up: string(up), down: string(down)}, nil
}

// Migrate applies every migration not yet applied, each in its own
// transaction.
func (db *DB) Migrate(ctx context.Context) error {
	if err := db.ensureMigrationTable(ctx); err != nil {
		return err
	}
	all, err := migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	current, err := db.schemaVersion(ctx)
	if err != nil {
		return err
	}
	for _, m := range all {
		if m.version <= current {
			continue
		}
		err := db.inTx(ctx, func(tx *wtx) error {
			if _, err := tx.ExecContext(ctx, m.up); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`,
				m.version, m.name, time.Now().UnixMicro())
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate up to %04d_%s: %w", m.version, m.name, err)
		}
	}
	return nil
}

// MigrateDown reverts the most recently applied migration; with none applied
// it does nothing.
func (db *DB) MigrateDown(ctx context.Context) error {
	if err := db.ensureMigrationTable(ctx); err != nil {
		return err
	}
	current, err := db.schemaVersion(ctx)
	if err != nil || current == 0 {
		return err
	}
	all, err := migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	for _, m := range all {
		if m.version == current {
			return db.revert(ctx, m)
		}
	}
	return fmt.Errorf("migrate down: applied version %d has no migration file", current)
}

func (db *DB) revert(ctx context.Context, m migration) error {
	err := db.inTx(ctx, func(tx *wtx) error {
		if _, err := tx.ExecContext(ctx, m.down); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = ?`, m.version)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrate down %04d_%s: %w", m.version, m.name, err)
	}
	return nil
}

func (db *DB) ensureMigrationTable(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name    TEXT NOT NULL,
		applied INTEGER NOT NULL
	) STRICT`)
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	return nil
}

// schemaVersion is the highest applied migration, 0 for none.
func (db *DB) schemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.write.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}
