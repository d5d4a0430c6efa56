-- Registers, crèche sign-in, follow-up of families who miss sessions, outcome measures (SQLite).
-- Absences in a row (not apologies) that open a follow-up, and the questionnaires a programme uses.
ALTER TABLE programmes ADD COLUMN follow_up_after_absences INTEGER NOT NULL DEFAULT 2 CHECK (follow_up_after_absences >= 1);
ALTER TABLE programmes ADD COLUMN outcome_measures TEXT NOT NULL DEFAULT '';
UPDATE programmes SET outcome_measures = 'Parenting Sense of Competence (PSOC)
Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)
Parental Reflective Functioning Questionnaire (PRFQ)' WHERE code = 'cosp';
UPDATE programmes SET outcome_measures = 'Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)
Parent-infant closeness (0-10)' WHERE code = 'together-time';

-- Bumped by every register change: the register's ETag, so two facilitators never overwrite
-- each other silently. Crèche staff actually present, when fewer or more than assigned.
ALTER TABLE sessions ADD COLUMN register_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN creche_staff_present INTEGER CHECK (creche_staff_present >= 0);

CREATE TABLE attendance_marks (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    booking_id INTEGER NOT NULL REFERENCES bookings (id),
    status TEXT NOT NULL CHECK (status IN ('present', 'late', 'apologies', 'absent')),
    marked_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    marked_at TIMESTAMP NOT NULL,
    UNIQUE (session_id, booking_id)
);
CREATE INDEX attendance_marks_booking ON attendance_marks (booking_id);

CREATE TABLE creche_attendance (
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
CREATE INDEX creche_attendance_booking ON creche_attendance (booking_id);

CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    booking_id INTEGER NOT NULL REFERENCES bookings (id),
    cohort_id INTEGER NOT NULL REFERENCES cohorts (id),
    family_id INTEGER NOT NULL REFERENCES families (id),
    -- The absence that completed the run of missed sessions.
    trigger_session_id INTEGER NOT NULL REFERENCES sessions (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    outcome TEXT CHECK (outcome IN ('reengaged', 'will_rejoin_later', 'withdrew', 'unable_to_contact')),
    note TEXT NOT NULL DEFAULT '',
    opened_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    closed_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    CHECK ((status = 'open') = (outcome IS NULL))
);
CREATE UNIQUE INDEX follow_ups_one_open ON follow_ups (booking_id) WHERE status = 'open';
CREATE INDEX follow_ups_cohort ON follow_ups (cohort_id, status);

CREATE TABLE follow_up_contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    follow_up_id INTEGER NOT NULL REFERENCES follow_ups (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('phone', 'text', 'email', 'visit', 'letter', 'other')),
    reached BOOLEAN NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX follow_up_contacts_follow_up ON follow_up_contacts (follow_up_id);

CREATE TABLE outcome_measures (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    booking_id INTEGER NOT NULL REFERENCES bookings (id),
    measure TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('pre', 'post')),
    score DOUBLE NOT NULL,
    recorded_on DATE NOT NULL,
    recorded_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (booking_id, measure, phase)
);
