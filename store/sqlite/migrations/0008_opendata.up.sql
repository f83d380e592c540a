-- Open-data exports (issue 7): requests for an anonymised export, the
-- ruling on each, and every download. Times are INTEGER microseconds since
-- the Unix epoch, UTC; fields is a JSON array of column names.

CREATE TABLE opendata_requests (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	requester       TEXT NOT NULL,
	requester_name  TEXT NOT NULL DEFAULT '',
	partner         TEXT NOT NULL,
	purpose         TEXT NOT NULL,
	period_from     INTEGER NOT NULL,
	period_to       INTEGER NOT NULL,
	fields          TEXT NOT NULL DEFAULT '[]',
	state           TEXT NOT NULL,
	created         INTEGER NOT NULL,
	decided_by      TEXT NOT NULL DEFAULT '',
	decided_by_name TEXT NOT NULL DEFAULT '',
	decided         INTEGER,
	note            TEXT NOT NULL DEFAULT '',
	version         INTEGER NOT NULL
) STRICT;

CREATE INDEX opendata_requests_created ON opendata_requests (created DESC, id DESC);
CREATE INDEX opendata_requests_requester ON opendata_requests (requester, created DESC, id DESC);

CREATE TABLE opendata_downloads (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	request    INTEGER NOT NULL REFERENCES opendata_requests (id),
	by_user    TEXT NOT NULL,
	by_name    TEXT NOT NULL DEFAULT '',
	downloaded INTEGER NOT NULL,
	row_count  INTEGER NOT NULL DEFAULT 0,
	byte_count INTEGER NOT NULL DEFAULT 0,
	sha256     TEXT NOT NULL DEFAULT '',
	complete   INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX opendata_downloads_request ON opendata_downloads (request, downloaded, id);
CREATE INDEX opendata_downloads_time ON opendata_downloads (downloaded, id);
