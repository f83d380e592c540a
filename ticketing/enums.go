package ticketing

import (
	"github.com/cityhotline/hotline"
)

// enum is the shared machinery behind the string enums of this package:
// each has String(), a parser and a round-trip test.
func parseEnum[T ~string](field, s string, all []T) (T, error) {
	for _, v := range all {
		if string(v) == s {
			return v, nil
		}
	}
	names := ""
	for i, v := range all {
		if i > 0 {
			names += ", "
		}
		names += string(v)
	}
	var zero T
	return zero, hotline.Errorf(hotline.EINVALID, "unknown %s %q", field, s).WithField(field, "must be one of "+names)
}

// Channel is how a request reached the centre (受理渠道).
type Channel string

// Channels.
const (
	ChannelPhone   Channel = "phone"
	ChannelWeb     Channel = "web"
	ChannelApp     Channel = "app"
	ChannelOpen311 Channel = "open311"
	ChannelSMS     Channel = "sms"
	ChannelEmail   Channel = "email"
)

// Channels lists every channel.
var Channels = []Channel{ChannelPhone, ChannelWeb, ChannelApp, ChannelOpen311, ChannelSMS, ChannelEmail}

func (c Channel) String() string { return string(c) }

// ParseChannel parses a channel name.
func ParseChannel(s string) (Channel, error) { return parseEnum("channel", s, Channels) }

// RequestType is the 诉求类型.
type RequestType string

// Request types.
const (
	TypeConsult    RequestType = "consult"    // 咨询
	TypeHelp       RequestType = "help"       // 求助
	TypeComplaint  RequestType = "complaint"  // 投诉
	TypeReport     RequestType = "report"     // 举报
	TypeSuggestion RequestType = "suggestion" // 建议
	TypePraise     RequestType = "praise"     // 表扬
)

// RequestTypes lists every request type.
var RequestTypes = []RequestType{TypeConsult, TypeHelp, TypeComplaint, TypeReport, TypeSuggestion, TypePraise}

func (t RequestType) String() string { return string(t) }

// ParseRequestType parses a request type.
func ParseRequestType(s string) (RequestType, error) { return parseEnum("type", s, RequestTypes) }

// Urgency is the deadline tier (紧急程度).
type Urgency string

// Urgency tiers, from the Beijing draft standard.
const (
	UrgencyEmergency Urgency = "emergency" // 2 h
	UrgencyUtility   Urgency = "utility"   // water, power, gas, heating: 24 h
	UrgencyOrdinary  Urgency = "ordinary"  // 7 days
	UrgencyComplex   Urgency = "complex"   // 15 days
)

// Urgencies lists every tier.
var Urgencies = []Urgency{UrgencyEmergency, UrgencyUtility, UrgencyOrdinary, UrgencyComplex}

func (u Urgency) String() string { return string(u) }

// ParseUrgency parses an urgency tier.
func ParseUrgency(s string) (Urgency, error) { return parseEnum("urgency", s, Urgencies) }

// State is where a ticket is in its lifecycle.
type State string

// States of the lifecycle.
const (
	StatePendingDispatch State = "pending_dispatch" // 待派单: awaiting the dispatch centre
	StateDispatched      State = "dispatched"       // 待签收: sent to a unit, not yet accepted
	StateReturned        State = "returned"         // 退单待审: the unit sent it back; the centre rules
	StateInProgress      State = "in_progress"      // 办理中: accepted by the unit
	StateReplied         State = "replied"          // 已反馈: the unit replied; awaiting callback or close
	StateClosed          State = "closed"           // 已办结
	StateArchived        State = "archived"         // 已归档
)

// States lists every state.
var States = []State{StatePendingDispatch, StateDispatched, StateReturned, StateInProgress, StateReplied, StateClosed, StateArchived}

func (s State) String() string { return string(s) }

// ParseState parses a state name.
func ParseState(s string) (State, error) { return parseEnum("state", s, States) }

// Open reports whether the ticket still needs work from someone.
func (s State) Open() bool { return s != StateClosed && s != StateArchived }

// WithUnit reports whether a unit currently holds the ticket.
func (s State) WithUnit() bool { return s == StateDispatched || s == StateInProgress }

// Triage is the intake outcome (Art. 11).
type Triage string

// Triage outcomes.
const (
	TriageDispatch   Triage = "dispatch"    // goes to a unit
	TriageAnswered   Triage = "answered"    // 即时答复, from the knowledge base
	TriageEmergency  Triage = "emergency"   // handed to 110/119/120/122
	TriageNoDispatch Triage = "no_dispatch" // legal channel, duplicate, secret, out of scope, unlawful
	TriageMerged     Triage = "merged"      // folded into another ticket later
)

// Triages lists the outcomes an agent may choose at intake.
var Triages = []Triage{TriageDispatch, TriageAnswered, TriageEmergency, TriageNoDispatch}

func (t Triage) String() string { return string(t) }

// ParseTriage parses a triage outcome.
func ParseTriage(s string) (Triage, error) { return parseEnum("triage", s, Triages) }

// NoDispatchReason says why a request is not dispatched.
type NoDispatchReason string

// Reasons for not dispatching (Art. 11).
const (
	NoDispatchLegalChannel NoDispatchReason = "legal_channel" // 诉讼、仲裁、纪检监察、行政复议、信访 …
	NoDispatchDuplicate    NoDispatchReason = "duplicate"     // same matter already handled, no new facts
	NoDispatchSecret       NoDispatchReason = "secret"        // state or commercial secrets, privacy
	NoDispatchOutOfScope   NoDispatchReason = "out_of_scope"  // no unit's remit
	NoDispatchUnlawful     NoDispatchReason = "unlawful"      // against law or public order
)

// NoDispatchReasons lists every reason.
var NoDispatchReasons = []NoDispatchReason{NoDispatchLegalChannel, NoDispatchDuplicate, NoDispatchSecret, NoDispatchOutOfScope, NoDispatchUnlawful}

func (r NoDispatchReason) String() string { return string(r) }

// ParseNoDispatchReason parses a reason.
func ParseNoDispatchReason(s string) (NoDispatchReason, error) {
	return parseEnum("no_dispatch_reason", s, NoDispatchReasons)
}

// EmergencyLine is where an emergency is handed.
type EmergencyLine string

// Emergency lines.
const (
	Line110 EmergencyLine = "110" // police
	Line119 EmergencyLine = "119" // fire
	Line120 EmergencyLine = "120" // ambulance
	Line122 EmergencyLine = "122" // traffic accidents
)

// EmergencyLines lists every line.
var EmergencyLines = []EmergencyLine{Line110, Line119, Line120, Line122}

func (l EmergencyLine) String() string { return string(l) }

// ParseEmergencyLine parses a line.
func ParseEmergencyLine(s string) (EmergencyLine, error) {
	return parseEnum("handoff", s, EmergencyLines)
}

// Outcome is what a unit's reply says.
type Outcome string

// Reply outcomes.
const (
	OutcomeResolved   Outcome = "resolved"   // 已解决
	OutcomeExplained  Outcome = "explained"  // 已解释说明
	OutcomeUnresolved Outcome = "unresolved" // 未解决
)

// Outcomes lists every outcome.
var Outcomes = []Outcome{OutcomeResolved, OutcomeExplained, OutcomeUnresolved}

func (o Outcome) String() string { return string(o) }

// ParseOutcome parses a reply outcome.
func ParseOutcome(s string) (Outcome, error) { return parseEnum("outcome", s, Outcomes) }

// Light is an SLA clock's traffic light.
type Light string

// Lights.
const (
	LightGreen  Light = "green"
	LightYellow Light = "yellow" // 80 % of the clock used
	LightRed    Light = "red"    // overdue
)

// Lights lists every light.
var Lights = []Light{LightGreen, LightYellow, LightRed}

func (l Light) String() string { return string(l) }

// ParseLight parses a light.
func ParseLight(s string) (Light, error) { return parseEnum("light", s, Lights) }

// Tier is a kind of handling unit; rankings are within a tier.
type Tier string

// Unit tiers.
const (
	TierDistrict     Tier = "district"      // 区
	TierStreet       Tier = "street"        // 街道乡镇
	TierDistrictDept Tier = "district_dept" // 区级部门
	TierCityDept     Tier = "city_dept"     // 市级部门
	TierEnterprise   Tier = "enterprise"    // 国有企业
	TierCentre       Tier = "centre"        // the hotline centre itself
)

// Tiers lists every tier.
var Tiers = []Tier{TierDistrict, TierStreet, TierDistrictDept, TierCityDept, TierEnterprise, TierCentre}

func (t Tier) String() string { return string(t) }

// ParseTier parses a tier.
func ParseTier(s string) (Tier, error) { return parseEnum("tier", s, Tiers) }
