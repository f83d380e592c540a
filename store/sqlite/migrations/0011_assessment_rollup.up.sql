-- The month's assessment counts per tier and unit, kept by triggers on
-- callback_answers as records are written, so that a month's assessment
-- reads a few hundred rows however many answers there are. Each row holds
-- what the GROUP BY over callback_answers used to count:
--   callbacks  every record of the month, tier and unit;
--   valid      the records that are final AND NOT excluded, and of those
--   contacted  contacted = 'yes',
--   resolved   resolved = 'yes',
--   satisfied  satisfaction = 'satisfied',
--   basically  satisfaction = 'basically'.
-- A row whose callbacks fell to 0 (its records moved or were deleted)
-- stays, and counts for nothing.
CREATE TABLE assessment_rollup (
	month     INTEGER NOT NULL,
	tier      TEXT NOT NULL,
	unit      TEXT NOT NULL,
	callbacks INTEGER NOT NULL DEFAULT 0,
	valid     INTEGER NOT NULL DEFAULT 0,
	contacted INTEGER NOT NULL DEFAULT 0,
	resolved  INTEGER NOT NULL DEFAULT 0,
	satisfied INTEGER NOT NULL DEFAULT 0,
	basically INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (month, tier, unit)
) STRICT, WITHOUT ROWID;

-- Row triggers (SQLite has no other kind): a new record adds what it
-- counts, a removed one takes it away, and an update that changes what a
-- record counts does both.
CREATE TRIGGER assessment_rollup_insert AFTER INSERT ON callback_answers BEGIN
	INSERT INTO assessment_rollup (month, tier, unit, callbacks, valid, contacted, resolved, satisfied, basically)
	VALUES (new.month, new.tier, new.unit, 1,
		new.final AND NOT new.excluded,
		new.final AND NOT new.excluded AND new.contacted = 'yes',
		new.final AND NOT new.excluded AND new.resolved = 'yes',
		new.final AND NOT new.excluded AND new.satisfaction = 'satisfied',
		new.final AND NOT new.excluded AND new.satisfaction = 'basically')
	ON CONFLICT (month, tier, unit) DO UPDATE SET
		callbacks = callbacks + excluded.callbacks, valid = valid + excluded.valid,
		contacted = contacted + excluded.contacted, resolved = resolved + excluded.resolved,
		satisfied = satisfied + excluded.satisfied, basically = basically + excluded.basically;
END;

CREATE TRIGGER assessment_rollup_delete AFTER DELETE ON callback_answers BEGIN
	UPDATE assessment_rollup SET callbacks = callbacks - 1,
		valid = valid - (old.final AND NOT old.excluded),
		contacted = contacted - (old.final AND NOT old.excluded AND old.contacted = 'yes'),
		resolved = resolved - (old.final AND NOT old.excluded AND old.resolved = 'yes'),
		satisfied = satisfied - (old.final AND NOT old.excluded AND old.satisfaction = 'satisfied'),
		basically = basically - (old.final AND NOT old.excluded AND old.satisfaction = 'basically')
	WHERE month = old.month AND tier = old.tier AND unit = old.unit;
END;

-- Only when something the counts read changes: the survey rewriting an
-- answer of a record that is not final, or a recording, costs nothing.
CREATE TRIGGER assessment_rollup_update
AFTER UPDATE OF month, tier, unit, final, excluded, contacted, resolved, satisfaction ON callback_answers
WHEN old.month <> new.month OR old.tier <> new.tier OR old.unit <> new.unit
	OR old.final <> new.final OR old.excluded <> new.excluded
	OR ((old.final OR new.final) AND (old.contacted <> new.contacted OR old.resolved <> new.resolved
		OR old.satisfaction <> new.satisfaction))
BEGIN
	UPDATE assessment_rollup SET callbacks = callbacks - 1,
		valid = valid - (old.final AND NOT old.excluded),
		contacted = contacted - (old.final AND NOT old.excluded AND old.contacted = 'yes'),
		resolved = resolved - (old.final AND NOT old.excluded AND old.resolved = 'yes'),
		satisfied = satisfied - (old.final AND NOT old.excluded AND old.satisfaction = 'satisfied'),
		basically = basically - (old.final AND NOT old.excluded AND old.satisfaction = 'basically')
	WHERE month = old.month AND tier = old.tier AND unit = old.unit;
	INSERT INTO assessment_rollup (month, tier, unit, callbacks, valid, contacted, resolved, satisfied, basically)
	VALUES (new.month, new.tier, new.unit, 1,
		new.final AND NOT new.excluded,
		new.final AND NOT new.excluded AND new.contacted = 'yes',
		new.final AND NOT new.excluded AND new.resolved = 'yes',
		new.final AND NOT new.excluded AND new.satisfaction = 'satisfied',
		new.final AND NOT new.excluded AND new.satisfaction = 'basically')
	ON CONFLICT (month, tier, unit) DO UPDATE SET
		callbacks = callbacks + excluded.callbacks, valid = valid + excluded.valid,
		contacted = contacted + excluded.contacted, resolved = resolved + excluded.resolved,
		satisfied = satisfied + excluded.satisfied, basically = basically + excluded.basically;
END;

-- The back-fill (the migration's transaction keeps writers out).
INSERT INTO assessment_rollup (month, tier, unit, callbacks, valid, contacted, resolved, satisfied, basically)
SELECT month, tier, unit, count(*),
	count(*) FILTER (WHERE final AND NOT excluded),
	count(*) FILTER (WHERE final AND NOT excluded AND contacted = 'yes'),
	count(*) FILTER (WHERE final AND NOT excluded AND resolved = 'yes'),
	count(*) FILTER (WHERE final AND NOT excluded AND satisfaction = 'satisfied'),
	count(*) FILTER (WHERE final AND NOT excluded AND satisfaction = 'basically')
FROM callback_answers GROUP BY month, tier, unit;
