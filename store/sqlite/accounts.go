package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
)

func userColumns(u *account.User) []column {
	return []column{
		{"id", &u.ID}, {"username", &u.Username}, {"name", &u.Name}, {"role", &u.Role}, {"unit", &u.Unit},
		{"password_hash", &u.PasswordHash}, {"disabled", &u.Disabled}, {"created", &u.Created}, {"updated", &u.Updated},
	}
}

var userSelectList = names(userColumns(&account.User{}), "")

// CreateUser stores a new account; ECONFLICT on a taken id or username.
func (db *DB) CreateUser(ctx context.Context, u *account.User) error {
	args, err := values(userColumns(u))
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO users (`+userSelectList+`) VALUES (`+placeholders(len(args))+`)`, args...)
	return conflict(err, "create user "+string(u.ID),
		fmt.Sprintf("user id %s or username %q is already taken", u.ID, u.Username))
}

// UpdateUser replaces an account; ENOTFOUND if missing, ECONFLICT if the new
// username is taken.
func (db *DB) UpdateUser(ctx context.Context, u *account.User) error {
	cols := userColumns(u)[1:]
	args, err := values(cols)
	if err != nil {
		return err
	}
	err = execOne(ctx, db.write, "user "+string(u.ID)+" not found",
		`UPDATE users SET `+assignments(cols)+` WHERE id = ?`, append(args, u.ID)...)
	return conflict(err, "update user "+string(u.ID), fmt.Sprintf("username %q is already taken", u.Username))
}

func (db *DB) findUser(ctx context.Context, col string, v any) (*account.User, error) {
	u := new(account.User)
	err := db.read.QueryRowContext(ctx, `SELECT `+userSelectList+` FROM users WHERE `+col+` = ?`, v).
		Scan(dests(userColumns(u))...)
	if err != nil {
		return nil, notFound(err, "find user", fmt.Sprintf("user %v not found", v))
	}
	return u, nil
}

// FindUserByID returns an account or ENOTFOUND.
func (db *DB) FindUserByID(ctx context.Context, id hotline.UserID) (*account.User, error) {
	return db.findUser(ctx, "id", string(id))
}

// FindUserByUsername returns an account or ENOTFOUND.
func (db *DB) FindUserByUsername(ctx context.Context, username string) (*account.User, error) {
	return db.findUser(ctx, "username", username)
}

// FindUsers returns every account, by id.
func (db *DB) FindUsers(ctx context.Context) ([]*account.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userSelectList+` FROM users ORDER BY id`)
	us, err := queryAll(rows, err, userColumns)
	return us, wrap(err, "find users")
}

func sessionColumns(s *account.Session) []column {
	return []column{{"token_hash", &s.TokenHash}, {"user_id", &s.User}, {"created", &s.Created}, {"expires", &s.Expires}}
}

var sessionSelectList = names(sessionColumns(&account.Session{}), "")

// CreateSession stores a session; ECONFLICT if the token hash exists.
func (db *DB) CreateSession(ctx context.Context, s *account.Session) error {
	args, err := values(sessionColumns(s))
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO sessions (`+sessionSelectList+`) VALUES (`+placeholders(len(args))+`)`, args...)
	return conflict(err, "create session", "session already exists")
}

// FindSession returns a session or ENOTFOUND. Expiry is the caller's to
// check.
func (db *DB) FindSession(ctx context.Context, tokenHash string) (*account.Session, error) {
	s := new(account.Session)
	err := db.read.QueryRowContext(ctx, `SELECT `+sessionSelectList+` FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(dests(sessionColumns(s))...)
	if err != nil {
		return nil, notFound(err, "find session", "session not found")
	}
	return s, nil
}

// DeleteSession removes a session; ENOTFOUND if missing.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	err := execOne(ctx, db.write, "session not found", `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return wrap(err, "delete session")
}

// DeleteExpiredSessions removes sessions that expire before before and says
// how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, before time.Time) (int, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE expires < ?`, before.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return int(n), nil
}

func apiKeyColumns(k *account.APIKey) []column {
	return []column{{"key_hash", &k.KeyHash}, {"name", &k.Name}, {"user_id", &k.User}, {"created", &k.Created}, {"revoked", &k.Revoked}}
}

var apiKeySelectList = names(apiKeyColumns(&account.APIKey{}), "")

// CreateAPIKey stores an API key; ECONFLICT if the hash exists.
func (db *DB) CreateAPIKey(ctx context.Context, k *account.APIKey) error {
	args, err := values(apiKeyColumns(k))
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO api_keys (`+apiKeySelectList+`) VALUES (`+placeholders(len(args))+`)`, args...)
	return conflict(err, "create api key", "api key already exists")
}

// FindAPIKey returns an API key or ENOTFOUND.
func (db *DB) FindAPIKey(ctx context.Context, keyHash string) (*account.APIKey, error) {
	k := new(account.APIKey)
	err := db.read.QueryRowContext(ctx, `SELECT `+apiKeySelectList+` FROM api_keys WHERE key_hash = ?`, keyHash).
		Scan(dests(apiKeyColumns(k))...)
	if err != nil {
		return nil, notFound(err, "find api key", "api key not found")
	}
	return k, nil
}
