DROP INDEX families_calendar_token;
ALTER TABLE families DROP COLUMN calendar_token_hash;
