package account

import (
	"context"
	"fmt"

	"github.com/cityhotline/hotline"
)

// APIKeys lists the Open311 keys, revoked ones too, oldest first. Only
// their hashes are kept, so no key can be shown again.
func (s *Service) APIKeys(ctx context.Context, a hotline.Actor) ([]*APIKey, error) {
	if err := adminOnly(a); err != nil {
		return nil, err
	}
	ks, err := s.store.FindAPIKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return ks, nil
}

// RevokeAPIKey stops the key with a public id (APIKey.ID) at once: the
// next Open311 request that carries it is refused. Revoking a revoked key
// changes nothing; an unknown id is ENOTFOUND.
func (s *Service) RevokeAPIKey(ctx context.Context, a hotline.Actor, id string) (*APIKey, error) {
	if err := adminOnly(a); err != nil {
		return nil, err
	}
	k, err := s.apiKeyByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if k.Revoked {
		return k, nil
	}
	k.Revoked = true
	if err := s.store.UpdateAPIKey(ctx, k); err != nil {
		return nil, fmt.Errorf("revoke api key %s: %w", id, err)
	}
	s.log.Info("api key revoked", "key", id, "name", k.Name, "created_by", k.User, "actor", a.UserID)
	return k, nil
}

// apiKeyByID finds a key by its public id. The keys of a centre are few,
// so it reads them all rather than teach the stores about hash prefixes.
func (s *Service) apiKeyByID(ctx context.Context, id string) (*APIKey, error) {
	if len(id) != apiKeyIDLen {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "api key %q not found", id)
	}
	ks, err := s.store.FindAPIKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("find api key %s: %w", id, err)
	}
	var found *APIKey
	for _, k := range ks {
		if k.ID() != id {
			continue
		}
		if found != nil { // two keys sharing 48 bits of hash: refuse to guess
			return nil, hotline.Errorf(hotline.ECONFLICT, "api key id %s is ambiguous", id)
		}
		found = k
	}
	if found == nil {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "api key %q not found", id)
	}
	return found, nil
}
