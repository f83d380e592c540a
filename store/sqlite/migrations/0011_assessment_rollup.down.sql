DROP TRIGGER assessment_rollup_update;
DROP TRIGGER assessment_rollup_delete;
DROP TRIGGER assessment_rollup_insert;
DROP TABLE assessment_rollup;
