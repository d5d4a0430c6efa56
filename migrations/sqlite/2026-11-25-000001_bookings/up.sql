-- Bookings, crèche places, waiting list and notifications (SQLite).
-- confirmed_count is taken with a conditional update inside the booking transaction; the CHECK
-- makes overbooking impossible whatever the code does.
ALTER TABLE cohorts ADD COLUMN confirmed_count INTEGER NOT NULL DEFAULT 0
    CHECK (confirmed_count >= 0 AND confirmed_count <= places);

CREATE TABLE bookings (
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
-- One active booking per family per cohort.
CREATE UNIQUE INDEX bookings_one_active ON bookings (cohort_id, family_id) WHERE status IN ('confirmed', 'waitlisted');
CREATE INDEX bookings_cohort ON bookings (cohort_id, status, id);
CREATE INDEX bookings_family ON bookings (family_id);

CREATE TABLE booking_creche_children (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    booking_id INTEGER NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    child_id INTEGER NOT NULL REFERENCES children (id),
    UNIQUE (booking_id, child_id)
);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    family_id INTEGER NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    booking_id INTEGER REFERENCES bookings (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_family ON notifications (family_id, id);
