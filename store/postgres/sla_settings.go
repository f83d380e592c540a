package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cityhotline/hotline/store/internal/slajson"
	"github.com/cityhotline/hotline/ticketing"
)

var _ ticketing.SLAStore = (*DB)(nil)

// FindSLASettings returns the stored deadline rules, or nil when none were
// ever saved.
func (db *DB) FindSLASettings(ctx context.Context) (*ticketing.SLASettings, error) {
	var raw []byte
	err := db.pool.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, slajson.Key).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find the deadline rules: %w", err)
	}
	return slajson.Decode(raw)
}

// SaveSLASettings stores the deadline rules, replacing any stored before.
func (db *DB) SaveSLASettings(ctx context.Context, s *ticketing.SLASettings) error {
	b, err := slajson.Encode(s)
	if err != nil {
		return err
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, slajson.Key, string(b))
	if err != nil {
		return fmt.Errorf("save the deadline rules: %w", err)
	}
	return nil
}

// RescheduleChecks brings every SLA check due after at forward to at.
func (db *DB) RescheduleChecks(ctx context.Context, at time.Time) (int64, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE tickets SET next_check = $1 WHERE next_check > $1`, at)
	if err != nil {
		return 0, fmt.Errorf("reschedule the SLA checks: %w", err)
	}
	return tag.RowsAffected(), nil
}
