DROP TRIGGER assessment_rollup_truncate ON callback_answers;
DROP TRIGGER assessment_rollup_delete ON callback_answers;
DROP TRIGGER assessment_rollup_update ON callback_answers;
DROP TRIGGER assessment_rollup_insert ON callback_answers;
DROP FUNCTION assessment_rollup_clear();
DROP FUNCTION assessment_rollup_apply();
DROP TABLE assessment_rollup;
