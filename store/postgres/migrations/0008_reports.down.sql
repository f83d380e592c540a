DROP INDEX callback_answers_called;
DROP INDEX events_action_time;
DROP TABLE reports;
