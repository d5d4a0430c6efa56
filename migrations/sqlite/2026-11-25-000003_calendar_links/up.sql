-- A family's private calendar link: calendar apps cannot send a bearer token, so the feed URL
-- carries its own revocable secret (stored hashed).
ALTER TABLE families ADD COLUMN calendar_token_hash TEXT;
CREATE UNIQUE INDEX families_calendar_token ON families (calendar_token_hash);
