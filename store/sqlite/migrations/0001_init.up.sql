-- Times are INTEGER microseconds since the Unix epoch, UTC; NULL is "not yet".
-- Lists (aliases, keywords) and diffs are JSON text.

CREATE TABLE ticket_seq (
	day TEXT PRIMARY KEY, -- YYYYMMDD in Beijing time
	n   INTEGER NOT NULL
) STRICT;

CREATE TABLE tickets (
	seq               INTEGER PRIMARY KEY, -- rowid, the full-text index's key
	id                TEXT NOT NULL UNIQUE,
	channel           TEXT NOT NULL DEFAULT '',
	caller_number     TEXT NOT NULL DEFAULT '',
	contact_number    TEXT NOT NULL DEFAULT '',
	citizen_name      TEXT NOT NULL DEFAULT '',
	type              TEXT NOT NULL DEFAULT '',
	category          TEXT NOT NULL DEFAULT '',
	title             TEXT NOT NULL DEFAULT '',
	content           TEXT NOT NULL DEFAULT '',
	address           TEXT NOT NULL DEFAULT '',
	district          TEXT NOT NULL DEFAULT '',
	street            TEXT NOT NULL DEFAULT '',
	lat               REAL NOT NULL DEFAULT 0,
	lng               REAL NOT NULL DEFAULT 0,
	urgency           TEXT NOT NULL DEFAULT '',
	urgency_rank      INTEGER GENERATED ALWAYS AS (CASE urgency
		WHEN 'emergency' THEN 0 WHEN 'utility' THEN 1 WHEN 'ordinary' THEN 2 WHEN 'complex' THEN 3
		ELSE 4 END) VIRTUAL,
	confidential      INTEGER NOT NULL DEFAULT 0,
	no_callback       INTEGER NOT NULL DEFAULT 0,
	call_id           TEXT NOT NULL DEFAULT '',
	recording_id      TEXT NOT NULL DEFAULT '',
	agent             TEXT NOT NULL DEFAULT '',
	state             TEXT NOT NULL DEFAULT '',
	triage            TEXT NOT NULL DEFAULT '',
	triage_reason     TEXT NOT NULL DEFAULT '',
	article           TEXT NOT NULL DEFAULT '',
	merged_into       TEXT NOT NULL DEFAULT '',
	suggested_unit    TEXT NOT NULL DEFAULT '',
	unit              TEXT NOT NULL DEFAULT '',
	copy_unit         TEXT NOT NULL DEFAULT '',
	created           INTEGER,
	updated           INTEGER,
	dispatched_at     INTEGER,
	accepted_at       INTEGER,
	contacted_at      INTEGER,
	replied_at        INTEGER,
	closed_at         INTEGER,
	accept_due        INTEGER,
	contact_due       INTEGER,
	reply_due         INTEGER,
	accept_light      TEXT NOT NULL DEFAULT '',
	contact_light     TEXT NOT NULL DEFAULT '',
	reply_light       TEXT NOT NULL DEFAULT '',
	next_check        INTEGER,
	paused_at         INTEGER,
	outcome           TEXT NOT NULL DEFAULT '',
	reply_content     TEXT NOT NULL DEFAULT '',
	pending_return    TEXT NOT NULL DEFAULT '',
	pending_extension INTEGER NOT NULL DEFAULT 0,
	extension_reason  TEXT NOT NULL DEFAULT '',
	supervised        INTEGER NOT NULL DEFAULT 0,
	returns           INTEGER NOT NULL DEFAULT 0,
	extensions        INTEGER NOT NULL DEFAULT 0,
	reopens           INTEGER NOT NULL DEFAULT 0,
	urges             INTEGER NOT NULL DEFAULT 0,
	version           INTEGER NOT NULL,
	search            TEXT NOT NULL DEFAULT '' -- ticketing.IndexText(title, content, address)
) STRICT;

CREATE INDEX tickets_unit_queue ON tickets (unit, state, reply_due);
CREATE INDEX tickets_copy_unit ON tickets (copy_unit) WHERE copy_unit <> '';
CREATE INDEX tickets_dispatch_queue ON tickets (state, urgency_rank, created);
CREATE INDEX tickets_next_check ON tickets (next_check) WHERE next_check IS NOT NULL;
CREATE INDEX tickets_caller ON tickets (caller_number);
CREATE INDEX tickets_contact ON tickets (contact_number);
CREATE INDEX tickets_created ON tickets (created);

-- The search column holds space-separated bigrams, so unicode61 splitting on
-- spaces reproduces ticketing.IndexTokens exactly.
CREATE VIRTUAL TABLE tickets_fts USING fts5 (
	search, content = 'tickets', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
	INSERT INTO tickets_fts (rowid, search) VALUES (new.seq, new.search);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF search ON tickets WHEN old.search <> new.search BEGIN
	INSERT INTO tickets_fts (tickets_fts, rowid, search) VALUES ('delete', old.seq, old.search);
	INSERT INTO tickets_fts (rowid, search) VALUES (new.seq, new.search);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
	INSERT INTO tickets_fts (tickets_fts, rowid, search) VALUES ('delete', old.seq, old.search);
END;

CREATE TABLE events (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	ticket     TEXT NOT NULL REFERENCES tickets (id),
	time       INTEGER,
	actor_id   TEXT NOT NULL DEFAULT '',
	actor_name TEXT NOT NULL DEFAULT '',
	actor_role TEXT NOT NULL DEFAULT '',
	actor_unit TEXT NOT NULL DEFAULT '',
	action     TEXT NOT NULL DEFAULT '',
	from_state TEXT NOT NULL DEFAULT '',
	to_state   TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL DEFAULT '',
	diff       TEXT NOT NULL DEFAULT 'null'
) STRICT;
CREATE INDEX events_ticket ON events (ticket, seq);

-- A ticket's history is append-only.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TABLE idempotency (
	user_id TEXT NOT NULL,
	key     TEXT NOT NULL,
	hash    TEXT NOT NULL DEFAULT '',
	ticket  TEXT NOT NULL REFERENCES tickets (id),
	PRIMARY KEY (user_id, key)
) STRICT;

CREATE TABLE accesses (
	ticket     TEXT NOT NULL REFERENCES tickets (id),
	time       INTEGER,
	actor_id   TEXT NOT NULL DEFAULT '',
	actor_name TEXT NOT NULL DEFAULT '',
	actor_role TEXT NOT NULL DEFAULT '',
	actor_unit TEXT NOT NULL DEFAULT '',
	field      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX accesses_ticket ON accesses (ticket, time);

CREATE TABLE units (
	id       TEXT PRIMARY KEY,
	name     TEXT NOT NULL DEFAULT '',
	tier     TEXT NOT NULL DEFAULT '',
	parent   TEXT NOT NULL DEFAULT '',
	kind     TEXT NOT NULL DEFAULT '',
	aliases  TEXT NOT NULL DEFAULT 'null',
	contact  TEXT NOT NULL DEFAULT '',
	sample   INTEGER NOT NULL DEFAULT 0,
	disabled INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE categories (
	id            TEXT PRIMARY KEY,
	name          TEXT NOT NULL DEFAULT '',
	parent        TEXT NOT NULL DEFAULT '',
	indicator     TEXT NOT NULL DEFAULT '',
	urgency       TEXT NOT NULL DEFAULT '',
	auto_dispatch INTEGER NOT NULL DEFAULT 0,
	keywords      TEXT NOT NULL DEFAULT 'null',
	disabled      INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE rules (
	id       INTEGER PRIMARY KEY AUTOINCREMENT,
	category TEXT NOT NULL DEFAULT '',
	area     TEXT NOT NULL DEFAULT '',
	target   TEXT NOT NULL DEFAULT '',
	unit     TEXT NOT NULL DEFAULT '',
	kind     TEXT NOT NULL DEFAULT '',
	priority INTEGER NOT NULL DEFAULT 0,
	note     TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE articles (
	seq        INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	title      TEXT NOT NULL DEFAULT '',
	body       TEXT NOT NULL DEFAULT '',
	category   TEXT NOT NULL DEFAULT '',
	keywords   TEXT NOT NULL DEFAULT 'null',
	valid_from INTEGER,
	valid_to   INTEGER,
	updated    INTEGER,
	version    INTEGER NOT NULL,
	search     TEXT NOT NULL DEFAULT '' -- ticketing.IndexText(title, body, keywords)
) STRICT;

CREATE VIRTUAL TABLE articles_fts USING fts5 (
	search, content = 'articles', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
	INSERT INTO articles_fts (rowid, search) VALUES (new.seq, new.search);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF search ON articles WHEN old.search <> new.search BEGIN
	INSERT INTO articles_fts (articles_fts, rowid, search) VALUES ('delete', old.seq, old.search);
	INSERT INTO articles_fts (rowid, search) VALUES (new.seq, new.search);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
	INSERT INTO articles_fts (articles_fts, rowid, search) VALUES ('delete', old.seq, old.search);
END;

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL DEFAULT '',
	role          TEXT NOT NULL DEFAULT '',
	unit          TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL DEFAULT '',
	disabled      INTEGER NOT NULL DEFAULT 0,
	created       INTEGER,
	updated       INTEGER
) STRICT;

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created    INTEGER,
	expires    INTEGER
) STRICT;
CREATE INDEX sessions_expires ON sessions (expires);

CREATE TABLE api_keys (
	key_hash TEXT PRIMARY KEY,
	name     TEXT NOT NULL DEFAULT '',
	user_id  TEXT NOT NULL REFERENCES users (id),
	created  INTEGER,
	revoked  INTEGER NOT NULL DEFAULT 0
) STRICT;
