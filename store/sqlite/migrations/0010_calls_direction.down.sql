DROP INDEX calls_direction_arrived;
