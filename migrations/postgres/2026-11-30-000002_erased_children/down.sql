-- Back to the placeholder date of birth for erased children (1900-01-01), as before.
ALTER TABLE children DROP CONSTRAINT children_dates;
UPDATE children SET date_of_birth = '1900-01-01' WHERE erased_at IS NOT NULL;
ALTER TABLE children DROP COLUMN erased_at;
ALTER TABLE children ADD CONSTRAINT children_check CHECK ((date_of_birth IS NULL) <> (due_date IS NULL));
