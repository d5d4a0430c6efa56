DROP TABLE outcome_measures;
DROP TABLE follow_up_contacts;
DROP TABLE follow_ups;
DROP TABLE creche_attendance;
DROP TABLE attendance_marks;
ALTER TABLE sessions DROP COLUMN creche_staff_present;
ALTER TABLE sessions DROP COLUMN register_version;
ALTER TABLE programmes DROP COLUMN outcome_measures;
ALTER TABLE programmes DROP COLUMN follow_up_after_absences;
