package ticketing

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cityhotline/hotline"
)

// Sweep looks at every ticket whose next SLA check is due, turns lights
// yellow or red, records an "sla" event and publishes sla.yellow / sla.red.
// The lights are stored with the ticket and every change is a versioned
// update, so a restart or a second server never fires one twice.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	fired := 0
	for {
		now := s.now()
		due, err := s.store.FindTicketsToCheck(ctx, now, 200)
		if err != nil {
			return fired, fmt.Errorf("sla sweep: %w", err)
		}
		progressed := false
		for _, t := range due {
			n, err := s.check(ctx, t, now)
			if err != nil {
				return fired, err
			}
			fired += n
			progressed = progressed || !t.NextCheck.Equal(now)
		}
		if len(due) < 200 || !progressed || ctx.Err() != nil {
			return fired, ctx.Err()
		}
	}
}

func (s *Service) check(ctx context.Context, t *Ticket, now time.Time) (int, error) {
	before := *t
	changed := s.sla().Evaluate(t, now)
	if len(changed) == 0 && t.NextCheck.Equal(before.NextCheck) {
		return 0, nil
	}
	var evs []Event
	if len(changed) > 0 {
		t.Updated = now
		evs = append(evs, Event{Time: now, Actor: hotline.System, Action: "sla", From: t.State, To: t.State,
			Diff: Diff(&before, t)})
	}
	err := s.store.UpdateTicket(ctx, t, before.Version, evs)
	if hotline.ErrorCode(err) == hotline.ECONFLICT {
		return 0, nil // someone else changed it; the next sweep sees the new version
	}
	if err != nil {
		return 0, fmt.Errorf("sla update %s: %w", t.ID, err)
	}
	for _, name := range changed {
		light := lightOf(t, name)
		s.log.Info("sla light", "ticket_id", t.ID, "clock", name, "light", light, "unit", t.Unit)
		s.publish("sla."+string(light), t, map[string]string{"clock": name})
	}
	return len(changed), nil
}

func lightOf(t *Ticket, name string) Light {
	for _, k := range t.clocks() {
		if k.name == name {
			return *k.light
		}
	}
	return ""
}

// Sweeper runs Sweep every interval until stopped.
type Sweeper struct {
	svc      *Service
	interval time.Duration
	cancel   context.CancelFunc
	done     chan struct{}
	once     sync.Once
}

// NewSweeper returns a sweeper for svc.
func NewSweeper(svc *Service, interval time.Duration) *Sweeper {
	if interval <= 0 {
		interval = 30 * time.Second
	}
	return &Sweeper{svc: svc, interval: interval}
}

// Start runs the first sweep at once and then one per interval.
func (w *Sweeper) Start(ctx context.Context) error {
	ctx, w.cancel = context.WithCancel(ctx)
	w.done = make(chan struct{})
	go func() {
		defer close(w.done)
		tick := time.NewTicker(w.interval)
		defer tick.Stop()
		for {
			if n, err := w.svc.Sweep(ctx); err != nil && ctx.Err() == nil {
				w.svc.log.Error("sla sweep failed", "err", err)
			} else if n > 0 {
				w.svc.log.Info("sla sweep", "lights_changed", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return nil
}

// Stop ends the sweeper and waits for it. It is safe to call twice.
func (w *Sweeper) Stop() {
	w.once.Do(func() {
		if w.cancel != nil {
			w.cancel()
			<-w.done
		}
	})
}
