DROP TRIGGER families_language_tag;
DROP TABLE messages;
ALTER TABLE programmes DROP COLUMN reminder_time;
ALTER TABLE programmes DROP COLUMN reminder_days_before;
ALTER TABLE families DROP COLUMN reminders;
ALTER TABLE families DROP COLUMN contact_by;
ALTER TABLE families DROP COLUMN language_other;
