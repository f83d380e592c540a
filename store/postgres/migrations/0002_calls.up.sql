-- Call records (CDRs): one row per telephone call. NULL times are "not yet"
-- (never answered, still going).

CREATE TABLE calls (
	id          text PRIMARY KEY,
	sip_call_id text NOT NULL DEFAULT '',
	direction   text NOT NULL DEFAULT '',
	caller      text NOT NULL DEFAULT '',
	callee      text NOT NULL DEFAULT '',
	trunk       text NOT NULL DEFAULT '',
	arrived     timestamptz,
	answered    timestamptz,
	ended       timestamptz,
	ivr_path    text[] NOT NULL DEFAULT '{}',
	digits      text NOT NULL DEFAULT '',
	queue       text NOT NULL DEFAULT '',
	agent       text NOT NULL DEFAULT '',
	ticket      text NOT NULL DEFAULT '',
	end_reason  text NOT NULL DEFAULT '',
	sip_cause   integer NOT NULL DEFAULT 0,
	recording   text NOT NULL DEFAULT ''
);

-- Lists are newest arrival first (calls without one last), then id
-- descending; the filtered ones narrow by caller or queue first.
CREATE INDEX calls_arrived ON calls (arrived DESC NULLS LAST, id DESC);
CREATE INDEX calls_caller ON calls (caller, arrived DESC NULLS LAST, id DESC);
CREATE INDEX calls_queue ON calls (queue, arrived DESC NULLS LAST, id DESC);
