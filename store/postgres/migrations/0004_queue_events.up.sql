-- The ACD's queue log (agent.Event), one row per event, written in batches
-- by call.QueueLog and read back for KPIs. The durations are milliseconds.
-- id is the order of storing: events of the same instant are read back in
-- it.

CREATE TABLE queue_events (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at         timestamptz NOT NULL,
	kind       text NOT NULL,
	queue      text NOT NULL DEFAULT '',
	call_id    text NOT NULL DEFAULT '',
	agent      text NOT NULL DEFAULT '',
	reason     text NOT NULL DEFAULT '',
	wait_ms    bigint NOT NULL DEFAULT 0,
	talk_ms    bigint NOT NULL DEFAULT 0,
	target     text NOT NULL DEFAULT '',
	wrap_up_ms bigint NOT NULL DEFAULT 0,
	state      text NOT NULL DEFAULT ''
);

-- Reads are a time range in time order, narrowed by queue or agent.
CREATE INDEX queue_events_at ON queue_events (at, id);
CREATE INDEX queue_events_queue ON queue_events (queue, at, id);
CREATE INDEX queue_events_agent ON queue_events (agent, at, id);
