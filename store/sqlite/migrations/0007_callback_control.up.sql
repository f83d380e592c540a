-- Callback rounds and the supervisors' switch. planned is when a callback
-- was planned (INTEGER microseconds since the Unix epoch, UTC): it answers
-- the ticket's replies and missed deadlines before it, so a reply after a
-- reopen gets a new round. Callbacks planned before this column existed
-- count as planned at their due time, which is never before the reply
-- they were planned for.
ALTER TABLE callbacks ADD COLUMN planned INTEGER;
UPDATE callbacks SET planned = due;

-- Small server-wide settings kept across restarts, one JSON value per key
-- (callbacks.switch: the scheduler-wide pause).
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
