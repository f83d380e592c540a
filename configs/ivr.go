package configs

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ivr"
	"go.yaml.in/yaml/v3"
)

//go:embed ivr/*.yaml
var ivrFlows embed.FS

//go:embed prompts/zh-CN/*.wav prompts/en/*.wav
var prompts embed.FS

// InboundFlow is the file of the flow every inbound call starts in.
const InboundFlow = "inbound.yaml"

// IVRFlows returns the shipped IVR flow files (inbound.yaml, …).
func IVRFlows() fs.FS { return subFS(ivrFlows, "ivr") }

// Prompts returns the shipped prompts: <dir>/<name>.wav for each language
// language (zh-CN/, en/), 8 kHz mono 16-bit PCM.
func Prompts() fs.FS { return subFS(prompts, "prompts") }

func subFS(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		// fs.Sub fails only for an invalid path, and dir is a valid one.
		return fsys
	}
	return sub
}

// promptDirs maps a call language (the IVR attribute lang) to its
// prompt directory.
var promptDirs = map[string]string{"zh": "zh-CN", "en": "en"}

// PromptFile returns the path, inside a prompts file system, of prompt
// reference ref played to a call in language lang: a bare name is looked up
// in lang's directory, "en/name" in en's whatever lang is.
func PromptFile(lang, ref string) string {
	lang, ref = ivr.ResolvePrompt(ref, lang)
	dir, ok := promptDirs[lang]
	if !ok {
		dir = lang
	}
	return dir + "/" + ref + ".wav"
}

// PromptSet reports which prompt references a prompts file system can play:
// a bare name must exist in every language, "lang/name" in that language.
func PromptSet(fsys fs.FS) ivr.PromptSet { return promptSet{fsys} }

type promptSet struct{ fsys fs.FS }

func (p promptSet) Has(ref string) bool {
	lang, name, fixed := strings.Cut(ref, "/")
	if !fixed {
		name = ref
	}
	if !promptName(name) {
		return false
	}
	if fixed {
		_, known := promptDirs[lang]
		return known && p.exists(PromptFile(lang, name))
	}
	for lang := range promptDirs {
		if !p.exists(PromptFile(lang, name)) {
			return false
		}
	}
	return true
}

func (p promptSet) exists(file string) bool {
	st, err := fs.Stat(p.fsys, file)
	return err == nil && st.Mode().IsRegular()
}

// promptName allows letters, digits, '-' and '_', so a reference can never
// leave the prompts directory.
func promptName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		ok := c == '-' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}

// LoadFlow reads flow file name (".yaml" added when missing) from fsys,
// decodes it strictly and validates its structure. Prompts are checked by
// LoadFlows, or by Validate with a PromptSet.
func LoadFlow(fsys fs.FS, name string) (*ivr.Flow, error) {
	if path.Ext(name) == "" {
		name += ".yaml"
	}
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read IVR flow %s: %w", name, err)
	}
	f, err := decodeFlow(name, b)
	if err != nil {
		return nil, err
	}
	if err := f.Validate(nil); err != nil {
		return nil, err
	}
	return f, nil
}

// LoadFlows loads every *.yaml flow in flows and validates each against
// the prompts file system. The map is keyed by flow name.
func LoadFlows(flows, promptFS fs.FS) (map[string]*ivr.Flow, error) {
	names, err := fs.Glob(flows, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list IVR flows: %w", err)
	}
	out := map[string]*ivr.Flow{}
	var errs []error
	set := PromptSet(promptFS)
	for _, name := range names {
		f, err := LoadFlow(flows, name)
		if err == nil {
			err = f.Validate(set)
		}
		if err == nil && out[f.Name] != nil {
			err = hotline.Errorf(hotline.EINVALID, "%s: flow name %q used twice", name, f.Name)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[f.Name] = f
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// The flow file format (docs/ivr.md). Each node holds exactly one kind key.
type flowFile struct {
	Name  string               `yaml:"name"`
	Start string               `yaml:"start"`
	Nodes map[string]*nodeFile `yaml:"nodes"`
}

type nodeFile struct {
	Next      string            `yaml:"next"`
	Play      *playFile         `yaml:"play"`
	Collect   *collectFile      `yaml:"collect"`
	Menu      *menuFile         `yaml:"menu"`
	Branch    *branchFile       `yaml:"branch"`
	Set       map[string]string `yaml:"set"`
	Enqueue   *enqueueFile      `yaml:"enqueue"`
	Transfer  *transferFile     `yaml:"transfer"`
	Hangup    *hangupFile       `yaml:"hangup"`
	SayNumber *sayFile          `yaml:"say_number"`
	SayDigits *sayFile          `yaml:"say_digits"`
	Goto      *string           `yaml:"goto"`
}

type playFile struct {
	Prompts []string `yaml:"prompts"`
	BargeIn bool     `yaml:"barge_in"`
}

type collectFile struct {
	Prompts    []string      `yaml:"prompts"`
	Max        int           `yaml:"max"`
	Timeout    time.Duration `yaml:"timeout"`
	InterDigit time.Duration `yaml:"inter_digit"`
	Terminator string        `yaml:"terminator"`
	Attr       string        `yaml:"attr"`
}

type menuFile struct {
	Prompts     []string          `yaml:"prompts"`
	Options     map[string]string `yaml:"options"`
	Attr        string            `yaml:"attr"`
	Timeout     time.Duration     `yaml:"timeout"`
	Retries     int               `yaml:"retries"`
	Invalid     []string          `yaml:"invalid"`
	NoInput     []string          `yaml:"no_input"`
	OnExhausted string            `yaml:"on_exhausted"`
}

type branchFile struct {
	Cases []caseFile `yaml:"cases"`
	Else  string     `yaml:"else"`
}

type caseFile struct {
	Time   string   `yaml:"time"`
	Day    string   `yaml:"day"`
	Attr   string   `yaml:"attr"`
	Equals string   `yaml:"equals"`
	In     []string `yaml:"in"`
	Next   string   `yaml:"next"`
}

type enqueueFile struct {
	Queue    string   `yaml:"queue"`
	Attrs    []string `yaml:"attrs"`
	Priority int      `yaml:"priority"`
}

type transferFile struct {
	Target string `yaml:"target"`
}

type hangupFile struct {
	Cause string `yaml:"cause"`
}

type sayFile struct {
	Attr    string   `yaml:"attr"`
	Before  []string `yaml:"before"`
	After   []string `yaml:"after"`
	BargeIn bool     `yaml:"barge_in"`
}

// decodeFlow decodes one flow file into an ivr.Flow; problems that the
// file format alone shows (no kind, two kinds, a bad day name) are errors
// naming the file, line and node.
func decodeFlow(file string, b []byte) (*ivr.Flow, error) {
	var ff flowFile
	if err := decodeStrict(b, &ff); err != nil {
		return nil, hotline.Errorf(hotline.EINVALID, "%s: %v", file, err)
	}
	name := ff.Name
	if name == "" {
		name = strings.TrimSuffix(path.Base(file), path.Ext(file))
	}
	f := &ivr.Flow{Name: name, File: file, Start: ff.Start, Nodes: map[string]*ivr.Node{}}
	lines := nodeLines(b)
	p := &problems{file: file}
	for _, id := range slices.Sorted(maps.Keys(ff.Nodes)) {
		n := &ivr.Node{ID: id, Line: lines[id]}
		if nf := ff.Nodes[id]; nf != nil {
			if err := nf.convert(n); err != nil {
				p.list = append(p.list, fmt.Sprintf("%s: node %s: %v", where(file, n.Line), id, err))
			}
		}
		f.Nodes[id] = n
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return f, nil
}

func where(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

// convert fills n from the file's node and checks it holds one kind.
func (nf *nodeFile) convert(n *ivr.Node) error {
	n.Next = nf.Next
	kinds := nf.kinds()
	if len(kinds) != 1 {
		return fmt.Errorf("want exactly one of play, collect, menu, branch, set, enqueue, transfer, hangup, say_number, say_digits, goto; found %d %v", len(kinds), kinds)
	}
	n.Kind = kinds[0]
	n.Play = nf.Play.model()
	n.Menu = nf.Menu.model()
	n.Set = assignments(nf.Set)
	if q := nf.Enqueue; q != nil {
		n.Enqueue = &ivr.Enqueue{Queue: q.Queue, Attrs: q.Attrs, Priority: q.Priority}
	}
	if t := nf.Transfer; t != nil {
		n.Transfer = &ivr.Transfer{Target: t.Target}
	}
	if h := nf.Hangup; h != nil {
		n.Hangup = &ivr.Hangup{Cause: h.Cause}
	}
	n.Say = nf.SayNumber.model()
	if nf.SayDigits != nil {
		n.Say = nf.SayDigits.model()
	}
	if nf.Goto != nil {
		if n.Next != "" {
			return errors.New("goto: a goto node takes no next")
		}
		n.Next = *nf.Goto
	}
	var err error
	if n.Collect, err = nf.Collect.model(); err != nil {
		return err
	}
	n.Branch, err = nf.Branch.model()
	return err
}

func (nf *nodeFile) kinds() []ivr.Kind {
	present := []struct {
		ok   bool
		kind ivr.Kind
	}{
		{nf.Play != nil, ivr.KindPlay}, {nf.Collect != nil, ivr.KindCollect}, {nf.Menu != nil, ivr.KindMenu},
		{nf.Branch != nil, ivr.KindBranch}, {nf.Set != nil, ivr.KindSet}, {nf.Enqueue != nil, ivr.KindEnqueue},
		{nf.Transfer != nil, ivr.KindTransfer}, {nf.Hangup != nil, ivr.KindHangup},
		{nf.SayNumber != nil, ivr.KindSayNumber}, {nf.SayDigits != nil, ivr.KindSayDigits}, {nf.Goto != nil, ivr.KindGoto},
	}
	var out []ivr.Kind
	for _, p := range present {
		if p.ok {
			out = append(out, p.kind)
		}
	}
	return out
}

func (p *playFile) model() *ivr.Play {
	if p == nil {
		return nil
	}
	return &ivr.Play{Prompts: p.Prompts, BargeIn: p.BargeIn}
}

func (c *collectFile) model() (*ivr.Collect, error) {
	if c == nil {
		return nil, nil
	}
	var term rune
	switch len(c.Terminator) {
	case 0:
	case 1:
		term = rune(c.Terminator[0])
	default:
		return nil, fmt.Errorf("collect.terminator: %q is not one key", c.Terminator)
	}
	return &ivr.Collect{Prompts: c.Prompts, Max: c.Max, Timeout: c.Timeout, InterDigit: c.InterDigit, Terminator: term, Attr: c.Attr}, nil
}

func (m *menuFile) model() *ivr.Menu {
	if m == nil {
		return nil
	}
	out := &ivr.Menu{Prompts: m.Prompts, Attr: m.Attr, Timeout: m.Timeout, Retries: m.Retries,
		Invalid: m.Invalid, NoInput: m.NoInput, OnExhausted: m.OnExhausted}
	for _, d := range slices.Sorted(maps.Keys(m.Options)) {
		out.Options = append(out.Options, ivr.Option{Digit: d, Next: m.Options[d]})
	}
	return out
}

func (b *branchFile) model() (*ivr.Branch, error) {
	if b == nil {
		return nil, nil
	}
	out := &ivr.Branch{Else: b.Else}
	for i, c := range b.Cases {
		day, err := ivr.ParseDayType(c.Day)
		if err != nil {
			return nil, fmt.Errorf("branch.cases[%d].day: %w", i, err)
		}
		out.Cases = append(out.Cases, ivr.Case{Time: c.Time, Day: day, Attr: c.Attr, Equals: c.Equals, In: c.In, Next: c.Next})
	}
	return out, nil
}

func (s *sayFile) model() *ivr.Say {
	if s == nil {
		return nil
	}
	return &ivr.Say{Attr: s.Attr, Before: s.Before, After: s.After, BargeIn: s.BargeIn}
}

func assignments(m map[string]string) []ivr.Assignment {
	var out []ivr.Assignment
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, ivr.Assignment{Attr: k, Value: m[k]})
	}
	return out
}

// nodeLines returns the line of each node under the top-level key nodes.
func nodeLines(b []byte) (lines map[string]int) {
	lines = map[string]int{}
	defer func() {
		if recover() != nil {
			lines = map[string]int{}
		}
	}()
	var doc yaml.Node
	if yaml.Unmarshal(b, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return lines
	}
	root := doc.Content[0].Content
	for i := 0; i+1 < len(root); i += 2 {
		if root[i].Value != "nodes" || root[i+1].Kind != yaml.MappingNode {
			continue
		}
		nodes := root[i+1].Content
		for j := 0; j+1 < len(nodes); j += 2 {
			lines[nodes[j].Value] = nodes[j].Line
		}
	}
	return lines
}
