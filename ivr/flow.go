// Package ivr runs the hotline's voice menus: a Flow is a graph of nodes
// (play a prompt, collect digits, offer a menu, branch, set an attribute,
// enqueue, transfer, hang up), and an Engine walks it over a Session, the
// small interface a live call implements. The package knows no SIP, RTP or
// file format: flows are decoded elsewhere (configs) into the types here
// and checked with Flow.Validate before they are used.
package ivr

import (
	"fmt"
	"time"

	"github.com/cityhotline/hotline"
)

// Kind is what a node does.
type Kind int

// The node kinds.
const (
	KindPlay Kind = iota + 1
	KindCollect
	KindMenu
	KindBranch
	KindSet
	KindEnqueue
	KindTransfer
	KindHangup
	KindSayNumber
	KindSayDigits
	KindGoto
)

var kindNames = map[Kind]string{
	KindPlay:      "play",
	KindCollect:   "collect",
	KindMenu:      "menu",
	KindBranch:    "branch",
	KindSet:       "set",
	KindEnqueue:   "enqueue",
	KindTransfer:  "transfer",
	KindHangup:    "hangup",
	KindSayNumber: "say_number",
	KindSayDigits: "say_digits",
	KindGoto:      "goto",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ParseKind parses a node kind name as written in flow files.
func ParseKind(s string) (Kind, error) {
	for k, name := range kindNames {
		if name == s {
			return k, nil
		}
	}
	return 0, hotline.Errorf(hotline.EINVALID, "unknown node kind %q", s)
}

// Terminal reports whether a node of this kind ends the flow.
func (k Kind) Terminal() bool {
	return k == KindEnqueue || k == KindTransfer || k == KindHangup
}

// Flow is one voice menu: named nodes and the node to start at.
type Flow struct {
	Name  string
	File  string // where the flow came from, for messages; may be empty
	Start string
	Nodes map[string]*Node
}

// Node is one step of a flow. Kind says which of the kind-specific fields
// is set; Next is the following node for play, collect, set, say_number,
// say_digits and goto, and unused by the others.
type Node struct {
	ID   string
	Kind Kind
	Line int // line in File, 0 when unknown
	Next string

	Play     *Play
	Collect  *Collect
	Menu     *Menu
	Branch   *Branch
	Set      []Assignment
	Enqueue  *Enqueue
	Transfer *Transfer
	Hangup   *Hangup
	Say      *Say // say_number and say_digits
}

// Prompt references name recorded prompts. A bare name ("greeting") is
// played in the call's language (the attribute lang); "en/for-english"
// names a prompt of one language whatever the call's language is.

// Play plays prompts.
type Play struct {
	Prompts []string
	BargeIn bool // a key pressed during playback stops it and is kept for the next menu or collect
}

// Collect gathers up to Max keys into an attribute.
type Collect struct {
	Prompts    []string // played first, with barge-in
	Max        int
	Timeout    time.Duration // for the first key; DefaultTimeout when zero
	InterDigit time.Duration // between keys; DefaultInterDigit when zero
	Terminator rune          // ends input early; '#' when zero
	Attr       string        // where the keys go (without the terminator)
}

// Defaults for menus and collects.
const (
	DefaultTimeout    = 5 * time.Second
	DefaultInterDigit = 3 * time.Second
	DefaultRetries    = 3
)

// Menu offers options by single key, with retries.
type Menu struct {
	Prompts     []string
	Options     []Option
	Attr        string        // records the chosen key; optional
	Timeout     time.Duration // wait for a key after the prompt; DefaultTimeout when zero
	Retries     int           // attempts before OnExhausted; DefaultRetries when zero
	Invalid     []string      // played after a key that is not an option
	NoInput     []string      // played when no key came in time
	OnExhausted string        // node after the last failed attempt
}

// Option maps a key to the next node.
type Option struct {
	Digit string // one of 0-9 * #
	Next  string
}

// Branch picks the first case whose condition holds, else Else.
type Branch struct {
	Cases []Case
	Else  string
}

// Case is one branch condition and its target. Every field that is set
// must hold; a case with none set never matches (Validate rejects it).
type Case struct {
	Time   string   // "09:00-20:00" local time window, end exclusive; may wrap midnight
	Day    DayType  // workday, holiday or weekend
	Attr   string   // attribute name, compared with Equals or In
	Equals string   // the attribute equals this ("" matches an unset attribute)
	In     []string // or the attribute is one of these
	Next   string
}

// DayType classifies a day through the Calendar.
type DayType int

// The day types a branch can test.
const (
	DayAny     DayType = iota
	DayWorkday         // Calendar.Workday
	DayHoliday         // Calendar.Holiday
	DayWeekend         // a rest day that is not a holiday
)

var dayNames = map[DayType]string{DayAny: "", DayWorkday: "workday", DayHoliday: "holiday", DayWeekend: "weekend"}

func (d DayType) String() string {
	if s, ok := dayNames[d]; ok {
		return s
	}
	return fmt.Sprintf("DayType(%d)", int(d))
}

// ParseDayType parses workday, holiday or weekend ("" is DayAny).
func ParseDayType(s string) (DayType, error) {
	for d, name := range dayNames {
		if name == s {
			return d, nil
		}
	}
	return 0, hotline.Errorf(hotline.EINVALID, "unknown day type %q: want workday, holiday or weekend", s)
}

// Assignment sets an attribute.
type Assignment struct {
	Attr  string
	Value string
}

// Enqueue hands the call to an ACD queue; the flow ends there.
type Enqueue struct {
	Queue    string
	Attrs    []string // names of the attributes passed with the call
	Priority int
}

// Transfer sends the call elsewhere; the flow ends there.
type Transfer struct {
	Target string
}

// Hangup ends the call.
type Hangup struct {
	Cause string
}

// Say speaks a number (say_number) or a digit string (say_digits) read from
// an attribute, between optional prompts.
type Say struct {
	Attr    string
	Before  []string
	After   []string
	BargeIn bool
}
