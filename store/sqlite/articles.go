package sqlite

import (
	"context"
	"strings"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// articleColumns leaves out id and version.
func articleColumns(a *ticketing.Article) []column {
	return []column{
		{"title", &a.Title}, {"body", &a.Body}, {"category", &a.Category}, {"keywords", &a.Keywords},
		{"valid_from", &a.ValidFrom}, {"valid_to", &a.ValidTo}, {"updated", &a.Updated},
	}
}

func articleSelect(a *ticketing.Article) []column {
	return append([]column{{"id", &a.ID}, {"version", &a.Version}}, articleColumns(a)...)
}

var articleSelectList = names(articleSelect(&ticketing.Article{}), "")

func articleSearch(a *ticketing.Article) string {
	return ticketing.IndexText(a.Title, a.Body, strings.Join(a.Keywords, " "))
}

// CreateArticle stores a new article with Version 1; ECONFLICT if the id
// exists.
func (db *DB) CreateArticle(ctx context.Context, a *ticketing.Article) error {
	c := *a
	c.Version = 1
	cols := articleSelect(&c)
	args, err := values(cols)
	if err != nil {
		return err
	}
	q := `INSERT INTO articles (` + names(cols, "") + `, search) VALUES (` + placeholders(len(cols)+1) + `)`
	_, err = db.write.ExecContext(ctx, q, append(args, articleSearch(&c))...)
	if err != nil {
		return conflict(err, "create article "+a.ID, "article "+a.ID+" already exists")
	}
	*a = c
	return nil
}

// UpdateArticle stores a if its stored version is still version and bumps
// a.Version; otherwise ECONFLICT or ENOTFOUND.
func (db *DB) UpdateArticle(ctx context.Context, a *ticketing.Article, version int) error {
	c := *a
	c.Version = version + 1
	err := db.inTx(ctx, func(tx *wtx) error { return updateArticle(ctx, tx, &c, version) })
	if err != nil {
		return wrap(err, "update article "+a.ID)
	}
	*a = c
	return nil
}

func updateArticle(ctx context.Context, tx *wtx, a *ticketing.Article, version int) error {
	cols := articleColumns(a)
	args, err := values(cols)
	if err != nil {
		return err
	}
	q := `UPDATE articles SET ` + assignments(cols) + `, search = ?, version = ? WHERE id = ? AND version = ?`
	res, err := tx.ExecContext(ctx, q, append(args, articleSearch(a), a.Version, a.ID, version)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var current int
	err = tx.QueryRowContext(ctx, `SELECT version FROM articles WHERE id = ?`, a.ID).Scan(&current)
	if err != nil {
		return notFound(err, "reload article", "article "+a.ID+" not found")
	}
	return hotline.Errorf(hotline.ECONFLICT, "article %s was changed by someone else (version %d, not %d)", a.ID, current, version)
}

// FindArticleByID returns an article or ENOTFOUND.
func (db *DB) FindArticleByID(ctx context.Context, id string) (*ticketing.Article, error) {
	a := new(ticketing.Article)
	err := db.read.QueryRowContext(ctx, `SELECT `+articleSelectList+` FROM articles WHERE id = ?`, id).
		Scan(dests(articleSelect(a))...)
	if err != nil {
		return nil, notFound(err, "find article "+id, "article "+id+" not found")
	}
	return a, nil
}

// SearchArticles returns articles holding every term, best match (BM25)
// first. No terms find nothing.
func (db *DB) SearchArticles(ctx context.Context, terms []string, limit int) ([]*ticketing.Article, error) {
	if len(terms) == 0 {
		return nil, nil
	}
	q := `SELECT ` + names(articleSelect(&ticketing.Article{}), "a.") + `
		FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid
		WHERE articles_fts MATCH ? ORDER BY articles_fts.rank, a.id LIMIT ?`
	rows, err := db.read.QueryContext(ctx, q, matchAll(terms), sqlLimit(limit))
	as, err := queryAll(rows, err, articleSelect)
	return as, wrap(err, "search articles")
}
