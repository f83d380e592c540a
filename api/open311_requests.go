package api

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// Open311 request lists.
const (
	open311Window = 90 * 24 * time.Hour // default start_date: this long ago
	open311Limit  = 200                 // the spec allows 1000; we page less
)

type open311Created struct {
	ServiceRequestID hotline.TicketID `json:"service_request_id"`
	ServiceNotice    string           `json:"service_notice"`
	AccountID        string           `json:"account_id"`
}

// open311Create files a ticket from a form-encoded POST requests.json.
func (s *server) open311Create(w http.ResponseWriter, r *http.Request) {
	form, err := s.readForm(w, r)
	if err != nil {
		s.open311Fail(w, r, err)
		return
	}
	who, err := s.open311Key(r, form.Get("api_key"))
	if err != nil {
		s.open311Fail(w, r, err)
		return
	}
	in, err := open311Intake(form)
	if err != nil {
		s.open311Fail(w, r, err)
		return
	}
	t, _, err := s.tickets.Intake(r.Context(), who, in, ticketing.IdemKey{})
	if err != nil {
		s.open311Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, []open311Created{{ServiceRequestID: t.ID, AccountID: form.Get("account_id")}})
}

// readForm parses a form body (url-encoded, or multipart as the spec
// allows for media; files are not kept) under the size cap.
func (s *server) readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	var err error
	switch mt {
	case "application/x-www-form-urlencoded":
		err = r.ParseForm()
	case "multipart/form-data":
		err = r.ParseMultipartForm(s.cfg.MaxBodyBytes)
		if r.MultipartForm != nil {
			defer func() { _ = r.MultipartForm.RemoveAll() }()
		}
	default:
		return nil, hotline.Errorf(codeUnsupported, "content type must be application/x-www-form-urlencoded or multipart/form-data")
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, hotline.Errorf(codeTooLarge, "request body is larger than %d bytes", tooBig.Limit)
		}
		return nil, hotline.Errorf(hotline.EINVALID, "malformed form body: %v", err)
	}
	return r.Form, nil
}

// open311Key authenticates an API key: missing is 401, bad is 403.
func (s *server) open311Key(r *http.Request, key string) (hotline.Actor, error) {
	if key == "" {
		return hotline.Actor{}, hotline.Errorf(hotline.EUNAUTH, "api_key is required")
	}
	k, err := s.accounts.AuthenticateAPIKey(r.Context(), key)
	if hotline.ErrorCode(err) == hotline.EUNAUTH || (err == nil && (k == nil || k.Revoked)) {
		return hotline.Actor{}, hotline.Errorf(hotline.EFORBIDDEN, "api_key is not valid")
	}
	if err != nil {
		return hotline.Actor{}, err
	}
	return hotline.Actor{UserID: "open311", Name: "open311:" + k.Name, Role: hotline.RoleAgent}, nil
}

// open311Intake maps a GeoReport v2 request onto an intake.
func open311Intake(f url.Values) (ticketing.IntakeInput, error) {
	var v hotline.Invalid
	in := ticketing.IntakeInput{
		Channel:      string(ticketing.ChannelOpen311),
		Type:         string(ticketing.TypeComplaint),
		Category:     f.Get("service_code"),
		Content:      strings.TrimSpace(f.Get("description")),
		Address:      strings.TrimSpace(f.Get("address_string")),
		CallerNumber: strings.TrimSpace(f.Get("phone")),
		CitizenName:  strings.TrimSpace(f.Get("first_name") + " " + f.Get("last_name")),
	}
	if t := f.Get("attribute[type]"); t != "" {
		in.Type = t
	}
	if in.Category == "" {
		v.Add("service_code", "is required")
	}
	in.Lat, in.Lng = open311Position(&v, f)
	if in.Lat == nil && in.Address == "" {
		v.Add("address_string", "lat and long, or address_string, is required")
	}
	in.ContactNumber = in.CallerNumber
	if email := strings.TrimSpace(f.Get("email")); in.ContactNumber == "" {
		in.ContactNumber = email
	}
	if in.ContactNumber == "" {
		v.Add("phone", "phone or email is required: the law needs a way to reach the citizen")
	}
	return in, v.Err("invalid service request")
}

// open311Position reads lat and long: both or neither.
func open311Position(v *hotline.Invalid, f url.Values) (lat, lng *float64) {
	if f.Get("lat") == "" && f.Get("long") == "" {
		return nil, nil
	}
	la, err1 := strconv.ParseFloat(f.Get("lat"), 64)
	lo, err2 := strconv.ParseFloat(f.Get("long"), 64)
	if err1 != nil || la < -90 || la > 90 {
		v.Add("lat", "must be a latitude in degrees")
	}
	if err2 != nil || lo < -180 || lo > 180 {
		v.Add("long", "must be a longitude in degrees")
	}
	if err1 != nil || err2 != nil {
		return nil, nil
	}
	return &la, &lo
}

func (s *server) open311Requests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var ts []*ticketing.Ticket
	var err error
	if ids := q.Get("service_request_id"); ids != "" {
		ts, err = s.open311ByIDs(r.Context(), strings.Split(ids, ","))
	} else {
		ts, err = s.open311Search(r.Context(), q)
	}
	if err != nil {
		s.open311Fail(w, r, err)
		return
	}
	s.writeOpen311Requests(w, r, ts)
}

// open311ByIDs fetches the listed tickets; unknown ones are left out.
func (s *server) open311ByIDs(ctx context.Context, ids []string) ([]*ticketing.Ticket, error) {
	if len(ids) > open311Limit {
		return nil, hotline.Errorf(hotline.EINVALID, "at most %d service_request_id values", open311Limit)
	}
	var out []*ticketing.Ticket
	for _, id := range ids {
		t, err := s.tickets.Ticket(ctx, open311Reader, hotline.TicketID(strings.TrimSpace(id)))
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (s *server) open311Search(ctx context.Context, q url.Values) ([]*ticketing.Ticket, error) {
	var v hotline.Invalid
	f := ticketing.TicketFilter{Category: hotline.CategoryID(q.Get("service_code")), Limit: open311Limit}
	f.From = open311Time(&v, q, "start_date")
	f.To = open311Time(&v, q, "end_date")
	if f.From.IsZero() {
		f.From = s.cfg.Clock.Now().Add(-open311Window)
	}
	switch q.Get("status") {
	case "":
	case "open":
		f.States = openStates()
	case "closed":
		f.States = []ticketing.State{ticketing.StateClosed, ticketing.StateArchived}
	default:
		v.Add("status", "must be open or closed")
	}
	if err := v.Err("invalid query"); err != nil {
		return nil, err
	}
	return s.tickets.Tickets(ctx, open311Reader, f)
}

func openStates() []ticketing.State {
	var out []ticketing.State
	for _, st := range ticketing.States {
		if st.Open() {
			out = append(out, st)
		}
	}
	return out
}

func open311Time(v *hotline.Invalid, q url.Values, name string) time.Time {
	s := q.Get(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		v.Add(name, "must be a W3C (RFC 3339) date-time such as 2026-11-27T09:00:00+08:00")
	}
	return t
}

func (s *server) open311Request(w http.ResponseWriter, r *http.Request) {
	id, err := format(r.PathValue("id"))
	if err != nil {
		s.open311Fail(w, r, err)
		return
	}
	t, err := s.tickets.Ticket(r.Context(), open311Reader, hotline.TicketID(id))
	if err != nil {
		s.open311Fail(w, r, err)
		return
	}
	s.writeOpen311Requests(w, r, []*ticketing.Ticket{t})
}
