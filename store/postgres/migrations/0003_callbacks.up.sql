-- Satisfaction callbacks (回访): the scheduled calls, the answers each
-- ticket got, and the tickets taken out of the assessment.

CREATE TABLE callbacks (
	id             bigserial PRIMARY KEY,
	tickets        text[] NOT NULL DEFAULT '{}',
	contact_number text NOT NULL DEFAULT '',
	due            timestamptz,
	attempts       integer NOT NULL DEFAULT 0,
	state          text NOT NULL,
	last_result    text NOT NULL DEFAULT '',
	history        jsonb NOT NULL DEFAULT '[]',
	reason         text NOT NULL DEFAULT '',
	version        integer NOT NULL
);

-- The scheduler reads pending callbacks in due order.
CREATE INDEX callbacks_state_due ON callbacks (state, due, id);
CREATE INDEX callbacks_tickets ON callbacks USING gin (tickets);

CREATE TABLE callback_answers (
	id           bigserial PRIMARY KEY,
	callback_id  bigint NOT NULL DEFAULT 0, -- 0: entered by hand
	ticket       text NOT NULL,
	unit         text NOT NULL DEFAULT '',
	tier         text NOT NULL DEFAULT '',
	called_at    timestamptz NOT NULL,
	month        integer NOT NULL, -- YYYYMM of called_at, Beijing time
	final        boolean NOT NULL DEFAULT false, -- see below
	excluded     boolean NOT NULL DEFAULT false, -- the ticket is in assessment_exclusions
	reached      boolean NOT NULL DEFAULT false,
	contacted    text NOT NULL DEFAULT '',
	resolved     text NOT NULL DEFAULT '',
	satisfaction text NOT NULL DEFAULT '',
	manual       boolean NOT NULL DEFAULT false,
	by_user      text NOT NULL DEFAULT '',
	recording    text NOT NULL DEFAULT ''
);

-- One row per survey call and ticket, rewritten after every answer.
CREATE UNIQUE INDEX callback_answers_call ON callback_answers (callback_id, ticket, called_at)
	WHERE callback_id <> 0;
-- final marks the record that counts for its ticket in the assessment:
-- the latest (by called_at, then id) of those that reached the citizen with
-- three clear answers, per ticket, unit, tier and month. The store keeps it
-- up to date on every write of the ticket's records, so the month's counts
-- are one scan and GROUP BY, with no sort per ticket.
-- Covering, so the month's counts of a tier are an index-only scan of that
-- tier's part, already grouped by unit.
CREATE INDEX callback_answers_month ON callback_answers (month, tier, unit)
	INCLUDE (final, excluded, contacted, resolved, satisfaction);
CREATE INDEX callback_answers_ticket ON callback_answers (ticket, called_at, id);

-- Tickets whose claim or appeal was approved: out of the assessment. Their
-- records carry the mark too (excluded), so counting needs no join.
CREATE TABLE assessment_exclusions (
	ticket text PRIMARY KEY
);
