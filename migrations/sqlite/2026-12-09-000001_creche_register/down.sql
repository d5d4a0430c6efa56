ALTER TABLE attendance_marks DROP COLUMN left_at;
ALTER TABLE attendance_marks DROP COLUMN arrived_at;
ALTER TABLE sessions DROP COLUMN register_notes;
ALTER TABLE bookings DROP COLUMN walk_in;
DROP TABLE session_visitors;
DROP TABLE creche_incidents;
-- SQLite cannot drop a column that is a foreign key: the table is rebuilt as it was.
CREATE TABLE creche_attendance_before (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    booking_id INTEGER NOT NULL REFERENCES bookings (id),
    child_id INTEGER NOT NULL REFERENCES children (id),
    signed_in_at TIMESTAMP NOT NULL,
    signed_out_at TIMESTAMP,
    collected_by TEXT NOT NULL DEFAULT '',
    marked_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    marked_at TIMESTAMP NOT NULL,
    UNIQUE (session_id, child_id),
    CHECK (signed_out_at IS NULL OR signed_out_at >= signed_in_at)
);
INSERT INTO creche_attendance_before
    SELECT id, session_id, booking_id, child_id, signed_in_at, signed_out_at, collected_by,
           marked_by, marked_at
    FROM creche_attendance;
DROP TABLE creche_attendance;
ALTER TABLE creche_attendance_before RENAME TO creche_attendance;
CREATE INDEX creche_attendance_booking ON creche_attendance (booking_id);
DROP TABLE creche_key_persons;
