DROP TABLE notifications;
DROP TABLE booking_creche_children;
DROP TABLE bookings;
ALTER TABLE cohorts DROP COLUMN confirmed_count;
