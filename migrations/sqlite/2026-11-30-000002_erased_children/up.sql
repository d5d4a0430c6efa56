-- An erased child keeps its id (crèche places and sign-ins point at it) but no name and no
-- dates: the CHECK that demanded a date of birth or a due date now exempts erased children,
-- who had a placeholder date of birth until now (SQLite: the table is rebuilt, the documented
-- way to change a constraint, with foreign keys off while the old table goes).
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
    erased_at TIMESTAMP,
    -- Born (date of birth) or expected (due date), never both or neither; once erased, neither.
    CHECK (CASE WHEN erased_at IS NULL
                THEN (date_of_birth IS NULL) <> (due_date IS NULL)
                ELSE date_of_birth IS NULL AND due_date IS NULL AND first_name = '' END)
);
INSERT INTO children_rebuilt
    (id, family_id, first_name, date_of_birth, due_date, created_at, updated_at, erased_at)
SELECT c.id, c.family_id, c.first_name,
       CASE WHEN f.erased_at IS NULL THEN c.date_of_birth END,
       CASE WHEN f.erased_at IS NULL THEN c.due_date END,
       c.created_at, c.updated_at, f.erased_at
FROM children c JOIN families f ON f.id = c.family_id;
DROP TABLE children;
ALTER TABLE children_rebuilt RENAME TO children;
CREATE INDEX children_family ON children (family_id);
COMMIT;
PRAGMA foreign_keys = ON;
