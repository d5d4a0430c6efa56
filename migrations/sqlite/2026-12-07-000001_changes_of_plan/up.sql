-- Changes of plan (issue 15).
-- Bookings: a booking ended because the centre cancelled the group is `cancelled_by_centre`
-- (kept for monitoring, apart from a family's own cancellation); a family moved to another
-- group leaves `transferred` with a pointer to the booking that replaced it. A booking also
-- carries this group's access needs and interpreter need (copied from the family when booked,
-- changed per booking). SQLite: the table is rebuilt to change its CHECK, foreign keys off.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE bookings_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cohort_id INTEGER NOT NULL REFERENCES cohorts (id),
    family_id INTEGER NOT NULL REFERENCES families (id),
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled', 'withdrawn',
                                           'cancelled_by_centre', 'transferred')),
    carers INTEGER NOT NULL CHECK (carers BETWEEN 1 AND 2),
    booked_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    ended_at TIMESTAMP,
    access_needs TEXT NOT NULL DEFAULT '',
    interpreter_needed BOOLEAN NOT NULL DEFAULT 0,
    transferred_to INTEGER REFERENCES bookings (id),
    CHECK ((status = 'transferred') = (transferred_to IS NOT NULL))
);
INSERT INTO bookings_rebuilt
    (id, cohort_id, family_id, status, carers, booked_by, created_at, updated_at, confirmed_at,
     ended_at, access_needs, interpreter_needed)
SELECT b.id, b.cohort_id, b.family_id, b.status, b.carers, b.booked_by, b.created_at,
       b.updated_at, b.confirmed_at, b.ended_at, f.access_needs, f.interpreter_needed
FROM bookings b JOIN families f ON f.id = b.family_id;
DROP TABLE bookings;
ALTER TABLE bookings_rebuilt RENAME TO bookings;
-- One active booking per family per cohort.
CREATE UNIQUE INDEX bookings_one_active ON bookings (cohort_id, family_id) WHERE status IN ('confirmed', 'waitlisted');
CREATE INDEX bookings_cohort ON bookings (cohort_id, status, id);
CREATE INDEX bookings_family ON bookings (family_id);

-- Groups cancelled before this change kept their bookings active: they end as the centre's
-- doing now, when the group was cancelled, and hold no place.
UPDATE bookings SET status = 'cancelled_by_centre',
       ended_at = COALESCE((SELECT c.cancelled_at FROM cohorts c WHERE c.id = bookings.cohort_id), updated_at)
WHERE status IN ('confirmed', 'waitlisted')
  AND cohort_id IN (SELECT id FROM cohorts WHERE status = 'cancelled');
UPDATE cohorts SET confirmed_count = 0 WHERE status = 'cancelled';

-- Apologies given in advance: a family says it will miss one session of its booking.
-- Withdrawing one deletes the row (the audit trail keeps that it was given).
CREATE TABLE apologies (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    booking_id INTEGER NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    reason TEXT NOT NULL DEFAULT '',
    given_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (booking_id, session_id)
);
CREATE INDEX apologies_session ON apologies (session_id);

-- Messages to a cohort's team (a staff member, not a family).
ALTER TABLE messages ADD COLUMN staff_id INTEGER REFERENCES staff (id);
CREATE INDEX messages_staff ON messages (staff_id);

-- A closure whose hit sessions were moved or cancelled (POST /closures/{id}/apply).
ALTER TABLE closures ADD COLUMN applied_at TIMESTAMP;
COMMIT;
PRAGMA foreign_keys = ON;
