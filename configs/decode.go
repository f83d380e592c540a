package configs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/cityhotline/hotline"
	"go.yaml.in/yaml/v3"
)

// maxProblems caps how many problems one error lists.
const maxProblems = 20

// decodeFile reads name from fsys and decodes it strictly into v: unknown
// keys are errors. It returns, for the top-level sequence under listKey,
// the line of each entry, so validation can point at it.
func decodeFile(fsys fs.FS, name, listKey string, v any) ([]int, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if err := decodeStrict(b, v); err != nil {
		return nil, hotline.Errorf(hotline.EINVALID, "%s: %v", name, err)
	}
	return entryLines(b, listKey), nil
}

// decodeStrict decodes one YAML document with unknown keys rejected.
func decodeStrict(b []byte, v any) (err error) {
	// The parser is third-party code fed with operator-edited files; a
	// panic in it must become an error, not end the server.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unparsable YAML: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("file is empty")
		}
		return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return nil
}

// entryLines returns the line of every item of the sequence at key in the
// top-level mapping of b, or nil when there is none.
func entryLines(b []byte, key string) (lines []int) {
	defer func() {
		if recover() != nil {
			lines = nil
		}
	}()
	var doc yaml.Node
	if yaml.Unmarshal(b, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key && root.Content[i+1].Kind == yaml.SequenceNode {
			for _, n := range root.Content[i+1].Content {
				lines = append(lines, n.Line)
			}
		}
	}
	return lines
}

// problems collects what is wrong with the entries of one file.
type problems struct {
	file  string
	lines []int // line of entry i, when known
	list  []string
}

// add records a problem with entry i (i < 0: the file as a whole).
func (p *problems) add(i int, format string, args ...any) {
	where := p.file
	if i >= 0 && i < len(p.lines) {
		where = fmt.Sprintf("%s:%d", p.file, p.lines[i])
	}
	p.list = append(p.list, where+": "+fmt.Sprintf(format, args...))
}

// err returns nil when nothing was added, else an EINVALID error listing
// the problems.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	shown := p.list
	more := ""
	if len(shown) > maxProblems {
		more = fmt.Sprintf("\n… and %d more", len(shown)-maxProblems)
		shown = shown[:maxProblems]
	}
	return hotline.Errorf(hotline.EINVALID, "%s", strings.Join(shown, "\n")+more)
}
