package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

var testNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

type env struct {
	t        *testing.T
	tickets  *fakeTickets
	accounts *fakeAccounts
	srv      *server
	logs     *bytes.Buffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, tickets: &fakeTickets{}, accounts: &fakeAccounts{}, logs: &bytes.Buffer{}}
	log := slog.New(slog.NewTextHandler(e.logs, nil))
	cfg := Config{MaxBodyBytes: 1024, Clock: hotline.ClockFunc(func() time.Time { return testNow }), Location: time.UTC}
	e.srv = newServer(cfg, e.tickets, e.accounts, log)
	return e
}

// request sends a request with a valid token and, for a non-empty body,
// a JSON content type. Extra headers are name, value pairs.
func (e *env) request(method, path, body string, headers ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Authorization", "Bearer good")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	e.srv.mux.ServeHTTP(w, req)
	return w
}

// apiError decodes the error shape, failing the test when it is not one.
func apiError(t *testing.T, w *httptest.ResponseRecorder, status int) errorJSON {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d, want %d; body %s", w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type = %q", ct)
	}
	var body struct {
		Error *errorJSON `json:"error"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error == nil {
		t.Fatalf("not an error body: %s (%v)", w.Body, err)
	}
	return *body.Error
}

// decodeBody decodes a success body into v after checking the status.
func decodeBody(t *testing.T, w *httptest.ResponseRecorder, status int, v any) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d, want %d; body %s", w.Code, status, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
}

func sampleTicket() *ticketing.Ticket {
	return &ticketing.Ticket{
		ID: "20261127000042", Channel: ticketing.ChannelPhone, CallerNumber: "13800138000", ContactNumber: "13900139000",
		CitizenName: "王先生", Type: ticketing.TypeComplaint, Category: "0101", Title: "路灯不亮", Content: "小区门口路灯不亮",
		Address: "朝阳区建外街道某小区", District: "chaoyang", Street: "jianwai", Urgency: ticketing.UrgencyOrdinary,
		State: ticketing.StateDispatched, Triage: ticketing.TriageDispatch, Unit: "jianwai", CopyUnit: "chaoyang",
		Created: testNow, Updated: testNow, DispatchedAt: testNow, AcceptDue: testNow.Add(2 * time.Hour),
		ReplyDue: testNow.AddDate(0, 0, 7), AcceptLight: ticketing.LightGreen, ReplyLight: ticketing.LightGreen, Version: 3,
	}
}
