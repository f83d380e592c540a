package sqlite

import (
	"context"

	"github.com/cityhotline/hotline/account"
)

// FindAPIKeys returns every API key, oldest first, then by hash.
func (db *DB) FindAPIKeys(ctx context.Context) ([]*account.APIKey, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+apiKeySelectList+` FROM api_keys ORDER BY created, key_hash`)
	ks, err := queryAll(rows, err, apiKeyColumns)
	return ks, wrap(err, "find api keys")
}

// UpdateAPIKey stores k over the key with its hash; ENOTFOUND if there is
// none.
func (db *DB) UpdateAPIKey(ctx context.Context, k *account.APIKey) error {
	cols := apiKeyColumns(k)[1:]
	args, err := values(cols)
	if err != nil {
		return err
	}
	err = execOne(ctx, db.write, "api key not found",
		`UPDATE api_keys SET `+assignments(cols)+` WHERE key_hash = ?`, append(args, k.KeyHash)...)
	return wrap(err, "update api key")
}
