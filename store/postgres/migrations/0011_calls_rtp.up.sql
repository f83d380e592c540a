-- How well each caller was heard: the RTP packets their side sent and those
-- lost on the way, counted when the call's media ends.
ALTER TABLE calls ADD COLUMN rtp_received BIGINT NOT NULL DEFAULT 0,
                  ADD COLUMN rtp_lost BIGINT NOT NULL DEFAULT 0;
