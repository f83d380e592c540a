package account_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/store/sqlite"
)

// newLoggedService is newService with its log kept in a buffer.
func newLoggedService(t *testing.T) (*account.Service, *clock, *bytes.Buffer) {
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
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	return account.NewService(account.Config{}, db, c, log), c, &buf
}

func TestAPIKeyListAndRevoke(t *testing.T) {
	svc, clk, logs := newLoggedService(t)
	ctx := context.Background()
	if _, err := svc.Bootstrap(ctx, "admin-password"); err != nil {
		t.Fatal(err)
	}
	key1, k1, err := svc.CreateAPIKey(ctx, admin, "市民App")
	if err != nil {
		t.Fatal(err)
	}
	clk.add(time.Minute)
	key2, _, err := svc.CreateAPIKey(ctx, admin, "网格平台")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(key1))
	if id := hex.EncodeToString(sum[:])[:12]; k1.ID() != id {
		t.Fatalf("key id %q, want the first 12 hex digits of its SHA-256, %q", k1.ID(), id)
	}

	ks, err := svc.APIKeys(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) != 2 || ks[0].Name != "市民App" || ks[1].Name != "网格平台" || ks[0].ID() != k1.ID() || ks[0].Revoked || ks[0].User != "admin" {
		t.Fatalf("listed keys %+v, want 市民App then 网格平台, neither revoked", ks)
	}

	got, err := svc.RevokeAPIKey(ctx, admin, k1.ID())
	if err != nil || !got.Revoked || got.Name != "市民App" {
		t.Fatalf("revoke: %+v, %v", got, err)
	}
	if _, err := svc.AuthenticateAPIKey(ctx, key1); code(err) != hotline.EUNAUTH {
		t.Fatalf("a revoked key authenticates: %v", err)
	}
	if k, err := svc.AuthenticateAPIKey(ctx, key2); err != nil || k.Name != "网格平台" {
		t.Fatalf("revoking one key stopped another: %+v, %v", k, err)
	}

	// Twice is harmless: the same answer, nothing more logged.
	if got, err := svc.RevokeAPIKey(ctx, admin, k1.ID()); err != nil || !got.Revoked {
		t.Fatalf("revoking again: %+v, %v", got, err)
	}
	if n := strings.Count(logs.String(), `msg="api key revoked"`); n != 1 {
		t.Errorf("revocation logged %d times, want once:\n%s", n, logs)
	}
	if line := logLine(logs.String(), "api key revoked"); !strings.Contains(line, "key="+k1.ID()) || !strings.Contains(line, "actor=admin") {
		t.Errorf("audit line %q lacks the key id or the actor", line)
	}
	ks, _ = svc.APIKeys(ctx, admin)
	if len(ks) != 2 || !ks[0].Revoked || ks[1].Revoked {
		t.Errorf("after revoking: %+v", ks)
	}
}

func logLine(logs, msg string) string {
	for line := range strings.Lines(logs) {
		if strings.Contains(line, `msg="`+msg+`"`) {
			return line
		}
	}
	return ""
}

func TestAPIKeyRevokeRefusals(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	if _, err := svc.Bootstrap(ctx, "admin-password"); err != nil {
		t.Fatal(err)
	}
	key, k, err := svc.CreateAPIKey(ctx, admin, "市民App")
	if err != nil {
		t.Fatal(err)
	}
	hash := sha256.Sum256([]byte(key))
	for _, id := range []string{"", "000000000000", k.ID()[:11], hex.EncodeToString(hash[:]), strings.ToUpper(k.ID())} {
		if _, err := svc.RevokeAPIKey(ctx, admin, id); code(err) != hotline.ENOTFOUND {
			t.Errorf("revoke %q: %v, want not found", id, err)
		}
	}
	supervisor := hotline.Actor{UserID: "sup1", Role: hotline.RoleSupervisor}
	if _, err := svc.RevokeAPIKey(ctx, supervisor, k.ID()); code(err) != hotline.EFORBIDDEN {
		t.Errorf("a supervisor revokes: %v", err)
	}
	if _, err := svc.APIKeys(ctx, supervisor); code(err) != hotline.EFORBIDDEN {
		t.Errorf("a supervisor lists keys: %v", err)
	}
	if _, err := svc.AuthenticateAPIKey(ctx, key); err != nil {
		t.Errorf("the refused revocations stopped the key: %v", err)
	}
}
