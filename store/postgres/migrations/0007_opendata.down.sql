DROP TABLE opendata_downloads;
DROP TABLE opendata_requests;
