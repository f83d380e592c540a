package account_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/store/sqlite"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

var admin = hotline.Actor{UserID: "admin", Role: hotline.RoleAdmin}

func newService(t *testing.T) (*account.Service, *clock) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), t.TempDir()+"/a.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := &clock{now: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
	units := map[hotline.UnitID]bool{"soe.heating": true}
	svc := account.NewService(account.Config{
		TokenTTL:    time.Hour,
		UnitExists:  func(_ context.Context, id hotline.UnitID) bool { return units[id] },
		MaxFailures: 3,
	}, db, c, nil)
	return svc, c
}

func code(err error) string { return hotline.ErrorCode(err) }

func TestPasswordHash(t *testing.T) {
	h, err := account.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id PHC", h)
	}
	if !account.CheckPassword(h, "correct horse") || account.CheckPassword(h, "correct horsE") {
		t.Fatal("check does not tell the right password from a wrong one")
	}
	h2, _ := account.HashPassword("correct horse")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$argon2id$", "$argon2i$v=19$m=19456,t=2,p=1$AAAA$AAAA", "$argon2id$v=19$m=99999999,t=2,p=1$AAAA$AAAA"} {
		if account.CheckPassword(bad, "x") {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestLoginAuthenticateLogout(t *testing.T) {
	svc, clk := newService(t)
	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, admin, account.UserInput{Username: "heat1", Name: "热力", Role: "unit", Unit: "soe.heating", Password: "password-1"}); err != nil {
		t.Fatal(err)
	}
	_, _, _, err := svc.Login(ctx, "heat1", "wrong-password")
	if code(err) != hotline.EUNAUTH {
		t.Fatalf("wrong password: %v", err)
	}
	tok, u, exp, err := svc.Login(ctx, "heat1", "password-1")
	if err != nil || u.Unit != "soe.heating" || !exp.Equal(clk.Now().Add(time.Hour)) {
		t.Fatalf("login: %v %+v %s", err, u, exp)
	}
	if got, err := svc.Authenticate(ctx, tok); err != nil || got.ID != "heat1" {
		t.Fatalf("authenticate: %v", err)
	}
	if _, err := svc.Authenticate(ctx, tok+"x"); code(err) != hotline.EUNAUTH {
		t.Fatalf("a forged token: %v", err)
	}
	clk.add(time.Hour)
	if _, err := svc.Authenticate(ctx, tok); code(err) != hotline.EUNAUTH {
		t.Fatalf("an expired token: %v", err)
	}
	tok, _, _, _ = svc.Login(ctx, "heat1", "password-1")
	if err := svc.Logout(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, tok); code(err) != hotline.EUNAUTH {
		t.Fatalf("a token after logout: %v", err)
	}
	clk.add(time.Minute)
	if n, err := svc.ExpireSessions(ctx); err != nil || n != 1 {
		t.Fatalf("expired sessions deleted: %d %v", n, err)
	}
}

func TestLockoutAfterFailures(t *testing.T) {
	svc, clk := newService(t)
	ctx := context.Background()
	if _, err := svc.Bootstrap(ctx, "admin-password"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		svc.Login(ctx, "admin", "guess")
	}
	if _, _, _, err := svc.Login(ctx, "admin", "admin-password"); err == nil || !strings.Contains(err.Error(), "too many") {
		t.Fatalf("the right password during a lockout: %v", err)
	}
	clk.add(16 * time.Minute)
	if _, _, _, err := svc.Login(ctx, "admin", "admin-password"); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
}

func TestDisablingEndsSessions(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	svc.CreateUser(ctx, admin, account.UserInput{Username: "agent1", Name: "A", Role: "agent", Password: "password-1"})
	tok, _, _, err := svc.Login(ctx, "agent1", "password-1")
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := svc.UpdateUser(ctx, admin, "agent1", account.UserPatch{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, tok); code(err) != hotline.EUNAUTH {
		t.Fatalf("a disabled account's token: %v", err)
	}
	if _, _, _, err := svc.Login(ctx, "agent1", "password-1"); code(err) != hotline.EUNAUTH {
		t.Fatalf("a disabled account's login: %v", err)
	}
}

func TestAccountValidation(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	cases := []struct {
		in    account.UserInput
		field string
	}{
		{account.UserInput{Username: "Bad Name", Name: "x", Role: "agent", Password: "password-1"}, "username"},
		{account.UserInput{Username: "u1", Name: "x", Role: "king", Password: "password-1"}, "role"},
		{account.UserInput{Username: "u2", Name: "x", Role: "unit", Password: "password-1"}, "unit"},
		{account.UserInput{Username: "u3", Name: "x", Role: "unit", Unit: "mars", Password: "password-1"}, "unit"},
		{account.UserInput{Username: "u4", Name: "x", Role: "agent", Unit: "soe.heating", Password: "password-1"}, "unit"},
		{account.UserInput{Username: "u5", Name: "x", Role: "agent", Password: "short"}, "password"},
		{account.UserInput{Username: "u6", Name: "", Role: "agent", Password: "password-1"}, "name"},
	}
	for _, c := range cases {
		_, err := svc.CreateUser(ctx, admin, c.in)
		e, ok := err.(*hotline.Error)
		if !ok || e.Code != hotline.EINVALID || e.Fields[c.field] == "" {
			t.Errorf("%+v: %v, want EINVALID naming %s", c.in, err, c.field)
		}
	}
	if _, err := svc.CreateUser(ctx, hotline.Actor{Role: hotline.RoleSupervisor}, account.UserInput{Username: "u7", Name: "x", Role: "agent", Password: "password-1"}); code(err) != hotline.EFORBIDDEN {
		t.Errorf("a supervisor created an account: %v", err)
	}
	svc.CreateUser(ctx, admin, account.UserInput{Username: "dup", Name: "x", Role: "agent", Password: "password-1"})
	if _, err := svc.CreateUser(ctx, admin, account.UserInput{Username: "dup", Name: "y", Role: "agent", Password: "password-2"}); code(err) != hotline.ECONFLICT {
		t.Errorf("a taken username: %v", err)
	}
	users, _ := svc.Users(ctx, admin)
	if len(users) != 1 {
		t.Errorf("refused input wrote accounts: %d users", len(users))
	}
}

func TestAPIKeys(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	if _, err := svc.Bootstrap(ctx, "admin-password"); err != nil {
		t.Fatal(err)
	}
	key, k, err := svc.CreateAPIKey(ctx, admin, "city app")
	if err != nil || len(key) < 40 || k.KeyHash == key {
		t.Fatalf("create key: %v %q", err, key)
	}
	if got, err := svc.AuthenticateAPIKey(ctx, key); err != nil || got.Name != "city app" {
		t.Fatalf("authenticate key: %v", err)
	}
	if _, err := svc.AuthenticateAPIKey(ctx, "nope"); code(err) != hotline.EUNAUTH {
		t.Fatalf("unknown key: %v", err)
	}
	if _, _, err := svc.CreateAPIKey(ctx, admin, ""); code(err) != hotline.EINVALID {
		t.Fatalf("nameless key: %v", err)
	}
}

func TestBootstrapGeneratesOnce(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	pw, err := svc.Bootstrap(ctx, "")
	if err != nil || len(pw) < 12 {
		t.Fatalf("bootstrap: %q %v", pw, err)
	}
	if _, _, _, err := svc.Login(ctx, "admin", pw); err != nil {
		t.Fatalf("the generated password does not work: %v", err)
	}
	if again, err := svc.Bootstrap(ctx, ""); err != nil || again != "" {
		t.Fatalf("second bootstrap: %q %v", again, err)
	}
}
