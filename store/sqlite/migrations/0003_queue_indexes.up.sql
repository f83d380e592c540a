-- A unit's work queue: its open orders by reply deadline, read in index
-- order (no sort) for the unit it holds and the district it is copied to.
-- The condition must be repeated verbatim by the queries (see find.go).
CREATE INDEX tickets_open_by_unit ON tickets (unit, reply_due IS NULL, reply_due, id)
	WHERE state IN ('dispatched', 'in_progress');
CREATE INDEX tickets_open_by_copy ON tickets (copy_unit, reply_due IS NULL, reply_due, id)
	WHERE state IN ('dispatched', 'in_progress');
