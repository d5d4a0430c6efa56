DROP TRIGGER booking_mark_tallies_keep ON attendance_marks;
DROP FUNCTION booking_mark_tallies_keep();
DROP TABLE booking_mark_tallies;
