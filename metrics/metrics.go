// Package metrics holds the hotline's Prometheus instruments in one Monitor,
// built on an explicit registry (never the global one). Label values come
// from closed sets: anything outside a set is counted as "other", so a
// caller can never blow up the series count with ids or free text.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Other is the label value used for anything outside a label's closed set.
const Other = "other"

// Monitor is every metric the server exports.
type Monitor struct {
	reg *prometheus.Registry

	calls        *prometheus.CounterVec
	callsActive  prometheus.Gauge
	ivrChoices   *prometheus.CounterVec
	queueWaiting *prometheus.GaugeVec
	agents       *prometheus.GaugeVec
	tickets      *prometheus.CounterVec
	callbacks    *prometheus.CounterVec
	actions      *prometheus.CounterVec
	sla          *prometheus.CounterVec
	httpRequests *prometheus.CounterVec
	httpSeconds  *prometheus.HistogramVec
	inviteSecs   prometheus.Histogram
	clockLate    prometheus.Histogram
	rtpReceived  prometheus.Counter
	rtpLost      prometheus.Counter
	sipRefused   *prometheus.CounterVec
	offerSecs    prometheus.Histogram
	queueWait    *prometheus.HistogramVec
}

// OfferBuckets are the ACD's offer-latency buckets: 0.1 ms to 250 ms.
var OfferBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .02, .05, .1, .25}

// WaitBuckets are the queue-wait buckets: 1 s to 10 min (15 s is the 12345
// service-level threshold).
var WaitBuckets = []float64{1, 5, 10, 15, 20, 30, 60, 120, 300, 600}

// InviteBuckets are the INVITE-to-answer latency buckets: 1 ms to 5 s.
var InviteBuckets = []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5}

// ClockBuckets are the media clock's lateness buckets: 0.5 ms to 100 ms (a
// tick more than 20 ms late makes a packet late for the caller).
var ClockBuckets = []float64{.0005, .001, .002, .005, .01, .02, .05, .1}

// HTTPBuckets are the request-latency buckets: 1 ms to 2.5 s.
var HTTPBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}

// New builds a Monitor and registers its metrics, plus the Go runtime and
// process collectors, on reg. reg is also what Handler serves.
func New(reg *prometheus.Registry) *Monitor {
	m := &Monitor{
		reg: reg,
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_calls_total", Help: "Telephone calls ended, by direction and result.",
		}, []string{"direction", "result"}),
		callsActive: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hotline_calls_active", Help: "Telephone calls in progress.",
		}),
		ivrChoices: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_ivr_choices_total", Help: "Keypad choices made in IVR menus, by flow and digit.",
		}, []string{"flow", "digit"}),
		queueWaiting: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hotline_queue_waiting", Help: "Callers waiting in each agent queue.",
		}, []string{"queue"}),
		agents: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hotline_agents", Help: "Agents by presence state.",
		}, []string{"state"}),
		tickets: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_tickets_total", Help: "Tickets recorded, by request type and triage outcome.",
		}, []string{"type", "outcome"}),
		callbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_callbacks_total", Help: "Satisfaction callbacks finished, by result.",
		}, []string{"result"}),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_ticket_actions_total", Help: "Ticket lifecycle actions performed.",
		}, []string{"action"}),
		sla: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_sla_transitions_total", Help: "SLA clocks turning yellow or red.",
		}, []string{"clock", "light"}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_http_requests_total", Help: "HTTP requests served, by route pattern and status code.",
		}, []string{"route", "code"}),
		httpSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hotline_http_request_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: HTTPBuckets,
		}, []string{"route"}),
		inviteSecs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hotline_sip_invite_answer_seconds", Help: "Time from an INVITE's arrival to our 200 OK.",
			Buckets: InviteBuckets,
		}),
		clockLate: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hotline_media_clock_late_seconds",
			Help:    "How late the media clock sent each 20 ms tick of prompts and tones, per clock shard; over 0.02 s the caller hears a late packet.",
			Buckets: ClockBuckets,
		}),
		rtpReceived: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_rtp_received_packets_total", Help: "RTP packets received from the far end of trunk legs (callers' carriers), counted as each call's media ends.",
		}),
		rtpLost: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_rtp_lost_packets_total", Help: "RTP packets lost on the way from the far end of trunk legs (sequence numbers expected but not received), counted as each call's media ends.",
		}),
		sipRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_sip_refused_total", Help: "SIP requests refused, by reason.",
		}, []string{"reason"}),
		offerSecs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hotline_acd_offer_seconds",
			Help:    "From the event that lets the ACD offer a call (a call enqueued, an agent ready) to the offer queued on the agent's WebSocket.",
			Buckets: OfferBuckets,
		}),
		queueWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hotline_queue_wait_seconds", Help: "How long answered callers waited in each queue.",
			Buckets: WaitBuckets,
		}, []string{"queue"}),
	}
	reg.MustRegister(m.inviteSecs, m.clockLate, m.rtpReceived, m.rtpLost, m.sipRefused, m.offerSecs, m.queueWait, m.calls, m.callsActive, m.ivrChoices, m.queueWaiting, m.agents,
		m.tickets, m.callbacks, m.actions, m.sla, m.httpRequests, m.httpSeconds,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Monitor) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Closed label sets.
var (
	directions  = set("inbound", "outbound")
	callResults = set("answered", "abandoned", "rejected", "busy", "no_answer",
		"failed", "completed", "transferred", "remote_hangup", "local_hangup", "cancelled",
		"media_timeout", "session_expired", "shutdown")
	refuseReasons  = set("malformed", "unknown_peer", "auth", "rate_limited", "overload", "codec", "session_timer")
	digits         = set("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#", "timeout", "invalid")
	agentStates    = set("offline", "ready", "not_ready", "offered", "on_call", "wrap_up") // agent.State
	ticketTypes    = set("consult", "help", "complaint", "report", "suggestion", "praise")
	ticketOutcomes = set("dispatch", "answered", "emergency", "no_dispatch")
	callbackResult = set("valid", "invalid", "no_answer", "busy", "refused", "failed", "skipped")
	clocks         = set("accept", "contact", "reply")
	lights         = set("yellow", "red")
	actions        = set("intake", "dispatch", "accept", "contact", "note", "reply", "return",
		"approve_return", "reject_return", "objection", "extend", "approve_extension",
		"reject_extension", "deny_extension", "supervise", "urge", "merge", "reopen", "close", "archive",
		"callback", "pause", "resume", "reassign", "contact_access")
)

type labelSet map[string]bool

func set(values ...string) labelSet {
	s := make(labelSet, len(values))
	for _, v := range values {
		s[v] = true
	}
	return s
}

// of returns v when it belongs to the set, else Other.
func (s labelSet) of(v string) string {
	if s[v] {
		return v
	}
	return Other
}

// name keeps a configured name (a flow or queue id) when it looks like one:
// short, lower-case letters, digits, '_', '-' and '.'. Anything else is Other.
func name(v string) string {
	if v == "" || len(v) > 40 {
		return Other
	}
	for _, r := range v {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.'
		if !ok {
			return Other
		}
	}
	return v
}
