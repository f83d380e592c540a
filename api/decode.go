package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/cityhotline/hotline"
)

// readBody reads the request body under the size cap. Bodies over the cap
// are a too_large error.
func (s *server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, hotline.Errorf(codeTooLarge, "request body is larger than %d bytes", tooBig.Limit)
	}
	if err != nil {
		return nil, hotline.Errorf(hotline.EINVALID, "cannot read request body: %v", err)
	}
	return data, nil
}

// decodeRequest reads and strictly decodes a JSON body into v and returns
// the raw bytes (for idempotency hashing). An empty body is allowed only
// when allowEmpty, and leaves v as it is.
func (s *server) decodeRequest(w http.ResponseWriter, r *http.Request, v any, allowEmpty bool) ([]byte, error) {
	data, err := s.readBody(w, r)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		if allowEmpty {
			return data, nil
		}
		return nil, hotline.Errorf(hotline.EINVALID, "request body is empty: send a JSON object")
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		return nil, hotline.Errorf(codeUnsupported, "content type must be application/json")
	}
	return data, decodeStrict(data, v)
}

// isJSON reports whether a Content-Type names JSON.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// decodeStrict decodes exactly one JSON value into v, refusing unknown
// fields, values of the wrong type and trailing data. Every failure is an
// EINVALID *hotline.Error that names the field at fault when there is one.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return hotline.Errorf(hotline.EINVALID, "request body has data after the JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return hotline.Errorf(hotline.EINVALID, "request body must be a JSON object, not %s", typeErr.Value)
		}
		return hotline.Errorf(hotline.EINVALID, "field %s has the wrong type", typeErr.Field).
			WithField(typeErr.Field, fmt.Sprintf("must be %s, not %s", jsonKind(typeErr.Type.Kind().String()), typeErr.Value))
	case errors.As(err, &syntaxErr):
		return hotline.Errorf(hotline.EINVALID, "malformed JSON at byte %d: %v", syntaxErr.Offset, syntaxErr)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return hotline.Errorf(hotline.EINVALID, "malformed JSON: unexpected end of body")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return hotline.Errorf(hotline.EINVALID, "unknown field %q", name).WithField(name, "unknown field")
	}
	return hotline.Errorf(hotline.EINVALID, "malformed JSON: %v", err)
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "ptr":
		return "a number"
	}
	return "a number"
}
