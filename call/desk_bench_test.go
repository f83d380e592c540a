package call

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/agent"
	"github.com/cityhotline/hotline/api/deskproto"
)

// offerClock is a desk WebSocket that notes when an offer reaches it.
type offerClock struct {
	offered chan time.Time
}

func (o *offerClock) Send(m any) {
	if _, ok := m.(deskproto.Offer); ok {
		select {
		case o.offered <- time.Now():
		default:
		}
	}
}

func (o *offerClock) Replace() {}

// BenchmarkOfferToDesk measures the desk's offer path with 2,000 agents
// signed in and 500 calls waiting: an agent's "ready" (through
// DeskConn.Handle, as the WebSocket delivers it) → the ACD picks the best
// waiting call → the offer is queued on the agent's WebSocket. Each op is one
// such offer; the agent then takes the call, hangs up, and a new caller
// arrives, so 500 stay waiting. p50/p99 are reported as metrics.
func BenchmarkOfferToDesk(b *testing.B) {
	const agents, waiting = 2000, 500
	acd, err := agent.New(agent.Config{Queues: []agent.QueueConfig{
		{Name: "complaints", WrapUp: -1}, {Name: "policy", WrapUp: -1}, {Name: "general", WrapUp: -1},
	}}, hotline.SystemClock{})
	if err != nil {
		b.Fatal(err)
	}
	d := NewDesk(DeskConfig{}, acd, nil, &Service{queues: newQueueCounts(nil)}, nil)
	ctx := context.Background()
	conns := make([]*DeskConn, agents)
	clocks := make([]*offerClock, agents)
	for i := range agents {
		u := &account.User{ID: hotline.UserID(fmt.Sprintf("u-%04d", i)), Name: fmt.Sprintf("坐席%04d", i), Role: hotline.RoleAgent}
		clocks[i] = &offerClock{offered: make(chan time.Time, 1)}
		c, err := d.Attach(ctx, u, clocks[i])
		if err != nil {
			b.Fatal(err)
		}
		c.as.rtcUp = true // a connected softphone, without the media
		conns[i] = c
	}
	queues := []string{"complaints", "policy", "general"}
	next := 0
	enqueue := func() {
		id := hotline.CallID(fmt.Sprintf("c-%07d", next))
		d.mu.Lock()
		d.calls[id] = &queuedCall{id: id, events: make(chan callEvent, 32)}
		d.mu.Unlock()
		effs, err := acd.Enqueue(agent.Call{ID: id, Queue: queues[next%len(queues)], Caller: "13800138000"})
		if err != nil {
			b.Fatal(err)
		}
		d.apply(effs)
		next++
	}
	for range waiting {
		enqueue()
	}
	ready := &deskproto.Message{Type: deskproto.TypeSetState, State: "ready"}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		k := i % agents
		t0 := time.Now()
		if err := conns[k].Handle(ctx, ready); err != nil {
			b.Fatal(err)
		}
		var at time.Time
		select {
		case at = <-clocks[k].offered:
		default:
			b.Fatalf("agent %d got no offer with %d calls waiting", k, waiting)
		}
		lat = append(lat, at.Sub(t0))
		b.StopTimer()
		st, _ := acd.Status(conns[k].as.user.ID)
		d.apply(must(acd.Answer(st.Agent, st.Call)))
		d.apply(must(acd.Complete(st.Agent, st.Call, "agent")))
		d.apply(must(acd.SetNotReady(st.Agent, agent.ReasonBreak)))
		select { // with no wrap-up the agent was offered the next call at once; that offer is withdrawn
		case <-clocks[k].offered:
		default:
		}
		d.mu.Lock()
		delete(d.calls, st.Call)
		d.mu.Unlock()
		enqueue()
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
