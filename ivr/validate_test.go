package ivr_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ivr"
)

type promptNames map[string]bool

func (p promptNames) Has(name string) bool { return p[name] }

// validFlow is a small flow that passes; each case breaks it in one place.
func validFlow() *ivr.Flow {
	nodes := []*ivr.Node{
		{ID: "hello", Line: 3, Kind: ivr.KindPlay, Play: &ivr.Play{Prompts: []string{"greeting"}, BargeIn: true}, Next: "when"},
		{ID: "when", Line: 6, Kind: ivr.KindBranch, Branch: &ivr.Branch{
			Cases: []ivr.Case{{Time: "09:00-20:00", Next: "menu"}}, Else: "menu",
		}},
		{ID: "menu", Line: 10, Kind: ivr.KindMenu, Menu: &ivr.Menu{
			Prompts: []string{"main-menu"}, Options: []ivr.Option{{Digit: "1", Next: "code"}, {Digit: "0", Next: "queue"}},
			Invalid: []string{"invalid-input"}, OnExhausted: "queue",
		}},
		{ID: "code", Line: 20, Kind: ivr.KindCollect, Collect: &ivr.Collect{Max: 4, Attr: "code"}, Next: "queue"},
		{ID: "queue", Line: 25, Kind: ivr.KindEnqueue, Enqueue: &ivr.Enqueue{Queue: "general"}},
	}
	f := &ivr.Flow{Name: "inbound", File: "inbound.yaml", Start: "hello", Nodes: map[string]*ivr.Node{}}
	for _, n := range nodes {
		f.Nodes[n.ID] = n
	}
	return f
}

var shippedNames = promptNames{"greeting": true, "main-menu": true, "invalid-input": true}

func TestValidate(t *testing.T) {
	if err := validFlow().Validate(shippedNames); err != nil {
		t.Fatalf("the valid flow fails: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(f *ivr.Flow)
		want   string
	}{
		{"missing start", func(f *ivr.Flow) { f.Start = "" }, "inbound.yaml: start: missing"},
		{"unknown start", func(f *ivr.Flow) { f.Start = "hi" }, `inbound.yaml: start: unknown node "hi"`},
		{"next to unknown node", func(f *ivr.Flow) { f.Nodes["code"].Next = "queu" }, `inbound.yaml:20: node code: next: unknown node "queu"`},
		{"missing next", func(f *ivr.Flow) { f.Nodes["hello"].Next = "" }, "inbound.yaml:3: node hello: next: missing"},
		{"option to unknown node", func(f *ivr.Flow) { f.Nodes["menu"].Menu.Options[0].Next = "nowhere" },
			`inbound.yaml:10: node menu: menu.options.1: unknown node "nowhere"`},
		{"branch else unknown", func(f *ivr.Flow) { f.Nodes["when"].Branch.Else = "x" }, `inbound.yaml:6: node when: branch.else: unknown node "x"`},
		{"unreachable node", func(f *ivr.Flow) {
			f.Nodes["orphan"] = &ivr.Node{ID: "orphan", Line: 30, Kind: ivr.KindHangup, Hangup: &ivr.Hangup{}}
		}, `inbound.yaml:30: node orphan: node: unreachable from start "hello"`},
		{"missing prompt", func(f *ivr.Flow) { f.Nodes["hello"].Play.Prompts = []string{"greting"} },
			`inbound.yaml:3: node hello: play.prompts: prompt "greting" does not exist`},
		{"missing invalid prompt", func(f *ivr.Flow) { f.Nodes["menu"].Menu.Invalid = []string{"oops"} },
			`inbound.yaml:10: node menu: menu.invalid: prompt "oops" does not exist`},
		{"menu without options", func(f *ivr.Flow) { f.Nodes["menu"].Menu.Options = nil },
			"inbound.yaml:10: node menu: menu.options: a menu needs at least one option"},
		{"duplicate digit", func(f *ivr.Flow) {
			f.Nodes["menu"].Menu.Options = append(f.Nodes["menu"].Menu.Options, ivr.Option{Digit: "1", Next: "queue"})
		}, `inbound.yaml:10: node menu: menu.options.1: key "1" offered twice`},
		{"two-key option", func(f *ivr.Flow) { f.Nodes["menu"].Menu.Options[0].Digit = "12" },
			`menu.options.12: "12" is not one keypad key`},
		{"menu without on_exhausted", func(f *ivr.Flow) { f.Nodes["menu"].Menu.OnExhausted = "" },
			"inbound.yaml:10: node menu: menu.on_exhausted: missing"},
		{"bad time window", func(f *ivr.Flow) { f.Nodes["when"].Branch.Cases[0].Time = "9-20" },
			`inbound.yaml:6: node when: branch.cases[0].time: time window "9-20"`},
		{"time past midnight", func(f *ivr.Flow) { f.Nodes["when"].Branch.Cases[0].Time = "09:00-24:30" },
			`"24:30" is past the end of the day`},
		{"empty time window", func(f *ivr.Flow) { f.Nodes["when"].Branch.Cases[0].Time = "09:00-09:00" },
			`time window "09:00-09:00" is empty`},
		{"case without condition", func(f *ivr.Flow) { f.Nodes["when"].Branch.Cases[0].Time = "" },
			"node when: branch.cases[0]: no condition"},
		{"equals and in", func(f *ivr.Flow) {
			f.Nodes["when"].Branch.Cases[0] = ivr.Case{Attr: "a", Equals: "x", In: []string{"y"}, Next: "menu"}
		}, "branch.cases[0]: both equals and in"},
		{"collect max", func(f *ivr.Flow) { f.Nodes["code"].Collect.Max = 0 }, "node code: collect.max: 0 is not between 1 and 64"},
		{"collect attr", func(f *ivr.Flow) { f.Nodes["code"].Collect.Attr = "" }, "node code: collect.attr: missing"},
		{"collect terminator", func(f *ivr.Flow) { f.Nodes["code"].Collect.Terminator = '5' }, "collect.terminator: '5' is not # or *"},
		{"negative timeout", func(f *ivr.Flow) { f.Nodes["menu"].Menu.Timeout = -time.Second }, "menu.timeout: negative"},
		{"enqueue without queue", func(f *ivr.Flow) { f.Nodes["queue"].Enqueue.Queue = "" }, "node queue: enqueue.queue: missing"},
		{"terminal with next", func(f *ivr.Flow) { f.Nodes["queue"].Next = "hello" }, "node queue: next: a node of kind enqueue takes no next"},
		{"kind without its fields", func(f *ivr.Flow) { f.Nodes["code"].Collect = nil }, "inbound.yaml:20: node code: collect: missing"},
		{"no name", func(f *ivr.Flow) { f.Name = "" }, "inbound.yaml: name: missing"},
		{"empty node", func(f *ivr.Flow) { f.Nodes["ghost"] = nil }, `inbound.yaml: nodes: node "ghost" is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validFlow()
			tt.mutate(f)
			err := f.Validate(shippedNames)
			if err == nil {
				t.Fatal("no error")
			}
			if hotline.ErrorCode(err) != hotline.EINVALID {
				t.Fatalf("code %s, want invalid", hotline.ErrorCode(err))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error\n%v\ndoes not contain\n%s", err, tt.want)
			}
		})
	}
}

func TestValidateWithoutPromptsSkipsPromptChecks(t *testing.T) {
	f := validFlow()
	f.Nodes["hello"].Play.Prompts = []string{"anything"}
	if err := f.Validate(nil); err != nil {
		t.Fatal(err)
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	f := validFlow()
	f.Nodes["code"].Next = "x"
	f.Nodes["hello"].Play.Prompts = []string{"y"}
	err := f.Validate(shippedNames)
	if err == nil || !strings.Contains(err.Error(), `unknown node "x"`) || !strings.Contains(err.Error(), `prompt "y"`) {
		t.Fatalf("want both problems, got %v", err)
	}
	// Ordered by line: node hello (line 3) before node code (line 20).
	if strings.Index(err.Error(), "node hello") > strings.Index(err.Error(), "node code") {
		t.Fatalf("problems out of line order:\n%v", err)
	}
}

func TestEnumsRoundTrip(t *testing.T) {
	for k := ivr.KindPlay; k <= ivr.KindGoto; k++ {
		got, err := ivr.ParseKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, err)
		}
	}
	if _, err := ivr.ParseKind("dance"); err == nil {
		t.Error("ParseKind accepted dance")
	}
	for _, d := range []ivr.DayType{ivr.DayAny, ivr.DayWorkday, ivr.DayHoliday, ivr.DayWeekend} {
		got, err := ivr.ParseDayType(d.String())
		if err != nil || got != d {
			t.Errorf("ParseDayType(%q) = %v, %v", d.String(), got, err)
		}
	}
	if _, err := ivr.ParseDayType("friday"); err == nil {
		t.Error("ParseDayType accepted friday")
	}
	for _, o := range []ivr.Outcome{ivr.Enqueued("policy"), ivr.OutcomeTransferred, ivr.OutcomeHangup, ivr.OutcomeCallerHangup, ivr.OutcomeError} {
		got, err := ivr.ParseOutcome(o.String())
		if err != nil || got != o {
			t.Errorf("ParseOutcome(%q) = %v, %v", o.String(), got, err)
		}
	}
	for _, bad := range []string{"enqueued:", "queued", ""} {
		if _, err := ivr.ParseOutcome(bad); err == nil {
			t.Errorf("ParseOutcome accepted %q", bad)
		}
	}
	if q, ok := ivr.Enqueued("english").Queue(); !ok || q != "english" {
		t.Errorf("Queue() = %q, %v", q, ok)
	}
}
