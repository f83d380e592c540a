-- Unreasonable-request claims (不合理诉求) and assessment appeals (考核申诉):
-- a unit asks that a ticket leave its assessment; a supervisor rules.
-- Times are INTEGER microseconds since the Unix epoch, UTC; month is the
-- YYYYMM the claim is about (Beijing time).

CREATE TABLE claims (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	ticket        TEXT NOT NULL REFERENCES tickets (id),
	unit          TEXT NOT NULL,
	kind          TEXT NOT NULL,
	state         TEXT NOT NULL,
	reason        TEXT NOT NULL DEFAULT '',
	evidence      TEXT NOT NULL DEFAULT '',
	callback      INTEGER NOT NULL DEFAULT 0, -- appeals: the callback_answers row contested
	month         INTEGER NOT NULL DEFAULT 0,
	filed_by      TEXT NOT NULL DEFAULT '',
	filed_by_name TEXT NOT NULL DEFAULT '',
	filed         INTEGER NOT NULL,
	ruled_by      TEXT NOT NULL DEFAULT '',
	ruled_by_name TEXT NOT NULL DEFAULT '',
	ruled         INTEGER,
	note          TEXT NOT NULL DEFAULT '',
	version       INTEGER NOT NULL
) STRICT;

-- At most one pending claim per ticket and kind.
CREATE UNIQUE INDEX claims_pending ON claims (ticket, kind) WHERE state = 'pending';
-- The review queue (state, month, unit) and a ticket's claims.
CREATE INDEX claims_state ON claims (state, month, unit, filed, id);
CREATE INDEX claims_ticket ON claims (ticket, filed, id);
