DROP TABLE cohort_team;
DROP TABLE sessions;
DROP TABLE cohorts;
DROP TABLE staff_qualifications;
DROP TABLE staff;
DROP TABLE closures;
DROP TABLE bank_holiday_changes;
DROP TABLE audit_events;
