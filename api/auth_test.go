package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/ticketing"
)

func TestAuthRequired(t *testing.T) {
	for _, auth := range []string{"", "Bearer", "Basic Zm9vOmJhcg==", "Bearer wrong"} {
		e := newEnv(t)
		w := e.request("GET", "/api/v1/tickets", "", "Authorization", auth)
		got := apiError(t, w, http.StatusUnauthorized)
		if got.Code != hotline.EUNAUTH {
			t.Errorf("auth %q: code = %q", auth, got.Code)
		}
		if w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("auth %q: no WWW-Authenticate header", auth)
		}
		if e.tickets.calls != 0 {
			t.Errorf("auth %q: service called %d times", auth, e.tickets.calls)
		}
	}
}

func TestEveryAPIRouteButLoginAndOpenAPINeedsAToken(t *testing.T) {
	e := newEnv(t)
	for _, pattern := range e.srv.patterns {
		method, path, _ := strings.Cut(pattern, " ")
		if !strings.HasPrefix(path, "/api/v1/") || path == "/api/v1/login" || path == "/api/v1/openapi.json" ||
			path == "/api/v1/desk/ws" || path == "/api/v1/events/ws" { // authenticate with their first message (desk_test.go, events_test.go)
			continue
		}
		path = strings.NewReplacer("{id}", "1", "{action}", "accept").Replace(path)
		w := e.request(method, path, `{}`, "Authorization", "")
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s %s without token: %d", method, path, w.Code)
		}
	}
}

func TestActorInContext(t *testing.T) {
	e := newEnv(t)
	var got hotline.Actor
	e.tickets.TicketsFn = func(a hotline.Actor, _ ticketing.TicketFilter) ([]*ticketing.Ticket, error) {
		got = a
		return nil, nil
	}
	e.request("GET", "/api/v1/tickets", "")
	if got != testUser.Actor() {
		t.Fatalf("actor = %+v, want %+v", got, testUser.Actor())
	}
}

func TestLogin(t *testing.T) {
	e := newEnv(t)
	expires := testNow.Add(12 * time.Hour)
	e.accounts.LoginFn = func(u, p string) (string, *account.User, time.Time, error) {
		if u != "li" || p != "pw" {
			return "", nil, time.Time{}, hotline.Errorf(hotline.EUNAUTH, "wrong username or password")
		}
		return "tok", testUser, expires, nil
	}
	w := e.request("POST", "/api/v1/login", `{"username":"li","password":"pw"}`, "Authorization", "")
	var got struct {
		Token   string    `json:"token"`
		Expires time.Time `json:"expires"`
		User    userJSON  `json:"user"`
	}
	decodeBody(t, w, http.StatusOK, &got)
	if got.Token != "tok" || !got.Expires.Equal(expires) || got.User.Username != "li" || got.User.Role != "agent" {
		t.Errorf("login = %+v", got)
	}
	if strings.Contains(w.Body.String(), "argon2") || strings.Contains(w.Body.String(), "password") {
		t.Errorf("login leaks the password hash: %s", w.Body)
	}

	w = e.request("POST", "/api/v1/login", `{"username":"li","password":"nope"}`)
	apiError(t, w, http.StatusUnauthorized)
}

func TestLoginStrict(t *testing.T) {
	e := newEnv(t)
	w := e.request("POST", "/api/v1/login", `{"username":"li","password":"pw","remember":true}`)
	if got := apiError(t, w, http.StatusBadRequest); got.Fields["remember"] == "" {
		t.Errorf("fields = %v", got.Fields)
	}
	if e.accounts.calls != 0 {
		t.Error("Login called on a bad body")
	}
}

func TestLogoutAndMe(t *testing.T) {
	e := newEnv(t)
	var gotToken string
	e.accounts.LogoutFn = func(tok string) error { gotToken = tok; return nil }
	if w := e.request("POST", "/api/v1/logout", ""); w.Code != http.StatusNoContent {
		t.Fatalf("logout = %d %s", w.Code, w.Body)
	}
	if gotToken != "good" {
		t.Errorf("logout token = %q", gotToken)
	}
	var me userJSON
	decodeBody(t, e.request("GET", "/api/v1/me", ""), http.StatusOK, &me)
	if me.ID != "u1" || me.Name != "Li Na" {
		t.Errorf("me = %+v", me)
	}
}

func TestAuthStoreFailureIs500(t *testing.T) {
	e := newEnv(t)
	w := e.request("GET", "/api/v1/me", "", "Authorization", "Bearer boom")
	if got := apiError(t, w, http.StatusInternalServerError); got.Message != "internal error" {
		t.Errorf("message = %q", got.Message)
	}
	if w.Header().Get("WWW-Authenticate") != "" {
		t.Error("a server fault must not ask the client to re-authenticate")
	}
	if !strings.Contains(e.logs.String(), "session store unreachable") {
		t.Errorf("log = %q", e.logs)
	}
}
