// Package account holds the people who use hotline: users with a role (and,
// for unit staff, a unit), their password hashes, sessions and API keys.
package account

import (
	"context"
	"time"

	"github.com/cityhotline/hotline"
)

// User is an account.
type User struct {
	ID           hotline.UserID
	Username     string
	Name         string
	Role         hotline.Role
	Unit         hotline.UnitID // required for RoleUnit
	PasswordHash string         // argon2id, PHC string format
	Disabled     bool
	Created      time.Time
	Updated      time.Time
}

// Actor returns the actor for u's actions.
func (u *User) Actor() hotline.Actor {
	return hotline.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, Unit: u.Unit}
}

// Session is a bearer token's server side. Only a hash of the token is kept.
type Session struct {
	TokenHash string
	User      hotline.UserID
	Created   time.Time
	Expires   time.Time
}

// APIKey lets an Open311 client create requests. Only a hash is kept.
type APIKey struct {
	KeyHash string
	Name    string
	User    hotline.UserID // who made it
	Created time.Time
	Revoked bool
}

// apiKeyIDLen is how many hex digits of the hash make a key's public id:
// 48 bits, enough to tell a centre's few dozen keys apart, too few to
// help anyone guess the key.
const apiKeyIDLen = 12

// ID is the key's public id: the start of its hash. It names the key in
// lists and revocations without revealing the key or its whole hash.
func (k *APIKey) ID() string {
	if len(k.KeyHash) < apiKeyIDLen {
		return k.KeyHash
	}
	return k.KeyHash[:apiKeyIDLen]
}

// Store keeps accounts.
type Store interface {
	CreateUser(ctx context.Context, u *User) error // ECONFLICT on a taken id or username
	UpdateUser(ctx context.Context, u *User) error
	FindUserByID(ctx context.Context, id hotline.UserID) (*User, error)
	FindUserByUsername(ctx context.Context, username string) (*User, error)
	FindUsers(ctx context.Context) ([]*User, error)
	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, tokenHash string) (*Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteExpiredSessions(ctx context.Context, before time.Time) (int, error)
	CreateAPIKey(ctx context.Context, k *APIKey) error
	FindAPIKey(ctx context.Context, keyHash string) (*APIKey, error)
	FindAPIKeys(ctx context.Context) ([]*APIKey, error) // oldest first, then by hash
	UpdateAPIKey(ctx context.Context, k *APIKey) error  // by hash; ENOTFOUND if missing
}
