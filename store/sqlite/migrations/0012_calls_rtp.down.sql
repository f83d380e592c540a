ALTER TABLE calls DROP COLUMN rtp_lost;
ALTER TABLE calls DROP COLUMN rtp_received;
