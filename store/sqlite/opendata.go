package sqlite

import (
	"context"
	"strconv"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

var _ ticketing.OpenDataStore = (*DB)(nil)

// openDataColumns lists every stored field of an export request but its id.
func openDataColumns(r *ticketing.OpenDataRequest) []column {
	return []column{
		{"requester", &r.Requester}, {"requester_name", &r.RequesterName}, {"partner", &r.Partner},
		{"purpose", &r.Purpose}, {"period_from", &r.From}, {"period_to", &r.To}, {"fields", &r.Fields},
		{"state", &r.State}, {"created", &r.Created}, {"decided_by", &r.DecidedBy},
		{"decided_by_name", &r.DecidedByName}, {"decided", &r.Decided}, {"note", &r.Note}, {"version", &r.Version},
	}
}

// downloadColumns lists every stored field of a download but its id.
func downloadColumns(d *ticketing.OpenDataDownload) []column {
	return []column{
		{"request", &d.Request}, {"by_user", &d.By}, {"by_name", &d.ByName}, {"downloaded", &d.At},
		{"row_count", &d.Rows}, {"byte_count", &d.Bytes}, {"sha256", &d.SHA256}, {"complete", &d.Complete},
	}
}

var (
	openDataNames  = names(openDataColumns(&ticketing.OpenDataRequest{}), "")
	openDataInsert = `INSERT INTO opendata_requests (` + openDataNames + `) VALUES (` +
		placeholders(len(openDataColumns(&ticketing.OpenDataRequest{}))) + `) RETURNING id`
	openDataUpdate = `UPDATE opendata_requests SET ` + assignments(openDataColumns(&ticketing.OpenDataRequest{})) + ` WHERE id = ? AND version = ?`
	openDataSelect = `SELECT id, ` + openDataNames + ` FROM opendata_requests`
	downloadNames  = names(downloadColumns(&ticketing.OpenDataDownload{}), "")
	downloadInsert = `INSERT INTO opendata_downloads (` + downloadNames + `) VALUES (` + placeholders(len(downloadColumns(&ticketing.OpenDataDownload{}))) + `) RETURNING id`
	downloadFinish = `UPDATE opendata_downloads SET row_count = ?, byte_count = ?, sha256 = ?, complete = ? WHERE id = ?`
	downloadSelect = `SELECT id, ` + downloadNames + ` FROM opendata_downloads`
)

func openDataNotFound(id int64) string {
	return "export request " + strconv.FormatInt(id, 10) + " not found"
}

func scanOpenData(row scanner) (*ticketing.OpenDataRequest, error) {
	r := new(ticketing.OpenDataRequest)
	if err := row.Scan(append([]any{&r.ID}, dests(openDataColumns(r))...)...); err != nil {
		return nil, err
	}
	return r, nil
}

func scanDownload(row scanner) (*ticketing.OpenDataDownload, error) {
	d := new(ticketing.OpenDataDownload)
	if err := row.Scan(append([]any{&d.ID}, dests(downloadColumns(d))...)...); err != nil {
		return nil, err
	}
	return d, nil
}

// CreateOpenDataRequest stores a new request with Version 1.
func (db *DB) CreateOpenDataRequest(ctx context.Context, r *ticketing.OpenDataRequest) error {
	s := *r
	s.Version = 1
	args, err := values(openDataColumns(&s))
	if err != nil {
		return wrap(err, "create export request")
	}
	var id int64
	if err := db.write.QueryRowContext(ctx, openDataInsert, args...).Scan(&id); err != nil {
		return wrap(err, "create export request")
	}
	r.ID, r.Version = id, 1
	return nil
}

// UpdateOpenDataRequest replaces the request when its stored version is
// version and bumps r.Version; ECONFLICT (Current: the stored request) or
// ENOTFOUND otherwise.
func (db *DB) UpdateOpenDataRequest(ctx context.Context, r *ticketing.OpenDataRequest, version int) error {
	what := "update export request " + strconv.FormatInt(r.ID, 10)
	s := *r
	s.Version = version + 1
	args, err := values(openDataColumns(&s))
	if err != nil {
		return wrap(err, what)
	}
	res, err := db.write.ExecContext(ctx, openDataUpdate, append(args, r.ID, version)...)
	if err != nil {
		return wrap(err, what)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return wrap(err, what)
		}
		cur, err := db.FindOpenDataRequestByID(ctx, r.ID)
		if err != nil {
			return err
		}
		e := hotline.Errorf(hotline.ECONFLICT, "export request %d is at version %d, not %d", r.ID, cur.Version, version)
		e.Current = cur
		return e
	}
	r.Version = version + 1
	return nil
}

// FindOpenDataRequestByID returns one request or ENOTFOUND.
func (db *DB) FindOpenDataRequestByID(ctx context.Context, id int64) (*ticketing.OpenDataRequest, error) {
	r, err := scanOpenData(db.write.QueryRowContext(ctx, openDataSelect+` WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, "find export request", openDataNotFound(id))
	}
	return r, nil
}

// FindOpenDataRequests returns the requests f selects, newest first.
func (db *DB) FindOpenDataRequests(ctx context.Context, f ticketing.OpenDataFilter) ([]*ticketing.OpenDataRequest, error) {
	w := &where{}
	w.eq("requester", string(f.Requester))
	w.eq("state", string(f.State))
	q := openDataSelect + w.String() + ` ORDER BY created DESC, id DESC LIMIT ? OFFSET ?`
	rows, err := db.read.QueryContext(ctx, q, append(w.args, sqlLimit(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, wrap(err, "find export requests")
	}
	defer rows.Close()
	out := []*ticketing.OpenDataRequest{}
	for rows.Next() {
		r, err := scanOpenData(rows)
		if err != nil {
			return nil, wrap(err, "find export requests")
		}
		out = append(out, r)
	}
	return out, wrap(rows.Err(), "find export requests")
}

// CreateOpenDataDownload stores a download record; a missing request is
// ENOTFOUND.
func (db *DB) CreateOpenDataDownload(ctx context.Context, d *ticketing.OpenDataDownload) error {
	args, err := values(downloadColumns(d))
	if err != nil {
		return wrap(err, "create download")
	}
	var id int64
	if err := db.write.QueryRowContext(ctx, downloadInsert, args...).Scan(&id); err != nil {
		if isForeignKey(err) {
			return hotline.Errorf(hotline.ENOTFOUND, "%s", openDataNotFound(d.Request))
		}
		return wrap(err, "create download")
	}
	d.ID = id
	return nil
}

// UpdateOpenDataDownload completes a download record: rows, bytes, hash and
// whether it finished.
func (db *DB) UpdateOpenDataDownload(ctx context.Context, d *ticketing.OpenDataDownload) error {
	err := execOne(ctx, db.write, "download "+strconv.FormatInt(d.ID, 10)+" not found", downloadFinish,
		int64(d.Rows), d.Bytes, d.SHA256, d.Complete, d.ID)
	return wrap(err, "update download")
}

// FindOpenDataDownloads returns the downloads f selects by time, then id.
func (db *DB) FindOpenDataDownloads(ctx context.Context, f ticketing.OpenDataDownloadFilter) ([]*ticketing.OpenDataDownload, error) {
	w := &where{}
	if f.Request != 0 {
		w.add("request = ?", f.Request)
	}
	q := downloadSelect + w.String() + ` ORDER BY downloaded, id LIMIT ? OFFSET ?`
	rows, err := db.read.QueryContext(ctx, q, append(w.args, sqlLimit(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, wrap(err, "find downloads")
	}
	defer rows.Close()
	out := []*ticketing.OpenDataDownload{}
	for rows.Next() {
		d, err := scanDownload(rows)
		if err != nil {
			return nil, wrap(err, "find downloads")
		}
		out = append(out, d)
	}
	return out, wrap(rows.Err(), "find downloads")
}
