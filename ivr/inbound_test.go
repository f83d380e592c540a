package ivr_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline/configs"
	"github.com/cityhotline/hotline/ivr"
)

// The shipped inbound flow, run over a fake caller.

func inboundFlow(t *testing.T) *ivr.Flow {
	t.Helper()
	flows, err := configs.LoadFlows(configs.IVRFlows(), configs.Prompts())
	if err != nil {
		t.Fatal(err)
	}
	f := flows["inbound"]
	if f == nil {
		t.Fatal("no inbound flow shipped")
	}
	return f
}

// A Wednesday at 10:00 in Beijing that is no holiday.
var wednesday = time.Date(2026, 11, 25, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

type choice struct{ flow, digit string }

func inboundEngine(holidays ...string) (*ivr.Engine, *[]choice) {
	var choices []choice
	cal := fakeCalendar{holidays: map[string]bool{}}
	for _, h := range holidays {
		cal.holidays[h] = true
	}
	e := &ivr.Engine{
		Clock:    fixedClock(wednesday),
		Calendar: cal,
		OnChoice: func(flow, digit string) { choices = append(choices, choice{flow, digit}) },
	}
	return e, &choices
}

func TestInboundRoutesByKey(t *testing.T) {
	f := inboundFlow(t)
	tests := []struct {
		key, queue, lang string
		hold             string
	}{
		{"1", "complaints", "zh", "hold-complaints"},
		{"2", "policy", "zh", "hold-policy"},
		{"3", "business", "zh", "hold-business"},
		{"9", "english", "en", "hold-english"},
		{"0", "general", "zh", "hold-general"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			e, choices := inboundEngine()
			s := caller(nil, tt.key)
			res, err := e.Run(context.Background(), f, s)
			if err != nil {
				t.Fatal(err)
			}
			if want := ivr.Enqueued(tt.queue); res.Outcome != want {
				t.Fatalf("outcome %s, want %s (path %v)", res.Outcome, want, res.Path)
			}
			wantAttrs := map[string]string{"menu": tt.key, "lang": tt.lang}
			if s.enqueued == nil || s.enqueued.queue != tt.queue || !maps.Equal(s.enqueued.attrs, wantAttrs) {
				t.Fatalf("enqueued %+v, want %s with %v", s.enqueued, tt.queue, wantAttrs)
			}
			wantPath := []string{"start", "day", "greeting", "load", "main"}
			if tt.key == "9" {
				wantPath = append(wantPath, "english")
			}
			wantPath = append(wantPath, tt.hold, "queue-"+tt.queue)
			if !slices.Equal(res.Path, wantPath) {
				t.Fatalf("path %v, want %v", res.Path, wantPath)
			}
			if res.Digits != tt.key {
				t.Fatalf("digits %q, want %q", res.Digits, tt.key)
			}
			if want := []choice{{"inbound", tt.key}}; !slices.Equal(*choices, want) {
				t.Fatalf("choices %v, want %v", *choices, want)
			}
			// please-hold is the last prompt before the queue.
			if last := s.played[len(s.played)-1]; !slices.Equal(last, []string{"please-hold"}) {
				t.Fatalf("last prompt %v, want please-hold", last)
			}
			if s.attrs["lang"] != tt.lang {
				t.Fatalf("session lang %q, want %q", s.attrs["lang"], tt.lang)
			}
		})
	}
}

func TestInboundBargeInDuringGreeting(t *testing.T) {
	f := inboundFlow(t)
	e, _ := inboundEngine()
	s := caller(map[string]rune{"greeting": '2'}) // no Collect answer: a Collect would hang up
	res, err := e.Run(context.Background(), f, s)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != ivr.Enqueued("policy") {
		t.Fatalf("outcome %s, want enqueued:policy (path %v)", res.Outcome, res.Path)
	}
	if len(s.collects) != 0 {
		t.Fatalf("engine waited for keys %d times after the barge-in", len(s.collects))
	}
	if got := s.playedAll(); strings.Contains(got, "main-menu") {
		t.Fatalf("menu prompt played after the barge-in: %s", got)
	}
	if res.Digits != "2" || s.enqueued.attrs["menu"] != "2" {
		t.Fatalf("digits %q, menu attr %q; want 2", res.Digits, s.enqueued.attrs["menu"])
	}
}

func TestInboundRetriesEndInGeneralQueue(t *testing.T) {
	f := inboundFlow(t)
	tests := []struct {
		name      string
		keys      []string
		retry     string // prompt played before each repeated menu
		digits    string
		notPlayed string
	}{
		{"invalid", []string{"7", "8", "*"}, "invalid-input", "78*", "no-input"},
		{"silence", []string{"", "", ""}, "no-input", "", "invalid-input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, choices := inboundEngine()
			s := caller(nil, tt.keys...)
			res, err := e.Run(context.Background(), f, s)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != ivr.Enqueued("general") {
				t.Fatalf("outcome %s, want enqueued:general", res.Outcome)
			}
			if len(s.collects) != 3 {
				t.Fatalf("%d attempts, want 3", len(s.collects))
			}
			if n := strings.Count(s.playedAll(), tt.retry); n != 2 {
				t.Fatalf("%s played %d times, want 2 (before attempts 2 and 3): %s", tt.retry, n, s.playedAll())
			}
			if strings.Contains(s.playedAll(), tt.notPlayed) {
				t.Fatalf("%s played: %s", tt.notPlayed, s.playedAll())
			}
			if n := strings.Count(s.playedAll(), "main-menu"); n != 3 {
				t.Fatalf("menu played %d times, want 3", n)
			}
			if res.Digits != tt.digits {
				t.Fatalf("digits %q, want %q", res.Digits, tt.digits)
			}
			if _, ok := s.enqueued.attrs["menu"]; ok || len(*choices) != 0 {
				t.Fatalf("a choice was recorded: attrs %v, choices %v", s.enqueued.attrs, *choices)
			}
			if s.collects[0].Timeout != 5*time.Second || s.collects[0].Max != 1 {
				t.Fatalf("menu waited with %+v, want one key within 5s", s.collects[0])
			}
		})
	}
}

func TestInboundCallerHangsUpInMenu(t *testing.T) {
	f := inboundFlow(t)
	e, _ := inboundEngine()
	s := caller(nil, "5", "hangup")
	res, err := e.Run(context.Background(), f, s)
	if err != nil {
		t.Fatalf("a caller hanging up is no error: %v", err)
	}
	if res.Outcome != ivr.OutcomeCallerHangup {
		t.Fatalf("outcome %s, want caller_hangup", res.Outcome)
	}
	if want := []string{"start", "day", "greeting", "load", "main"}; !slices.Equal(res.Path, want) {
		t.Fatalf("path %v, want %v", res.Path, want)
	}
	if res.Digits != "5" || s.enqueued != nil {
		t.Fatalf("digits %q, enqueued %+v", res.Digits, s.enqueued)
	}
}

func TestInboundHolidayGreeting(t *testing.T) {
	f := inboundFlow(t)
	e, _ := inboundEngine(wednesday.Format(time.DateOnly))
	s := caller(nil, "1")
	res, err := e.Run(context.Background(), f, s)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.Path, "greeting-holiday") || slices.Contains(res.Path, "greeting") {
		t.Fatalf("path %v, want the holiday greeting only", res.Path)
	}
	if !slices.Equal(s.played[0], []string{"greeting-holiday", "en/for-english"}) {
		t.Fatalf("first prompts %v", s.played[0])
	}
	if res.Outcome != ivr.Enqueued("complaints") {
		t.Fatalf("outcome %s", res.Outcome)
	}
}

func TestInboundOverload(t *testing.T) {
	f := inboundFlow(t)
	tests := []struct {
		overloaded string
		want       bool
	}{{"true", true}, {"false", false}, {"", false}}
	for _, tt := range tests {
		t.Run("overloaded="+tt.overloaded, func(t *testing.T) {
			e, _ := inboundEngine()
			s := caller(nil, "3")
			s.attrs = map[string]string{"queue_overloaded": tt.overloaded}
			res, err := e.Run(context.Background(), f, s)
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(res.Path, "overload"); got != tt.want {
				t.Fatalf("overload node visited %v, want %v (path %v)", got, tt.want, res.Path)
			}
			if got := strings.Contains(s.playedAll(), "overload"); got != tt.want {
				t.Fatalf("overload prompt played %v, want %v", got, tt.want)
			}
			if res.Outcome != ivr.Enqueued("business") {
				t.Fatalf("outcome %s", res.Outcome)
			}
		})
	}
}

func TestInboundBargeInSkipsOverloadMessage(t *testing.T) {
	f := inboundFlow(t)
	e, _ := inboundEngine()
	s := caller(map[string]rune{"greeting": '0'})
	s.attrs = map[string]string{"queue_overloaded": "true"}
	res, err := e.Run(context.Background(), f, s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s.playedAll(), "overload") {
		t.Fatalf("overload message played after a barge-in: %s", s.playedAll())
	}
	if res.Outcome != ivr.Enqueued("general") || s.enqueued.attrs["menu"] != "0" {
		t.Fatalf("outcome %s attrs %v", res.Outcome, s.enqueued.attrs)
	}
}
