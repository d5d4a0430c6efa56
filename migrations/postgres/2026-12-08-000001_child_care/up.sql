-- The crèche knows each child (issue 17): care notes on each child, the family's emergency
-- contacts and who may collect each child.

-- Care notes, as the parent gives them ('' for none). Medicines are given only with the
-- parent's written consent: the flag and the date it was given.
ALTER TABLE children ADD COLUMN allergies TEXT NOT NULL DEFAULT '';
ALTER TABLE children ADD COLUMN dietary_needs TEXT NOT NULL DEFAULT '';
ALTER TABLE children ADD COLUMN medical_needs TEXT NOT NULL DEFAULT '';
ALTER TABLE children ADD COLUMN medicines TEXT NOT NULL DEFAULT '';
ALTER TABLE children ADD COLUMN medicines_consent BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE children ADD COLUMN medicines_consent_date DATE;
ALTER TABLE children ADD COLUMN additional_needs TEXT NOT NULL DEFAULT '';

-- Whom to call in an emergency, in the family's order (EYFS asks for at least two).
CREATE TABLE emergency_contacts (
    id SERIAL PRIMARY KEY,
    family_id INTEGER NOT NULL REFERENCES families (id),
    position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 10),
    name TEXT NOT NULL,
    relation TEXT NOT NULL,
    phone TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (family_id, position)
);

-- Who may collect a child from the crèche; an optional collection password, kept hashed.
CREATE TABLE authorised_collectors (
    id SERIAL PRIMARY KEY,
    child_id INTEGER NOT NULL REFERENCES children (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    relation TEXT NOT NULL,
    password_hash TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX authorised_collectors_child ON authorised_collectors (child_id);
