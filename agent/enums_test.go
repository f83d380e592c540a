package agent

import (
	"testing"

	"github.com/cityhotline/hotline"
)

func roundTrip[T ~string](t *testing.T, all []T, parse func(string) (T, error)) {
	t.Helper()
	for _, v := range all {
		got, err := parse(string(v))
		if err != nil || got != v {
			t.Errorf("parse(%q) = %q, %v", v, got, err)
		}
		if s, ok := any(v).(interface{ String() string }); !ok || s.String() != string(v) {
			t.Errorf("%q.String() is not its value", v)
		}
	}
	for _, bad := range []string{"", "no-such-value"} {
		if _, err := parse(bad); hotline.ErrorCode(err) != hotline.EINVALID {
			t.Errorf("parse(%q) error = %v, want EINVALID", bad, err)
		}
	}
}

func TestEnumsRoundTrip(t *testing.T) {
	roundTrip(t, States, ParseState)
	roundTrip(t, ClientReasons, ParseReason)
	roundTrip(t, Strategies, ParseStrategy)
	roundTrip(t, EffectKinds, ParseEffectKind)
	roundTrip(t, EventKinds, ParseEventKind)
}

func TestParseReasonRefusesSystemReasons(t *testing.T) {
	for _, r := range []Reason{ReasonNoAnswer, ReasonLogin} {
		if _, err := ParseReason(string(r)); hotline.ErrorCode(err) != hotline.EINVALID {
			t.Errorf("ParseReason(%q) = %v, want EINVALID", r, err)
		}
	}
	if len(Reasons) != len(ClientReasons)+2 {
		t.Errorf("Reasons = %v", Reasons)
	}
}

func TestPriorityRoundTrip(t *testing.T) {
	for _, p := range []Priority{PriorityNormal, PriorityRepeat, PriorityElderly, PriorityEscalation, 7, -1} {
		got, err := ParsePriority(p.String())
		if err != nil || got != p {
			t.Errorf("ParsePriority(%q) = %d, %v; want %d", p.String(), got, err, p)
		}
	}
	if PriorityElderly.String() != "elderly" {
		t.Errorf("PriorityElderly = %q", PriorityElderly.String())
	}
	if _, err := ParsePriority("urgent"); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("ParsePriority(urgent) = %v, want EINVALID", err)
	}
}

func TestStateBusy(t *testing.T) {
	busy := map[State]bool{StateOffered: true, StateOnCall: true, StateWrapUp: true}
	for _, s := range States {
		if s.Busy() != busy[s] {
			t.Errorf("%s.Busy() = %v", s, s.Busy())
		}
	}
}

func FuzzParsePriority(f *testing.F) {
	for _, s := range []string{"normal", "elderly", "3", "-1", "+7", "007", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePriority(s)
		if err != nil {
			return
		}
		if back, err := ParsePriority(p.String()); err != nil || back != p {
			t.Fatalf("%q → %d → %q → %d, %v", s, p, p.String(), back, err)
		}
	})
}
