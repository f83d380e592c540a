package ivr_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline/ivr"
)

// flow builds a flow named test from nodes (the first is the start) and
// makes sure it is valid.
func flow(t *testing.T, nodes ...*ivr.Node) *ivr.Flow {
	t.Helper()
	f := &ivr.Flow{Name: "test", Start: nodes[0].ID, Nodes: map[string]*ivr.Node{}}
	for _, n := range nodes {
		f.Nodes[n.ID] = n
	}
	if err := f.Validate(nil); err != nil {
		t.Fatal(err)
	}
	return f
}

func hangupNode(id string) *ivr.Node {
	return &ivr.Node{ID: id, Kind: ivr.KindHangup, Hangup: &ivr.Hangup{}}
}

func setNode(id, attr, value, next string) *ivr.Node {
	return &ivr.Node{ID: id, Kind: ivr.KindSet, Set: []ivr.Assignment{{Attr: attr, Value: value}}, Next: next}
}

func TestCollect(t *testing.T) {
	collect := &ivr.Node{ID: "ask", Kind: ivr.KindCollect, Next: "bye", Collect: &ivr.Collect{
		Prompts: []string{"ask-number"}, Max: 4, Timeout: 7 * time.Second, InterDigit: 2 * time.Second, Attr: "code",
	}}
	tests := []struct {
		name       string
		barge      rune
		keys       string
		want       string
		wantSpec   *ivr.CollectSpec // nil: no Collect call
		wantDigits string
	}{
		{"all keys", 0, "1234", "1234", &ivr.CollectSpec{Max: 4, Timeout: 7 * time.Second, InterDigit: 2 * time.Second, Terminator: '#'}, "1234"},
		{"terminator", 0, "12#", "12", &ivr.CollectSpec{Max: 4, Timeout: 7 * time.Second, InterDigit: 2 * time.Second, Terminator: '#'}, "12#"},
		{"timeout", 0, "", "", &ivr.CollectSpec{Max: 4, Timeout: 7 * time.Second, InterDigit: 2 * time.Second, Terminator: '#'}, ""},
		{"first key during prompt", '5', "67", "567", &ivr.CollectSpec{Max: 3, Timeout: 2 * time.Second, InterDigit: 2 * time.Second, Terminator: '#'}, "567"},
		{"terminator during prompt", '#', "", "", nil, "#"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := caller(map[string]rune{"ask-number": tt.barge}, tt.keys)
			if tt.barge == 0 {
				s = caller(nil, tt.keys)
			}
			res, err := (&ivr.Engine{}).Run(context.Background(), flow(t, collect, hangupNode("bye")), s)
			if err != nil {
				t.Fatal(err)
			}
			if res.Attrs["code"] != tt.want || s.attrs["code"] != tt.want {
				t.Fatalf("code %q (session %q), want %q", res.Attrs["code"], s.attrs["code"], tt.want)
			}
			if res.Digits != tt.wantDigits {
				t.Fatalf("digits %q, want %q", res.Digits, tt.wantDigits)
			}
			switch {
			case tt.wantSpec == nil && len(s.collects) != 0:
				t.Fatalf("collected %+v after the terminator", s.collects)
			case tt.wantSpec != nil && (len(s.collects) != 1 || s.collects[0] != *tt.wantSpec):
				t.Fatalf("collect specs %+v, want %+v", s.collects, *tt.wantSpec)
			}
			if res.Outcome != ivr.OutcomeHangup || s.cause != "normal" {
				t.Fatalf("outcome %s cause %q", res.Outcome, s.cause)
			}
		})
	}
}

func TestPlayWithoutBargeInIgnoresKeys(t *testing.T) {
	f := flow(t,
		&ivr.Node{ID: "notice", Kind: ivr.KindPlay, Play: &ivr.Play{Prompts: []string{"notice"}}, Next: "menu"},
		&ivr.Node{ID: "menu", Kind: ivr.KindMenu, Menu: &ivr.Menu{
			Prompts: []string{"menu"}, Options: []ivr.Option{{Digit: "1", Next: "one"}, {Digit: "2", Next: "two"}}, OnExhausted: "two",
		}},
		hangupNode("one"), hangupNode("two"),
	)
	s := caller(map[string]rune{"notice": '1'}, "2")
	var bargeFlags []bool
	inner := s.PlayFunc
	s.PlayFunc = func(p []string, b bool) (rune, error) {
		bargeFlags = append(bargeFlags, b)
		return inner(p, b)
	}
	res, err := (&ivr.Engine{}).Run(context.Background(), f, s)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(bargeFlags, []bool{false, true}) {
		t.Fatalf("barge-in flags %v, want [false true]", bargeFlags)
	}
	if res.Path[len(res.Path)-1] != "two" || res.Digits != "2" {
		t.Fatalf("path %v digits %q: the key pressed during a prompt without barge-in was used", res.Path, res.Digits)
	}
}

func TestBranchTimeWindows(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	at := func(h, m int) time.Time { return time.Date(2026, 11, 25, h, m, 0, 0, cst) }
	tests := []struct {
		window string
		now    time.Time
		want   bool
	}{
		{"09:00-20:00", at(8, 59), false},
		{"09:00-20:00", at(9, 0), true},
		{"09:00-20:00", at(19, 59), true},
		{"09:00-20:00", at(20, 0), false},
		{"20:00-08:00", at(23, 30), true},
		{"20:00-08:00", at(7, 59), true},
		{"20:00-08:00", at(12, 0), false},
		{"00:00-24:00", at(0, 0), true},
		// The clock is read in Asia/Shanghai: 01:30 UTC is 09:30 there.
		{"09:00-20:00", time.Date(2026, 11, 25, 1, 30, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		t.Run(tt.window+"@"+tt.now.Format("15:04Z07"), func(t *testing.T) {
			f := flow(t,
				&ivr.Node{ID: "b", Kind: ivr.KindBranch, Branch: &ivr.Branch{
					Cases: []ivr.Case{{Time: tt.window, Next: "in"}}, Else: "out",
				}},
				hangupNode("in"), hangupNode("out"),
			)
			res, err := (&ivr.Engine{Clock: fixedClock(tt.now)}).Run(context.Background(), f, &fakeSession{})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Path[1] == "in"; got != tt.want {
				t.Fatalf("in window %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBranchDaysAndAttributes(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	wed := time.Date(2026, 11, 25, 10, 0, 0, 0, cst)
	sat := time.Date(2026, 11, 28, 10, 0, 0, 0, cst)
	cases := []ivr.Case{
		{Day: ivr.DayHoliday, Next: "holiday"},
		{Day: ivr.DayWeekend, Next: "weekend"},
		{Attr: "caller_type", In: []string{"vip", "official"}, Next: "vip"},
		{Attr: "blocked", Next: "blocked"}, // set at all
		{Day: ivr.DayWorkday, Time: "09:00-12:00", Attr: "lang", Equals: "en", Next: "english-morning"},
	}
	tests := []struct {
		name     string
		now      time.Time
		holidays []string
		attrs    map[string]string
		want     string
	}{
		{"holiday beats weekend", sat, []string{"2026-11-28"}, nil, "holiday"},
		{"weekend", sat, nil, nil, "weekend"},
		{"in list", wed, nil, map[string]string{"caller_type": "official"}, "vip"},
		{"not in list", wed, nil, map[string]string{"caller_type": "citizen"}, "else"},
		{"attribute set", wed, nil, map[string]string{"blocked": "yes"}, "blocked"},
		{"all of a case", wed, nil, map[string]string{"lang": "en"}, "english-morning"},
		{"one of a case fails", wed.Add(3 * time.Hour), nil, map[string]string{"lang": "en"}, "else"},
		{"workday holiday", wed, []string{"2026-11-25"}, map[string]string{"lang": "en"}, "holiday"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes := []*ivr.Node{{ID: "b", Kind: ivr.KindBranch, Branch: &ivr.Branch{Cases: cases, Else: "else"}}, hangupNode("else")}
			for _, c := range cases {
				nodes = append(nodes, hangupNode(c.Next))
			}
			cal := fakeCalendar{holidays: map[string]bool{}}
			for _, h := range tt.holidays {
				cal.holidays[h] = true
			}
			e := &ivr.Engine{Clock: fixedClock(tt.now), Calendar: cal}
			res, err := e.Run(context.Background(), flow(t, nodes...), &fakeSession{attrs: tt.attrs})
			if err != nil {
				t.Fatal(err)
			}
			if res.Path[1] != tt.want {
				t.Fatalf("went to %s, want %s", res.Path[1], tt.want)
			}
		})
	}
}

func TestSayNumberAndDigits(t *testing.T) {
	f := flow(t,
		setNode("lang", "lang", "en", "pos"),
		&ivr.Node{ID: "pos", Kind: ivr.KindSayNumber, Next: "ticket", Say: &ivr.Say{
			Attr: "queue_position", Before: []string{"queue-ahead"}, After: []string{"queue-people"},
		}},
		&ivr.Node{ID: "ticket", Kind: ivr.KindSayDigits, Next: "bad", Say: &ivr.Say{Attr: "ticket"}},
		&ivr.Node{ID: "bad", Kind: ivr.KindSayNumber, Next: "bye", Say: &ivr.Say{Attr: "ticket_missing", Before: []string{"x"}}},
		hangupNode("bye"),
	)
	e := &ivr.Engine{
		SayNumber: func(n int, lang string) []string { return []string{lang + ":n" + strconv.Itoa(n)} },
		SayDigits: func(d, lang string) []string {
			var out []string
			for _, c := range d {
				out = append(out, lang+":d"+string(c))
			}
			return out
		},
	}
	s := &fakeSession{attrs: map[string]string{"queue_position": "12", "ticket": "907", "ticket_missing": "n/a"}}
	if _, err := e.Run(context.Background(), f, s); err != nil {
		t.Fatal(err)
	}
	want := "queue-ahead en:n12 queue-people en:d9 en:d0 en:d7"
	if got := s.playedAll(); got != want {
		t.Fatalf("played %q, want %q", got, want)
	}
}

func TestTerminalOutcomes(t *testing.T) {
	boom := errors.New("no route")
	tests := []struct {
		name    string
		node    *ivr.Node
		session *fakeSession
		want    ivr.Outcome
		wantErr error
	}{
		{"transfer", &ivr.Node{ID: "t", Kind: ivr.KindTransfer, Transfer: &ivr.Transfer{Target: "110"}}, &fakeSession{}, ivr.OutcomeTransferred, nil},
		{"hangup", &ivr.Node{ID: "h", Kind: ivr.KindHangup, Hangup: &ivr.Hangup{Cause: "busy"}}, &fakeSession{}, ivr.OutcomeHangup, nil},
		{"enqueue priority", &ivr.Node{ID: "q", Kind: ivr.KindEnqueue, Enqueue: &ivr.Enqueue{Queue: "vip", Priority: 5, Attrs: []string{"a", "unset"}}},
			&fakeSession{attrs: map[string]string{"a": "1"}}, ivr.Enqueued("vip"), nil},
		{"transfer fails", &ivr.Node{ID: "t", Kind: ivr.KindTransfer, Transfer: &ivr.Transfer{Target: "110"}},
			&fakeSession{TransferFunc: func(string) error { return boom }}, ivr.OutcomeError, boom},
		{"enqueue while hanging up", &ivr.Node{ID: "q", Kind: ivr.KindEnqueue, Enqueue: &ivr.Enqueue{Queue: "general"}},
			&fakeSession{EnqueueFunc: func(string, map[string]string, int) error { return ivr.ErrHangup }}, ivr.OutcomeCallerHangup, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := (&ivr.Engine{}).Run(context.Background(), flow(t, tt.node), tt.session)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if res.Outcome != tt.want {
				t.Fatalf("outcome %s, want %s", res.Outcome, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), "node t (transfer)") {
				t.Fatalf("error %q does not name the node", err)
			}
		})
	}
	s := &fakeSession{attrs: map[string]string{"a": "1"}}
	f := flow(t, &ivr.Node{ID: "q", Kind: ivr.KindEnqueue, Enqueue: &ivr.Enqueue{Queue: "vip", Priority: 5, Attrs: []string{"a", "unset"}}})
	if _, err := (&ivr.Engine{}).Run(context.Background(), f, s); err != nil {
		t.Fatal(err)
	}
	if s.enqueued.priority != 5 || !maps.Equal(s.enqueued.attrs, map[string]string{"a": "1"}) {
		t.Fatalf("enqueued %+v", s.enqueued)
	}
}

func TestStepLimit(t *testing.T) {
	f := flow(t,
		&ivr.Node{ID: "a", Kind: ivr.KindGoto, Next: "b"},
		&ivr.Node{ID: "b", Kind: ivr.KindPlay, Play: &ivr.Play{Prompts: []string{"loop"}}, Next: "a"},
	)
	s := &fakeSession{}
	res, err := (&ivr.Engine{}).Run(context.Background(), f, s)
	if !errors.Is(err, ivr.ErrStepLimit) {
		t.Fatalf("err %v, want ErrStepLimit", err)
	}
	if res.Outcome != ivr.OutcomeError || len(res.Path) != ivr.DefaultMaxSteps {
		t.Fatalf("outcome %s after %d steps, want error after %d", res.Outcome, len(res.Path), ivr.DefaultMaxSteps)
	}
	if len(s.played) != ivr.DefaultMaxSteps/2 {
		t.Fatalf("played %d times", len(s.played))
	}
	res, err = (&ivr.Engine{MaxSteps: 7}).Run(context.Background(), f, &fakeSession{})
	if !errors.Is(err, ivr.ErrStepLimit) || len(res.Path) != 7 {
		t.Fatalf("MaxSteps 7: err %v after %d steps", err, len(res.Path))
	}
}

func TestWithLoggerKeepsSettings(t *testing.T) {
	e := &ivr.Engine{MaxSteps: 3, DefaultLanguage: "en"}
	c := e.WithLogger(nil)
	if c == e || c.MaxSteps != 3 || c.DefaultLanguage != "en" {
		t.Fatalf("WithLogger returned %+v", c)
	}
}

func TestCancelledContextEndsTheRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := flow(t,
		&ivr.Node{ID: "a", Kind: ivr.KindPlay, Play: &ivr.Play{Prompts: []string{"x"}}, Next: "b"},
		hangupNode("b"),
	)
	s := &fakeSession{PlayFunc: func([]string, bool) (rune, error) { cancel(); return 0, nil }}
	res, err := (&ivr.Engine{}).Run(ctx, f, s)
	if !errors.Is(err, context.Canceled) || res.Outcome != ivr.OutcomeError || s.cause != "" {
		t.Fatalf("err %v outcome %s cause %q", err, res.Outcome, s.cause)
	}
	if !slices.Equal(res.Path, []string{"a"}) {
		t.Fatalf("path %v", res.Path)
	}
}

func TestResolvePrompt(t *testing.T) {
	for _, tt := range []struct{ ref, lang, wantLang, wantName string }{
		{"greeting", "zh", "zh", "greeting"},
		{"greeting", "en", "en", "greeting"},
		{"en/for-english", "zh", "en", "for-english"},
	} {
		l, n := ivr.ResolvePrompt(tt.ref, tt.lang)
		if l != tt.wantLang || n != tt.wantName {
			t.Errorf("ResolvePrompt(%q, %q) = %q, %q", tt.ref, tt.lang, l, n)
		}
	}
}
