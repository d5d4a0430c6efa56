-- Families and their children: every parent account has exactly one family (SQLite).
CREATE TABLE families (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id INTEGER UNIQUE REFERENCES users (id) ON DELETE SET NULL,
    carer_one TEXT NOT NULL DEFAULT '',
    carer_two TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    ward TEXT NOT NULL DEFAULT '',
    preferred_language TEXT NOT NULL DEFAULT 'English',
    interpreter_needed BOOLEAN NOT NULL DEFAULT 0,
    access_needs TEXT NOT NULL DEFAULT '',
    referral_source TEXT NOT NULL DEFAULT 'self'
        CHECK (referral_source IN ('self', 'health_visitor', 'gp', 'midwife', 'childrens_centre', 'social_care', 'other')),
    consent_to_contact BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    erased_at TIMESTAMP
);

-- Accounts that exist already get their family now.
INSERT INTO families (user_id, carer_one, email, created_at, updated_at)
SELECT id, display_name, email, created_at, created_at FROM users WHERE role = 'parent';

CREATE TABLE children (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    family_id INTEGER NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    first_name TEXT NOT NULL,
    date_of_birth DATE,
    due_date DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- Born (date of birth) or expected (due date), never both or neither.
    CHECK ((date_of_birth IS NULL) <> (due_date IS NULL))
);
CREATE INDEX children_family ON children (family_id);
