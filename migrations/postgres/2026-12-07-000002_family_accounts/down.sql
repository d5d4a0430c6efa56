DROP INDEX messages_user;
ALTER TABLE messages DROP COLUMN user_id;
ALTER TABLE families DROP COLUMN enrolled_by;
ALTER TABLE families DROP COLUMN email_verified;
DROP TABLE rate_limits;
DROP TABLE account_tokens;
