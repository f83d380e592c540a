package agent

import (
	"fmt"
	"testing"

	"github.com/cityhotline/hotline"
)

// benchACD builds the benchmark centre: ten queues, 2,000 logged-in agents
// and 500 waiting calls. Agents 0–999 serve q0–q4 (two queues each) and are
// all on calls, so q0–q4 hold the 500 waiting calls; agents 1000–1999 serve
// q5–q9 and are ready.
func benchACD(b *testing.B, strategy Strategy) (*ACD, *fakeClock) {
	b.Helper()
	var qs []QueueConfig
	for i := range 10 {
		qs = append(qs, QueueConfig{Name: fmt.Sprint("q", i), Strategy: strategy})
	}
	clock := newClock()
	a, err := New(Config{Queues: qs}, clock)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 2000 {
		base := 0
		if i >= 1000 {
			base = 5
		}
		id := hotline.UserID(fmt.Sprint("a", i))
		skills := map[string]int{fmt.Sprint("q", base+i%5): 1 + i%10, fmt.Sprint("q", base+(i+1)%5): 1 + i%7}
		must(b)(a.Login(Profile{ID: id, Name: string(id), Skills: skills}))
		must(b)(a.SetReady(id))
		if i < 1000 {
			c := hotline.CallID(fmt.Sprint("busy", i))
			must(b)(a.Enqueue(Call{ID: c, Queue: fmt.Sprint("q", i%5), Agent: id}))
			must(b)(a.Answer(id, c))
		}
	}
	for i := range 500 {
		must(b)(a.Enqueue(Call{ID: hotline.CallID(fmt.Sprint("w", i)), Queue: fmt.Sprint("q", i%5), Priority: Priority(i % 3)}))
	}
	return a, clock
}

// must returns a function that fails b on an error.
func must(b *testing.B) func([]Effect, error) {
	return func(_ []Effect, err error) {
		if err != nil {
			b.Helper()
			b.Fatal(err)
		}
	}
}

// BenchmarkOffer measures the routing decision with 2,000 logged-in agents
// and 500 waiting calls.
//
// enqueue: a call arrives at a queue with ~400 ready agents and is offered
// by the strategy; it is then abandoned (cancelling the offer) so every
// iteration sees the same centre. One op = Enqueue + Abandon.
//
// ready: an agent of the saturated queues becomes ready and is offered the
// best of the 500 waiting calls, answers, hangs up, goes not ready, and a
// new call replaces the one it took. One op = 5 ACD calls.
func BenchmarkOffer(b *testing.B) {
	for _, s := range Strategies {
		b.Run("enqueue/"+string(s), func(b *testing.B) {
			a, _ := benchACD(b, s)
			n := 0
			for b.Loop() {
				id := hotline.CallID(fmt.Sprint("b", n))
				effs, err := a.Enqueue(Call{ID: id, Queue: fmt.Sprint("q", 5+n%5)})
				if err != nil || len(effs) == 0 || effs[0].Kind != EffectOffer {
					b.Fatalf("no offer: %v %v", effs, err)
				}
				must(b)(a.Abandon(id))
				n++
			}
		})
	}
	b.Run("ready", func(b *testing.B) {
		a, _ := benchACD(b, StrategyLongestIdle)
		id := hotline.UserID("a0")
		must(b)(a.Complete(id, "busy0", "agent"))
		must(b)(a.SetNotReady(id, ReasonBreak))
		n := 0
		for b.Loop() {
			effs, err := a.SetReady(id)
			if err != nil || len(effs) < 2 || effs[1].Kind != EffectOffer {
				b.Fatalf("no offer: %v %v", effs, err)
			}
			c := effs[1].Call
			must(b)(a.Answer(id, c.ID))
			must(b)(a.Complete(id, c.ID, "caller"))
			must(b)(a.SetNotReady(id, ReasonBreak))
			must(b)(a.Enqueue(Call{ID: hotline.CallID(fmt.Sprint("r", n)), Queue: c.Queue}))
			n++
		}
	})
}
