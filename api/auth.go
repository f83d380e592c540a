package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
)

type ctxKey int

const (
	userKey ctxKey = iota
	tokenKey
)

// withUser returns ctx carrying the authenticated user and their token.
func withUser(ctx context.Context, u *account.User, token string) context.Context {
	return context.WithValue(context.WithValue(ctx, userKey, u), tokenKey, token)
}

// ActorFrom returns the authenticated actor of a request's context.
func ActorFrom(ctx context.Context) (hotline.Actor, bool) {
	u, ok := ctx.Value(userKey).(*account.User)
	if !ok || u == nil {
		return hotline.Actor{}, false
	}
	return u.Actor(), true
}

func userFrom(ctx context.Context) *account.User {
	u, _ := ctx.Value(userKey).(*account.User)
	return u
}

func actor(r *http.Request) hotline.Actor {
	a, _ := ActorFrom(r.Context())
	return a
}

// bearer returns the token of an "Authorization: Bearer TOKEN" header.
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// authed requires a valid bearer token and puts its user into the context.
func (s *server) authed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="hotline"`)
			s.fail(w, r, hotline.Errorf(hotline.EUNAUTH, "missing bearer token: send Authorization: Bearer TOKEN from POST /api/v1/login"))
			return
		}
		u, err := s.accounts.Authenticate(r.Context(), token)
		if err != nil {
			if hotline.ErrorCode(err) == hotline.EUNAUTH {
				w.Header().Set("WWW-Authenticate", `Bearer realm="hotline", error="invalid_token"`)
			}
			s.fail(w, r, err)
			return
		}
		if u == nil {
			s.fail(w, r, hotline.Errorf(hotline.EUNAUTH, "invalid token"))
			return
		}
		next(w, r.WithContext(withUser(r.Context(), u, token)))
	}
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token   string    `json:"token"`
	Expires time.Time `json:"expires"`
	User    userJSON  `json:"user"`
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	var in loginRequest
	if _, err := s.decodeRequest(w, r, &in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	token, u, expires, err := s.accounts.Login(r.Context(), in.Username, in.Password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, loginResponse{Token: token, Expires: expires.UTC(), User: toUserJSON(u)})
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	token, _ := r.Context().Value(tokenKey).(string)
	if err := s.accounts.Logout(r.Context(), token); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, toUserJSON(userFrom(r.Context())))
}
