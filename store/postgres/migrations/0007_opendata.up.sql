-- Open-data exports (issue 7): requests for an anonymised export, the
-- ruling on each, and every download. fields is a JSON array of column names.

CREATE TABLE opendata_requests (
	id               bigserial PRIMARY KEY,
	requester       text NOT NULL,
	requester_name  text NOT NULL DEFAULT '',
	partner         text NOT NULL,
	purpose         text NOT NULL,
	period_from     timestamptz NOT NULL,
	period_to       timestamptz NOT NULL,
	fields          jsonb NOT NULL DEFAULT '[]',
	state           text NOT NULL,
	created         timestamptz NOT NULL,
	decided_by      text NOT NULL DEFAULT '',
	decided_by_name text NOT NULL DEFAULT '',
	decided         timestamptz,
	note            text NOT NULL DEFAULT '',
	version         integer NOT NULL
);

CREATE INDEX opendata_requests_created ON opendata_requests (created DESC, id DESC);
CREATE INDEX opendata_requests_requester ON opendata_requests (requester, created DESC, id DESC);

CREATE TABLE opendata_downloads (
	id         bigserial PRIMARY KEY,
	request    bigint NOT NULL REFERENCES opendata_requests (id),
	by_user    text NOT NULL,
	by_name    text NOT NULL DEFAULT '',
	downloaded timestamptz NOT NULL,
	row_count  integer NOT NULL DEFAULT 0,
	byte_count bigint NOT NULL DEFAULT 0,
	sha256     text NOT NULL DEFAULT '',
	complete   boolean NOT NULL DEFAULT false
);

CREATE INDEX opendata_downloads_request ON opendata_downloads (request, downloaded, id);
CREATE INDEX opendata_downloads_time ON opendata_downloads (downloaded, id);
