// Package slajson is the stored form of the admin's deadline rules and
// working calendar (ticketing.SLASettings), one JSON document in each
// store's settings table: clocks in seconds, days as YYYY-MM-DD in Beijing,
// times in UTC to the microsecond. Both stores read and write it through
// Encode and Decode, so a database moved from one to the other keeps it.
package slajson

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// Key is the settings row that holds the document.
const Key = "sla.settings"

type document struct {
	Deadlines map[string]clocks `json:"deadlines"`
	Working   [3]bool           `json:"working"`
	WarnAt    float64           `json:"warn_at"`
	Holidays  []string          `json:"holidays"`
	Workdays  []string          `json:"workdays"`
	Updated   time.Time         `json:"updated"`
	By        string            `json:"by"`
	ByName    string            `json:"by_name"`
	History   []change          `json:"history"`
}

type clocks struct {
	Accept  int64 `json:"accept"`
	Contact int64 `json:"contact"`
	Reply   int64 `json:"reply"`
}

type change struct {
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	ByName  string    `json:"by_name"`
	Changes []string  `json:"changes"`
}

// Encode returns the stored form of s.
func Encode(s *ticketing.SLASettings) ([]byte, error) {
	v := document{Deadlines: map[string]clocks{}, Working: s.Working, WarnAt: s.WarnAt,
		Holidays: days(s.Holidays), Workdays: days(s.Workdays),
		Updated: micro(s.Updated), By: string(s.By), ByName: s.ByName}
	for u, c := range s.Deadlines {
		v.Deadlines[string(u)] = clocks{int64(c.Accept / time.Second), int64(c.Contact / time.Second), int64(c.Reply / time.Second)}
	}
	for _, h := range s.History {
		v.History = append(v.History, change{At: micro(h.At), By: string(h.By), ByName: h.ByName, Changes: h.Changes})
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode the deadline rules: %w", err)
	}
	return b, nil
}

// Decode reads a stored document.
func Decode(b []byte) (*ticketing.SLASettings, error) {
	var v document
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("decode the deadline rules: %w", err)
	}
	s := &ticketing.SLASettings{Deadlines: map[ticketing.Urgency]ticketing.Clocks{}, Working: v.Working, WarnAt: v.WarnAt,
		Updated: micro(v.Updated), By: hotline.UserID(v.By), ByName: v.ByName}
	for u, c := range v.Deadlines {
		s.Deadlines[ticketing.Urgency(u)] = ticketing.Clocks{Accept: time.Duration(c.Accept) * time.Second,
			Contact: time.Duration(c.Contact) * time.Second, Reply: time.Duration(c.Reply) * time.Second}
	}
	var err error
	if s.Holidays, err = parseDays(v.Holidays); err != nil {
		return nil, fmt.Errorf("decode the deadline rules' holidays: %w", err)
	}
	if s.Workdays, err = parseDays(v.Workdays); err != nil {
		return nil, fmt.Errorf("decode the deadline rules' working days: %w", err)
	}
	for _, h := range v.History {
		s.History = append(s.History, ticketing.SLAChange{At: micro(h.At), By: hotline.UserID(h.By), ByName: h.ByName, Changes: h.Changes})
	}
	return s, nil
}

// micro is t in UTC to the microsecond (what both databases keep); the
// zero time stays zero.
func micro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.UnixMicro(t.UnixMicro()).UTC()
}

func days(ds []time.Time) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.In(ticketing.Beijing).Format(time.DateOnly))
	}
	return out
}

func parseDays(in []string) ([]time.Time, error) {
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
