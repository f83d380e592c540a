package api

import (
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): services are
// the leaf categories, service requests are tickets. Reads are public and
// go through the service as a read-only actor; creating needs an API key.

// open311Reader is the actor of the public Open311 reads.
var open311Reader = hotline.Actor{UserID: "open311", Name: "Open311", Role: hotline.RoleAgent}

func (s *server) open311Routes() {
	s.handle("GET /open311/v2/services.json", s.open311Services)
	s.handle("GET /open311/v2/services/{code}", s.open311Service)
	s.handle("POST /open311/v2/requests.json", s.open311Create)
	s.handle("GET /open311/v2/requests.json", s.open311Requests)
	s.handle("GET /open311/v2/requests/{id}", s.open311Request)
	s.mux.HandleFunc("/open311/v2/", s.open311NoRoute)
}

type open311Error struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

// open311Fail writes err in Open311's error format: a list of
// {code, description} with the HTTP status as code.
func (s *server) open311Fail(w http.ResponseWriter, r *http.Request, err error) {
	body := toErrorJSON(err)
	status := statusOf(body.Code)
	if status == http.StatusInternalServerError {
		s.logInternal(r, err)
	}
	writeJSON(w, status, []open311Error{{Code: status, Description: open311Description(body)}})
}

// open311Description folds the field complaints into one sentence, with
// the domain's field names turned into Open311's.
func open311Description(e errorJSON) string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	names := make([]string, 0, len(e.Fields))
	for name := range e.Fields {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := []string{e.Message}
	for _, name := range names {
		parts = append(parts, open311Field(name)+": "+e.Fields[name])
	}
	return strings.Join(parts, "; ")
}

var open311Names = map[string]string{
	"category": "service_code", "content": "description", "address": "address_string",
	"lat": "lat", "lng": "long", "contact_number": "phone", "caller_number": "phone",
	"citizen_name": "first_name", "title": "description", "type": "attribute[type]",
}

func open311Field(name string) string {
	if n, ok := open311Names[name]; ok {
		return n
	}
	return name
}

// format checks a ".json" file name and returns its stem.
func format(file string) (string, error) {
	if stem, ok := strings.CutSuffix(file, ".json"); ok && stem != "" {
		return stem, nil
	}
	if strings.HasSuffix(file, ".xml") {
		return "", errFormat
	}
	return "", hotline.Errorf(hotline.ENOTFOUND, "no such resource %q", file)
}

var errFormat = hotline.Errorf(hotline.EINVALID, "format not supported, use .json")

func (s *server) open311NoRoute(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, ".xml") {
		s.open311Fail(w, r, errFormat)
		return
	}
	if methods := s.allowed(r); len(methods) > 0 {
		w.Header().Set("Allow", strings.Join(methods, ", "))
		s.open311Fail(w, r, hotline.Errorf(codeMethod, "%s is not allowed on %s", r.Method, r.URL.Path))
		return
	}
	s.open311Fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "no route %s %s", r.Method, r.URL.Path))
}

type serviceJSON struct {
	ServiceCode hotline.CategoryID `json:"service_code"`
	ServiceName string             `json:"service_name"`
	Description string             `json:"description"`
	Metadata    bool               `json:"metadata"`
	Type        string             `json:"type"`
	Keywords    string             `json:"keywords"`
	Group       string             `json:"group"`
}

// leafServices returns the enabled leaf categories as Open311 services.
func leafServices(cs []*ticketing.Category) []serviceJSON {
	parents := map[hotline.CategoryID]bool{}
	names := map[hotline.CategoryID]string{}
	for _, c := range cs {
		parents[c.Parent] = true
		names[c.ID] = c.Name
	}
	out := []serviceJSON{}
	for _, c := range cs {
		if parents[c.ID] || c.Disabled {
			continue
		}
		desc := c.Name
		if c.Indicator != "" {
			desc = c.Name + " (" + c.Indicator + ")"
		}
		out = append(out, serviceJSON{
			ServiceCode: c.ID, ServiceName: c.Name, Description: desc, Type: "realtime",
			Keywords: strings.Join(c.Keywords, ","), Group: names[c.Parent],
		})
	}
	return out
}

func (s *server) open311Services(w http.ResponseWriter, r *http.Request) {
	cs, err := s.tickets.Categories(r.Context())
	if err != nil {
		s.open311Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, leafServices(cs))
}

type serviceDefinitionJSON struct {
	ServiceCode hotline.CategoryID `json:"service_code"`
	Attributes  []any              `json:"attributes"`
}

// open311Service is the service definition; no service has attributes.
func (s *server) open311Service(w http.ResponseWriter, r *http.Request) {
	code, err := format(r.PathValue("code"))
	if err != nil {
		s.open311Fail(w, r, err)
		return
	}
	cs, err := s.tickets.Categories(r.Context())
	if err != nil {
		s.open311Fail(w, r, err)
		return
	}
	for _, svc := range leafServices(cs) {
		if string(svc.ServiceCode) == code {
			writeJSON(w, http.StatusOK, serviceDefinitionJSON{ServiceCode: svc.ServiceCode, Attributes: []any{}})
			return
		}
	}
	s.open311Fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "no service %q", code))
}

// isNotFound reports whether err is the domain's not-found.
func isNotFound(err error) bool {
	var e *hotline.Error
	return errors.As(err, &e) && e.Code == hotline.ENOTFOUND
}
