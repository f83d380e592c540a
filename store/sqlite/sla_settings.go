package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

var _ ticketing.SLAStore = (*DB)(nil)

// slaSettingsKey is the settings row of the admin's deadline rules and
// working calendar.
const slaSettingsKey = "sla.settings"

// slaJSON is the stored form of ticketing.SLASettings: clocks in seconds,
// days as YYYY-MM-DD in Beijing. The PostgreSQL store writes the same.
type slaJSON struct {
	Deadlines map[string]slaClocksJSON `json:"deadlines"`
	Working   [3]bool                  `json:"working"`
	WarnAt    float64                  `json:"warn_at"`
	Holidays  []string                 `json:"holidays"`
	Workdays  []string                 `json:"workdays"`
	Updated   time.Time                `json:"updated"`
	By        string                   `json:"by"`
	ByName    string                   `json:"by_name"`
	History   []slaChangeJSON          `json:"history"`
}

type slaClocksJSON struct {
	Accept  int64 `json:"accept"`
	Contact int64 `json:"contact"`
	Reply   int64 `json:"reply"`
}

type slaChangeJSON struct {
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	ByName  string    `json:"by_name"`
	Changes []string  `json:"changes"`
}

// FindSLASettings returns the stored deadline rules, or nil when none were
// ever saved.
func (db *DB) FindSLASettings(ctx context.Context) (*ticketing.SLASettings, error) {
	var raw string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, slaSettingsKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(err, "find the deadline rules")
	}
	var v slaJSON
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return nil, wrap(err, "decode the deadline rules")
	}
	return v.settings()
}

// SaveSLASettings stores the deadline rules, replacing any stored before.
func (db *DB) SaveSLASettings(ctx context.Context, s *ticketing.SLASettings) error {
	b, err := json.Marshal(toSLAJSON(s))
	if err != nil {
		return wrap(err, "encode the deadline rules")
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, slaSettingsKey, string(b))
	return wrap(err, "save the deadline rules")
}

func toSLAJSON(s *ticketing.SLASettings) slaJSON {
	v := slaJSON{Deadlines: map[string]slaClocksJSON{}, Working: s.Working, WarnAt: s.WarnAt,
		Holidays: slaDays(s.Holidays), Workdays: slaDays(s.Workdays),
		Updated: utcMicro(s.Updated), By: string(s.By), ByName: s.ByName}
	for u, c := range s.Deadlines {
		v.Deadlines[string(u)] = slaClocksJSON{int64(c.Accept / time.Second), int64(c.Contact / time.Second), int64(c.Reply / time.Second)}
	}
	for _, h := range s.History {
		v.History = append(v.History, slaChangeJSON{At: utcMicro(h.At), By: string(h.By), ByName: h.ByName, Changes: h.Changes})
	}
	return v
}

func (v slaJSON) settings() (*ticketing.SLASettings, error) {
	s := &ticketing.SLASettings{Deadlines: map[ticketing.Urgency]ticketing.Clocks{}, Working: v.Working, WarnAt: v.WarnAt,
		Updated: utcMicro(v.Updated), By: hotline.UserID(v.By), ByName: v.ByName}
	for u, c := range v.Deadlines {
		s.Deadlines[ticketing.Urgency(u)] = ticketing.Clocks{Accept: time.Duration(c.Accept) * time.Second,
			Contact: time.Duration(c.Contact) * time.Second, Reply: time.Duration(c.Reply) * time.Second}
	}
	var err error
	if s.Holidays, err = parseSLADays(v.Holidays); err != nil {
		return nil, fmt.Errorf("decode the deadline rules' holidays: %w", err)
	}
	if s.Workdays, err = parseSLADays(v.Workdays); err != nil {
		return nil, fmt.Errorf("decode the deadline rules' working days: %w", err)
	}
	for _, h := range v.History {
		s.History = append(s.History, ticketing.SLAChange{At: utcMicro(h.At), By: hotline.UserID(h.By), ByName: h.ByName, Changes: h.Changes})
	}
	return s, nil
}

func slaDays(days []time.Time) []string {
	out := make([]string, 0, len(days))
	for _, d := range days {
		out = append(out, d.In(ticketing.Beijing).Format(time.DateOnly))
	}
	return out
}

func parseSLADays(in []string) ([]time.Time, error) {
	out := make([]time.Time, 0, len(in))
	for _, s := range in {
		d, err := time.ParseInLocation(time.DateOnly, s, ticketing.Beijing)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
