package deskclient

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/cityhotline/hotline/api/deskproto"
)

func frame(t *testing.T, v any) Frame {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return Frame{Type: deskproto.Type(b), Raw: b}
}

// The microphone is on the wire from the answer to call_ended, not while
// held, and not after an answer that came to nothing; a resumed welcome
// with a call puts it back on.
func TestMicFollowsTheCall(t *testing.T) {
	c := &Client{}
	on := true
	steps := []struct {
		what string
		do   func()
		want bool
	}{
		{"logged in", func() { c.follow(frame(t, deskproto.Welcome{Type: deskproto.TypeWelcome})) }, false},
		{"ready", func() { c.follow(frame(t, deskproto.State{Type: deskproto.TypeState, State: "ready"})) }, false},
		{"offered", func() { c.follow(frame(t, deskproto.State{Type: deskproto.TypeState, State: "offered"})) }, false},
		{"answer sent", func() { c.callState(func() { c.answering = true }) }, true},
		{"answer refused", func() { c.refused(deskproto.Message{Type: deskproto.TypeAnswer}) }, false},
		{"answer sent again", func() { c.callState(func() { c.answering = true }) }, true},
		{"on call", func() { c.follow(frame(t, deskproto.State{Type: deskproto.TypeState, State: "on_call"})) }, true},
		{"connected", func() { c.follow(frame(t, deskproto.Connected{Type: deskproto.TypeConnected, Call: "c-1"})) }, true},
		{"held", func() { c.follow(frame(t, deskproto.Held{Type: deskproto.TypeHeld, Call: "c-1", On: true})) }, false},
		{"unheld", func() { c.follow(frame(t, deskproto.Held{Type: deskproto.TypeHeld, Call: "c-1"})) }, true},
		{"call ended", func() {
			c.follow(frame(t, deskproto.CallEnded{Type: deskproto.TypeCallEnded, Call: "c-1", By: "caller"}))
		}, false},
		{"wrap-up", func() { c.follow(frame(t, deskproto.State{Type: deskproto.TypeState, State: "wrap_up"})) }, false},
		{"answer sent, then taken by another", func() { c.callState(func() { c.answering = true }) }, true},
		{"back to ready", func() { c.follow(frame(t, deskproto.State{Type: deskproto.TypeState, State: "ready"})) }, false},
		{"resumed with a call", func() {
			c.follow(frame(t, deskproto.Welcome{Type: deskproto.TypeWelcome, Resumed: true, Call: &deskproto.Connected{Call: "c-2"}}))
		}, true},
		{"resumed on hold", func() {
			c.follow(frame(t, deskproto.Welcome{Type: deskproto.TypeWelcome, Resumed: true, Call: &deskproto.Connected{Call: "c-2", Held: on}}))
		}, false},
	}
	for _, s := range steps {
		s.do()
		if got := c.Sending(); got != s.want {
			t.Fatalf("%s: sending %v, want %v", s.what, got, s.want)
		}
	}
}

// A supervisor's microphone is on the wire while the server says they
// whisper; another supervisor's whisper on the same call does not turn it on.
func TestMicFollowsTheWhisper(t *testing.T) {
	c := &Client{}
	whisper := func(by string, on bool) func() {
		return func() {
			c.follow(frame(t, deskproto.Whisper{Type: deskproto.TypeWhisper, Call: "c-1", By: "督办员", ByID: by, On: on}))
		}
	}
	steps := []struct {
		what string
		do   func()
		want bool
	}{
		{"logged in", func() {
			c.follow(frame(t, deskproto.Welcome{Type: deskproto.TypeWelcome, Agent: deskproto.Agent{ID: "u-9"}}))
		}, false},
		{"another whispers", whisper("u-8", true), false},
		{"whispering", whisper("u-9", true), true},
		{"another stops", whisper("u-8", false), true},
		{"back to listening", whisper("u-9", false), false},
	}
	for _, s := range steps {
		s.do()
		if got := c.Sending(); got != s.want {
			t.Fatalf("%s: sending %v, want %v", s.what, got, s.want)
		}
	}
}

func TestRingKeepsTheNewest(t *testing.T) {
	var r ring
	if got := r.last(10); len(got) != 0 {
		t.Fatalf("empty ring gave %v", got)
	}
	r.buf = make([]int16, 5) // small, to wrap
	r.write([]int16{1, 2, 3})
	if got := r.last(10); !slices.Equal(got, []int16{1, 2, 3}) {
		t.Fatalf("last(10) = %v", got)
	}
	r.write([]int16{4, 5, 6, 7})
	if got := r.last(10); !slices.Equal(got, []int16{3, 4, 5, 6, 7}) {
		t.Fatalf("after wrapping last(10) = %v", got)
	}
	if got := r.last(2); !slices.Equal(got, []int16{6, 7}) {
		t.Fatalf("last(2) = %v", got)
	}
	r.write([]int16{8, 9, 10, 11, 12, 13, 14})
	if got := r.last(5); !slices.Equal(got, []int16{10, 11, 12, 13, 14}) {
		t.Fatalf("after a write longer than the ring last(5) = %v", got)
	}
	r.reset()
	if got := r.last(5); len(got) != 0 {
		t.Fatalf("after reset %v", got)
	}
}
