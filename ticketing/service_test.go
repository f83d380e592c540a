package ticketing_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/store/postgres"
	"github.com/cityhotline/hotline/store/sqlite"
	"github.com/cityhotline/hotline/ticketing"
)

// The lifecycle runs against both real stores.
func stores(t *testing.T) map[string]func(t *testing.T) ticketing.Store {
	return map[string]func(t *testing.T) ticketing.Store{
		"sqlite": func(t *testing.T) ticketing.Store {
			db, err := sqlite.Open(context.Background(), t.TempDir()+"/hotline.db")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			return db
		},
		"postgres": func(t *testing.T) ticketing.Store { return postgres.OpenTest(t) },
	}
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

var (
	admin      = hotline.Actor{UserID: "admin", Role: hotline.RoleAdmin}
	agent      = hotline.Actor{UserID: "agent1", Role: hotline.RoleAgent}
	dispatcher = hotline.Actor{UserID: "disp1", Role: hotline.RoleDispatcher}
	supervisor = hotline.Actor{UserID: "sup1", Role: hotline.RoleSupervisor}
	analyst    = hotline.Actor{UserID: "ana1", Role: hotline.RoleAnalyst}
	heating    = hotline.Actor{UserID: "heat1", Role: hotline.RoleUnit, Unit: "soe.heating"}
	wangjing   = hotline.Actor{UserID: "wj1", Role: hotline.RoleUnit, Unit: "110105-002"}
	chaoyang   = hotline.Actor{UserID: "cy1", Role: hotline.RoleUnit, Unit: "110105"}
	zgc        = hotline.Actor{UserID: "zgc1", Role: hotline.RoleUnit, Unit: "110108-002"}
)

type world struct {
	svc   *ticketing.Service
	clock *fakeClock
	store ticketing.Store
	ctx   context.Context
	pub   *events
}

type events struct {
	mu   sync.Mutex
	list []hotline.Event
}

func (e *events) Publish(ev hotline.Event) {
	e.mu.Lock()
	e.list = append(e.list, ev)
	e.mu.Unlock()
}

func (e *events) count(typ string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.list {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

func newWorld(t *testing.T, st ticketing.Store) *world {
	t.Helper()
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)} // 09:00 in Beijing
	pub := &events{}
	svc := ticketing.NewService(ticketing.Config{}, st, clock, pub, nil)
	var disabled []*ticketing.Unit // disabled after the rules that name them exist
	for _, u := range ticketing.TestUnits() {
		if u.Disabled {
			disabled = append(disabled, u)
			u.Disabled = false
		}
		if err := svc.CreateUnit(ctx, admin, u); err != nil {
			t.Fatalf("unit %s: %v", u.ID, err)
		}
	}
	for _, c := range ticketing.TestCategories() {
		if err := svc.CreateCategory(ctx, admin, c); err != nil {
			t.Fatalf("category %s: %v", c.ID, err)
		}
	}
	for _, r := range ticketing.TestRules() {
		r.ID = 0
		if err := svc.CreateRule(ctx, admin, r); err != nil {
			t.Fatalf("rule %+v: %v", r, err)
		}
	}
	for _, u := range disabled {
		u.Disabled = true
		if err := svc.UpdateUnit(ctx, admin, u); err != nil {
			t.Fatalf("disable unit %s: %v", u.ID, err)
		}
	}
	return &world{svc: svc, clock: clock, store: st, ctx: ctx, pub: pub}
}

func forEachStore(t *testing.T, f func(t *testing.T, w *world)) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) { f(t, newWorld(t, open(t))) })
	}
}

func (w *world) intake(t *testing.T, in ticketing.IntakeInput) *ticketing.Ticket {
	t.Helper()
	if in.Type == "" {
		in.Type = "complaint"
	}
	if in.ContactNumber == "" {
		in.ContactNumber = "13800138000"
	}
	tk, _, err := w.svc.Intake(w.ctx, agent, in, ticketing.IdemKey{})
	if err != nil {
		t.Fatalf("intake %+v: %v", in, err)
	}
	return tk
}

func (w *world) act(t *testing.T, a hotline.Actor, id hotline.TicketID, action string, in ticketing.ActionInput) *ticketing.Ticket {
	t.Helper()
	tk, err := w.svc.Act(w.ctx, a, id, action, in)
	if err != nil {
		t.Fatalf("%s by %s on %s: %v", action, a.UserID, id, err)
	}
	return tk
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := hotline.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}

func TestMain(m *testing.M) { os.Exit(m.Run()) }
