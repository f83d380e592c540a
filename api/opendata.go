package api

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// OpenData is the open-data export service (ticketing.OpenData): export
// requests, their approval, CSV downloads and the download log. Set
// Config.OpenData to serve /api/v1/opendata/…; nil answers 404.
type OpenData interface {
	RequestExport(ctx context.Context, a hotline.Actor, in ticketing.OpenDataInput) (*ticketing.OpenDataRequest, error)
	Requests(ctx context.Context, a hotline.Actor, f ticketing.OpenDataFilter) ([]*ticketing.OpenDataRequest, error)
	Request(ctx context.Context, a hotline.Actor, id int64) (*ticketing.OpenDataRequest, error)
	Decide(ctx context.Context, a hotline.Actor, id int64, approve bool, in ticketing.OpenDataDecision) (*ticketing.OpenDataRequest, error)
	Export(ctx context.Context, a hotline.Actor, id int64, w io.Writer) (*ticketing.OpenDataDownload, error)
	Downloads(ctx context.Context, a hotline.Actor, f ticketing.OpenDataDownloadFilter) ([]*ticketing.OpenDataDownload, error)
}

var _ OpenData = (*ticketing.OpenData)(nil)

// openDataRoutes registers the open-data routes.
func (s *server) openDataRoutes() {
	s.handle("POST /api/v1/opendata/requests", s.authed(s.createOpenData))
	s.handle("GET /api/v1/opendata/requests", s.authed(s.listOpenData))
	s.handle("GET /api/v1/opendata/requests/{id}", s.authed(s.getOpenData))
	s.handle("POST /api/v1/opendata/requests/{id}/approve", s.authed(s.decideOpenData(true)))
	s.handle("POST /api/v1/opendata/requests/{id}/reject", s.authed(s.decideOpenData(false)))
	s.handle("GET /api/v1/opendata/requests/{id}/download", s.authed(s.downloadOpenData))
	s.handle("GET /api/v1/opendata/downloads", s.authed(s.listOpenDataDownloads))
}

func init() {
	id := pathParam("id", "export request id")
	maps.Copy(operations, map[string]operation{
		"POST /api/v1/opendata/requests": {summary: "Request an anonymised open-data export for a partner organisation: purpose, period (from/to, YYYY-MM-DD, Beijing time, at most 366 days) and fields (default all); analyst, supervisor or admin",
			tag: "opendata", body: "OpenDataInput", status: 201, result: "OpenDataRequest"},
		"GET /api/v1/opendata/requests": {summary: "Export requests, newest first; supervisors and the admin see all, analysts their own",
			tag: "opendata", status: 200, result: "OpenDataRequestList", params: []param{
				query("state", "pending, approved or rejected"), query("limit", "1-200, default 50"), query("offset", "default 0")}},
		"GET /api/v1/opendata/requests/{id}": {summary: "One export request; analysts only their own",
			tag: "opendata", status: 200, result: "OpenDataRequest", params: []param{id}},
		"POST /api/v1/opendata/requests/{id}/approve": {summary: "Approve a pending export request; supervisor or admin, never the requester",
			tag: "opendata", body: "OpenDataDecision", status: 200, result: "OpenDataRequest", params: []param{id}},
		"POST /api/v1/opendata/requests/{id}/reject": {summary: "Reject a pending export request; the note is required; supervisor or admin, never the requester",
			tag: "opendata", body: "OpenDataDecision", status: 200, result: "OpenDataRequest", params: []param{id}},
		"GET /api/v1/opendata/requests/{id}/download": {summary: "Download an approved export as text/csv (UTF-8 with a BOM, streamed; header row of field names): no names, numbers or house numbers, " +
			"confidential tickets left out, ids replaced by a pseudonym keyed afresh for each download, times to the hour. 403 unless approved; the requester or the admin only; " +
			"every download is recorded (trailers X-Export-Rows and X-Export-Sha256 carry the row count and the file's SHA-256)",
			tag: "opendata", status: 200, params: []param{id}},
		"GET /api/v1/opendata/downloads": {summary: "The download log by time: who, when, rows, bytes, SHA-256, complete; supervisors and the admin all, analysts one of their own requests (request required)",
			tag: "opendata", status: 200, result: "OpenDataDownloadList", params: []param{
				query("request", "export request id"), query("limit", "1-200, default 50"), query("offset", "default 0")}},
	})
}

type openDataJSON struct {
	ID            int64          `json:"id"`
	Requester     hotline.UserID `json:"requester"`
	RequesterName string         `json:"requester_name"`
	Partner       string         `json:"partner"`
	Purpose       string         `json:"purpose"`
	From          string         `json:"from"`
	To            string         `json:"to"`
	Fields        []string       `json:"fields"`
	State         string         `json:"state"`
	Created       string         `json:"created"`
	DecidedBy     hotline.UserID `json:"decided_by,omitempty"`
	DecidedByName string         `json:"decided_by_name,omitempty"`
	Decided       string         `json:"decided,omitempty"`
	Note          string         `json:"note"`
	Version       int            `json:"version"`
}

type downloadJSON struct {
	ID       int64          `json:"id"`
	Request  int64          `json:"request"`
	By       hotline.UserID `json:"by"`
	ByName   string         `json:"by_name"`
	At       string         `json:"at"`
	Rows     int            `json:"rows"`
	Bytes    int64          `json:"bytes"`
	SHA256   string         `json:"sha256"`
	Complete bool           `json:"complete"`
}

func toOpenDataJSON(r *ticketing.OpenDataRequest) openDataJSON {
	return openDataJSON{ID: r.ID, Requester: r.Requester, RequesterName: r.RequesterName, Partner: r.Partner,
		Purpose: r.Purpose, From: r.From.In(ticketing.Beijing).Format(time.DateOnly),
		To:     r.To.In(ticketing.Beijing).AddDate(0, 0, -1).Format(time.DateOnly),
		Fields: append([]string{}, r.Fields...), State: string(r.State), Created: stamp(r.Created),
		DecidedBy: r.DecidedBy, DecidedByName: r.DecidedByName, Decided: stamp(r.Decided), Note: r.Note, Version: r.Version}
}

func toDownloadJSON(d *ticketing.OpenDataDownload) downloadJSON {
	return downloadJSON{ID: d.ID, Request: d.Request, By: d.By, ByName: d.ByName, At: stamp(d.At), Rows: d.Rows,
		Bytes: d.Bytes, SHA256: d.SHA256, Complete: d.Complete}
}

// openData returns the service, or fails the request with 404.
func (s *server) openData(w http.ResponseWriter, r *http.Request) (OpenData, bool) {
	if s.cfg.OpenData == nil {
		s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "open-data exports are not enabled"))
		return nil, false
	}
	return s.cfg.OpenData, true
}

// openDataID reads the {id} of an export request route.
func (s *server) openDataID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "export request %q not found", r.PathValue("id")))
		return 0, false
	}
	return id, true
}

func (s *server) createOpenData(w http.ResponseWriter, r *http.Request) {
	od, ok := s.openData(w, r)
	if !ok {
		return
	}
	var in ticketing.OpenDataInput
	if _, err := s.decodeRequest(w, r, &in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	req, err := od.RequestExport(r.Context(), actor(r), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toOpenDataJSON(req))
}

func (s *server) listOpenData(w http.ResponseWriter, r *http.Request) {
	od, ok := s.openData(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var v hotline.Invalid
	checkParams(&v, q, "state", "limit", "offset")
	f := ticketing.OpenDataFilter{State: enumParam(&v, q, "state", ticketing.ParseOpenDataState)}
	f.Limit, f.Offset = pageParams(&v, q)
	if err := v.Err("invalid query"); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := od.Requests(r.Context(), actor(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]openDataJSON, 0, len(list))
	for _, req := range list {
		out = append(out, toOpenDataJSON(req))
	}
	writeJSON(w, http.StatusOK, map[string]any{"requests": out, "limit": f.Limit, "offset": f.Offset})
}

// pageParams reads limit (1-200, default 50) and offset.
func pageParams(v *hotline.Invalid, q url.Values) (int, int) {
	return intParam(v, q, "limit", defaultLimit, 1, ticketing.MaxPage), intParam(v, q, "offset", 0, 0, math.MaxInt32)
}

func (s *server) getOpenData(w http.ResponseWriter, r *http.Request) {
	od, ok := s.openData(w, r)
	if !ok {
		return
	}
	id, ok := s.openDataID(w, r)
	if !ok {
		return
	}
	req, err := od.Request(r.Context(), actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toOpenDataJSON(req))
}

// decideOpenData answers approve or reject; the body ({"note", "version"})
// may be empty.
func (s *server) decideOpenData(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		od, ok := s.openData(w, r)
		if !ok {
			return
		}
		id, ok := s.openDataID(w, r)
		if !ok {
			return
		}
		var in ticketing.OpenDataDecision
		if _, err := s.decodeRequest(w, r, &in, true); err != nil {
			s.fail(w, r, err)
			return
		}
		req, err := od.Decide(r.Context(), actor(r), id, approve, in)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toOpenDataJSON(req))
	}
}

// downloadOpenData streams the CSV. The headers go out with the first byte,
// after the service has checked the request and recorded the download, so
// a refusal is still a JSON error; a failure after that can only cut the
// body short (the log and the download record say so).
func (s *server) downloadOpenData(w http.ResponseWriter, r *http.Request) {
	od, ok := s.openData(w, r)
	if !ok {
		return
	}
	id, ok := s.openDataID(w, r)
	if !ok {
		return
	}
	lw := &lazyCSV{w: w, name: fmt.Sprintf("opendata-%d.csv", id)}
	d, err := od.Export(r.Context(), actor(r), id, lw)
	if err != nil && !lw.started {
		s.fail(w, r, err)
		return
	}
	if err != nil {
		s.log.Warn("open-data download cut short", "request", id, "err", err)
	}
	if d != nil && lw.started {
		w.Header().Set("X-Export-Rows", strconv.Itoa(d.Rows))
		w.Header().Set("X-Export-Sha256", d.SHA256)
	}
}

// exportWriteWindow is how long each part of an export may take to write:
// a large export outlives the server's WriteTimeout, so the deadline moves
// on as the stream progresses (a stalled client still times out).
const exportWriteWindow = time.Minute

// lazyCSV sends the CSV headers (with the trailers announced) on the first
// write, and keeps pushing the connection's write deadline ahead.
type lazyCSV struct {
	w        http.ResponseWriter
	name     string
	started  bool
	deadline time.Time
}

func (l *lazyCSV) Write(p []byte) (int, error) {
	if now := time.Now(); now.Add(exportWriteWindow / 2).After(l.deadline) {
		l.deadline = now.Add(exportWriteWindow)
		// Not every writer supports deadlines (httptest's does not): then the
		// server's own timeout stands.
		_ = http.NewResponseController(l.w).SetWriteDeadline(l.deadline)
	}
	if !l.started {
		l.started = true
		h := l.w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+l.name+`"`)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		h.Set("Trailer", "X-Export-Rows, X-Export-Sha256")
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(p)
}

func (s *server) listOpenDataDownloads(w http.ResponseWriter, r *http.Request) {
	od, ok := s.openData(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var v hotline.Invalid
	checkParams(&v, q, "request", "limit", "offset")
	f := ticketing.OpenDataDownloadFilter{Request: int64(intParam(&v, q, "request", 0, 1, math.MaxInt32))}
	f.Limit, f.Offset = pageParams(&v, q)
	if err := v.Err("invalid query"); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := od.Downloads(r.Context(), actor(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]downloadJSON, 0, len(list))
	for _, d := range list {
		out = append(out, toDownloadJSON(d))
	}
	writeJSON(w, http.StatusOK, map[string]any{"downloads": out, "limit": f.Limit, "offset": f.Offset})
}

// openDataSchemas are the shapes of the open-data routes.
func openDataSchemas() map[string]any {
	request := map[string]any{
		"id": integer, "requester": str("user id"), "requester_name": str(""), "partner": str("the organisation the data goes to"),
		"purpose": str(""), "from": str("YYYY-MM-DD, first day"), "to": str("YYYY-MM-DD, last day (inclusive)"),
		"fields": map[string]any{"type": "array", "items": str("pseudonym, created_hour, channel, type, category, district, street, title, content, outcome, reply, replied_in_hours, contacted, resolved, satisfaction")},
		"state":  str("pending, approved or rejected"), "created": stamp3,
		"decided_by": str("user id; absent while pending"), "decided_by_name": str(""), "decided": stamp3,
		"note": str("the approver's note"), "version": integer,
	}
	download := map[string]any{
		"id": integer, "request": integer, "by": str("user id"), "by_name": str(""), "at": stamp3,
		"rows": integer, "bytes": integer, "sha256": str("hex SHA-256 of the file as sent"),
		"complete": map[string]any{"type": "boolean", "description": "false when the download broke off"},
	}
	return map[string]any{
		"OpenDataRequest": object(request, "id", "requester", "partner", "purpose", "from", "to", "fields", "state", "version"),
		"OpenDataRequestList": object(map[string]any{"requests": arrayOf("OpenDataRequest"), "limit": integer, "offset": integer},
			"requests", "limit", "offset"),
		"OpenDataInput": object(map[string]any{"partner": str("required"), "purpose": str("required"),
			"from": str("YYYY-MM-DD, required"), "to": str("YYYY-MM-DD inclusive, required"),
			"fields": map[string]any{"type": "array", "items": str("a field name"), "description": "default: every field; the pseudonym is always included"}},
			"partner", "purpose", "from", "to"),
		"OpenDataDecision": object(map[string]any{"note": str("required to reject"),
			"version": map[string]any{"type": "integer", "description": "expected version; 0 does not check"}}),
		"OpenDataDownload": object(download, "id", "request", "by", "at", "rows", "bytes", "sha256", "complete"),
		"OpenDataDownloadList": object(map[string]any{"downloads": arrayOf("OpenDataDownload"), "limit": integer, "offset": integer},
			"downloads", "limit", "offset"),
	}
}
