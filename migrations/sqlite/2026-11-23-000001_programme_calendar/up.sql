-- The programme calendar: closures, staff, cohorts, sessions, teams, and the audit trail (SQLite).
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    family_id INTEGER,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id);
CREATE INDEX audit_events_at ON audit_events (at);

-- One-off changes to the bank-holiday rule that coordinators record (a moved or extra holiday).
CREATE TABLE bank_holiday_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    holiday_date DATE NOT NULL,
    name TEXT NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('add', 'remove')),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (holiday_date, change)
);

CREATE TABLE closures (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    venue_id INTEGER REFERENCES venues (id) ON DELETE CASCADE,
    from_date DATE NOT NULL,
    to_date DATE NOT NULL,
    reason TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (to_date >= from_date)
);
CREATE INDEX closures_dates ON closures (from_date, to_date);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    phone TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL,
    roles TEXT NOT NULL DEFAULT '',
    user_id INTEGER UNIQUE REFERENCES users (id) ON DELETE SET NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE staff_qualifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('clinical', 'cosp_registered', 'paediatric_first_aid', 'supervisor')),
    expires_on DATE,
    UNIQUE (staff_id, kind)
);

CREATE TABLE cohorts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    programme_id INTEGER NOT NULL REFERENCES programmes (id),
    venue_id INTEGER NOT NULL REFERENCES venues (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'cancelled')),
    first_session_date DATE NOT NULL,
    start_time TIME NOT NULL,
    session_minutes INTEGER NOT NULL CHECK (session_minutes BETWEEN 15 AND 480),
    timezone TEXT NOT NULL,
    places INTEGER NOT NULL CHECK (places BETWEEN 1 AND 200),
    creche_offered BOOLEAN NOT NULL,
    creche_workers INTEGER NOT NULL CHECK (creche_workers BETWEEN 0 AND 20),
    booking_opens_on DATE,
    booking_closes_on DATE,
    cancel_reason TEXT,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP,
    cancelled_at TIMESTAMP
);
CREATE INDEX cohorts_status ON cohorts (status);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cohort_id INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    number INTEGER,
    kind TEXT NOT NULL CHECK (kind IN ('group', 'pre_group', 'post_group')),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
    cancel_reason TEXT,
    sequence INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX sessions_cohort ON sessions (cohort_id, starts_at);
CREATE INDEX sessions_starts ON sessions (starts_at);

CREATE TABLE cohort_team (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cohort_id INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    role TEXT NOT NULL CHECK (role IN ('lead', 'co_facilitator', 'creche_worker', 'supervisor')),
    UNIQUE (cohort_id, staff_id, role)
);
CREATE INDEX cohort_team_staff ON cohort_team (staff_id);
