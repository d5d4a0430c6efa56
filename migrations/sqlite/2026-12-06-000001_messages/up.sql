-- Telling families (issue 14): how each family wants to hear from the centre, when a programme
-- sends its reminders, and the outbox every message is written to in the same transaction as
-- the change that causes it.

ALTER TABLE families ADD COLUMN language_other TEXT NOT NULL DEFAULT '';
-- email, sms or both. Service messages about a family's own booking always go by these.
ALTER TABLE families ADD COLUMN contact_by TEXT NOT NULL DEFAULT 'email';
-- Reminders before each session; a family may turn them off.
ALTER TABLE families ADD COLUMN reminders BOOLEAN NOT NULL DEFAULT TRUE;
-- The family's language becomes a BCP 47 tag. Values the service recognises (in English or in
-- the language itself) map to their tag; anything else is kept as "other" with its text, so no
-- family's answer is lost.
UPDATE families SET language_other = preferred_language
 WHERE lower(trim(preferred_language)) NOT IN (
   '', 'en', 'english', 'pt', 'portuguese', 'português', 'portugues', 'es', 'spanish', 'español',
   'espanol', 'castellano', 'pl', 'polish', 'polski', 'fr', 'french', 'français', 'francais',
   'so', 'somali', 'ar', 'arabic', 'bn', 'bengali', 'bangla', 'tr', 'turkish', 'it', 'italian',
   'ro', 'romanian', 'yo', 'yoruba', 'tw', 'twi', 'ur', 'urdu', 'lt', 'lithuanian');
UPDATE families SET preferred_language = CASE lower(trim(preferred_language))
   WHEN '' THEN CASE WHEN erased_at IS NULL THEN 'en' ELSE 'other' END
   WHEN 'en' THEN 'en' WHEN 'english' THEN 'en'
   WHEN 'pt' THEN 'pt' WHEN 'portuguese' THEN 'pt' WHEN 'português' THEN 'pt' WHEN 'portugues' THEN 'pt'
   WHEN 'es' THEN 'es' WHEN 'spanish' THEN 'es' WHEN 'español' THEN 'es' WHEN 'espanol' THEN 'es'
   WHEN 'castellano' THEN 'es'
   WHEN 'pl' THEN 'pl' WHEN 'polish' THEN 'pl' WHEN 'polski' THEN 'pl'
   WHEN 'fr' THEN 'fr' WHEN 'french' THEN 'fr' WHEN 'français' THEN 'fr' WHEN 'francais' THEN 'fr'
   WHEN 'so' THEN 'so' WHEN 'somali' THEN 'so'
   WHEN 'ar' THEN 'ar' WHEN 'arabic' THEN 'ar'
   WHEN 'bn' THEN 'bn' WHEN 'bengali' THEN 'bn' WHEN 'bangla' THEN 'bn'
   WHEN 'tr' THEN 'tr' WHEN 'turkish' THEN 'tr'
   WHEN 'it' THEN 'it' WHEN 'italian' THEN 'it'
   WHEN 'ro' THEN 'ro' WHEN 'romanian' THEN 'ro'
   WHEN 'yo' THEN 'yo' WHEN 'yoruba' THEN 'yo'
   WHEN 'tw' THEN 'tw' WHEN 'twi' THEN 'tw'
   WHEN 'ur' THEN 'ur' WHEN 'urdu' THEN 'ur'
   WHEN 'lt' THEN 'lt' WHEN 'lithuanian' THEN 'lt'
   ELSE 'other' END;

-- SQLite cannot change a column's default ('English', from the families migration) without
-- rebuilding the table: a row inserted without a language gets the tag instead.
CREATE TRIGGER families_language_tag AFTER INSERT ON families
WHEN NEW.preferred_language = 'English'
BEGIN
    UPDATE families SET preferred_language = 'en' WHERE id = NEW.id;
END;

-- Days before a session its reminder goes (NULL: no reminders), at this local time.
ALTER TABLE programmes ADD COLUMN reminder_days_before INTEGER DEFAULT 1
    CHECK (reminder_days_before IS NULL OR reminder_days_before BETWEEN 0 AND 14);
ALTER TABLE programmes ADD COLUMN reminder_time TIME NOT NULL DEFAULT '10:00:00';

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    -- Stable for the message's life: its Message-ID (SMTP) or reference (Notify), so a retry
    -- after a crash can be recognised by whoever receives it twice.
    reference TEXT NOT NULL UNIQUE,
    family_id INTEGER REFERENCES families (id),
    booking_id INTEGER REFERENCES bookings (id),
    cohort_id INTEGER REFERENCES cohorts (id),
    session_id INTEGER REFERENCES sessions (id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL DEFAULT '',
    -- The iCalendar attachment of an email, if any.
    calendar TEXT NOT NULL DEFAULT '',
    -- Set for messages that must be queued once only (a reminder for one session's time).
    dedupe_key TEXT UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- When a worker may next take it: queued until then, or (sending) the claim's lease end.
    next_attempt_at TIMESTAMP NOT NULL,
    provider TEXT NOT NULL DEFAULT '',
    provider_id TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    resent_from INTEGER REFERENCES messages (id),
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    -- Set when the family was erased: the body, subject and address are gone, the count stays.
    erased_at TIMESTAMP
);
CREATE INDEX messages_due ON messages (status, next_attempt_at);
CREATE INDEX messages_family ON messages (family_id);
CREATE INDEX messages_cohort ON messages (cohort_id);
