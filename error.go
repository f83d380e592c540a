package hotline

import (
	"errors"
	"fmt"
)

// Error codes. Only the api package maps them to HTTP statuses.
const (
	EINVALID   = "invalid"   // bad input
	ENOTFOUND  = "not_found" // no such thing, or not yours to see
	ECONFLICT  = "conflict"  // the state changed under you, or a duplicate
	EFORBIDDEN = "forbidden" // you may see it but not do this
	EUNAUTH    = "unauthorized"
	EINTERNAL  = "internal"
)

// Error is the domain error: a code, a message for people, and optionally the
// input fields at fault.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string // field name → what is wrong with it
	Current any               // for ECONFLICT: the current state of the thing
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	return fmt.Sprintf("%s %v", e.Message, e.Fields)
}

// Errorf builds an *Error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithField adds a field complaint and returns e.
func (e *Error) WithField(name, problem string) *Error {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	e.Fields[name] = problem
	return e
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic text for other errors (whose details are for logs only).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Invalid collects field problems for one request and yields an EINVALID
// error when any were found.
type Invalid struct{ fields map[string]string }

// Add records a problem with a field.
func (v *Invalid) Add(field, problem string) {
	if v.fields == nil {
		v.fields = map[string]string{}
	}
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = problem
	}
}

// Err returns nil when nothing was added.
func (v *Invalid) Err(message string) error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: message, Fields: v.fields}
}
