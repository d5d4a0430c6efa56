-- Each booking's register marks, added up as they are written (issue 19: a report over a
-- borough's years reads one row per booking, not every mark). Kept by the trigger below, so no
-- write path can forget it; the report takes off marks at sessions not held (cancelled, not yet
-- started, or after the group was cancelled), which are few. "Attended" is `Mark::attended`
-- (present or late); a test compares these tallies with a full count after every kind of write.
CREATE TABLE booking_mark_tallies (
    booking_id INTEGER PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,
    recorded INTEGER NOT NULL DEFAULT 0,
    attended INTEGER NOT NULL DEFAULT 0,
    attended_group INTEGER NOT NULL DEFAULT 0
);

INSERT INTO booking_mark_tallies (booking_id, recorded, attended, attended_group)
SELECT am.booking_id,
       COUNT(*),
       COUNT(CASE WHEN am.status IN ('present', 'late') THEN 1 END),
       COUNT(CASE WHEN am.status IN ('present', 'late') AND se.kind = 'group' THEN 1 END)
FROM attendance_marks am JOIN sessions se ON se.id = am.session_id
GROUP BY am.booking_id;

CREATE FUNCTION booking_mark_tallies_keep() RETURNS trigger AS $$
DECLARE
    came INTEGER;
    came_to_group INTEGER;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        came := (OLD.status IN ('present', 'late'))::INTEGER;
        came_to_group := (OLD.status IN ('present', 'late')
            AND (SELECT kind FROM sessions WHERE id = OLD.session_id) = 'group')::INTEGER;
        UPDATE booking_mark_tallies AS t SET
            recorded = t.recorded - 1,
            attended = t.attended - came,
            attended_group = t.attended_group - came_to_group
        WHERE t.booking_id = OLD.booking_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        came := (NEW.status IN ('present', 'late'))::INTEGER;
        came_to_group := (NEW.status IN ('present', 'late')
            AND (SELECT kind FROM sessions WHERE id = NEW.session_id) = 'group')::INTEGER;
        INSERT INTO booking_mark_tallies AS t (booking_id, recorded, attended, attended_group)
        VALUES (NEW.booking_id, 1, came,
                came_to_group)
        ON CONFLICT (booking_id) DO UPDATE SET
            recorded = t.recorded + 1,
            attended = t.attended + EXCLUDED.attended,
            attended_group = t.attended_group + EXCLUDED.attended_group;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER booking_mark_tallies_keep
AFTER INSERT OR DELETE OR UPDATE OF status, booking_id, session_id ON attendance_marks
FOR EACH ROW EXECUTE FUNCTION booking_mark_tallies_keep();
