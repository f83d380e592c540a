// Package refseed loads the shipped reference data — units, categories,
// dispatch catalogue, knowledge base — into an empty store through the
// ticketing service, as the server does on its first start and
// hotlinectl seed does before generating records.
package refseed

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/configs"
	"github.com/cityhotline/hotline/ticketing"
)

// Load loads the reference data of refFS into the store behind svc unless
// it already holds units. Once loaded, the database is the record: later
// edits go through the API and a restart does not reload. It reports
// whether it loaded anything.
func Load(ctx context.Context, svc *ticketing.Service, refFS fs.FS, log *slog.Logger) (bool, error) {
	existing, err := svc.Units(ctx, ticketing.UnitFilter{})
	if err != nil {
		return false, err
	}
	if len(existing) > 0 {
		return false, nil
	}
	data, err := configs.LoadReference(refFS)
	if err != nil {
		return false, fmt.Errorf("reference data: %w", err)
	}
	if err := units(ctx, svc, data.Units); err != nil {
		return false, err
	}
	if err := categories(ctx, svc, data.Categories); err != nil {
		return false, err
	}
	for _, r := range data.Rules {
		if err := svc.CreateRule(ctx, hotline.System, r); err != nil {
			return false, fmt.Errorf("seed catalogue rule for %s: %w", r.Category, err)
		}
	}
	for _, art := range data.Articles {
		if err := svc.CreateArticle(ctx, hotline.System, art); err != nil {
			return false, fmt.Errorf("seed article %s: %w", art.ID, err)
		}
	}
	if log != nil {
		log.Info("reference data loaded", "units", len(data.Units), "categories", len(data.Categories),
			"rules", len(data.Rules), "articles", len(data.Articles))
	}
	return true, nil
}

// units creates parents before children: the service checks that a parent
// exists.
func units(ctx context.Context, svc *ticketing.Service, us []*ticketing.Unit) error {
	for _, pass := range []func(*ticketing.Unit) bool{
		func(u *ticketing.Unit) bool { return u.Parent == "" },
		func(u *ticketing.Unit) bool { return u.Parent != "" },
	} {
		for _, u := range us {
			if pass(u) {
				if err := svc.CreateUnit(ctx, hotline.System, u); err != nil {
					return fmt.Errorf("seed unit %s: %w", u.ID, err)
				}
			}
		}
	}
	return nil
}

func categories(ctx context.Context, svc *ticketing.Service, cats []*ticketing.Category) error {
	done := map[hotline.CategoryID]bool{"": true}
	for len(done) <= len(cats) {
		progress := false
		for _, c := range cats {
			if done[c.ID] || !done[c.Parent] {
				continue
			}
			if err := svc.CreateCategory(ctx, hotline.System, c); err != nil {
				return fmt.Errorf("seed category %s: %w", c.ID, err)
			}
			done[c.ID], progress = true, true
		}
		if !progress {
			return fmt.Errorf("seed categories: parents missing or cyclic")
		}
	}
	return nil
}
