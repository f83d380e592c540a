// Package api is the HTTP adapter of hotline: the JSON API under /api/v1
// (bearer-token auth, strict decoding, one error shape, an OpenAPI document)
// and the Open311 GeoReport v2 facade under /open311/v2. The domain services
// do all validation and access control; this package decodes, authenticates,
// maps errors and encodes.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/ticketing"
)

// DefaultMaxBodyBytes caps request bodies when Config leaves it zero.
const DefaultMaxBodyBytes = 64 << 10

// Config tunes the API.
type Config struct {
	MaxBodyBytes int64          // request body cap; default 64 KiB
	Clock        hotline.Clock  // default: the wall clock (Open311's 90-day window)
	Location     *time.Location // how YYYY-MM-DD dates in queries are read; default time.Local
	Calls        Calls          // call records; nil: /api/v1/calls answers 404
	Desk         Desk           // the agent desk WebSocket; nil: /api/v1/desk/ws answers 404
	QueueLog     QueueEvents    // the ACD's stored queue log; nil: /api/v1/acd/kpis answers 404
	Events       *Events        // live ticket events; nil: /api/v1/events/ws answers 404
	Prompts      Prompts        // uploaded IVR prompts; nil: /api/v1/prompts answers 404
	Callbacks    CallbackDesk   // satisfaction-callback control and manual answers; nil: those routes answer 404
	OpenData     OpenData       // anonymised open-data exports and their governance; nil: /api/v1/opendata answers 404
	Forecast     Forecaster     // call forecasts, staffing and pre-plans; nil: /api/v1/forecast answers 404
	Reports      Reports        // daily, weekly and monthly reports; nil: /api/v1/reports answers 404
	Classifier   Classifier     // category suggestions from the request's text; nil: /api/v1/categories/suggest answers 404
	Analytics    Analytics      // duplicates and hot spots; nil: /api/v1/tickets/{id}/similar and /api/v1/hotspots answer 404
}

func (c Config) withDefaults() Config {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Clock == nil {
		c.Clock = hotline.SystemClock{}
	}
	if c.Location == nil {
		c.Location = time.Local
	}
	return c
}

// Lifecycle is the work-order side of the ticketing service.
type Lifecycle interface {
	Intake(ctx context.Context, a hotline.Actor, in ticketing.IntakeInput, idem ticketing.IdemKey) (*ticketing.Ticket, bool, error)
	Ticket(ctx context.Context, a hotline.Actor, id hotline.TicketID) (*ticketing.Ticket, error)
	Tickets(ctx context.Context, a hotline.Actor, f ticketing.TicketFilter) ([]*ticketing.Ticket, error)
	History(ctx context.Context, a hotline.Actor, id hotline.TicketID) ([]ticketing.Event, error)
	Accesses(ctx context.Context, a hotline.Actor, id hotline.TicketID) ([]ticketing.Access, error)
	Act(ctx context.Context, a hotline.Actor, id hotline.TicketID, action string, in ticketing.ActionInput) (*ticketing.Ticket, error)
	Suggest(ctx context.Context, category hotline.CategoryID, address string, lat, lng float64) (*ticketing.Suggestion, error)
	ResolveArea(ctx context.Context, address string, lat, lng float64) ticketing.Area
}

// Reference is the units, categories and dispatch catalogue side of the
// ticketing service.
type Reference interface {
	Units(ctx context.Context, f ticketing.UnitFilter) ([]*ticketing.Unit, error)
	Unit(ctx context.Context, id hotline.UnitID) (*ticketing.Unit, error)
	CreateUnit(ctx context.Context, a hotline.Actor, u *ticketing.Unit) error
	UpdateUnit(ctx context.Context, a hotline.Actor, u *ticketing.Unit) error
	Categories(ctx context.Context) ([]*ticketing.Category, error)
	CreateCategory(ctx context.Context, a hotline.Actor, c *ticketing.Category) error
	UpdateCategory(ctx context.Context, a hotline.Actor, c *ticketing.Category) error
	Rules(ctx context.Context) ([]*ticketing.Rule, error)
	CreateRule(ctx context.Context, a hotline.Actor, r *ticketing.Rule) error
	UpdateRule(ctx context.Context, a hotline.Actor, r *ticketing.Rule) error
	DeleteRule(ctx context.Context, a hotline.Actor, id int64) error
}

// Knowledge is the knowledge-base side of the ticketing service.
type Knowledge interface {
	SearchArticles(ctx context.Context, a hotline.Actor, q string, limit int) ([]*ticketing.Article, error)
	Article(ctx context.Context, a hotline.Actor, id string) (*ticketing.Article, error)
	CreateArticle(ctx context.Context, a hotline.Actor, art *ticketing.Article) error
	UpdateArticle(ctx context.Context, a hotline.Actor, art *ticketing.Article) error
}

// Tickets is everything the API needs from the ticketing service.
type Tickets interface {
	Lifecycle
	Reference
	Knowledge
}

// Accounts is everything the API needs from the account service.
type Accounts interface {
	Login(ctx context.Context, username, password string) (token string, u *account.User, expires time.Time, err error)
	Authenticate(ctx context.Context, token string) (*account.User, error)
	Logout(ctx context.Context, token string) error
	CreateUser(ctx context.Context, a hotline.Actor, in account.UserInput) (*account.User, error)
	UpdateUser(ctx context.Context, a hotline.Actor, id hotline.UserID, in account.UserPatch) (*account.User, error)
	Users(ctx context.Context, a hotline.Actor) ([]*account.User, error)
	CreateAPIKey(ctx context.Context, a hotline.Actor, name string) (key string, k *account.APIKey, err error)
	AuthenticateAPIKey(ctx context.Context, key string) (*account.APIKey, error)
	APIKeys(ctx context.Context, a hotline.Actor) ([]*account.APIKey, error)
	RevokeAPIKey(ctx context.Context, a hotline.Actor, id string) (*account.APIKey, error)
}

// server holds the handler's dependencies.
type server struct {
	cfg      Config
	tickets  Tickets
	accounts Accounts
	log      *slog.Logger
	mux      *http.ServeMux
	patterns []string            // every pattern registered on mux, for the OpenAPI check
	paths    *http.ServeMux      // the same paths without methods, to tell 405 from 404
	methods  map[string][]string // path pattern → its methods
	doc      []byte              // the OpenAPI document, encoded once
}

// New returns the handler for /api/v1 and /open311/v2. cmd mounts it at /.
func New(cfg Config, tickets Tickets, accounts Accounts, log *slog.Logger) http.Handler {
	return newServer(cfg, tickets, accounts, log).mux
}

func newServer(cfg Config, tickets Tickets, accounts Accounts, log *slog.Logger) *server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &server{cfg: cfg.withDefaults(), tickets: tickets, accounts: accounts, log: log,
		mux: http.NewServeMux(), paths: http.NewServeMux(), methods: map[string][]string{}}
	s.routes()
	s.doc = s.openAPIDocument()
	return s
}

// handle registers a pattern and remembers it.
func (s *server) handle(pattern string, h http.HandlerFunc) {
	s.patterns = append(s.patterns, pattern)
	s.mux.HandleFunc(pattern, h)
	method, path, _ := strings.Cut(pattern, " ")
	if s.methods[path] == nil {
		s.paths.HandleFunc(path, http.NotFound)
	}
	s.methods[path] = append(s.methods[path], method)
}

// allowed returns the methods served on r's path, if any.
func (s *server) allowed(r *http.Request) []string {
	_, pattern := s.paths.Handler(r)
	return s.methods[pattern]
}

func (s *server) routes() {
	s.handle("POST /api/v1/login", s.login)
	s.handle("GET /api/v1/openapi.json", s.openAPI)
	s.handle("POST /api/v1/logout", s.authed(s.logout))
	s.handle("GET /api/v1/me", s.authed(s.me))

	s.handle("POST /api/v1/tickets", s.authed(s.createTicket))
	s.handle("GET /api/v1/tickets", s.authed(s.listTickets))
	s.handle("GET /api/v1/tickets/{id}", s.authed(s.getTicket))
	s.handle("GET /api/v1/tickets/{id}/accesses", s.authed(s.ticketAccesses))
	s.handle("POST /api/v1/tickets/{id}/{action}", s.authed(s.act))
	s.handle("GET /api/v1/suggest", s.authed(s.suggest))
	s.handle("GET /api/v1/areas/resolve", s.authed(s.resolveArea))

	s.handle("GET /api/v1/units", s.authed(s.listUnits))
	s.handle("POST /api/v1/units", s.authed(s.createUnit))
	s.handle("GET /api/v1/units/{id}", s.authed(s.getUnit))
	s.handle("PATCH /api/v1/units/{id}", s.authed(s.patchUnit))
	s.handle("GET /api/v1/categories", s.authed(s.listCategories))
	s.handle("POST /api/v1/categories", s.authed(s.createCategory))
	s.handle("PATCH /api/v1/categories/{id}", s.authed(s.patchCategory))
	s.handle("GET /api/v1/catalogue", s.authed(s.listRules))
	s.handle("POST /api/v1/catalogue", s.authed(s.createRule))
	s.handle("PUT /api/v1/catalogue/{id}", s.authed(s.putRule))
	s.handle("DELETE /api/v1/catalogue/{id}", s.authed(s.deleteRule))

	s.handle("GET /api/v1/kb", s.authed(s.searchArticles))
	s.handle("GET /api/v1/kb/{id}", s.authed(s.getArticle))
	s.handle("POST /api/v1/kb", s.authed(s.createArticle))
	s.handle("PUT /api/v1/kb/{id}", s.authed(s.putArticle))

	s.handle("GET /api/v1/users", s.authed(s.listUsers))
	s.handle("POST /api/v1/users", s.authed(s.createUser))
	s.handle("PATCH /api/v1/users/{id}", s.authed(s.patchUser))
	s.handle("POST /api/v1/apikeys", s.authed(s.createAPIKey))
	s.handle("GET /api/v1/apikeys", s.authed(s.listAPIKeys))
	s.handle("POST /api/v1/apikeys/{id}/revoke", s.authed(s.revokeAPIKey))

	s.handle("GET /api/v1/calls", s.authed(s.listCalls))
	s.handle("GET /api/v1/calls/{id}", s.authed(s.getCall))
	s.handle("GET /api/v1/assessment", s.authed(s.getAssessment))
	s.handle("GET /api/v1/acd/kpis", s.authed(s.getKPIs))
	s.handle("GET /api/v1/desk/ws", s.deskWS)
	s.handle("GET /api/v1/events/ws", s.eventsWS)

	s.supervisionRoutes()
	s.callbackRoutes()
	s.claimRoutes()
	s.classifyRoutes()
	s.analyticsRoutes()
	s.reportRoutes()
	s.openDataRoutes()
	s.forecastRoutes()
	s.digestRoutes()
	s.open311Routes()
	// Anything else under /api/v1 gets the JSON error shape, not the mux's text.
	s.mux.HandleFunc("/api/v1/", s.noRoute)
}

func (s *server) noRoute(w http.ResponseWriter, r *http.Request) {
	if methods := s.allowed(r); len(methods) > 0 {
		w.Header().Set("Allow", strings.Join(methods, ", "))
		s.fail(w, r, hotline.Errorf(codeMethod, "%s is not allowed on %s; use %s", r.Method, r.URL.Path, strings.Join(methods, " or ")))
		return
	}
	s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "no route %s %s", r.Method, r.URL.Path))
}
