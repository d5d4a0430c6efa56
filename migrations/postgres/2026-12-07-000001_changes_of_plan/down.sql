ALTER TABLE closures DROP COLUMN applied_at;
DROP INDEX messages_staff;
ALTER TABLE messages DROP COLUMN staff_id;
DROP TABLE apologies;
UPDATE bookings SET status = CASE status WHEN 'cancelled_by_centre' THEN 'cancelled' ELSE 'withdrawn' END,
                    transferred_to = NULL
WHERE status IN ('cancelled_by_centre', 'transferred');
ALTER TABLE bookings DROP CONSTRAINT bookings_transferred_to;
ALTER TABLE bookings DROP COLUMN transferred_to;
ALTER TABLE bookings DROP COLUMN interpreter_needed;
ALTER TABLE bookings DROP COLUMN access_needs;
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check
    CHECK (status IN ('confirmed', 'waitlisted', 'cancelled', 'withdrawn'));
