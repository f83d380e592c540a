package api

import (
	"net/http"
	"net/url"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
)

func (s *server) listUsers(w http.ResponseWriter, r *http.Request) {
	us, err := s.accounts.Users(r.Context(), actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]userJSON, 0, len(us))
	for _, u := range us {
		out = append(out, toUserJSON(u))
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

func (s *server) createUser(w http.ResponseWriter, r *http.Request) {
	var in account.UserInput
	if _, err := s.decodeRequest(w, r, &in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.accounts.CreateUser(r.Context(), actor(r), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/users/"+url.PathEscape(string(u.ID)))
	writeJSON(w, http.StatusCreated, toUserJSON(u))
}

func (s *server) patchUser(w http.ResponseWriter, r *http.Request) {
	var in account.UserPatch
	if _, err := s.decodeRequest(w, r, &in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.accounts.UpdateUser(r.Context(), actor(r), hotline.UserID(r.PathValue("id")), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toUserJSON(u))
}

type apiKeyRequest struct {
	Name string `json:"name"`
}

type apiKeyJSON struct {
	Key     string         `json:"key"`
	ID      string         `json:"id,omitempty"`
	Name    string         `json:"name"`
	User    hotline.UserID `json:"user"`
	Created string         `json:"created,omitempty"`
}

// createAPIKey returns the key once; only its hash is kept.
func (s *server) createAPIKey(w http.ResponseWriter, r *http.Request) {
	var in apiKeyRequest
	if _, err := s.decodeRequest(w, r, &in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	key, k, err := s.accounts.CreateAPIKey(r.Context(), actor(r), in.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := apiKeyJSON{Key: key, Name: in.Name}
	if k != nil {
		out.ID, out.Name, out.User, out.Created = k.ID(), k.Name, k.User, stamp(k.Created)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, out)
}
