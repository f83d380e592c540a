package agent

import (
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

func TestWrapUpTimesOut(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.ready("a1")
	f.enqueue("c1", "q")
	f.ok(f.a.Answer("a1", "c1"))
	f.clock.Advance(time.Minute)
	equal(t, "complete", shows(f.ok(f.a.Complete("a1", "c1", "caller"))), []string{"agent_state a1 wrap_up"})
	st, _ := f.a.Status("a1")
	if st.Call != "c1" || !st.WrapUpEnd.Equal(f.clock.Now().Add(30*time.Second)) {
		t.Fatalf("wrap-up status %+v", st)
	}
	if _, ok := f.a.Call("c1"); ok {
		t.Fatal("completed call still in the ACD")
	}
	f.enqueue("c2", "q")
	if effs := f.tick(29 * time.Second); len(effs) != 0 {
		t.Fatalf("tick during wrap-up: %v", shows(effs))
	}
	equal(t, "wrap-up ends", shows(f.tick(time.Second)), []string{
		"agent_state a1 ready",
		"offer a1 c2",
		"agent_state a1 offered",
	})
}

func TestNoWrapUpGoesStraightToNextCall(t *testing.T) {
	f := newFixture(t, Config{Queues: []QueueConfig{{Name: "q", WrapUp: -1}}})
	f.ready("a1")
	f.enqueue("c1", "q")
	f.enqueue("c2", "q")
	f.ok(f.a.Answer("a1", "c1"))
	equal(t, "complete", shows(f.ok(f.a.Complete("a1", "c1", "agent"))), []string{
		"agent_state a1 ready",
		"offer a1 c2",
		"agent_state a1 offered",
	})
}

func TestEndWrapUpEarly(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.ready("a1")
	f.code(hotline.ECONFLICT, nil, nil2(f.a.EndWrapUp("a1")))
	f.enqueue("c1", "q")
	f.ok(f.a.Answer("a1", "c1"))
	f.ok(f.a.Complete("a1", "c1", "agent"))
	f.clock.Advance(10 * time.Second)
	equal(t, "end", shows(f.ok(f.a.EndWrapUp("a1"))), []string{"agent_state a1 ready"})
	if d := f.a.NextDeadline(); !d.IsZero() {
		t.Errorf("a wrap-up deadline is left: %v", d)
	}
	var wrap []time.Duration
	for _, e := range f.events() {
		wrap = append(wrap, e.WrapUp)
	}
	if wrap[len(wrap)-1] != 10*time.Second {
		t.Errorf("wrap_up_end event WrapUp = %v", wrap[len(wrap)-1])
	}
}

func TestNotReadyAskedDuringCall(t *testing.T) {
	f := newFixture(t, Config{Queues: []QueueConfig{{Name: "q", AnnounceEvery: -1}}})
	f.ready("a1")
	f.enqueue("c1", "q")
	f.ok(f.a.Answer("a1", "c1"))
	effs := f.ok(f.a.SetNotReady("a1", ReasonBreak))
	if len(effs) != 1 || effs[0].Status.State != StateOnCall || effs[0].Status.AfterCall != ReasonBreak {
		t.Fatalf("not ready during call: %v", shows(effs))
	}
	f.ok(f.a.Complete("a1", "c1", "agent"))
	f.enqueue("c2", "q")
	equal(t, "wrap-up ends", shows(f.tick(30*time.Second)), []string{"agent_state a1 not_ready(break)"})

	// SetReady during the next call cancels the wish.
	f.ready("a1")
	f.ok(f.a.Answer("a1", "c2"))
	f.ok(f.a.SetNotReady("a1", ReasonTraining))
	f.ok(f.a.SetReady("a1"))
	f.ok(f.a.Complete("a1", "c2", "agent"))
	equal(t, "wrap-up ends", shows(f.ok(f.a.EndWrapUp("a1"))), []string{"agent_state a1 ready"})
}

func TestSetReadyAndNotReady(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.login("a1", map[string]int{"q": 1})
	f.code(hotline.EINVALID, nil, nil2(f.a.SetNotReady("a1", ReasonNoAnswer)))
	f.code(hotline.ENOTFOUND, nil, nil2(f.a.SetReady("nobody")))
	equal(t, "ready", shows(f.ok(f.a.SetReady("a1"))), []string{"agent_state a1 ready"})
	if effs := f.ok(f.a.SetReady("a1")); len(effs) != 0 {
		t.Errorf("ready twice: %v", shows(effs))
	}
	equal(t, "break", shows(f.ok(f.a.SetNotReady("a1", ReasonBreak))), []string{"agent_state a1 not_ready(break)"})
	if effs := f.ok(f.a.SetNotReady("a1", ReasonBreak)); len(effs) != 0 {
		t.Errorf("same reason twice: %v", shows(effs))
	}
	equal(t, "meeting", shows(f.ok(f.a.SetNotReady("a1", ReasonMeeting))), []string{"agent_state a1 not_ready(meeting)"})
	// From offered: the offer is withdrawn and goes to the next agent.
	f.ready("a1", "a2")
	f.enqueue("c", "q")
	f.code(hotline.ECONFLICT, nil, nil2(f.a.SetReady("a1")))
	equal(t, "withdraw", shows(f.ok(f.a.SetNotReady("a1", ReasonOther))), []string{
		"offer_cancelled a1 c withdrawn",
		"agent_state a1 not_ready(other)",
		"offer a2 c",
		"agent_state a2 offered",
	})
}

func TestOverflowAfterMaxWait(t *testing.T) {
	cfg := Config{Queues: []QueueConfig{
		{Name: "q", MaxWait: time.Minute, Overflow: "r"},
		{Name: "r", MaxWait: 2 * time.Minute, Overflow: OverflowCallback},
	}}
	f := newFixture(t, cfg)
	f.login("b1", map[string]int{"r": 5})
	f.enqueueCall(Call{ID: "c1", Queue: "q", Caller: "13800000000"})
	f.enqueue("c2", "q")
	if d := f.a.NextDeadline(); !d.Equal(t0.Add(30 * time.Second)) {
		t.Fatalf("next deadline %v, want the first announcement", d)
	}
	f.tick(59 * time.Second)
	f.ready("b1") // ready at +59s, takes nothing from q
	effs := f.tick(0)
	equal(t, "overflow", shows(effs), []string{
		"overflow c1 →r",
		"overflow c2 →r",
		"offer b1 c1",
		"agent_state b1 offered",
	})
	w := effs[0].Call
	if w.Queue != "r" || w.Call.Queue != "q" || !w.Enqueued.Equal(t0.Add(60*time.Second)) || w.Position != 1 || w.Caller != "13800000000" {
		t.Fatalf("overflowed call %+v", w)
	}
	f.ok(f.a.Answer("b1", "c1"))
	// c2's MaxWait in r ends 2 minutes after it entered r. The announcement
	// due on the way finds it gone.
	equal(t, "callback", shows(f.tick(2*time.Minute)), []string{"overflow c2 →callback"})
	if _, ok := f.a.Call("c2"); ok {
		t.Fatal("call sent to callback is still in the ACD")
	}
	k := f.a.KPIs("", time.Time{}, time.Time{})
	if k.Offered != 4 || k.Overflowed != 3 || k.Answered != 1 {
		t.Errorf("KPIs %+v", k)
	}
}

func TestOverflowCancelsOffer(t *testing.T) {
	f := newFixture(t, Config{Queues: []QueueConfig{{Name: "q", MaxWait: 20 * time.Second, Overflow: OverflowCallback, RingTimeout: time.Minute}}})
	f.ready("a1")
	f.clock.Advance(5 * time.Second)
	f.enqueue("c", "q")
	equal(t, "overflow", shows(f.tick(20*time.Second)), []string{
		"offer_cancelled a1 c overflow",
		"agent_state a1 ready",
		"overflow c →callback",
	})
	if st, _ := f.a.Status("a1"); !st.Idle.Equal(t0) {
		t.Errorf("overflow cost a1 its place: idle %v", st.Idle)
	}
}

func TestFullQueue(t *testing.T) {
	cfg := Config{Queues: []QueueConfig{
		{Name: "q", MaxLen: 1, Overflow: "r"},
		{Name: "r", MaxLen: 1, Overflow: OverflowCallback},
		{Name: "s", MaxLen: 1},
	}}
	f := newFixture(t, cfg)
	tests := []struct {
		call, queue string
		want        []string
	}{
		{"c1", "q", nil},
		{"c2", "q", []string{"overflow c2 →r"}},
		{"c3", "q", []string{"overflow c3 →callback"}},
		{"c4", "s", nil},
		{"c5", "s", []string{"rejected c5 full"}},
	}
	for _, tt := range tests {
		equal(t, tt.call, shows(f.enqueue(tt.call, tt.queue)), tt.want)
	}
	for id, want := range map[string]bool{"c1": true, "c2": true, "c3": false, "c4": true, "c5": false} {
		if _, ok := f.a.Call(hotline.CallID(id)); ok != want {
			t.Errorf("call %s in the ACD: %v, want %v", id, ok, want)
		}
	}
	if k := f.a.KPIs("", time.Time{}, time.Time{}); k.Rejected != 1 || k.Overflowed != 3 {
		t.Errorf("KPIs %+v", k)
	}
}

func TestEnqueueErrors(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.enqueue("c", "q")
	f.code(hotline.EINVALID, nil, nil2(f.a.Enqueue(Call{ID: "c", Queue: "q"})))
	f.code(hotline.EINVALID, nil, nil2(f.a.Enqueue(Call{ID: "d", Queue: "nope"})))
	f.code(hotline.EINVALID, nil, nil2(f.a.Enqueue(Call{Queue: "q"})))
	f.code(hotline.ENOTFOUND, nil, nil2(f.a.Enqueue(Call{ID: "d", Queue: "q", Agent: "nobody"})))
	w, _ := f.a.Call("c")
	if !w.Arrived.Equal(t0) {
		t.Errorf("Arrived %v, want the enqueue time", w.Arrived)
	}
}

func TestTransferToQueue(t *testing.T) {
	f := newFixture(t, twoQueues())
	f.ready("a1")
	f.login("b1", map[string]int{"r": 5})
	f.login("b2", map[string]int{"r": 5})
	f.ok(f.a.SetReady("b1"))
	f.enqueue("c1", "q")
	f.ok(f.a.Answer("a1", "c1"))
	f.ok(f.a.Answer("b1", nil3(f.enqueue("w", "r")))) // b1 busy
	f.enqueue("r-waiting", "r")
	f.clock.Advance(time.Minute)

	f.code(hotline.ECONFLICT, nil, nil2(f.a.Transfer("c1", "b1", "r", "", "")))
	f.code(hotline.EINVALID, nil, nil2(f.a.Transfer("c1", "a1", "nope", "", "")))
	f.code(hotline.EINVALID, nil, nil2(f.a.Transfer("c1", "a1", "r", "a1", "")))
	f.code(hotline.ENOTFOUND, nil, nil2(f.a.Transfer("c1", "a1", "r", "nobody", "")))

	equal(t, "transfer", shows(f.ok(f.a.Transfer("c1", "a1", "r", "", "燃气问题"))), []string{"agent_state a1 wrap_up"})
	w, _ := f.a.Call("c1")
	if w.Queue != "r" || w.Position != 1 || w.Note != "燃气问题" || !w.Enqueued.Equal(f.clock.Now()) {
		t.Fatalf("transferred call %+v", w)
	}
	equal(t, "b2 ready", only(f.ok(f.a.SetReady("b2")), EffectOffer), []string{"offer b2 c1"})
	f.ok(f.a.Answer("b2", "c1"))
	var got []string
	for _, e := range f.events() {
		if e.Call == "c1" && e.Kind != EventOffer {
			got = append(got, string(e.Kind)+" "+e.Queue+" "+string(e.Agent))
		}
	}
	equal(t, "log", got, []string{"enter q ", "connect q a1", "transfer q a1", "enter r ", "connect r b2"})
}

// nil3 returns the call of the first offer.
func nil3(effs []Effect) hotline.CallID {
	for _, e := range effs {
		if e.Kind == EffectOffer {
			return e.Call.ID
		}
	}
	return ""
}

func TestTransferToAgent(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.ready("a1", "a2", "a3")
	f.enqueue("c1", "q")
	f.ok(f.a.Answer("a1", "c1"))
	f.ok(f.a.SetNotReady("a3", ReasonBreak))
	// Targeted at a3, who is not ready: a2 is ready but must not get it.
	effs := f.ok(f.a.Transfer("c1", "a1", "", "a3", "请班长处理"))
	equal(t, "transfer", shows(effs), []string{"agent_state a1 wrap_up"})
	equal(t, "a3 ready", only(f.ok(f.a.SetReady("a3")), EffectOffer), []string{"offer a3 c1"})
	// a3 logs out while it rings: the call goes to the queue's agents.
	equal(t, "logout", shows(f.ok(f.a.Logout("a3"))), []string{
		"offer_cancelled a3 c1 withdrawn",
		"agent_state a3 offline",
		"offer a2 c1",
		"agent_state a2 offered",
	})
	w, _ := f.a.Call("c1")
	if w.Call.Agent != "" {
		t.Errorf("call still targeted at %s", w.Call.Agent)
	}
}

func TestLoginLogoutReconnect(t *testing.T) {
	f := newFixture(t, twoQueues())
	f.code(hotline.EINVALID, nil, nil2(f.a.Login(Profile{ID: "a1", Skills: map[string]int{"q": 11}})))
	f.code(hotline.EINVALID, nil, nil2(f.a.Login(Profile{Skills: map[string]int{"q": 1}})))
	equal(t, "login", shows(f.login("a1", map[string]int{"q": 3})), []string{"agent_state a1 not_ready(login)"})
	st, _ := f.a.Status("a1")
	if st.Name != "a1" || len(st.Queues) != 1 || st.Queues[0] != "q" || !st.Since.Equal(t0) {
		t.Fatalf("status %+v", st)
	}
	f.ready("a1")
	// Reconnect: the state stays, new skills take effect at once.
	f.enqueue("r1", "r")
	effs := f.login("a1", map[string]int{"q": 3, "r": 4})
	equal(t, "reconnect", shows(effs), []string{
		"agent_state a1 ready",
		"offer a1 r1",
		"agent_state a1 offered",
	})
	f.ok(f.a.Answer("a1", "r1"))
	f.code(hotline.ECONFLICT, nil, nil2(f.a.Logout("a1")))
	f.ok(f.a.Complete("a1", "r1", "caller"))
	f.clock.Advance(5 * time.Second)
	equal(t, "logout", shows(f.ok(f.a.Logout("a1"))), []string{"agent_state a1 offline"})
	if _, ok := f.a.Status("a1"); ok {
		t.Fatal("logged-out agent has a status")
	}
	f.code(hotline.ENOTFOUND, nil, nil2(f.a.Logout("a1")))
	// Calls today survive a logout, and reset at midnight.
	f.login("a1", map[string]int{"q": 3})
	if st, _ := f.a.Status("a1"); st.CallsToday != 1 {
		t.Errorf("calls today after a new login: %d", st.CallsToday)
	}
	f.clock.Advance(15 * time.Hour) // past midnight in Beijing
	if st, _ := f.a.Status("a1"); st.CallsToday != 0 {
		t.Errorf("calls today after midnight: %d", st.CallsToday)
	}
	var logout Event
	for _, e := range f.events() {
		if e.Kind == EventLogout {
			logout = e
		}
	}
	if logout.WrapUp == 0 || logout.Call != "r1" || logout.State != StateOffline {
		t.Errorf("logout during wrap-up logged %+v", logout)
	}
}

func TestTransferBypassesMaxLen(t *testing.T) {
	f := newFixture(t, Config{Queues: []QueueConfig{{Name: "q"}, {Name: "r", MaxLen: 1}}})
	f.ready("a1")
	f.enqueue("c1", "q")
	f.ok(f.a.Answer("a1", "c1"))
	f.enqueue("r1", "r") // r is full now
	equal(t, "full", shows(f.enqueue("r2", "r")), []string{"rejected r2 full"})
	f.ok(f.a.Transfer("c1", "a1", "r", "", ""))
	equal(t, "positions", f.positions("c1", "r1"), []string{"c1=1", "r1=2"})
}

func TestReconnectKeepsOffer(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.ready("a1")
	f.enqueue("c1", "q")
	effs := f.login("a1", map[string]int{"q": 5})
	equal(t, "reconnect", shows(effs), []string{"agent_state a1 offered"})
	if effs[0].Status.Call != "c1" {
		t.Errorf("status after reconnect: %+v", effs[0].Status)
	}
	f.ok(f.a.Answer("a1", "c1"))
}

func TestNewWithoutClockUsesSystemClock(t *testing.T) {
	a, err := New(oneQueue(""), nil)
	if err != nil {
		t.Fatal(err)
	}
	a.Enqueue(Call{ID: "c", Queue: "q"})
	if w, _ := a.Call("c"); time.Since(w.Enqueued) > time.Minute {
		t.Errorf("enqueued at %v", w.Enqueued)
	}
}
