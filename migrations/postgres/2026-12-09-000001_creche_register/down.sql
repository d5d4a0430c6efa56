ALTER TABLE attendance_marks DROP COLUMN left_at;
ALTER TABLE attendance_marks DROP COLUMN arrived_at;
ALTER TABLE sessions DROP COLUMN register_notes;
ALTER TABLE bookings DROP COLUMN walk_in;
DROP TABLE session_visitors;
DROP TABLE creche_incidents;
ALTER TABLE creche_attendance DROP COLUMN collection_override;
ALTER TABLE creche_attendance DROP COLUMN collector_id;
DROP TABLE creche_key_persons;
