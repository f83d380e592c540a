DROP INDEX tickets_open_by_copy;
DROP INDEX tickets_open_by_unit;
