package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.0.0.2:8080/", true},
		{"http://localhost:8080", true},
		{"http://[::1]:8080", true},
		{"http://10.0.0.1:8080", false},
		{"http://example.com", false},
		{"http://0.0.0.0:8080", false},
		{"ftp://127.0.0.1", false},
		{"127.0.0.1:8080", false},
	}
	for _, tt := range tests {
		err := checkLoopback(tt.url)
		if (err == nil) != tt.ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", tt.url, err, tt.ok)
		}
	}
}

func TestPercentiles(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	// Shuffled input must give the same answer.
	ds[0], ds[99] = ds[99], ds[0]
	got := percentiles(ds)
	want := Latency{P50: 50, P95: 95, P99: 99, Max: 100}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := percentiles(nil); got != (Latency{}) {
		t.Errorf("empty: %+v", got)
	}
	if got := percentiles([]time.Duration{1500 * time.Microsecond}); got.P50 != 1.5 || got.Max != 1.5 {
		t.Errorf("one sample: %+v", got)
	}
}

func TestGeneratorVaries(t *testing.T) {
	g := newGenerator(7, []string{"heating.cold", "sanitation.streetlight"})
	seen := map[string]bool{}
	cats := map[string]int{}
	for range 50 {
		b := g.ticket()
		for _, s := range []string{b.Title, b.Content, b.Address} {
			if !utf8.ValidString(s) || s == "" {
				t.Fatalf("bad text %q", s)
			}
		}
		if len(b.ContactNumber) != 11 || !strings.HasPrefix(b.ContactNumber, "1380013") {
			t.Errorf("contact number %q", b.ContactNumber)
		}
		seen[b.Content] = true
		cats[b.Category]++
	}
	if len(seen) != 50 {
		t.Errorf("%d distinct contents of 50", len(seen))
	}
	if cats["heating.cold"] != 25 || cats["sanitation.streetlight"] != 25 {
		t.Errorf("categories not cycled: %v", cats)
	}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{}, "usage"},
		{[]string{"stress"}, "unknown subcommand"},
		{[]string{"tickets", "-password", "x", "-url", "http://192.0.2.1:8080"}, "non-loopback"},
		{[]string{"tickets", "-password", "x", "-n", "0"}, "-n 0"},
		{[]string{"tickets", "-password", "x", "-c", "0"}, "-c 0"},
		{[]string{"tickets", "-password", "x", "-categories", " , "}, "-categories"},
		{[]string{"queue", "-password", "x"}, "-unit"},
	}
	t.Setenv("HOTLINE_ADMIN_PASSWORD", "")
	for _, tt := range tests {
		err := run(context.Background(), tt.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run %q: got %v, want an error mentioning %q", tt.args, err, tt.want)
		}
	}
}

// fakeAPI is just enough of the hotline API for the load generator.
type fakeAPI struct {
	mu         sync.Mutex
	created    int
	dispatched map[string]bool
	queueReads int
	queueQuery string
}

func (f *fakeAPI) handler(t *testing.T) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/login", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Username, Password string }
		json.NewDecoder(r.Body).Decode(&in)
		if in.Username != "admin" || in.Password != "pw" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"token": "tok"})
	})
	authed := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer tok" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("POST /api/v1/tickets", authed(func(w http.ResponseWriter, r *http.Request) {
		var in ticketBody
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Content == "" {
			t.Errorf("bad intake body: %v", err)
		}
		f.mu.Lock()
		f.created++
		n := f.created
		f.mu.Unlock()
		if n%10 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		state := "dispatched"
		if in.Category == "property.service" {
			state = "pending_dispatch"
		}
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]string{"id": fmt.Sprintf("2026112700%04d", n), "state": state})
	}))
	mux.HandleFunc("POST /api/v1/tickets/{id}/dispatch", authed(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.dispatched[r.PathValue("id")] = true
		f.mu.Unlock()
		w.Write([]byte(`{}`))
	}))
	mux.HandleFunc("GET /api/v1/tickets", authed(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.queueReads++
		f.queueQuery = r.URL.RawQuery
		f.mu.Unlock()
		w.Write([]byte(`{"tickets":[]}`))
	}))
	return mux
}

func TestTicketsAgainstFakeServer(t *testing.T) {
	api := &fakeAPI{dispatched: map[string]bool{}}
	srv := httptest.NewServer(api.handler(t))
	defer srv.Close()
	var out bytes.Buffer
	err := run(context.Background(), []string{"tickets", "-url", srv.URL, "-user", "admin", "-password", "pw",
		"-n", "60", "-c", "4", "-categories", "heating.cold,sanitation.streetlight,property.service"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if api.created != 60 {
		t.Errorf("server saw %d intakes, want exactly -n 60", api.created)
	}
	if rep.Errors["503"] != 6 {
		t.Errorf("errors by status: %v, want 6 × 503", rep.Errors)
	}
	if rep.Dispatched != len(api.dispatched) || rep.Dispatched == 0 {
		t.Errorf("report says %d dispatched, server saw %d", rep.Dispatched, len(api.dispatched))
	}
	if rep.Count != 60+rep.Dispatched || rep.OK != 54+rep.Dispatched {
		t.Errorf("count %d ok %d with %d dispatches", rep.Count, rep.OK, rep.Dispatched)
	}
	if rep.Latency.Max <= 0 || rep.Latency.P50 > rep.Latency.P99 || rep.Throughput <= 0 {
		t.Errorf("latency/throughput: %+v %v", rep.Latency, rep.Throughput)
	}
}

func TestQueueAgainstFakeServer(t *testing.T) {
	api := &fakeAPI{dispatched: map[string]bool{}}
	srv := httptest.NewServer(api.handler(t))
	defer srv.Close()
	var out bytes.Buffer
	err := run(context.Background(), []string{"queue", "-url", srv.URL, "-password", "pw",
		"-unit", "heat-group", "-n", "25", "-c", "3"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	json.Unmarshal(out.Bytes(), &rep)
	if api.queueReads != 25 || rep.Count != 25 || rep.OK != 25 {
		t.Errorf("server reads %d, report %+v", api.queueReads, rep)
	}
	for _, want := range []string{"unit=heat-group", "sort=deadline", "limit=50", "state=dispatched%2Cin_progress"} {
		if !strings.Contains(api.queueQuery, want) {
			t.Errorf("query %q lacks %q", api.queueQuery, want)
		}
	}
}

func TestBadLogin(t *testing.T) {
	api := &fakeAPI{dispatched: map[string]bool{}}
	srv := httptest.NewServer(api.handler(t))
	defer srv.Close()
	err := run(context.Background(), []string{"tickets", "-url", srv.URL, "-password", "wrong", "-n", "5"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("got %v, want a login failure with status 401", err)
	}
	if api.created != 0 {
		t.Errorf("%d tickets filed after a failed login", api.created)
	}
}

func TestDurationCap(t *testing.T) {
	slow := http.NewServeMux()
	slow.HandleFunc("POST /api/v1/login", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"token":"t"}`))
	})
	slow.HandleFunc("POST /api/v1/tickets", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // lets the server notice the client going away
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(slow)
	defer srv.Close()
	start := time.Now()
	var out bytes.Buffer
	err := run(context.Background(), []string{"tickets", "-url", srv.URL, "-password", "pw",
		"-n", "1000", "-c", "2", "-duration", "300ms"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("-duration 300ms took %v", el)
	}
	var rep Report
	json.Unmarshal(out.Bytes(), &rep)
	if rep.Count != 0 {
		t.Errorf("requests cut off by -duration must not count: %+v", rep)
	}
}
