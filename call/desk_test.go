package call

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/agent"
	"github.com/cityhotline/hotline/api/deskproto"
)

// fakeClient is a desk WebSocket that keeps what it is sent.
type fakeClient struct {
	mu       sync.Mutex
	msgs     []any
	replaced bool
}

func (f *fakeClient) Send(m any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, m)
}

func (f *fakeClient) Replace() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replaced = true
}

// types lists the "type" of every message sent, in order.
func (f *fakeClient) types() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, m := range f.msgs {
		b, _ := json.Marshal(m)
		out = append(out, deskproto.Type(b))
	}
	return out
}

func (f *fakeClient) last(typ string) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.msgs) - 1; i >= 0; i-- {
		b, _ := json.Marshal(f.msgs[i])
		if deskproto.Type(b) == typ {
			return f.msgs[i]
		}
	}
	return nil
}

type testDesk struct {
	*Desk
	now time.Time
	mu  sync.Mutex
}

func newTestDesk(t *testing.T) *testDesk {
	t.Helper()
	td := &testDesk{now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	clock := hotline.ClockFunc(func() time.Time {
		td.mu.Lock()
		defer td.mu.Unlock()
		return td.now
	})
	acd, err := agent.New(agent.Config{Queues: []agent.QueueConfig{
		{Name: "complaints", Title: "诉求反映"}, {Name: "policy", Title: "政策咨询"},
	}}, clock)
	if err != nil {
		t.Fatal(err)
	}
	svc := &Service{queues: newQueueCounts(nil)}
	td.Desk = NewDesk(DeskConfig{Grace: 30 * time.Second}, acd, nil, svc, nil)
	td.Desk.clock = clock
	return td
}

func (td *testDesk) advance(d time.Duration) {
	td.mu.Lock()
	td.now = td.now.Add(d)
	td.mu.Unlock()
}

var (
	agent1 = &account.User{ID: "u-1", Username: "agent1", Name: "话务员一", Role: hotline.RoleAgent}
	super1 = &account.User{ID: "u-9", Username: "super1", Name: "督办员", Role: hotline.RoleSupervisor}
	unit1  = &account.User{ID: "u-5", Username: "jw", Name: "建外", Role: hotline.RoleUnit, Unit: "110105-001"}
)

func TestDeskAttach(t *testing.T) {
	td := newTestDesk(t)
	ctx := context.Background()
	if _, err := td.Attach(ctx, unit1, &fakeClient{}); hotline.ErrorCode(err) != hotline.EFORBIDDEN {
		t.Fatalf("unit account attached: %v", err)
	}
	c1 := &fakeClient{}
	conn, err := td.Attach(ctx, agent1, c1)
	if err != nil {
		t.Fatal(err)
	}
	w, ok := c1.msgs[0].(*deskproto.Welcome)
	if !ok || w.Type != "welcome" || w.Resumed || w.State == nil || w.State.State != "not_ready" || w.State.Reason != "login" ||
		len(w.Queues) != 2 || w.Queues[0].Title != "诉求反映" || len(w.Reasons) != 4 {
		t.Fatalf("welcome %#v", c1.msgs[0])
	}
	if st, _ := td.acd.Status(agent1.ID); st.State != agent.StateNotReady {
		t.Fatalf("acd state %v", st.State)
	}

	// Messages refused with a named field, and nothing changes.
	for _, tt := range []struct {
		m     deskproto.Message
		code  string
		field string
	}{
		{deskproto.Message{Type: "set_state", State: "ready"}, hotline.ECONFLICT, "state"}, // no softphone yet
		{deskproto.Message{Type: "set_state", State: "dancing"}, hotline.EINVALID, "state"},
		{deskproto.Message{Type: "set_state", State: "not_ready", Reason: "nap"}, hotline.EINVALID, "reason"},
		{deskproto.Message{Type: "set_state", State: "on_call"}, hotline.EINVALID, "state"},
		{deskproto.Message{Type: "answer"}, hotline.EINVALID, "call"},
		{deskproto.Message{Type: "hangup", Call: "c-1"}, hotline.ECONFLICT, "call"},
		{deskproto.Message{Type: "dtmf", Call: "c-1", Digits: "1"}, hotline.ECONFLICT, "call"},
		{deskproto.Message{Type: "link", Call: "c-1", Disposition: "ticket"}, hotline.EINVALID, "ticket"},
		{deskproto.Message{Type: "link", Call: "c-1", Disposition: "maybe"}, hotline.EINVALID, "disposition"},
		{deskproto.Message{Type: "rtc_offer"}, hotline.EINVALID, "sdp"},
		{deskproto.Message{Type: "rtc_ice"}, hotline.EINVALID, "candidate"},
		{deskproto.Message{Type: "wallboard"}, hotline.EFORBIDDEN, ""},
		{deskproto.Message{Type: "listen", Call: "c-1"}, hotline.EFORBIDDEN, ""},
		{deskproto.Message{Type: "sing"}, hotline.EINVALID, "type"},
	} {
		err := conn.Handle(ctx, &tt.m)
		if hotline.ErrorCode(err) != tt.code {
			t.Errorf("%+v: %v, want %s", tt.m, err, tt.code)
			continue
		}
		var e *hotline.Error
		if tt.field != "" && (!asError(err, &e) || e.Fields[tt.field] == "") {
			t.Errorf("%+v: %v does not name %s", tt.m, err, tt.field)
		}
	}
	if err := conn.Handle(ctx, &deskproto.Message{Type: "set_state", State: "not_ready", Reason: "break"}); err != nil {
		t.Fatal(err)
	}
	if st, ok := c1.last("state").(deskproto.State); !ok || st.State != "not_ready" || st.Reason != "break" {
		t.Fatalf("state message %#v", c1.last("state"))
	}

	// A second connection replaces the first and resumes the session.
	c2 := &fakeClient{}
	conn2, err := td.Attach(ctx, agent1, c2)
	if err != nil {
		t.Fatal(err)
	}
	if !c1.replaced {
		t.Error("the old connection was not replaced")
	}
	w2 := c2.msgs[0].(*deskproto.Welcome)
	if !w2.Resumed || w2.State.Reason != "break" {
		t.Fatalf("resumed welcome %#v", w2)
	}
	conn.Detach() // the old connection's end must not detach the new one
	td.expireDetached()
	if _, ok := td.agents[agent1.ID]; !ok {
		t.Fatal("the session ended when the replaced connection closed")
	}

	// Detached: kept for the grace period, then logged out.
	conn2.Detach()
	td.advance(29 * time.Second)
	td.expireDetached()
	if st, _ := td.acd.Status(agent1.ID); st.State == agent.StateOffline {
		t.Fatal("logged out within the grace period")
	}
	td.advance(2 * time.Second)
	td.expireDetached()
	if st, ok := td.acd.Status(agent1.ID); ok && st.State != agent.StateOffline {
		t.Fatalf("after the grace period the agent is %v", st.State)
	}
	if _, ok := td.agents[agent1.ID]; ok {
		t.Fatal("the session outlived the grace period")
	}
}

func TestDeskWallboard(t *testing.T) {
	td := newTestDesk(t)
	ctx := context.Background()
	if _, err := td.Attach(ctx, agent1, &fakeClient{}); err != nil {
		t.Fatal(err)
	}
	sc := &fakeClient{}
	conn, err := td.Attach(ctx, super1, sc)
	if err != nil {
		t.Fatal(err)
	}
	if w := sc.msgs[0].(*deskproto.Welcome); w.State != nil {
		t.Fatalf("a supervisor got an agent state: %#v", w.State)
	}
	if err := conn.Handle(ctx, &deskproto.Message{Type: "set_state", State: "ready"}); hotline.ErrorCode(err) != hotline.EFORBIDDEN {
		t.Fatalf("supervisor set_state: %v", err)
	}
	if err := conn.Handle(ctx, &deskproto.Message{Type: "wallboard"}); err != nil {
		t.Fatal(err)
	}
	wb, ok := sc.last("wallboard").(deskproto.Wallboard)
	if !ok || len(wb.Queues) != 2 || wb.Queues[0].AgentsLoggedIn != 1 || wb.ByState["not_ready"] != 1 ||
		len(wb.Agents) != 1 || wb.Agents[0].Name != "话务员一" {
		t.Fatalf("wallboard %#v", sc.last("wallboard"))
	}
	// A change is pushed; no change, no push.
	td.pushWallboard(false) // whatever changed so far
	n := len(sc.types())
	td.pushWallboard(false)
	td.pushWallboard(false)
	if got := len(sc.types()); got != n {
		t.Errorf("pushed %d wallboards without a change", got-n)
	}
	ac := &fakeClient{}
	if _, err := td.Attach(ctx, &account.User{ID: "u-2", Name: "话务员二", Role: hotline.RoleAgent}, ac); err != nil {
		t.Fatal(err)
	}
	td.pushWallboard(false)
	if wb := sc.last("wallboard").(deskproto.Wallboard); len(wb.Agents) != 2 {
		t.Errorf("after a login the wallboard lists %d agents", len(wb.Agents))
	}
}

func asError(err error, e **hotline.Error) bool {
	he, ok := err.(*hotline.Error)
	if ok {
		*e = he
	}
	return ok
}
