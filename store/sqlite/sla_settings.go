package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cityhotline/hotline/store/internal/slajson"
	"github.com/cityhotline/hotline/ticketing"
)

var _ ticketing.SLAStore = (*DB)(nil)

// FindSLASettings returns the stored deadline rules, or nil when none were
// ever saved.
func (db *DB) FindSLASettings(ctx context.Context) (*ticketing.SLASettings, error) {
	var raw string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, slajson.Key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(err, "find the deadline rules")
	}
	return slajson.Decode([]byte(raw))
}

// SaveSLASettings stores the deadline rules, replacing any stored before.
func (db *DB) SaveSLASettings(ctx context.Context, s *ticketing.SLASettings) error {
	b, err := slajson.Encode(s)
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, slajson.Key, string(b))
	return wrap(err, "save the deadline rules")
}

// RescheduleChecks brings every SLA check due after at forward to at.
func (db *DB) RescheduleChecks(ctx context.Context, at time.Time) (int64, error) {
	res, err := db.write.ExecContext(ctx, `UPDATE tickets SET next_check = ? WHERE next_check IS NOT NULL AND next_check > ?`,
		at.UnixMicro(), at.UnixMicro())
	if err != nil {
		return 0, wrap(err, "reschedule the SLA checks")
	}
	n, err := res.RowsAffected()
	return n, wrap(err, "reschedule the SLA checks")
}
