package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

var _ ticketing.OpenDataStore = (*DB)(nil)

const (
	openDataCols = "requester, requester_name, partner, purpose, period_from, period_to, fields, state, created, " +
		"decided_by, decided_by_name, decided, note, version"
	downloadCols = "request, by_user, by_name, downloaded, row_count, byte_count, sha256, complete"
)

var (
	openDataInsert = `INSERT INTO opendata_requests (` + openDataCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14) RETURNING id`
	openDataUpdate = `UPDATE opendata_requests SET (` + openDataCols + `) = ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14) WHERE id = $15 AND version = $16`
	openDataSelect = `SELECT id, ` + openDataCols + ` FROM opendata_requests`
	downloadInsert = `INSERT INTO opendata_downloads (` + downloadCols + `) VALUES (` + callPlaceholders(1, 8) + `) RETURNING id`
	downloadFinish = `UPDATE opendata_downloads SET row_count = $1, byte_count = $2, sha256 = $3, complete = $4 WHERE id = $5`
	downloadSelect = `SELECT id, ` + downloadCols + ` FROM opendata_downloads`
)

func openDataName(id int64) string { return fmt.Sprintf("export request %d", id) }

// openDataValues returns r's stored columns in openDataCols order, with version.
func openDataValues(r *ticketing.OpenDataRequest, version int) ([]any, error) {
	fields, err := json.Marshal(append([]string{}, r.Fields...))
	if err != nil {
		return nil, err
	}
	return []any{string(r.Requester), r.RequesterName, r.Partner, r.Purpose, ts(r.From), ts(r.To), string(fields),
		string(r.State), ts(r.Created), string(r.DecidedBy), r.DecidedByName, ts(r.Decided), r.Note, version}, nil
}

func scanOpenData(row pgx.Row) (*ticketing.OpenDataRequest, error) {
	r := new(ticketing.OpenDataRequest)
	var fields []byte
	err := row.Scan(&r.ID, &r.Requester, &r.RequesterName, &r.Partner, &r.Purpose, timeDest{&r.From}, timeDest{&r.To},
		&fields, &r.State, timeDest{&r.Created}, &r.DecidedBy, &r.DecidedByName, timeDest{&r.Decided}, &r.Note, &r.Version)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(fields, &r.Fields); err != nil {
		return nil, fmt.Errorf("fields of %s: %w", openDataName(r.ID), err)
	}
	return r, nil
}

func scanDownload(row pgx.Row) (*ticketing.OpenDataDownload, error) {
	d := new(ticketing.OpenDataDownload)
	err := row.Scan(&d.ID, &d.Request, &d.By, &d.ByName, timeDest{&d.At}, &d.Rows, &d.Bytes, &d.SHA256, &d.Complete)
	return d, err
}

// CreateOpenDataRequest stores a new request with Version 1.
func (db *DB) CreateOpenDataRequest(ctx context.Context, r *ticketing.OpenDataRequest) error {
	args, err := openDataValues(r, 1)
	if err != nil {
		return fmt.Errorf("create export request: %w", err)
	}
	var id int64
	if err := db.pool.QueryRow(ctx, openDataInsert, args...).Scan(&id); err != nil {
		return fmt.Errorf("create export request: %w", err)
	}
	r.ID, r.Version = id, 1
	return nil
}

// UpdateOpenDataRequest replaces the request when its stored version is
// version and bumps r.Version; ECONFLICT (Current: the stored request) or
// ENOTFOUND otherwise.
func (db *DB) UpdateOpenDataRequest(ctx context.Context, r *ticketing.OpenDataRequest, version int) error {
	args, err := openDataValues(r, version+1)
	if err != nil {
		return fmt.Errorf("update %s: %w", openDataName(r.ID), err)
	}
	tag, err := db.pool.Exec(ctx, openDataUpdate, append(args, r.ID, version)...)
	if err != nil {
		return fmt.Errorf("update %s: %w", openDataName(r.ID), err)
	}
	if tag.RowsAffected() == 0 {
		cur, err := db.FindOpenDataRequestByID(ctx, r.ID)
		if err != nil {
			return err
		}
		e := hotline.Errorf(hotline.ECONFLICT, "%s is at version %d, not %d", openDataName(r.ID), cur.Version, version)
		e.Current = cur
		return e
	}
	r.Version = version + 1
	return nil
}

// FindOpenDataRequestByID returns one request or ENOTFOUND.
func (db *DB) FindOpenDataRequestByID(ctx context.Context, id int64) (*ticketing.OpenDataRequest, error) {
	r, err := scanOpenData(db.pool.QueryRow(ctx, openDataSelect+` WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", openDataName(id), classify(err, openDataName(id)))
	}
	return r, nil
}

// FindOpenDataRequests returns the requests f selects, newest first.
func (db *DB) FindOpenDataRequests(ctx context.Context, f ticketing.OpenDataFilter) ([]*ticketing.OpenDataRequest, error) {
	q := &callConds{}
	q.eq("requester", string(f.Requester))
	q.eq("state", string(f.State))
	sql := openDataSelect
	if len(q.conds) > 0 {
		sql += " WHERE " + strings.Join(q.conds, " AND ")
	}
	rows, err := db.pool.Query(ctx, sql+` ORDER BY created DESC, id DESC`+limitClause(max(f.Limit, 0), f.Offset), q.args...)
	if err != nil {
		return nil, fmt.Errorf("find export requests: %w", err)
	}
	defer rows.Close()
	out := []*ticketing.OpenDataRequest{}
	for rows.Next() {
		r, err := scanOpenData(rows)
		if err != nil {
			return nil, fmt.Errorf("find export requests: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find export requests: %w", err)
	}
	return out, nil
}

// CreateOpenDataDownload stores a download record; a missing request is
// ENOTFOUND.
func (db *DB) CreateOpenDataDownload(ctx context.Context, d *ticketing.OpenDataDownload) error {
	var id int64
	err := db.pool.QueryRow(ctx, downloadInsert, d.Request, string(d.By), d.ByName, ts(d.At), d.Rows, d.Bytes,
		d.SHA256, d.Complete).Scan(&id)
	if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == foreignKeyViolation {
		return hotline.Errorf(hotline.ENOTFOUND, "%s not found", openDataName(d.Request))
	}
	if err != nil {
		return fmt.Errorf("create download: %w", err)
	}
	d.ID = id
	return nil
}

// UpdateOpenDataDownload completes a download record: rows, bytes, hash and
// whether it finished.
func (db *DB) UpdateOpenDataDownload(ctx context.Context, d *ticketing.OpenDataDownload) error {
	tag, err := db.pool.Exec(ctx, downloadFinish, d.Rows, d.Bytes, d.SHA256, d.Complete, d.ID)
	if err != nil {
		return fmt.Errorf("update download %d: %w", d.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return hotline.Errorf(hotline.ENOTFOUND, "download %d not found", d.ID)
	}
	return nil
}

// FindOpenDataDownloads returns the downloads f selects by time, then id.
func (db *DB) FindOpenDataDownloads(ctx context.Context, f ticketing.OpenDataDownloadFilter) ([]*ticketing.OpenDataDownload, error) {
	q := &callConds{}
	if f.Request != 0 {
		q.add("request = %s", f.Request)
	}
	sql := downloadSelect
	if len(q.conds) > 0 {
		sql += " WHERE " + strings.Join(q.conds, " AND ")
	}
	rows, err := db.pool.Query(ctx, sql+` ORDER BY downloaded, id`+limitClause(max(f.Limit, 0), f.Offset), q.args...)
	if err != nil {
		return nil, fmt.Errorf("find downloads: %w", err)
	}
	defer rows.Close()
	out := []*ticketing.OpenDataDownload{}
	for rows.Next() {
		d, err := scanDownload(rows)
		if err != nil {
			return nil, fmt.Errorf("find downloads: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find downloads: %w", err)
	}
	return out, nil
}
