DROP TABLE settings;
ALTER TABLE callbacks DROP COLUMN planned;
