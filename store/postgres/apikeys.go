package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cityhotline/hotline/account"
)

// FindAPIKeys returns every API key, oldest first, then by hash.
func (db *DB) FindAPIKeys(ctx context.Context) ([]*account.APIKey, error) {
	rows, err := db.pool.Query(ctx, `SELECT key_hash, name, user_id, created, revoked FROM api_keys ORDER BY created, key_hash`)
	if err != nil {
		return nil, fmt.Errorf("find api keys: %w", err)
	}
	ks, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*account.APIKey, error) {
		k := &account.APIKey{}
		err := row.Scan(&k.KeyHash, &k.Name, &k.User, timeDest{&k.Created}, &k.Revoked)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("find api keys: %w", err)
	}
	return ks, nil
}

// UpdateAPIKey stores k over the key with its hash; ENOTFOUND if there is
// none.
func (db *DB) UpdateAPIKey(ctx context.Context, k *account.APIKey) error {
	tag, err := db.pool.Exec(ctx, `UPDATE api_keys SET name = $2, user_id = $3, created = $4, revoked = $5 WHERE key_hash = $1`,
		k.KeyHash, k.Name, string(k.User), ts(k.Created), k.Revoked)
	if err != nil {
		return fmt.Errorf("update api key: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("api key")
	}
	return nil
}
