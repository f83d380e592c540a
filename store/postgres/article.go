package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// articleSearch is what an article is found by: its title, body and
// keywords as ticketing.IndexText tokens.
func articleSearch(a *ticketing.Article) string {
	return ticketing.IndexText(a.Title, a.Body, strings.Join(a.Keywords, " "))
}

// CreateArticle stores a new article and sets its Version to 1; ECONFLICT
// if the id exists.
func (db *DB) CreateArticle(ctx context.Context, a *ticketing.Article) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO articles (id, title, body, category, keywords, valid_from, valid_to,
			updated, version, search, title_search)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)`,
		a.ID, a.Title, a.Body, string(a.Category), strs(a.Keywords), ts(a.ValidFrom), ts(a.ValidTo), ts(a.Updated),
		articleSearch(a), ticketing.IndexText(a.Title))
	if err != nil {
		return fmt.Errorf("create article %s: %w", a.ID, classify(err, "article "+a.ID))
	}
	a.Version = 1
	return nil
}

// UpdateArticle stores a if its stored version is still version and sets
// a.Version to the new one; ECONFLICT if stale, ENOTFOUND if missing.
func (db *DB) UpdateArticle(ctx context.Context, a *ticketing.Article, version int) error {
	var newVersion int
	err := db.pool.QueryRow(ctx, `UPDATE articles SET title = $3, body = $4, category = $5, keywords = $6,
			valid_from = $7, valid_to = $8, updated = $9, search = $10, title_search = $11, version = version + 1
		WHERE id = $1 AND version = $2 RETURNING version`,
		a.ID, version, a.Title, a.Body, string(a.Category), strs(a.Keywords), ts(a.ValidFrom), ts(a.ValidTo), ts(a.Updated),
		articleSearch(a), ticketing.IndexText(a.Title)).Scan(&newVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		cur, ferr := db.FindArticleByID(ctx, a.ID)
		if ferr != nil {
			return fmt.Errorf("update article %s: %w", a.ID, ferr)
		}
		e := hotline.Errorf(hotline.ECONFLICT, "article %s changed: version %d, not %d", a.ID, cur.Version, version)
		e.Current = cur
		return e
	}
	if err != nil {
		return fmt.Errorf("update article %s: %w", a.ID, err)
	}
	a.Version = newVersion
	return nil
}

const articleSelect = `SELECT id, title, body, category, keywords, valid_from, valid_to, updated, version FROM articles`

func scanArticle(row pgx.CollectableRow) (*ticketing.Article, error) {
	a := &ticketing.Article{}
	err := row.Scan(&a.ID, &a.Title, &a.Body, &a.Category, &a.Keywords,
		timeDest{&a.ValidFrom}, timeDest{&a.ValidTo}, timeDest{&a.Updated}, &a.Version)
	a.Keywords = emptyNil(a.Keywords)
	return a, err
}

// FindArticleByID returns the article with id, or ENOTFOUND.
func (db *DB) FindArticleByID(ctx context.Context, id string) (*ticketing.Article, error) {
	rows, err := db.pool.Query(ctx, articleSelect+` WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("find article %s: %w", id, err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, scanArticle)
	if err != nil {
		return nil, fmt.Errorf("find article %s: %w", id, classify(err, "article "+id))
	}
	return a, nil
}

// SearchArticles returns the articles whose title, body or keywords hold
// every term, best first: those with more of the terms in the title, then
// by text rank, then by id. No terms find nothing; a limit of 0 means all.
func (db *DB) SearchArticles(ctx context.Context, terms []string, limit int) ([]*ticketing.Article, error) {
	if len(terms) == 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, articleSelect+`, to_tsquery('simple', $1) AS q
		WHERE to_tsvector('simple', search) @@ q
		ORDER BY ts_rank(to_tsvector('simple', title_search), q) DESC,
			ts_rank(to_tsvector('simple', search), q) DESC, id`+limitClause(limit, 0), tsQuery(terms))
	if err != nil {
		return nil, fmt.Errorf("search articles: %w", err)
	}
	as, err := pgx.CollectRows(rows, scanArticle)
	if err != nil {
		return nil, fmt.Errorf("search articles: %w", err)
	}
	return as, nil
}
