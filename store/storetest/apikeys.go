package storetest

import (
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
)

// runAPIKeyList checks listing and updating API keys: the list is oldest
// first, then by hash; an update (a revocation) shows in both reads.
func runAPIKeyList(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	must(t, s.CreateUser(ctx(t), user("u-1", "li")), "create user")
	none, err := s.FindAPIKeys(ctx(t))
	must(t, err, "find api keys in an empty store")
	if len(none) != 0 {
		t.Fatalf("empty store lists %d api keys", len(none))
	}
	mk := func(hash, name string, created time.Time) *account.APIKey {
		return &account.APIKey{KeyHash: hash, Name: name, User: "u-1", Created: created}
	}
	// Inserted out of order: two at the same time (by hash), one earlier.
	late, lateB := mk("kh-c", "热线App", t0.Add(time.Hour)), mk("kh-b", "区网格平台", t0.Add(time.Hour))
	early := mk("kh-z", "市民App", t0)
	for _, k := range []*account.APIKey{late, early, lateB} {
		must(t, s.CreateAPIKey(ctx(t), k), "create api key "+k.KeyHash)
	}
	all, err := s.FindAPIKeys(ctx(t))
	must(t, err, "find api keys")
	sameList(t, []*account.APIKey{early, lateB, late}, all, "api keys oldest first, then by hash")

	revoked := *lateB
	revoked.Revoked, revoked.Name = true, "区网格平台（已泄露）"
	must(t, s.UpdateAPIKey(ctx(t), &revoked), "revoke api key")
	got, err := s.FindAPIKey(ctx(t), "kh-b")
	must(t, err, "find revoked api key")
	same(t, &revoked, got, "revoked api key")
	all, err = s.FindAPIKeys(ctx(t))
	must(t, err, "find api keys after revoking")
	sameList(t, []*account.APIKey{early, &revoked, late}, all, "api keys after revoking one")

	ghost := mk("kh-none", "ghost", t0)
	wantCode(t, s.UpdateAPIKey(ctx(t), ghost), hotline.ENOTFOUND, "update missing api key")
	_, err = s.FindAPIKey(ctx(t), "kh-none")
	wantCode(t, err, hotline.ENOTFOUND, "an update of a missing key creates nothing")
}
