PRAGMA foreign_keys = OFF;
BEGIN;
ALTER TABLE closures DROP COLUMN applied_at;
DROP INDEX messages_staff;
ALTER TABLE messages DROP COLUMN staff_id;
DROP TABLE apologies;
CREATE TABLE bookings_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cohort_id INTEGER NOT NULL REFERENCES cohorts (id),
    family_id INTEGER NOT NULL REFERENCES families (id),
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled', 'withdrawn')),
    carers INTEGER NOT NULL CHECK (carers BETWEEN 1 AND 2),
    booked_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    ended_at TIMESTAMP
);
INSERT INTO bookings_rebuilt
    (id, cohort_id, family_id, status, carers, booked_by, created_at, updated_at, confirmed_at, ended_at)
SELECT id, cohort_id, family_id,
       CASE status WHEN 'cancelled_by_centre' THEN 'cancelled' WHEN 'transferred' THEN 'withdrawn' ELSE status END,
       carers, booked_by, created_at, updated_at, confirmed_at, ended_at
FROM bookings;
DROP TABLE bookings;
ALTER TABLE bookings_rebuilt RENAME TO bookings;
CREATE UNIQUE INDEX bookings_one_active ON bookings (cohort_id, family_id) WHERE status IN ('confirmed', 'waitlisted');
CREATE INDEX bookings_cohort ON bookings (cohort_id, status, id);
CREATE INDEX bookings_family ON bookings (family_id);
COMMIT;
PRAGMA foreign_keys = ON;
