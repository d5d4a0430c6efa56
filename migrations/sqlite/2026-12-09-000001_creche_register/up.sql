-- Registers that match the room (issue 17, items 3-6): each crèche child's key person, who
-- collected a child and on whose authority, accidents and first aid, families who walk in, and
-- what the facilitators note about a session.

-- The crèche worker of a cohort who is a child's key person there (EYFS), one per child per cohort.
CREATE TABLE creche_key_persons (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cohort_id INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    child_id INTEGER NOT NULL REFERENCES children (id) ON DELETE CASCADE,
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    assigned_by INTEGER REFERENCES users (id),
    assigned_at TIMESTAMP NOT NULL,
    UNIQUE (cohort_id, child_id)
);
CREATE INDEX creche_key_persons_staff ON creche_key_persons (staff_id);

-- Who collected: the authorised collector (null for a carer of the family, or once the parent
-- removed the collector; collected_by keeps the name), and a coordinator's reason when they let
-- someone not on the list (or without the password) collect the child.
ALTER TABLE creche_attendance ADD COLUMN collector_id INTEGER REFERENCES authorised_collectors (id) ON DELETE SET NULL;
ALTER TABLE creche_attendance ADD COLUMN collection_override TEXT NOT NULL DEFAULT '';

-- Accidents, incidents and first aid in the crèche (EYFS: parents told the same day). Erasure
-- blanks the words and keeps the row, so the count in the report stays.
CREATE TABLE creche_incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    booking_id INTEGER NOT NULL REFERENCES bookings (id),
    child_id INTEGER NOT NULL REFERENCES children (id),
    happened_at TIMESTAMP NOT NULL,
    what_happened TEXT NOT NULL,
    first_aid TEXT NOT NULL DEFAULT '',
    witnesses TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    erased_at TIMESTAMP
);
CREATE INDEX creche_incidents_session ON creche_incidents (session_id);
CREATE INDEX creche_incidents_booking ON creche_incidents (booking_id);
CREATE INDEX creche_incidents_happened ON creche_incidents (happened_at);

-- A family who came to one session without a place (the group was full): a one-off visitor,
-- present that day, holding no place.
CREATE TABLE session_visitors (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    family_id INTEGER NOT NULL REFERENCES families (id),
    carers INTEGER NOT NULL DEFAULT 1 CHECK (carers BETWEEN 1 AND 2),
    added_by INTEGER REFERENCES users (id),
    added_at TIMESTAMP NOT NULL,
    UNIQUE (session_id, family_id)
);
CREATE INDEX session_visitors_family ON session_visitors (family_id);

-- A booking made on the register for a family who walked in (and was given a place).
ALTER TABLE bookings ADD COLUMN walk_in BOOLEAN NOT NULL DEFAULT FALSE;

-- The facilitators' notes on a session (the team and coordinators only).
ALTER TABLE sessions ADD COLUMN register_notes TEXT NOT NULL DEFAULT '';

-- Late arrival and early leave on a mark.
ALTER TABLE attendance_marks ADD COLUMN arrived_at TIMESTAMP;
ALTER TABLE attendance_marks ADD COLUMN left_at TIMESTAMP;
