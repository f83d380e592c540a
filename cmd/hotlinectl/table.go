package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// table is a CSV file with a header row, as the data commands read it:
// UTF-8, RFC 4180, an optional byte-order mark, rows of any length.
type table struct {
	path   string
	header []string
	file   *os.File
	r      *csv.Reader
}

// openTable opens path and reads its header.
func openTable(path string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	t := &table{path: path, file: f, r: csv.NewReader(f)}
	t.r.FieldsPerRecord = -1
	if t.header, err = t.r.Read(); err != nil {
		f.Close()
		return nil, fmt.Errorf("read header of %s: %w", path, err)
	}
	for i, h := range t.header {
		t.header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	}
	return t, nil
}

func (t *table) Close() error { return t.file.Close() }

// column returns the index of the column name (given by --flag); -1 for
// an empty name. An unknown name is an error that lists the header.
func (t *table) column(flag, name string) (int, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return -1, nil
	}
	for i, h := range t.header {
		if h == name {
			return i, nil
		}
	}
	return -1, fmt.Errorf("%s has no column %q (--%s); its columns are %s", t.path, name, flag, strings.Join(t.header, ", "))
}

// columns returns the indexes of comma-separated names.
func (t *table) columns(flag, names string) ([]int, error) {
	var out []int
	for _, name := range strings.Split(names, ",") {
		i, err := t.column(flag, name)
		if err != nil {
			return nil, err
		}
		if i >= 0 {
			out = append(out, i)
		}
	}
	return out, nil
}

// next returns the next row, io.EOF after the last.
func (t *table) next() ([]string, error) {
	rec, err := t.r.Read()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", t.path, err)
	}
	return rec, err
}

// field is rec[i] trimmed, "" when the row is short or i is -1.
func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// timeLayouts are the time forms the data commands accept.
var timeLayouts = []string{time.RFC3339Nano, "2006-1-2T15:04:05", "2006-1-2 15:04:05", "2006/1/2 15:04:05",
	"2006-1-2 15:04", "2006/1/2 15:04", "2006-1-2", "2006/1/2"}

// parseTime reads RFC 3339 or YYYY-MM-DD / YYYY/M/D with an optional
// HH:MM[:SS]; a time without a zone is in loc.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is not RFC 3339 or YYYY-MM-DD[ HH:MM[:SS]]", s)
}
