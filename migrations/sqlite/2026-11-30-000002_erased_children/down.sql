-- Back to the placeholder date of birth for erased children (1900-01-01), as before.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE children_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    family_id INTEGER NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    first_name TEXT NOT NULL,
    date_of_birth DATE,
    due_date DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((date_of_birth IS NULL) <> (due_date IS NULL))
);
INSERT INTO children_rebuilt
    (id, family_id, first_name, date_of_birth, due_date, created_at, updated_at)
SELECT id, family_id, first_name,
       CASE WHEN erased_at IS NULL THEN date_of_birth ELSE '1900-01-01' END,
       due_date, created_at, updated_at
FROM children;
DROP TABLE children;
ALTER TABLE children_rebuilt RENAME TO children;
CREATE INDEX children_family ON children (family_id);
COMMIT;
PRAGMA foreign_keys = ON;
