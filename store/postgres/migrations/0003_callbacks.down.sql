DROP TABLE assessment_exclusions;
DROP TABLE callback_answers;
DROP TABLE callbacks;
