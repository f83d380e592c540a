-- 0001 down: drop the whole first schema.
DROP TABLE api_keys;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE articles;
DROP TABLE rules;
DROP TABLE categories;
DROP TABLE units;
DROP TABLE accesses;
DROP TABLE idempotency;
DROP TABLE events;
DROP FUNCTION events_append_only();
DROP TABLE tickets;
DROP TABLE ticket_seq;
