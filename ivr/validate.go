package ivr

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cityhotline/hotline"
)

// PromptSet says which prompt references exist; configs implements it over
// the prompt directories.
type PromptSet interface {
	Has(name string) bool
}

// maxProblems caps how many problems one validation error lists.
const maxProblems = 20

// keys are the keypad keys a menu can offer and a collect can end with.
const keys = "0123456789*#"

// Validate checks the flow before it is used: a start node that exists,
// every next pointing at a node, every node reachable from the start, every
// prompt in prompts (skipped when prompts is nil), menus with distinct
// single-key options, sound time windows and the fields each kind needs.
// The EINVALID error lists every problem as "file:line: node id: field: …".
func (f *Flow) Validate(prompts PromptSet) error {
	v := &validator{flow: f, prompts: prompts}
	v.flowFields()
	for _, n := range v.sortedNodes() {
		v.node(n)
	}
	v.reachability()
	return v.err()
}

type validator struct {
	flow    *Flow
	prompts PromptSet
	list    []string
}

func (v *validator) file() string {
	if v.flow.File != "" {
		return v.flow.File
	}
	if v.flow.Name != "" {
		return "flow " + v.flow.Name
	}
	return "flow"
}

// addf records a problem with node n (nil: the flow itself).
func (v *validator) addf(n *Node, field, format string, args ...any) {
	where := v.file()
	if n != nil {
		if n.Line > 0 {
			where = fmt.Sprintf("%s:%d", where, n.Line)
		}
		where += ": node " + n.ID
	}
	v.list = append(v.list, where+": "+field+": "+fmt.Sprintf(format, args...))
}

func (v *validator) err() error {
	if len(v.list) == 0 {
		return nil
	}
	shown, more := v.list, ""
	if len(shown) > maxProblems {
		more = fmt.Sprintf("\n… and %d more", len(shown)-maxProblems)
		shown = shown[:maxProblems]
	}
	return hotline.Errorf(hotline.EINVALID, "%s", strings.Join(shown, "\n")+more)
}

func (v *validator) sortedNodes() []*Node {
	nodes := make([]*Node, 0, len(v.flow.Nodes))
	for id, n := range v.flow.Nodes {
		if n == nil {
			continue
		}
		if n.ID == "" {
			n.ID = id
		}
		nodes = append(nodes, n)
	}
	slices.SortFunc(nodes, func(a, b *Node) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.ID, b.ID))
	})
	return nodes
}

func (v *validator) flowFields() {
	if v.flow.Name == "" {
		v.addf(nil, "name", "missing")
	}
	if len(v.flow.Nodes) == 0 {
		v.addf(nil, "nodes", "the flow has no nodes")
	}
	for _, id := range slices.Sorted(maps.Keys(v.flow.Nodes)) {
		if v.flow.Nodes[id] == nil {
			v.addf(nil, "nodes", "node %q is empty", id)
		}
	}
	switch {
	case v.flow.Start == "":
		v.addf(nil, "start", "missing")
	case v.flow.Nodes[v.flow.Start] == nil:
		v.addf(nil, "start", "unknown node %q", v.flow.Start)
	}
}

// target checks that a field names an existing node.
func (v *validator) target(n *Node, field, id string) {
	if id == "" {
		v.addf(n, field, "missing")
		return
	}
	if v.flow.Nodes[id] == nil {
		v.addf(n, field, "unknown node %q", id)
	}
}

// promptList checks prompt references; required means at least one.
func (v *validator) promptList(n *Node, field string, list []string, required bool) {
	if required && len(list) == 0 {
		v.addf(n, field, "no prompts")
	}
	for _, p := range list {
		switch {
		case p == "":
			v.addf(n, field, "empty prompt name")
		case v.prompts != nil && !v.prompts.Has(p):
			v.addf(n, field, "prompt %q does not exist", p)
		}
	}
}

// node checks one node: its kind-specific fields, then its next.
func (v *validator) node(n *Node) {
	if !v.kindFields(n) {
		return
	}
	switch {
	case n.Kind.Terminal() || n.Kind == KindMenu || n.Kind == KindBranch:
		if n.Next != "" {
			v.addf(n, "next", "a node of kind %s takes no next", n.Kind)
		}
	default:
		v.target(n, "next", n.Next)
	}
}

// kindFields checks the fields of n's kind and reports whether the kind is
// known and its fields present.
func (v *validator) kindFields(n *Node) bool {
	present := map[Kind]bool{
		KindPlay: n.Play != nil, KindCollect: n.Collect != nil, KindMenu: n.Menu != nil,
		KindBranch: n.Branch != nil, KindSet: len(n.Set) > 0, KindEnqueue: n.Enqueue != nil,
		KindTransfer: n.Transfer != nil, KindHangup: n.Hangup != nil,
		KindSayNumber: n.Say != nil, KindSayDigits: n.Say != nil, KindGoto: true,
	}
	ok, known := present[n.Kind]
	if !known {
		v.addf(n, "kind", "unknown node kind %v", n.Kind)
		return false
	}
	if !ok {
		v.addf(n, n.Kind.String(), "missing")
		return false
	}
	switch n.Kind {
	case KindPlay:
		v.promptList(n, "play.prompts", n.Play.Prompts, true)
	case KindCollect:
		v.collect(n)
	case KindMenu:
		v.menu(n)
	case KindBranch:
		v.branch(n)
	case KindSet:
		v.set(n)
	default:
		v.simple(n)
	}
	return true
}

// simple checks the one-field kinds.
func (v *validator) simple(n *Node) {
	switch n.Kind {
	case KindEnqueue:
		if n.Enqueue.Queue == "" {
			v.addf(n, "enqueue.queue", "missing")
		}
		for _, a := range n.Enqueue.Attrs {
			if a == "" {
				v.addf(n, "enqueue.attrs", "empty attribute name")
			}
		}
	case KindTransfer:
		if n.Transfer.Target == "" {
			v.addf(n, "transfer.target", "missing")
		}
	case KindSayNumber, KindSayDigits:
		field := n.Kind.String()
		if n.Say.Attr == "" {
			v.addf(n, field+".attr", "missing")
		}
		v.promptList(n, field+".before", n.Say.Before, false)
		v.promptList(n, field+".after", n.Say.After, false)
	}
}

func (v *validator) set(n *Node) {
	seen := map[string]bool{}
	for _, a := range n.Set {
		if a.Attr == "" {
			v.addf(n, "set", "empty attribute name")
		}
		if seen[a.Attr] {
			v.addf(n, "set", "attribute %q set twice", a.Attr)
		}
		seen[a.Attr] = true
	}
}

func (v *validator) collect(n *Node) {
	c := n.Collect
	v.promptList(n, "collect.prompts", c.Prompts, false)
	if c.Max < 1 || c.Max > 64 {
		v.addf(n, "collect.max", "%d is not between 1 and 64", c.Max)
	}
	if c.Attr == "" {
		v.addf(n, "collect.attr", "missing")
	}
	if c.Timeout < 0 {
		v.addf(n, "collect.timeout", "negative")
	}
	if c.InterDigit < 0 {
		v.addf(n, "collect.inter_digit", "negative")
	}
	if c.Terminator != 0 && c.Terminator != '#' && c.Terminator != '*' {
		v.addf(n, "collect.terminator", "%q is not # or *", c.Terminator)
	}
}

func (v *validator) menu(n *Node) {
	m := n.Menu
	v.promptList(n, "menu.prompts", m.Prompts, true)
	v.promptList(n, "menu.invalid", m.Invalid, false)
	v.promptList(n, "menu.no_input", m.NoInput, false)
	if len(m.Options) == 0 {
		v.addf(n, "menu.options", "a menu needs at least one option")
	}
	seen := map[string]bool{}
	for _, o := range m.Options {
		field := "menu.options." + o.Digit
		if len(o.Digit) != 1 || !strings.Contains(keys, o.Digit) {
			v.addf(n, field, "%q is not one keypad key (0-9, * or #)", o.Digit)
		}
		if seen[o.Digit] {
			v.addf(n, field, "key %q offered twice", o.Digit)
		}
		seen[o.Digit] = true
		v.target(n, field, o.Next)
	}
	if m.Timeout < 0 {
		v.addf(n, "menu.timeout", "negative")
	}
	if m.Retries < 0 {
		v.addf(n, "menu.retries", "negative")
	}
	v.target(n, "menu.on_exhausted", m.OnExhausted)
}

func (v *validator) branch(n *Node) {
	b := n.Branch
	for i, c := range b.Cases {
		field := fmt.Sprintf("branch.cases[%d]", i)
		if c.Time == "" && c.Day == DayAny && c.Attr == "" {
			v.addf(n, field, "no condition (time, day or attr)")
		}
		if c.Time != "" {
			if _, err := parseWindow(c.Time); err != nil {
				v.addf(n, field+".time", "%v", err)
			}
		}
		if _, ok := dayNames[c.Day]; !ok {
			v.addf(n, field+".day", "unknown day type %v", c.Day)
		}
		if c.Attr == "" && (c.Equals != "" || len(c.In) > 0) {
			v.addf(n, field+".attr", "equals or in without an attribute")
		}
		if c.Equals != "" && len(c.In) > 0 {
			v.addf(n, field, "both equals and in")
		}
		v.target(n, field+".next", c.Next)
	}
	v.target(n, "branch.else", b.Else)
}

// reachability reports nodes no path from the start reaches.
func (v *validator) reachability() {
	start := v.flow.Nodes[v.flow.Start]
	if start == nil {
		return
	}
	seen := map[string]bool{v.flow.Start: true}
	queue := []string{v.flow.Start}
	for len(queue) > 0 {
		n := v.flow.Nodes[queue[0]]
		queue = queue[1:]
		for _, next := range n.edges() {
			if !seen[next] && v.flow.Nodes[next] != nil {
				seen[next] = true
				queue = append(queue, next)
			}
		}
	}
	for _, n := range v.sortedNodes() {
		if !seen[n.ID] {
			v.addf(n, "node", "unreachable from start %q", v.flow.Start)
		}
	}
}

// edges lists the nodes n can lead to.
func (n *Node) edges() []string {
	if n == nil {
		return nil
	}
	out := []string{}
	if n.Next != "" {
		out = append(out, n.Next)
	}
	if n.Menu != nil {
		for _, o := range n.Menu.Options {
			out = append(out, o.Next)
		}
		out = append(out, n.Menu.OnExhausted)
	}
	if n.Branch != nil {
		for _, c := range n.Branch.Cases {
			out = append(out, c.Next)
		}
		out = append(out, n.Branch.Else)
	}
	return out
}
