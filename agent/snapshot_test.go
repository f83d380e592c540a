package agent

import (
	"testing"
	"time"
)

func TestSnapshot(t *testing.T) {
	f := newFixture(t, Config{Queues: []QueueConfig{{Name: "q", Title: "诉求反映"}, {Name: "r", Title: "政策咨询"}}})
	f.login("u3", map[string]int{"q": 1, "r": 1})
	f.login("u1", map[string]int{"q": 1})
	f.login("u2", map[string]int{"r": 1})
	f.a.Login(Profile{ID: "u1", Name: "李娜", Skills: map[string]int{"q": 1}})
	f.a.Login(Profile{ID: "u2", Name: "王芳", Skills: map[string]int{"r": 1}})
	f.a.Login(Profile{ID: "u3", Name: "张伟", Skills: map[string]int{"q": 1, "r": 1}})
	f.ready("u1", "u2")
	f.enqueue("c1", "q") // → u1
	f.enqueue("c2", "q")
	f.clock.Advance(20 * time.Second)
	f.enqueue("c3", "q")
	f.clock.Advance(10 * time.Second)

	s := f.a.Snapshot()
	if !s.At.Equal(f.clock.Now()) {
		t.Errorf("At %v", s.At)
	}
	want := []QueueSnapshot{
		{Name: "q", Title: "诉求反映", Waiting: 3, LongestWait: 30 * time.Second, AgentsBusy: 1, AgentsLoggedIn: 2},
		{Name: "r", Title: "政策咨询", AgentsReady: 1, AgentsLoggedIn: 2},
	}
	for i := range want {
		if s.Queues[i] != want[i] {
			t.Errorf("queue %d:\n got %+v\nwant %+v", i, s.Queues[i], want[i])
		}
	}
	var names []string
	for _, a := range s.Agents {
		names = append(names, a.Name+"/"+string(a.State))
	}
	// Sorted by name (Unicode order of the characters).
	equal(t, "agents", names, []string{"张伟/not_ready", "李娜/offered", "王芳/ready"})
	if s.ByState[StateReady] != 1 || s.ByState[StateOffered] != 1 || s.ByState[StateNotReady] != 1 || s.ByState[StateOnCall] != 0 {
		t.Errorf("by state %v", s.ByState)
	}
	if _, ok := s.ByState[StateOnCall]; !ok {
		t.Error("by state leaves out empty states")
	}
	// Snapshots share nothing with the ACD.
	w, _ := f.a.Call("c1")
	w.OfferedTo[0] = "someone"
	if w2, _ := f.a.Call("c1"); w2.OfferedTo[0] != "u1" {
		t.Error("a snapshot's slice points into the ACD")
	}
}
