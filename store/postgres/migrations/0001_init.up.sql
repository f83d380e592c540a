-- 0001: the whole first schema of the hotline store.

-- Daily ticket numbering: one row per Beijing calendar day (YYYYMMDD),
-- bumped inside the transaction that creates the ticket.
CREATE TABLE ticket_seq (
	day text PRIMARY KEY,
	n   bigint NOT NULL
);

CREATE TABLE tickets (
	id                text PRIMARY KEY,
	channel           text NOT NULL DEFAULT '',
	caller_number     text NOT NULL DEFAULT '',
	contact_number    text NOT NULL DEFAULT '',
	citizen_name      text NOT NULL DEFAULT '',
	type              text NOT NULL DEFAULT '',
	category          text NOT NULL DEFAULT '',
	title             text NOT NULL DEFAULT '',
	content           text NOT NULL DEFAULT '',
	address           text NOT NULL DEFAULT '',
	district          text NOT NULL DEFAULT '',
	street            text NOT NULL DEFAULT '',
	lat               double precision NOT NULL DEFAULT 0,
	lng               double precision NOT NULL DEFAULT 0,
	urgency           text NOT NULL DEFAULT '',
	-- The dispatch queue's order: most urgent first.
	urgency_rank      smallint GENERATED ALWAYS AS (
		CASE urgency
			WHEN 'emergency' THEN 0
			WHEN 'utility' THEN 1
			WHEN 'ordinary' THEN 2
			WHEN 'complex' THEN 3
			ELSE 4
		END) STORED,
	confidential      boolean NOT NULL DEFAULT false,
	no_callback       boolean NOT NULL DEFAULT false,
	call_id           text NOT NULL DEFAULT '',
	recording_id      text NOT NULL DEFAULT '',
	agent             text NOT NULL DEFAULT '',
	state             text NOT NULL,
	triage            text NOT NULL DEFAULT '',
	triage_reason     text NOT NULL DEFAULT '',
	article           text NOT NULL DEFAULT '',
	merged_into       text NOT NULL DEFAULT '',
	suggested_unit    text NOT NULL DEFAULT '',
	unit              text NOT NULL DEFAULT '',
	copy_unit         text NOT NULL DEFAULT '',
	created           timestamptz NOT NULL,
	updated           timestamptz,
	dispatched_at     timestamptz,
	accepted_at       timestamptz,
	contacted_at      timestamptz,
	replied_at        timestamptz,
	closed_at         timestamptz,
	accept_due        timestamptz,
	contact_due       timestamptz,
	reply_due         timestamptz,
	accept_light      text NOT NULL DEFAULT '',
	contact_light     text NOT NULL DEFAULT '',
	reply_light       text NOT NULL DEFAULT '',
	next_check        timestamptz,
	paused_at         timestamptz,
	outcome           text NOT NULL DEFAULT '',
	reply_content     text NOT NULL DEFAULT '',
	pending_return    text NOT NULL DEFAULT '',
	pending_extension integer NOT NULL DEFAULT 0,
	extension_reason  text NOT NULL DEFAULT '',
	supervised        boolean NOT NULL DEFAULT false,
	returns           integer NOT NULL DEFAULT 0,
	extensions        integer NOT NULL DEFAULT 0,
	reopens           integer NOT NULL DEFAULT 0,
	urges             integer NOT NULL DEFAULT 0,
	version           integer NOT NULL,
	-- ticketing.IndexText(title, content, address): space-separated tokens.
	search            text NOT NULL DEFAULT ''
);

-- A unit's work queue: its open orders, nearest reply deadline first.
CREATE INDEX tickets_unit_queue ON tickets (unit, reply_due, id)
	WHERE state IN ('dispatched', 'in_progress');
-- The same for the district a street/town order is copied to.
CREATE INDEX tickets_copy_unit_queue ON tickets (copy_unit, reply_due, id)
	WHERE state IN ('dispatched', 'in_progress') AND copy_unit <> '';
-- Supervision: every held order by deadline, and the overdue ones.
CREATE INDEX tickets_held_due ON tickets (reply_due, id)
	WHERE state IN ('dispatched', 'in_progress');
-- The dispatch queue: most urgent, then oldest.
CREATE INDEX tickets_dispatch_queue ON tickets (state, urgency_rank, created, id);
-- The SLA sweep.
CREATE INDEX tickets_next_check ON tickets (next_check, id) WHERE next_check IS NOT NULL;
-- Screen-pop by phone number.
-- (Not partial: "caller_number = $1" in a generic plan cannot prove a
-- predicate such as caller_number <> ''.)
CREATE INDEX tickets_caller_number ON tickets (caller_number);
CREATE INDEX tickets_contact_number ON tickets (contact_number);
-- Newest first, and date ranges.
CREATE INDEX tickets_created ON tickets (created, id);
-- Everything a unit holds, in any state, newest first.
CREATE INDEX tickets_unit_created ON tickets (unit, created, id);
CREATE INDEX tickets_search ON tickets USING gin (to_tsvector('simple', search));

CREATE TABLE events (
	seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	ticket     text NOT NULL REFERENCES tickets (id),
	time       timestamptz,
	actor_id   text NOT NULL DEFAULT '',
	actor_name text NOT NULL DEFAULT '',
	actor_role text NOT NULL DEFAULT '',
	actor_unit text NOT NULL DEFAULT '',
	action     text NOT NULL,
	from_state text NOT NULL DEFAULT '',
	to_state   text NOT NULL DEFAULT '',
	reason     text NOT NULL DEFAULT '',
	diff       jsonb
);
CREATE INDEX events_ticket ON events (ticket, seq);

-- A ticket's history is append-only.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'events are append-only: % refused', TG_OP
		USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER events_append_only
	BEFORE UPDATE OR DELETE ON events
	FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate
	BEFORE TRUNCATE ON events
	FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

CREATE TABLE idempotency (
	user_id text NOT NULL,
	key     text NOT NULL,
	hash    text NOT NULL,
	ticket  text NOT NULL REFERENCES tickets (id),
	PRIMARY KEY (user_id, key)
);

CREATE TABLE accesses (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	ticket     text NOT NULL,
	time       timestamptz,
	actor_id   text NOT NULL DEFAULT '',
	actor_name text NOT NULL DEFAULT '',
	actor_role text NOT NULL DEFAULT '',
	actor_unit text NOT NULL DEFAULT '',
	field      text NOT NULL DEFAULT ''
);
CREATE INDEX accesses_ticket ON accesses (ticket, time, id);

CREATE TABLE units (
	id       text PRIMARY KEY,
	name     text NOT NULL DEFAULT '',
	tier     text NOT NULL DEFAULT '',
	parent   text NOT NULL DEFAULT '',
	kind     text NOT NULL DEFAULT '',
	aliases  text[] NOT NULL DEFAULT '{}',
	contact  text NOT NULL DEFAULT '',
	sample   boolean NOT NULL DEFAULT false,
	disabled boolean NOT NULL DEFAULT false
);

CREATE TABLE categories (
	id            text PRIMARY KEY,
	name          text NOT NULL DEFAULT '',
	parent        text NOT NULL DEFAULT '',
	indicator     text NOT NULL DEFAULT '',
	urgency       text NOT NULL DEFAULT '',
	auto_dispatch boolean NOT NULL DEFAULT false,
	keywords      text[] NOT NULL DEFAULT '{}',
	disabled      boolean NOT NULL DEFAULT false
);

CREATE TABLE rules (
	id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	category text NOT NULL DEFAULT '',
	area     text NOT NULL DEFAULT '',
	target   text NOT NULL DEFAULT '',
	unit     text NOT NULL DEFAULT '',
	kind     text NOT NULL DEFAULT '',
	priority integer NOT NULL DEFAULT 0,
	note     text NOT NULL DEFAULT ''
);

CREATE TABLE articles (
	id         text PRIMARY KEY,
	title      text NOT NULL DEFAULT '',
	body       text NOT NULL DEFAULT '',
	category   text NOT NULL DEFAULT '',
	keywords   text[] NOT NULL DEFAULT '{}',
	valid_from timestamptz,
	valid_to   timestamptz,
	updated    timestamptz,
	version    integer NOT NULL,
	-- ticketing.IndexText(title, body, keywords...).
	search     text NOT NULL DEFAULT '',
	-- ticketing.IndexText(title): title hits rank first.
	title_search text NOT NULL DEFAULT ''
);
CREATE INDEX articles_search ON articles USING gin (to_tsvector('simple', search));

CREATE TABLE users (
	id            text PRIMARY KEY,
	username      text NOT NULL UNIQUE,
	name          text NOT NULL DEFAULT '',
	role          text NOT NULL DEFAULT '',
	unit          text NOT NULL DEFAULT '',
	password_hash text NOT NULL DEFAULT '',
	disabled      boolean NOT NULL DEFAULT false,
	created       timestamptz,
	updated       timestamptz
);

CREATE TABLE sessions (
	token_hash text PRIMARY KEY,
	user_id    text NOT NULL,
	created    timestamptz,
	expires    timestamptz
);
CREATE INDEX sessions_expires ON sessions (expires);

CREATE TABLE api_keys (
	key_hash text PRIMARY KEY,
	name     text NOT NULL DEFAULT '',
	user_id  text NOT NULL DEFAULT '',
	created  timestamptz,
	revoked  boolean NOT NULL DEFAULT false
);
