-- Call records (CDRs): one row per telephone call. Times are INTEGER
-- microseconds since the Unix epoch, UTC; NULL is "not yet" (never answered,
-- still going). ivr_path is a JSON array of flow node names.

CREATE TABLE calls (
	id          TEXT PRIMARY KEY,
	sip_call_id TEXT NOT NULL DEFAULT '',
	direction   TEXT NOT NULL DEFAULT '',
	caller      TEXT NOT NULL DEFAULT '',
	callee      TEXT NOT NULL DEFAULT '',
	trunk       TEXT NOT NULL DEFAULT '',
	arrived     INTEGER,
	answered    INTEGER,
	ended       INTEGER,
	ivr_path    TEXT NOT NULL DEFAULT '[]',
	digits      TEXT NOT NULL DEFAULT '',
	queue       TEXT NOT NULL DEFAULT '',
	agent       TEXT NOT NULL DEFAULT '',
	ticket      TEXT NOT NULL DEFAULT '',
	end_reason  TEXT NOT NULL DEFAULT '',
	sip_cause   INTEGER NOT NULL DEFAULT 0,
	recording   TEXT NOT NULL DEFAULT ''
) STRICT;

-- Lists are newest arrival first, then id descending; the filtered ones
-- narrow by caller or queue first.
CREATE INDEX calls_arrived ON calls (arrived, id);
CREATE INDEX calls_caller ON calls (caller, arrived, id);
CREATE INDEX calls_queue ON calls (queue, arrived, id);
