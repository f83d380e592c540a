-- Reports (日报告、周分析、月通报): the generated reports, and the indexes
-- their counts read by time.

CREATE TABLE reports (
	kind         TEXT NOT NULL,    -- daily, weekly, monthly
	period_from  INTEGER NOT NULL, -- UTC microseconds
	period_to    INTEGER NOT NULL,
	generated_at INTEGER NOT NULL,
	body         TEXT NOT NULL,    -- the ticketing.Report as JSON
	PRIMARY KEY (kind, period_from)
) STRICT;
CREATE INDEX reports_period ON reports (period_from DESC, kind);

-- A period's rare lifecycle events (one index range per action), and its
-- callbacks.
CREATE INDEX events_action_time ON events (action, time);
CREATE INDEX callback_answers_called ON callback_answers (called_at);
