-- Reports (日报告、周分析、月通报): the generated reports, and the indexes
-- their counts read by time.

CREATE TABLE reports (
	kind         text NOT NULL,        -- daily, weekly, monthly
	period_from  timestamptz NOT NULL,
	period_to    timestamptz NOT NULL,
	generated_at timestamptz NOT NULL,
	body         jsonb NOT NULL,       -- the ticketing.Report
	PRIMARY KEY (kind, period_from)
);
-- The list, newest period first.
CREATE INDEX reports_period ON reports (period_from DESC, kind);

-- A period's rare lifecycle events (returns, extensions, supervisions,
-- reopens): one index range per action.
CREATE INDEX events_action_time ON events (action, time);
-- A period's callbacks: covering, so the three rates need no heap visit.
CREATE INDEX callback_answers_called ON callback_answers (called_at)
	INCLUDE (final, excluded, contacted, resolved, satisfaction);
