-- Foundation: accounts, tokens, settings, programmes and venues (SQLite).
CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'facilitator', 'parent')),
    disabled BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE refresh_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    family TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE programmes (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    session_count INTEGER NOT NULL CHECK (session_count BETWEEN 1 AND 52),
    session_minutes INTEGER NOT NULL CHECK (session_minutes BETWEEN 15 AND 480),
    min_age_months INTEGER NOT NULL CHECK (min_age_months >= 0),
    max_age_months INTEGER NOT NULL CHECK (max_age_months >= min_age_months),
    pregnancy_eligible BOOLEAN NOT NULL,
    creche_provided BOOLEAN NOT NULL,
    lead_qualification TEXT,
    co_facilitator_required BOOLEAN NOT NULL,
    co_facilitator_qualification TEXT,
    completion_threshold INTEGER NOT NULL CHECK (completion_threshold >= 1 AND completion_threshold <= session_count),
    built_in BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE venues (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    postcode TEXT NOT NULL,
    ward TEXT NOT NULL,
    creche_room_capacity INTEGER NOT NULL CHECK (creche_room_capacity >= 0),
    creche_registered BOOLEAN NOT NULL,
    accessibility_notes TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX venues_ward ON venues (ward);

INSERT INTO programmes (code, name, description, session_count, session_minutes, min_age_months,
    max_age_months, pregnancy_eligible, creche_provided, lead_qualification, co_facilitator_required,
    co_facilitator_qualification, completion_threshold, built_in, created_at)
VALUES
  ('together-time', 'Together Time',
   'Six weekly sessions for parents with babies and young children, from pregnancy until the child''s fourth birthday, led by a clinically trained professional using Watch, Wait and Wonder.',
   6, 90, 0, 48, 1, 0, 'clinical', 0, NULL, 4, 1, CURRENT_TIMESTAMP),
  ('cosp', 'Circle of Security Parenting',
   'Eight weekly sessions of video clips and discussion for parents of children up to four, with a crèche so that parents can speak freely. Led by a registered COSP facilitator with a co-facilitator who supports families between sessions.',
   8, 120, 0, 48, 0, 1, 'cosp_registered', 1, NULL, 6, 1, CURRENT_TIMESTAMP);
