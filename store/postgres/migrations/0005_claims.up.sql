-- Unreasonable-request claims (不合理诉求) and assessment appeals (考核申诉):
-- a unit asks that a ticket leave its assessment; a supervisor rules.
-- month is the YYYYMM the claim is about (Beijing time).

CREATE TABLE claims (
	id            bigserial PRIMARY KEY,
	ticket        text NOT NULL REFERENCES tickets (id),
	unit          text NOT NULL,
	kind          text NOT NULL,
	state         text NOT NULL,
	reason        text NOT NULL DEFAULT '',
	evidence      text NOT NULL DEFAULT '',
	callback      bigint NOT NULL DEFAULT 0, -- appeals: the callback_answers row contested
	month         integer NOT NULL DEFAULT 0,
	filed_by      text NOT NULL DEFAULT '',
	filed_by_name text NOT NULL DEFAULT '',
	filed         timestamptz NOT NULL,
	ruled_by      text NOT NULL DEFAULT '',
	ruled_by_name text NOT NULL DEFAULT '',
	ruled         timestamptz,
	note          text NOT NULL DEFAULT '',
	version       integer NOT NULL
);

-- At most one pending claim per ticket and kind.
CREATE UNIQUE INDEX claims_pending ON claims (ticket, kind) WHERE state = 'pending';
-- The review queue (state, month, unit) and a ticket's claims.
CREATE INDEX claims_state ON claims (state, month, unit, filed, id);
CREATE INDEX claims_ticket ON claims (ticket, filed, id);
