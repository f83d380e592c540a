package api

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// The morning digest push: at DigestAt (Beijing time) every day the hub
// sends each connected unit's staff one "digest" frame with the counts of
// what is due; the unit portal shows it and reloads its digest panel. A page
// opened later reads GET /api/v1/digest itself, so nobody misses it.

// digestFrame is the push; counts only, no personal data.
type digestFrame struct {
	Type        string         `json:"type"` // "digest"
	Unit        hotline.UnitID `json:"unit"`
	Day         string         `json:"day"`
	Open        int            `json:"open"`
	Overdue     int            `json:"overdue"`
	DueToday    int            `json:"due_today"`
	DueTomorrow int            `json:"due_tomorrow"`
	Arrived     int            `json:"arrived"`
}

// nextDigest is the first instant at or after now whose Beijing wall clock
// reads at (an offset from midnight).
func nextDigest(now time.Time, at time.Duration) time.Time {
	bj := now.In(ticketing.Beijing)
	day := time.Date(bj.Year(), bj.Month(), bj.Day(), 0, 0, 0, 0, ticketing.Beijing)
	next := day.Add(at)
	if next.Before(now) {
		next = day.AddDate(0, 0, 1).Add(at)
	}
	return next
}

// digestTimer returns a channel that fires at the next digest time, or nil
// (never fires) when digests are off.
func (h *Events) digestTimer() (<-chan time.Time, func()) {
	if h.digest == nil {
		return nil, func() {}
	}
	t := time.NewTimer(time.Until(nextDigest(time.Now(), h.digestAt)))
	return t.C, func() { t.Stop() }
}

// pushDigests sends every connected unit its digest frame and returns how
// many frames went out.
func (h *Events) pushDigests(ctx context.Context) int {
	units := map[hotline.UnitID][]*eventsClient{}
	for _, c := range h.snapshot() {
		if !c.all && c.unit != "" {
			units[c.unit] = append(units[c.unit], c)
		}
	}
	sent := 0
	for unit, clients := range units {
		frame, err := h.digestFrame(ctx, unit)
		if err != nil {
			h.log.Warn("live events: digest", "unit", unit, "err", err)
			continue
		}
		for _, c := range clients {
			if c.conn.offer(frame) {
				sent++
			} else {
				h.slow.Add(1)
			}
		}
	}
	return sent
}

func (h *Events) digestFrame(ctx context.Context, unit hotline.UnitID) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	d, err := h.digest(ctx, unit)
	if err != nil {
		return nil, err
	}
	return json.Marshal(digestFrame{Type: "digest", Unit: unit, Day: d.Day.Format("2006-01-02"), Open: d.Open,
		Overdue: len(d.Overdue), DueToday: len(d.DueToday), DueTomorrow: len(d.DueTomorrow), Arrived: len(d.Arrived)})
}
