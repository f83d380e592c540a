DROP TABLE queue_events;
