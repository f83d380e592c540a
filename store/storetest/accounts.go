package storetest

import (
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
)

func user(id, username string) *account.User {
	return &account.User{
		ID: hotline.UserID(id), Username: username, Name: "张" + username, Role: hotline.RoleAgent,
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA", Created: t0, Updated: t0,
	}
}

func runUsers(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	u := user("u-2", "zhang")
	u.Role, u.Unit, u.Disabled, u.Updated = hotline.RoleUnit, "jianwai", true, t0.Add(time.Minute)
	other := user("u-1", "li")
	for _, x := range []*account.User{u, other} {
		must(t, s.CreateUser(ctx(t), x), "create user "+x.Username)
	}
	got, err := s.FindUserByID(ctx(t), "u-2")
	must(t, err, "find user by id")
	same(t, u, got, "user by id")
	got, err = s.FindUserByUsername(ctx(t), "zhang")
	must(t, err, "find user by username")
	same(t, u, got, "user by username")
	all, err := s.FindUsers(ctx(t))
	must(t, err, "find users")
	sameList(t, []*account.User{other, u}, all, "users by id")

	_, err = s.FindUserByID(ctx(t), "u-9")
	wantCode(t, err, hotline.ENOTFOUND, "find missing user")
	_, err = s.FindUserByUsername(ctx(t), "nobody")
	wantCode(t, err, hotline.ENOTFOUND, "find missing username")
	wantCode(t, s.CreateUser(ctx(t), user("u-2", "wang")), hotline.ECONFLICT, "duplicate id")
	wantCode(t, s.CreateUser(ctx(t), user("u-3", "zhang")), hotline.ECONFLICT, "duplicate username")

	upd := *u
	upd.Username, upd.Name, upd.Role, upd.Unit, upd.Disabled = "zhang2", "张三", hotline.RoleSupervisor, "", false
	upd.PasswordHash, upd.Updated = "$argon2id$new", t0.Add(time.Hour)
	must(t, s.UpdateUser(ctx(t), &upd), "update user")
	got, err = s.FindUserByUsername(ctx(t), "zhang2")
	must(t, err, "find renamed user")
	same(t, &upd, got, "updated user")
	_, err = s.FindUserByUsername(ctx(t), "zhang")
	wantCode(t, err, hotline.ENOTFOUND, "old username after rename")

	taken := upd
	taken.Username = "li"
	wantCode(t, s.UpdateUser(ctx(t), &taken), hotline.ECONFLICT, "rename to a taken username")
	wantCode(t, s.UpdateUser(ctx(t), user("u-9", "ghost")), hotline.ENOTFOUND, "update missing user")
}

func runSessions(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	must(t, s.CreateUser(ctx(t), user("u-1", "li")), "create user")
	mk := func(hash string, expires time.Time) *account.Session {
		return &account.Session{TokenHash: hash, User: "u-1", Created: t0, Expires: expires}
	}
	a, b, c := mk("h-a", t0.Add(time.Hour)), mk("h-b", t0.Add(2*time.Hour)), mk("h-c", t0.Add(3*time.Hour))
	for _, x := range []*account.Session{a, b, c} {
		must(t, s.CreateSession(ctx(t), x), "create session")
	}
	got, err := s.FindSession(ctx(t), "h-b")
	must(t, err, "find session")
	same(t, b, got, "session round trip")
	wantCode(t, s.CreateSession(ctx(t), mk("h-b", t0)), hotline.ECONFLICT, "duplicate session")

	must(t, s.DeleteSession(ctx(t), "h-c"), "delete session")
	_, err = s.FindSession(ctx(t), "h-c")
	wantCode(t, err, hotline.ENOTFOUND, "find deleted session")
	wantCode(t, s.DeleteSession(ctx(t), "h-c"), hotline.ENOTFOUND, "delete missing session")

	// Expiring exactly at the cut-off is not yet expired.
	n, err := s.DeleteExpiredSessions(ctx(t), t0.Add(2*time.Hour))
	must(t, err, "delete expired")
	if n != 1 {
		t.Fatalf("deleted %d expired sessions, want 1", n)
	}
	_, err = s.FindSession(ctx(t), "h-a")
	wantCode(t, err, hotline.ENOTFOUND, "expired session")
	_, err = s.FindSession(ctx(t), "h-b")
	must(t, err, "session at the cut-off survives")
	n, err = s.DeleteExpiredSessions(ctx(t), t0)
	must(t, err, "delete expired again")
	if n != 0 {
		t.Fatalf("deleted %d sessions, want 0", n)
	}
}

func runAPIKeys(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	must(t, s.CreateUser(ctx(t), user("u-1", "li")), "create user")
	k := &account.APIKey{KeyHash: "kh-1", Name: "街道App", User: "u-1", Created: t0, Revoked: true}
	must(t, s.CreateAPIKey(ctx(t), k), "create api key")
	got, err := s.FindAPIKey(ctx(t), "kh-1")
	must(t, err, "find api key")
	same(t, k, got, "api key round trip")
	_, err = s.FindAPIKey(ctx(t), "kh-2")
	wantCode(t, err, hotline.ENOTFOUND, "find missing api key")
	dup := &account.APIKey{KeyHash: "kh-1", Name: "dup", User: "u-1", Created: t0}
	wantCode(t, s.CreateAPIKey(ctx(t), dup), hotline.ECONFLICT, "duplicate api key")
}
