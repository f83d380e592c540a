-- Satisfaction callbacks (回访): the scheduled calls, the answers each
-- ticket got, and the tickets taken out of the assessment. Times are
-- INTEGER microseconds since the Unix epoch, UTC.

CREATE TABLE callbacks (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	tickets        TEXT NOT NULL DEFAULT '[]', -- JSON array of ticket ids
	contact_number TEXT NOT NULL DEFAULT '',
	due            INTEGER,
	attempts       INTEGER NOT NULL DEFAULT 0,
	state          TEXT NOT NULL,
	last_result    TEXT NOT NULL DEFAULT '',
	history        TEXT NOT NULL DEFAULT '[]', -- JSON array of attempts
	reason         TEXT NOT NULL DEFAULT '',
	version        INTEGER NOT NULL
) STRICT;

-- The scheduler reads pending callbacks in due order.
CREATE INDEX callbacks_state_due ON callbacks (state, due, id);

CREATE TABLE callback_answers (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	callback_id  INTEGER NOT NULL DEFAULT 0, -- 0: entered by hand
	ticket       TEXT NOT NULL,
	unit         TEXT NOT NULL DEFAULT '',
	tier         TEXT NOT NULL DEFAULT '',
	called_at    INTEGER NOT NULL,
	month        INTEGER NOT NULL, -- YYYYMM of called_at, Beijing time
	final        INTEGER NOT NULL DEFAULT 0, -- see below
	excluded     INTEGER NOT NULL DEFAULT 0, -- the ticket is in assessment_exclusions
	reached      INTEGER NOT NULL DEFAULT 0,
	contacted    TEXT NOT NULL DEFAULT '',
	resolved     TEXT NOT NULL DEFAULT '',
	satisfaction TEXT NOT NULL DEFAULT '',
	manual       INTEGER NOT NULL DEFAULT 0,
	by_user      TEXT NOT NULL DEFAULT '',
	recording    TEXT NOT NULL DEFAULT ''
) STRICT;

-- One row per survey call and ticket, rewritten after every answer.
CREATE UNIQUE INDEX callback_answers_call ON callback_answers (callback_id, ticket, called_at)
	WHERE callback_id <> 0;
-- final marks the record that counts for its ticket in the assessment:
-- the latest (by called_at, then id) of those that reached the citizen with
-- three clear answers, per ticket, unit, tier and month. The store keeps it
-- up to date on every write of the ticket's records, so the month's counts
-- are one scan and GROUP BY, with no sort per ticket.
-- Covering, so the month's counts of a tier read only that tier's part of
-- the index, already grouped by unit.
CREATE INDEX callback_answers_month ON callback_answers
	(month, tier, unit, final, excluded, contacted, resolved, satisfaction);
CREATE INDEX callback_answers_ticket ON callback_answers (ticket, called_at, id);

-- Tickets whose claim or appeal was approved: out of the assessment. Their
-- records carry the mark too (excluded), so counting needs no join.
CREATE TABLE assessment_exclusions (
	ticket TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;
