-- The month's assessment counts per tier and unit, kept by the database
-- as callback records are written, so that a month's assessment reads a
-- few hundred rows however many answers there are. Each row holds what
-- the GROUP BY over callback_answers used to count:
--   callbacks  every record of the month, tier and unit;
--   valid      the records that are final AND NOT excluded, and of those
--   contacted  contacted = 'yes',
--   resolved   resolved = 'yes',
--   satisfied  satisfaction = 'satisfied',
--   basically  satisfaction = 'basically'.
-- A row whose callbacks fell to 0 (its records moved or were deleted)
-- stays, and counts for nothing.
CREATE TABLE assessment_rollup (
	month     integer NOT NULL,
	tier      text NOT NULL,
	unit      text NOT NULL,
	callbacks integer NOT NULL DEFAULT 0,
	valid     integer NOT NULL DEFAULT 0,
	contacted integer NOT NULL DEFAULT 0,
	resolved  integer NOT NULL DEFAULT 0,
	satisfied integer NOT NULL DEFAULT 0,
	basically integer NOT NULL DEFAULT 0,
	PRIMARY KEY (month, tier, unit)
);

-- assessment_rollup_apply adds what the statement's new rows count and
-- takes away what its old rows counted: one upsert per (month, tier, unit)
-- whose counts move. Statement-level with transition tables, so a COPY or
-- an UPDATE of millions of rows is one aggregate, not a trigger per row,
-- and an UPDATE that moves no count (a recording, an answer of a record
-- that is not final, finalsSQL finding nothing to change) writes nothing.
-- The groups are upserted in key order, so writers that meet on the same
-- units take their row locks in the same order.
--
-- A statement that touched no row returns at once: every INSERT … ON
-- CONFLICT DO UPDATE fires both the INSERT and the UPDATE trigger, one of
-- them with nothing in it; the upsert below costs about 0.1 ms a statement
-- even for one row (measured), a look at an empty transition table a few µs.
CREATE FUNCTION assessment_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		IF NOT EXISTS (SELECT FROM old_rows) THEN
			RETURN NULL;
		END IF;
	ELSIF NOT EXISTS (SELECT FROM new_rows) THEN
		RETURN NULL;
	END IF;
	IF TG_OP = 'INSERT' THEN
		INSERT INTO assessment_rollup AS r
			(month, tier, unit, callbacks, valid, contacted, resolved, satisfied, basically)
		SELECT month, tier, unit, count(*),
			count(*) FILTER (WHERE final AND NOT excluded),
			count(*) FILTER (WHERE final AND NOT excluded AND contacted = 'yes'),
			count(*) FILTER (WHERE final AND NOT excluded AND resolved = 'yes'),
			count(*) FILTER (WHERE final AND NOT excluded AND satisfaction = 'satisfied'),
			count(*) FILTER (WHERE final AND NOT excluded AND satisfaction = 'basically')
		FROM new_rows GROUP BY month, tier, unit ORDER BY month, tier, unit
		ON CONFLICT (month, tier, unit) DO UPDATE SET
			callbacks = r.callbacks + excluded.callbacks, valid = r.valid + excluded.valid,
			contacted = r.contacted + excluded.contacted, resolved = r.resolved + excluded.resolved,
			satisfied = r.satisfied + excluded.satisfied, basically = r.basically + excluded.basically;
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO assessment_rollup AS r
			(month, tier, unit, callbacks, valid, contacted, resolved, satisfied, basically)
		SELECT month, tier, unit, -count(*),
			-count(*) FILTER (WHERE final AND NOT excluded),
			-count(*) FILTER (WHERE final AND NOT excluded AND contacted = 'yes'),
			-count(*) FILTER (WHERE final AND NOT excluded AND resolved = 'yes'),
			-count(*) FILTER (WHERE final AND NOT excluded AND satisfaction = 'satisfied'),
			-count(*) FILTER (WHERE final AND NOT excluded AND satisfaction = 'basically')
		FROM old_rows GROUP BY month, tier, unit ORDER BY month, tier, unit
		ON CONFLICT (month, tier, unit) DO UPDATE SET
			callbacks = r.callbacks + excluded.callbacks, valid = r.valid + excluded.valid,
			contacted = r.contacted + excluded.contacted, resolved = r.resolved + excluded.resolved,
			satisfied = r.satisfied + excluded.satisfied, basically = r.basically + excluded.basically;
	ELSE -- UPDATE: each new row counts +1, each old row −1
		INSERT INTO assessment_rollup AS r
			(month, tier, unit, callbacks, valid, contacted, resolved, satisfied, basically)
		SELECT month, tier, unit, sum(n), sum(v), sum(c), sum(rs), sum(sa), sum(ba)
		FROM (SELECT month, tier, unit, s AS n,
				s * (final AND NOT excluded)::int AS v,
				s * (final AND NOT excluded AND contacted = 'yes')::int AS c,
				s * (final AND NOT excluded AND resolved = 'yes')::int AS rs,
				s * (final AND NOT excluded AND satisfaction = 'satisfied')::int AS sa,
				s * (final AND NOT excluded AND satisfaction = 'basically')::int AS ba
			FROM (SELECT 1 AS s, * FROM new_rows UNION ALL SELECT -1, * FROM old_rows) x) d
		GROUP BY month, tier, unit
		HAVING sum(n) <> 0 OR sum(v) <> 0 OR sum(c) <> 0 OR sum(rs) <> 0 OR sum(sa) <> 0 OR sum(ba) <> 0
		ORDER BY month, tier, unit
		ON CONFLICT (month, tier, unit) DO UPDATE SET
			callbacks = r.callbacks + excluded.callbacks, valid = r.valid + excluded.valid,
			contacted = r.contacted + excluded.contacted, resolved = r.resolved + excluded.resolved,
			satisfied = r.satisfied + excluded.satisfied, basically = r.basically + excluded.basically;
	END IF;
	RETURN NULL;
END;
$$;

-- One trigger per operation: a trigger with transition tables takes one
-- event. INSERT … ON CONFLICT DO UPDATE fires the INSERT trigger with the
-- rows it inserted and the UPDATE trigger with the rows it updated.
CREATE TRIGGER assessment_rollup_insert AFTER INSERT ON callback_answers
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION assessment_rollup_apply();
CREATE TRIGGER assessment_rollup_update AFTER UPDATE ON callback_answers
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION assessment_rollup_apply();
CREATE TRIGGER assessment_rollup_delete AFTER DELETE ON callback_answers
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION assessment_rollup_apply();

CREATE FUNCTION assessment_rollup_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM assessment_rollup;
	RETURN NULL;
END;
$$;
CREATE TRIGGER assessment_rollup_truncate AFTER TRUNCATE ON callback_answers
	FOR EACH STATEMENT EXECUTE FUNCTION assessment_rollup_clear();

-- The back-fill, after the triggers: creating them locked callback_answers
-- against writers until this migration commits, so no record is counted
-- twice or missed.
INSERT INTO assessment_rollup (month, tier, unit, callbacks, valid, contacted, resolved, satisfied, basically)
SELECT month, tier, unit, count(*),
	count(*) FILTER (WHERE final AND NOT excluded),
	count(*) FILTER (WHERE final AND NOT excluded AND contacted = 'yes'),
	count(*) FILTER (WHERE final AND NOT excluded AND resolved = 'yes'),
	count(*) FILTER (WHERE final AND NOT excluded AND satisfaction = 'satisfied'),
	count(*) FILTER (WHERE final AND NOT excluded AND satisfaction = 'basically')
FROM callback_answers GROUP BY month, tier, unit;
