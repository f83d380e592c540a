package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/ticketing"
)

// keyring is a fake of the account service's keys: keys "key-1", "key-2"
// … with hashes "k00000000001-hash-of-key-1…" (ids: the first 12
// characters, "k00000000001").
type keyring struct {
	keys    map[string]*account.APIKey // key → record
	actors  []hotline.Actor            // who revoked, in order
	created int
}

func fakeKeyring(e *env) *keyring {
	kr := &keyring{keys: map[string]*account.APIKey{}}
	e.accounts.CreateAPIKeyFn = func(a hotline.Actor, name string) (string, *account.APIKey, error) {
		kr.created++
		key := fmt.Sprintf("key-%d", kr.created)
		k := &account.APIKey{KeyHash: fmt.Sprintf("k%011d-hash-of-%s", kr.created, key), Name: name, User: a.UserID, Created: testNow}
		kr.keys[key] = k
		return key, k, nil
	}
	e.accounts.AuthenticateAPIKeyFn = func(key string) (*account.APIKey, error) {
		if k, ok := kr.keys[key]; ok && !k.Revoked {
			return k, nil
		}
		return nil, hotline.Errorf(hotline.EUNAUTH, "invalid api_key")
	}
	e.accounts.APIKeysFn = func(hotline.Actor) ([]*account.APIKey, error) {
		var out []*account.APIKey
		for _, key := range []string{"key-1", "key-2"} {
			if k, ok := kr.keys[key]; ok {
				out = append(out, k)
			}
		}
		return out, nil
	}
	e.accounts.RevokeAPIKeyFn = func(a hotline.Actor, id string) (*account.APIKey, error) {
		kr.actors = append(kr.actors, a)
		for _, k := range kr.keys {
			if k.ID() == id {
				k.Revoked = true
				return k, nil
			}
		}
		return nil, hotline.Errorf(hotline.ENOTFOUND, "api key %q not found", id)
	}
	return kr
}

const open311Form = "service_code=0101&lat=39.9&long=116.4&phone=13900139000&description=%E8%B7%AF%E7%81%AF"

func TestAPIKeyRevokedIsRefusedByOpen311(t *testing.T) {
	e := newEnv(t)
	kr := fakeKeyring(e)
	e.tickets.IntakeFn = func(hotline.Actor, ticketing.IntakeInput, ticketing.IdemKey) (*ticketing.Ticket, bool, error) {
		return sampleTicket(), false, nil
	}
	var made apiKeyJSON
	decodeBody(t, e.request("POST", "/api/v1/apikeys", `{"name":"市民App"}`), http.StatusCreated, &made)
	if made.Key != "key-1" || made.ID != "k00000000001" {
		t.Fatalf("created %+v, want key-1 with id k00000000001", made)
	}
	if w := e.open311("POST", "/open311/v2/requests.json", "api_key=key-1&"+open311Form); w.Code != http.StatusCreated {
		t.Fatalf("a fresh key: %d %s", w.Code, w.Body)
	}

	var got apiKeyInfoJSON
	decodeBody(t, e.request("POST", "/api/v1/apikeys/k00000000001/revoke", ""), http.StatusOK, &got)
	want := apiKeyInfoJSON{ID: "k00000000001", Name: "市民App", User: "u1", Created: "2026-11-27T10:00:00Z", Revoked: true}
	if got != want {
		t.Errorf("revoked %+v, want %+v", got, want)
	}
	if len(kr.actors) != 1 || kr.actors[0].UserID != "u1" {
		t.Errorf("revoked as %+v, want the signed-in user", kr.actors)
	}
	// Refused like an unknown key (Open311 GeoReport v2: 403 invalid api_key), no ticket filed.
	calls := e.tickets.calls
	if d := open311Err(t, e.open311("POST", "/open311/v2/requests.json", "api_key=key-1&"+open311Form), http.StatusForbidden); d != "api_key is not valid" {
		t.Errorf("revoked key refused with %q", d)
	}
	if e.tickets.calls != calls {
		t.Error("a ticket was filed with a revoked key")
	}
}

func TestListAPIKeys(t *testing.T) {
	e := newEnv(t)
	fakeKeyring(e)
	var list struct {
		APIKeys []apiKeyInfoJSON `json:"apikeys"`
	}
	decodeBody(t, e.request("GET", "/api/v1/apikeys", ""), http.StatusOK, &list)
	if list.APIKeys == nil || len(list.APIKeys) != 0 {
		t.Fatalf("no keys: %+v, want an empty list", list)
	}
	e.request("POST", "/api/v1/apikeys", `{"name":"市民App"}`)
	e.request("POST", "/api/v1/apikeys", `{"name":"网格平台"}`)
	w := e.request("GET", "/api/v1/apikeys", "")
	decodeBody(t, w, http.StatusOK, &list)
	if len(list.APIKeys) != 2 || list.APIKeys[0].Name != "市民App" || list.APIKeys[1].Name != "网格平台" ||
		list.APIKeys[0].User != "u1" || list.APIKeys[0].Revoked {
		t.Errorf("listed %+v", list.APIKeys)
	}
	for _, secret := range []string{"key-1", "hash-of-key", `"key"`, "key_hash"} {
		if strings.Contains(w.Body.String(), secret) {
			t.Errorf("the list shows %q: %s", secret, w.Body)
		}
	}
}

func TestRevokeAPIKeyErrors(t *testing.T) {
	e := newEnv(t)
	fakeKeyring(e)
	if got := apiError(t, e.request("POST", "/api/v1/apikeys/000000000000/revoke", ""), http.StatusNotFound); got.Code != "not_found" {
		t.Errorf("unknown id: %+v", got)
	}
	e.accounts.RevokeAPIKeyFn = func(hotline.Actor, string) (*account.APIKey, error) {
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "only the admin manages accounts")
	}
	apiError(t, e.request("POST", "/api/v1/apikeys/k00000000001/revoke", ""), http.StatusForbidden)
	e.accounts.APIKeysFn = func(hotline.Actor) ([]*account.APIKey, error) {
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "only the admin manages accounts")
	}
	apiError(t, e.request("GET", "/api/v1/apikeys", ""), http.StatusForbidden)
	if w := e.request("DELETE", "/api/v1/apikeys/k00000000001", ""); w.Code != http.StatusNotFound && w.Code != http.StatusMethodNotAllowed {
		t.Errorf("DELETE is not a route: %d", w.Code)
	}
}
