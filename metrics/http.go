package metrics

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Unmatched is the route label of requests that no pattern matched.
const Unmatched = "unmatched"

// HTTPMiddleware counts and times every request by route and status code.
// The route is the pattern that matched (Request.Pattern, e.g.
// "GET /api/v1/tickets/{id}"), never the raw path; requests no pattern
// matched are counted under "unmatched".
//
// Wrap the *http.ServeMux itself: the mux records the pattern on the very
// request it is given (Request.Pattern), which this middleware reads once the
// mux returns. A middleware placed between the two that passes on a copy of
// the request (r.WithContext, r.Clone) would hide the pattern; put such
// middlewares around individual handlers instead.
func (m *Monitor) HTTPMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = Unmatched
		}
		m.httpRequests.WithLabelValues(route, strconv.Itoa(rec.status())).Inc()
		m.httpSeconds.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// recorder remembers the status code written. It keeps Flush and Hijack
// working for streaming responses and websockets.
type recorder struct {
	http.ResponseWriter
	code int
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) status() int {
	if r.code == 0 {
		return http.StatusOK
	}
	return r.code
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush sends buffered data to the client, when the writer supports it.
func (r *recorder) Flush() {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

// Hijack hands the connection over (websocket upgrades); a hijacked request
// is counted as 101 Switching Protocols.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if r.code == 0 {
		r.code = http.StatusSwitchingProtocols
	}
	return http.NewResponseController(r.ResponseWriter).Hijack()
}
