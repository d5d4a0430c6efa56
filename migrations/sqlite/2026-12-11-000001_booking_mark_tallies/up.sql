-- Each booking's register marks, added up as they are written (issue 19: a report over a
-- borough's years reads one row per booking, not every mark). Kept by the triggers below, so no
-- write path can forget it; the report takes off marks at sessions not held (cancelled, not yet
-- started, or after the group was cancelled), which are few. "Attended" is `Mark::attended`
-- (present or late); a test compares these tallies with a full count after every kind of write.
CREATE TABLE booking_mark_tallies (
    booking_id INTEGER PRIMARY KEY NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
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

CREATE TRIGGER booking_mark_tallies_insert AFTER INSERT ON attendance_marks
BEGIN
    INSERT INTO booking_mark_tallies (booking_id, recorded, attended, attended_group)
    VALUES (
        NEW.booking_id, 1,
        NEW.status IN ('present', 'late'),
        NEW.status IN ('present', 'late')
            AND (SELECT kind FROM sessions WHERE id = NEW.session_id) = 'group'
    )
    ON CONFLICT (booking_id) DO UPDATE SET
        recorded = recorded + excluded.recorded,
        attended = attended + excluded.attended,
        attended_group = attended_group + excluded.attended_group;
END;

CREATE TRIGGER booking_mark_tallies_delete AFTER DELETE ON attendance_marks
BEGIN
    UPDATE booking_mark_tallies SET
        recorded = recorded - 1,
        attended = attended - (OLD.status IN ('present', 'late')),
        attended_group = attended_group - (OLD.status IN ('present', 'late')
            AND (SELECT kind FROM sessions WHERE id = OLD.session_id) = 'group')
    WHERE booking_id = OLD.booking_id;
END;

CREATE TRIGGER booking_mark_tallies_update AFTER UPDATE OF status, booking_id, session_id ON attendance_marks
BEGIN
    UPDATE booking_mark_tallies SET
        recorded = recorded - 1,
        attended = attended - (OLD.status IN ('present', 'late')),
        attended_group = attended_group - (OLD.status IN ('present', 'late')
            AND (SELECT kind FROM sessions WHERE id = OLD.session_id) = 'group')
    WHERE booking_id = OLD.booking_id;
    INSERT INTO booking_mark_tallies (booking_id, recorded, attended, attended_group)
    VALUES (
        NEW.booking_id, 1,
        NEW.status IN ('present', 'late'),
        NEW.status IN ('present', 'late')
            AND (SELECT kind FROM sessions WHERE id = NEW.session_id) = 'group'
    )
    ON CONFLICT (booking_id) DO UPDATE SET
        recorded = recorded + excluded.recorded,
        attended = attended + excluded.attended,
        attended_group = attended_group + excluded.attended_group;
END;
