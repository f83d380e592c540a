package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// column pairs a table column with the struct field it holds. One list per
// entity drives INSERT, UPDATE and SELECT, so they cannot drift apart.
type column struct {
	name string
	ptr  any // pointer to the field
}

func names(cols []column, prefix string) string {
	s := make([]string, len(cols))
	for i, c := range cols {
		s[i] = prefix + c.name
	}
	return strings.Join(s, ", ")
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// assignments is "a = ?, b = ?" for an UPDATE.
func assignments(cols []column) string {
	s := make([]string, len(cols))
	for i, c := range cols {
		s[i] = c.name + " = ?"
	}
	return strings.Join(s, ", ")
}

// values converts the fields to SQL arguments.
func values(cols []column) ([]any, error) {
	out := make([]any, len(cols))
	for i, c := range cols {
		v, err := value(c.ptr)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.name, err)
		}
		out[i] = v
	}
	return out, nil
}

// value is the SQL form of the field *p: times as UTC microseconds (NULL
// when zero), lists and maps as JSON, named strings as plain strings.
func value(p any) (any, error) {
	switch p := p.(type) {
	case *time.Time:
		return timeValue(*p), nil
	case *bool:
		return *p, nil
	case *int:
		return int64(*p), nil
	case *int64:
		return *p, nil
	case *float64:
		return *p, nil
	}
	v := reflect.ValueOf(p).Elem()
	switch v.Kind() {
	case reflect.String:
		return v.String(), nil
	case reflect.Slice, reflect.Map:
		b, err := json.Marshal(v.Interface())
		return string(b), err
	}
	return nil, fmt.Errorf("unsupported field type %T", p)
}

func timeValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// dests returns the scan destinations for the fields.
func dests(cols []column) []any {
	out := make([]any, len(cols))
	for i, c := range cols {
		out[i] = dest(c.ptr)
	}
	return out
}

func dest(p any) any {
	if t, ok := p.(*time.Time); ok {
		return timeDest{t}
	}
	switch reflect.ValueOf(p).Elem().Kind() {
	case reflect.Slice, reflect.Map:
		return jsonDest{p}
	}
	return p
}

// timeDest scans microseconds (or NULL) into a UTC time.
type timeDest struct{ p *time.Time }

func (d timeDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.p = time.Time{}
	case int64:
		*d.p = time.UnixMicro(v).UTC()
	default:
		return fmt.Errorf("time column holds %T", src)
	}
	return nil
}

// jsonDest scans JSON text into a slice or map.
type jsonDest struct{ p any }

func (d jsonDest) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("json column holds %T", src)
	}
	return json.Unmarshal(b, d.p)
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// queryAll runs a query and collects one T per row; cols gives the columns
// of a T.
func queryAll[T any](rows *sql.Rows, err error, cols func(*T) []column) ([]*T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		x := new(T)
		if err := rows.Scan(dests(cols(x))...); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
