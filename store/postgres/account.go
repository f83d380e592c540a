package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
)

// userConflict explains a unique violation on users: the id or the
// username is taken.
func userConflict(err error, u *account.User) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == uniqueViolation {
		if pe.ConstraintName == "users_username_key" {
			return hotline.Errorf(hotline.ECONFLICT, "username %q is taken", u.Username).WithField("username", "taken")
		}
		return hotline.Errorf(hotline.ECONFLICT, "user %s already exists", u.ID)
	}
	return err
}

// CreateUser stores a new account; ECONFLICT on a taken id or username.
func (db *DB) CreateUser(ctx context.Context, u *account.User) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO users (id, username, name, role, unit, password_hash, disabled, created, updated)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		string(u.ID), u.Username, u.Name, string(u.Role), string(u.Unit), u.PasswordHash, u.Disabled, ts(u.Created), ts(u.Updated))
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.ID, userConflict(err, u))
	}
	return nil
}

// UpdateUser stores u over the account with its id; ENOTFOUND if missing,
// ECONFLICT if the new username is taken.
func (db *DB) UpdateUser(ctx context.Context, u *account.User) error {
	tag, err := db.pool.Exec(ctx, `UPDATE users SET username = $2, name = $3, role = $4, unit = $5, password_hash = $6,
		disabled = $7, created = $8, updated = $9 WHERE id = $1`,
		string(u.ID), u.Username, u.Name, string(u.Role), string(u.Unit), u.PasswordHash, u.Disabled, ts(u.Created), ts(u.Updated))
	if err != nil {
		return fmt.Errorf("update user %s: %w", u.ID, userConflict(err, u))
	}
	if tag.RowsAffected() == 0 {
		return notFound("user " + string(u.ID))
	}
	return nil
}

const userSelect = `SELECT id, username, name, role, unit, password_hash, disabled, created, updated FROM users`

func scanUser(row pgx.CollectableRow) (*account.User, error) {
	u := &account.User{}
	err := row.Scan(&u.ID, &u.Username, &u.Name, &u.Role, &u.Unit, &u.PasswordHash, &u.Disabled,
		timeDest{&u.Created}, timeDest{&u.Updated})
	return u, err
}

func (db *DB) findUser(ctx context.Context, what, where string, arg any) (*account.User, error) {
	rows, err := db.pool.Query(ctx, userSelect+` WHERE `+where+` = $1`, arg)
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", what, err)
	}
	u, err := pgx.CollectExactlyOneRow(rows, scanUser)
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", what, classify(err, what))
	}
	return u, nil
}

// FindUserByID returns the account with id, or ENOTFOUND.
func (db *DB) FindUserByID(ctx context.Context, id hotline.UserID) (*account.User, error) {
	return db.findUser(ctx, "user "+string(id), "id", string(id))
}

// FindUserByUsername returns the account named username, or ENOTFOUND.
func (db *DB) FindUserByUsername(ctx context.Context, username string) (*account.User, error) {
	return db.findUser(ctx, fmt.Sprintf("user %q", username), "username", username)
}

// FindUsers returns every account, by id.
func (db *DB) FindUsers(ctx context.Context) ([]*account.User, error) {
	rows, err := db.pool.Query(ctx, userSelect+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	us, err := pgx.CollectRows(rows, scanUser)
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	return us, nil
}

// CreateSession stores a session; ECONFLICT if its token hash exists.
func (db *DB) CreateSession(ctx context.Context, s *account.Session) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created, expires) VALUES ($1, $2, $3, $4)`,
		s.TokenHash, string(s.User), ts(s.Created), ts(s.Expires))
	if err != nil {
		return fmt.Errorf("create session: %w", classify(err, "session"))
	}
	return nil
}

// FindSession returns the session of a token hash, or ENOTFOUND.
func (db *DB) FindSession(ctx context.Context, tokenHash string) (*account.Session, error) {
	s := &account.Session{}
	err := db.pool.QueryRow(ctx, `SELECT token_hash, user_id, created, expires FROM sessions WHERE token_hash = $1`,
		tokenHash).Scan(&s.TokenHash, &s.User, timeDest{&s.Created}, timeDest{&s.Expires})
	if err != nil {
		return nil, fmt.Errorf("find session: %w", classify(err, "session"))
	}
	return s, nil
}

// DeleteSession removes a session; ENOTFOUND if missing.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("session")
	}
	return nil
}

// DeleteExpiredSessions removes the sessions that expire strictly before
// before and says how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, before time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE expires < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// CreateAPIKey stores an API key; ECONFLICT if its hash exists.
func (db *DB) CreateAPIKey(ctx context.Context, k *account.APIKey) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO api_keys (key_hash, name, user_id, created, revoked) VALUES ($1, $2, $3, $4, $5)`,
		k.KeyHash, k.Name, string(k.User), ts(k.Created), k.Revoked)
	if err != nil {
		return fmt.Errorf("create api key %q: %w", k.Name, classify(err, "api key"))
	}
	return nil
}

// FindAPIKey returns the key with a hash, or ENOTFOUND.
func (db *DB) FindAPIKey(ctx context.Context, keyHash string) (*account.APIKey, error) {
	k := &account.APIKey{}
	err := db.pool.QueryRow(ctx, `SELECT key_hash, name, user_id, created, revoked FROM api_keys WHERE key_hash = $1`,
		keyHash).Scan(&k.KeyHash, &k.Name, &k.User, timeDest{&k.Created}, &k.Revoked)
	if err != nil {
		return nil, fmt.Errorf("find api key: %w", classify(err, "api key"))
	}
	return k, nil
}
