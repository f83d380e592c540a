ALTER TABLE calls DROP COLUMN rtp_lost, DROP COLUMN rtp_received;
