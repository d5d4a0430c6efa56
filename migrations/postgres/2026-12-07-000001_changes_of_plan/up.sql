-- Changes of plan (issue 15). See the SQLite twin for what each change is for.
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check
    CHECK (status IN ('confirmed', 'waitlisted', 'cancelled', 'withdrawn',
                      'cancelled_by_centre', 'transferred'));
ALTER TABLE bookings ADD COLUMN access_needs TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN interpreter_needed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE bookings ADD COLUMN transferred_to INTEGER REFERENCES bookings (id);
ALTER TABLE bookings ADD CONSTRAINT bookings_transferred_to
    CHECK ((status = 'transferred') = (transferred_to IS NOT NULL));
UPDATE bookings b SET access_needs = f.access_needs, interpreter_needed = f.interpreter_needed
FROM families f WHERE f.id = b.family_id;

-- Groups cancelled before this change kept their bookings active: they end as the centre's
-- doing now, when the group was cancelled, and hold no place.
UPDATE bookings b SET status = 'cancelled_by_centre', ended_at = COALESCE(c.cancelled_at, b.updated_at)
FROM cohorts c
WHERE c.id = b.cohort_id AND c.status = 'cancelled' AND b.status IN ('confirmed', 'waitlisted');
UPDATE cohorts SET confirmed_count = 0 WHERE status = 'cancelled';

CREATE TABLE apologies (
    id SERIAL PRIMARY KEY,
    booking_id INTEGER NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    reason TEXT NOT NULL DEFAULT '',
    given_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (booking_id, session_id)
);
CREATE INDEX apologies_session ON apologies (session_id);

ALTER TABLE messages ADD COLUMN staff_id INTEGER REFERENCES staff (id);
CREATE INDEX messages_staff ON messages (staff_id);

ALTER TABLE closures ADD COLUMN applied_at TIMESTAMP;
