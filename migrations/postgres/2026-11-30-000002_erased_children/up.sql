-- An erased child keeps its id (crèche places and sign-ins point at it) but no name and no
-- dates: the CHECK that demanded a date of birth or a due date now exempts erased children,
-- who had a placeholder date of birth until now.
ALTER TABLE children ADD COLUMN erased_at TIMESTAMP;
ALTER TABLE children DROP CONSTRAINT children_check;
UPDATE children c SET erased_at = f.erased_at, date_of_birth = NULL, due_date = NULL
FROM families f WHERE f.id = c.family_id AND f.erased_at IS NOT NULL;
-- Born (date of birth) or expected (due date), never both or neither; once erased, neither.
ALTER TABLE children ADD CONSTRAINT children_dates CHECK (CASE WHEN erased_at IS NULL
    THEN (date_of_birth IS NULL) <> (due_date IS NULL)
    ELSE date_of_birth IS NULL AND due_date IS NULL AND first_name = '' END);
