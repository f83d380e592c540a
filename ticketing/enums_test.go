package ticketing

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
	}
	if _, err := parse("no-such-value"); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("parse(bad) error = %v, want EINVALID", err)
	}
}

func TestEnumsRoundTrip(t *testing.T) {
	roundTrip(t, Channels, ParseChannel)
	roundTrip(t, RequestTypes, ParseRequestType)
	roundTrip(t, Urgencies, ParseUrgency)
	roundTrip(t, States, ParseState)
	roundTrip(t, Triages, ParseTriage)
	roundTrip(t, NoDispatchReasons, ParseNoDispatchReason)
	roundTrip(t, EmergencyLines, ParseEmergencyLine)
	roundTrip(t, Outcomes, ParseOutcome)
	roundTrip(t, Lights, ParseLight)
	roundTrip(t, Tiers, ParseTier)
	roundTrip(t, TargetKinds, ParseTargetKind)
}

func TestParseErrorNamesField(t *testing.T) {
	_, err := ParseUrgency("soon")
	e, ok := err.(*hotline.Error)
	if !ok || e.Fields["urgency"] == "" {
		t.Fatalf("error %#v does not name the field", err)
	}
}
