package api

import (
	"maps"
	"net/http"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
)

// The Open311 API keys an admin has made, and their revocation. A key is
// named by its public id (account.APIKey.ID); neither the key nor its hash
// ever leaves the server after creation.

func init() {
	maps.Copy(operations, map[string]operation{
		"GET /api/v1/apikeys": {summary: "List the Open311 API keys, revoked ones too, oldest first (never the key or its hash); admin only",
			tag: "accounts", status: 200, result: "APIKeyList"},
		"POST /api/v1/apikeys/{id}/revoke": {summary: "Revoke an Open311 API key at once: the next request carrying it is refused (403); revoking twice is harmless; admin only",
			tag: "accounts", status: 200, result: "APIKeyInfo", params: []param{pathParam("id", "the key's public id from the list")}},
	})
}

type apiKeyInfoJSON struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	User    hotline.UserID `json:"user"`
	Created string         `json:"created,omitempty"`
	Revoked bool           `json:"revoked"`
}

func toAPIKeyInfo(k *account.APIKey) apiKeyInfoJSON {
	return apiKeyInfoJSON{ID: k.ID(), Name: k.Name, User: k.User, Created: stamp(k.Created), Revoked: k.Revoked}
}

func (s *server) listAPIKeys(w http.ResponseWriter, r *http.Request) {
	ks, err := s.accounts.APIKeys(r.Context(), actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiKeyInfoJSON, 0, len(ks))
	for _, k := range ks {
		out = append(out, toAPIKeyInfo(k))
	}
	writeJSON(w, http.StatusOK, map[string]any{"apikeys": out})
}

func (s *server) revokeAPIKey(w http.ResponseWriter, r *http.Request) {
	k, err := s.accounts.RevokeAPIKey(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIKeyInfo(k))
}

// apiKeySchemas are the shapes of the key list and a revoked key.
func apiKeySchemas() map[string]any {
	return map[string]any{
		"APIKeyInfo": object(map[string]any{"id": str("public id: the first 12 hex digits of the key's SHA-256"), "name": str(""),
			"user": str("who made it"), "created": stamp3, "revoked": boolean}, "id", "name", "revoked"),
		"APIKeyList": list("apikeys", "APIKeyInfo"),
	}
}
