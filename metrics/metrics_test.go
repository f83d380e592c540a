package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func newMonitor(t *testing.T) (*metrics.Monitor, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	return metrics.New(reg), reg
}

func TestOperatorContractNames(t *testing.T) {
	m, reg := newMonitor(t)
	m.CallStarted()
	m.CallEnded("inbound", "answered")
	m.IVRChoice("inbound", "1")
	m.QueueWaiting("general", 3)
	m.Agents("ready", 5)
	m.TicketCreated("complaint", "dispatch")
	m.Callback("valid")
	m.TicketAction("accept")
	m.SLA("reply", "red")
	want := []string{
		"hotline_calls_total", "hotline_calls_active", "hotline_ivr_choices_total",
		"hotline_queue_waiting", "hotline_agents", "hotline_tickets_total",
		"hotline_callbacks_total", "hotline_ticket_actions_total", "hotline_sla_transitions_total",
	}
	n, err := testutil.GatherAndCount(reg, want...)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Errorf("got %d series of the contract metrics, want %d", n, len(want))
	}
}

func TestCounters(t *testing.T) {
	m, reg := newMonitor(t)
	m.CallStarted()
	m.CallStarted()
	m.CallEnded("inbound", "abandoned")
	m.IVRChoice("survey", "3")
	m.IVRChoice("survey", "3")
	m.QueueWaiting("general", 7)
	m.Agents("on_call", 2)
	m.Callback("no_answer")
	err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP hotline_calls_active Telephone calls in progress.
# TYPE hotline_calls_active gauge
hotline_calls_active 1
# HELP hotline_calls_total Telephone calls ended, by direction and result.
# TYPE hotline_calls_total counter
hotline_calls_total{direction="inbound",result="abandoned"} 1
# HELP hotline_ivr_choices_total Keypad choices made in IVR menus, by flow and digit.
# TYPE hotline_ivr_choices_total counter
hotline_ivr_choices_total{digit="3",flow="survey"} 2
# HELP hotline_queue_waiting Callers waiting in each agent queue.
# TYPE hotline_queue_waiting gauge
hotline_queue_waiting{queue="general"} 7
# HELP hotline_agents Agents by presence state.
# TYPE hotline_agents gauge
hotline_agents{state="on_call"} 2
# HELP hotline_callbacks_total Satisfaction callbacks finished, by result.
# TYPE hotline_callbacks_total counter
hotline_callbacks_total{result="no_answer"} 1
`), "hotline_calls_active", "hotline_calls_total", "hotline_ivr_choices_total",
		"hotline_queue_waiting", "hotline_agents", "hotline_callbacks_total")
	if err != nil {
		t.Error(err)
	}
}

func TestClosedLabelSets(t *testing.T) {
	m, reg := newMonitor(t)
	m.TicketCreated("20261127000042", "dispatch")
	m.TicketCreated("complaint", "whatever")
	m.TicketAction("drop table")
	m.SLA("accept", "green")
	m.IVRChoice("Flow With Spaces 朝阳", "12")
	m.QueueWaiting(strings.Repeat("q", 100), 1)
	err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP hotline_tickets_total Tickets recorded, by request type and triage outcome.
# TYPE hotline_tickets_total counter
hotline_tickets_total{outcome="dispatch",type="other"} 1
hotline_tickets_total{outcome="other",type="complaint"} 1
# HELP hotline_ticket_actions_total Ticket lifecycle actions performed.
# TYPE hotline_ticket_actions_total counter
hotline_ticket_actions_total{action="other"} 1
# HELP hotline_sla_transitions_total SLA clocks turning yellow or red.
# TYPE hotline_sla_transitions_total counter
hotline_sla_transitions_total{clock="accept",light="other"} 1
# HELP hotline_ivr_choices_total Keypad choices made in IVR menus, by flow and digit.
# TYPE hotline_ivr_choices_total counter
hotline_ivr_choices_total{digit="other",flow="other"} 1
# HELP hotline_queue_waiting Callers waiting in each agent queue.
# TYPE hotline_queue_waiting gauge
hotline_queue_waiting{queue="other"} 1
`), "hotline_tickets_total", "hotline_ticket_actions_total", "hotline_sla_transitions_total",
		"hotline_ivr_choices_total", "hotline_queue_waiting")
	if err != nil {
		t.Error(err)
	}
}

func TestPublisher(t *testing.T) {
	m, reg := newMonitor(t)
	p := m.Publisher()
	p.Publish(hotline.Event{Type: "ticket.created", Data: map[string]string{"type": "help", "outcome": "answered"}})
	p.Publish(hotline.Event{Type: "ticket.created", Data: map[string]string{"type": "help", "outcome": "answered"}})
	p.Publish(hotline.Event{Type: "ticket.dispatch"})
	p.Publish(hotline.Event{Type: "ticket.reply"})
	p.Publish(hotline.Event{Type: "sla.yellow", Data: map[string]string{"clock": "contact"}})
	p.Publish(hotline.Event{Type: "sla.red", Data: map[string]string{"clock": "reply"}})
	p.Publish(hotline.Event{Type: "call.started"})
	p.Publish(hotline.Event{Type: "nodot"})
	err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP hotline_tickets_total Tickets recorded, by request type and triage outcome.
# TYPE hotline_tickets_total counter
hotline_tickets_total{outcome="answered",type="help"} 2
# HELP hotline_ticket_actions_total Ticket lifecycle actions performed.
# TYPE hotline_ticket_actions_total counter
hotline_ticket_actions_total{action="dispatch"} 1
hotline_ticket_actions_total{action="reply"} 1
# HELP hotline_sla_transitions_total SLA clocks turning yellow or red.
# TYPE hotline_sla_transitions_total counter
hotline_sla_transitions_total{clock="contact",light="yellow"} 1
hotline_sla_transitions_total{clock="reply",light="red"} 1
`), "hotline_tickets_total", "hotline_ticket_actions_total", "hotline_sla_transitions_total")
	if err != nil {
		t.Error(err)
	}
}

func TestHTTPMiddlewareUsesPattern(t *testing.T) {
	m, reg := newMonitor(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/tickets/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "missing" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "{}")
	})
	mux.HandleFunc("POST /api/v1/tickets", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})
	srv := httptest.NewServer(m.HTTPMiddleware(mux))
	defer srv.Close()

	get := func(path string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	get("/api/v1/tickets/20261127000001")
	get("/api/v1/tickets/20261127000002")
	get("/api/v1/tickets/missing")
	get("/nowhere/12345")
	resp, err := http.Post(srv.URL+"/api/v1/tickets", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	err = testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP hotline_http_requests_total HTTP requests served, by route pattern and status code.
# TYPE hotline_http_requests_total counter
hotline_http_requests_total{code="200",route="GET /api/v1/tickets/{id}"} 2
hotline_http_requests_total{code="404",route="GET /api/v1/tickets/{id}"} 1
hotline_http_requests_total{code="404",route="unmatched"} 1
hotline_http_requests_total{code="201",route="POST /api/v1/tickets"} 1
`), "hotline_http_requests_total")
	if err != nil {
		t.Error(err)
	}
	count, err := testutil.GatherAndCount(reg, "hotline_http_request_seconds")
	if err != nil {
		t.Fatal(err)
	}
	if count != 3 {
		t.Errorf("latency histograms: got %d routes, want 3", count)
	}
}

func TestHTTPMiddlewareKeepsWriterInterfaces(t *testing.T) {
	m, _ := newMonitor(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(http.Flusher); !ok {
			t.Error("the recorder hides http.Flusher")
		}
		if _, ok := w.(http.Hijacker); !ok {
			t.Error("the recorder hides http.Hijacker")
		}
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush through the recorder: %v", err)
		}
	})
	srv := httptest.NewServer(m.HTTPMiddleware(mux))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestHandlerServesRegistry(t *testing.T) {
	m, _ := newMonitor(t)
	m.TicketCreated("complaint", "dispatch")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`hotline_tickets_total{outcome="dispatch",type="complaint"} 1`,
		"go_goroutines",
		"hotline_calls_active 0",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestMonitorsAreIndependent(t *testing.T) {
	a, _ := newMonitor(t)
	b, regB := newMonitor(t)
	a.TicketAction("dispatch")
	b.TicketAction("accept")
	n, err := testutil.GatherAndCount(regB, "hotline_ticket_actions_total")
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("second registry has %d action series, want 1 (its own)", n)
	}
}

func TestHTTPMiddlewareNestedMux(t *testing.T) {
	m, reg := newMonitor(t)
	inner := http.NewServeMux()
	inner.HandleFunc("GET /api/v1/tickets/{id}", func(w http.ResponseWriter, r *http.Request) {
		// Handlers often pass a copy on (auth adds the actor to the context);
		// the pattern was already recorded on the mux's request by then.
		_ = r.WithContext(r.Context())
		w.WriteHeader(http.StatusNoContent)
	})
	outer := http.NewServeMux()
	outer.Handle("GET /metrics", m.Handler())
	outer.Handle("/", inner)
	h := m.HTTPMiddleware(outer)
	for _, path := range []string{"/api/v1/tickets/1", "/api/v1/tickets/2", "/api/v1/nothing"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP hotline_http_requests_total HTTP requests served, by route pattern and status code.
# TYPE hotline_http_requests_total counter
hotline_http_requests_total{code="204",route="GET /api/v1/tickets/{id}"} 2
hotline_http_requests_total{code="404",route="unmatched"} 1
`), "hotline_http_requests_total")
	if err != nil {
		t.Error(err)
	}
}
