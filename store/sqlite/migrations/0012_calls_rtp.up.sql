-- How well each caller was heard: the RTP packets their side sent and those
-- lost on the way, counted when the call's media ends.
ALTER TABLE calls ADD COLUMN rtp_received INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN rtp_lost INTEGER NOT NULL DEFAULT 0;
