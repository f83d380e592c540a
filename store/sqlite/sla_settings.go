package sqlite

import (
	"context"
	"database/sql"
	"errors"

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
