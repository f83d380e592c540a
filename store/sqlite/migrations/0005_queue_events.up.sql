-- The ACD's queue log (agent.Event), one row per event, written in batches
-- by call.QueueLog and read back for KPIs. at is INTEGER microseconds since
-- the Unix epoch, UTC; the durations are INTEGER milliseconds. id is the
-- order of storing: events of the same instant are read back in it.

CREATE TABLE queue_events (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	at         INTEGER NOT NULL,
	kind       TEXT NOT NULL,
	queue      TEXT NOT NULL DEFAULT '',
	call_id    TEXT NOT NULL DEFAULT '',
	agent      TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL DEFAULT '',
	wait_ms    INTEGER NOT NULL DEFAULT 0,
	talk_ms    INTEGER NOT NULL DEFAULT 0,
	target     TEXT NOT NULL DEFAULT '',
	wrap_up_ms INTEGER NOT NULL DEFAULT 0,
	state      TEXT NOT NULL DEFAULT ''
) STRICT;

-- Reads are a time range in time order, narrowed by queue or agent.
CREATE INDEX queue_events_at ON queue_events (at, id);
CREATE INDEX queue_events_queue ON queue_events (queue, at, id);
CREATE INDEX queue_events_agent ON queue_events (agent, at, id);
