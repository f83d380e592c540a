package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// Codes the API adds to the domain's for failures only HTTP knows about.
const (
	codeTooLarge    = "too_large"
	codeUnsupported = "unsupported_media_type"
	codeMethod      = "method_not_allowed"
)

// statusOf maps an error code to its HTTP status: the one place where that
// translation happens.
func statusOf(code string) int {
	switch code {
	case hotline.EINVALID:
		return http.StatusBadRequest
	case hotline.EUNAUTH:
		return http.StatusUnauthorized
	case hotline.EFORBIDDEN:
		return http.StatusForbidden
	case hotline.ENOTFOUND:
		return http.StatusNotFound
	case hotline.ECONFLICT:
		return http.StatusConflict
	case codeTooLarge:
		return http.StatusRequestEntityTooLarge
	case codeUnsupported:
		return http.StatusUnsupportedMediaType
	case codeMethod:
		return http.StatusMethodNotAllowed
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	Current *ticketJSON       `json:"current,omitempty"`
}

// toErrorJSON classifies err. Errors that are not *hotline.Error are
// internal: their text stays in the log.
func toErrorJSON(err error) errorJSON {
	var e *hotline.Error
	if !errors.As(err, &e) || statusOf(e.Code) == http.StatusInternalServerError {
		return errorJSON{Code: hotline.EINTERNAL, Message: "internal error"}
	}
	return errorJSON{Code: e.Code, Message: e.Message, Fields: e.Fields}
}

// current returns the ticket a conflict carries; the domain has already
// masked it for the actor.
func (s *server) current(err error) *ticketJSON {
	var e *hotline.Error
	if !errors.As(err, &e) || e.Code != hotline.ECONFLICT {
		return nil
	}
	t, ok := e.Current.(*ticketing.Ticket)
	if !ok || t == nil {
		return nil
	}
	tj := toTicketJSON(t)
	return &tj
}

// fail writes err in the API's error shape, logging internal errors.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	body := toErrorJSON(err)
	status := statusOf(body.Code)
	if status == http.StatusInternalServerError {
		s.logInternal(r, err)
	}
	body.Current = s.current(err)
	writeJSON(w, status, errorBody{Error: body})
}

// logInternal logs an error whose details the client is not told.
func (s *server) logInternal(r *http.Request, err error) {
	attrs := []any{slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err)}
	if id := ticketIDOf(r); id != "" {
		attrs = append(attrs, slog.String("ticket_id", id))
	}
	s.log.ErrorContext(r.Context(), "request failed", attrs...)
}

// ticketIDOf returns the ticket id of a ticket route, or "".
func ticketIDOf(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/api/v1/tickets/") || strings.HasPrefix(r.URL.Path, "/open311/v2/requests/") {
		return strings.TrimSuffix(r.PathValue("id"), ".json")
	}
	return ""
}

// writeJSON encodes v with status. Encoding our own types cannot fail in a
// way the client could be told about once the header is out.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
