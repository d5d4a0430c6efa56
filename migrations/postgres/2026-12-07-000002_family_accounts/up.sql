-- Every family can be reached (issue 16): families enrolled by staff, the one-time links that
-- let a parent claim a family, reset a password, confirm an address or change it, the address a
-- family has shown it reads, and rate limits every process shares.

-- One-time links. Only the hash of the secret is kept; the address is the one the link was sent
-- to (for a change of address, the new one). A newer link of the same purpose revokes the older.
CREATE TABLE account_tokens (
    id SERIAL PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN
        ('invitation', 'password_reset', 'email_verification', 'email_change')),
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    family_id INTEGER REFERENCES families (id),
    email TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    CHECK (user_id IS NOT NULL OR family_id IS NOT NULL)
);
CREATE INDEX account_tokens_user ON account_tokens (user_id);
CREATE INDEX account_tokens_family ON account_tokens (family_id);

-- Fixed-window counters shared by every process on this database. The key is a hash (of
-- "login-account:<email>", say), so no address is kept here.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY NOT NULL,
    window_start TIMESTAMP NOT NULL,
    hits INTEGER NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);

-- The email address the family has shown it reads (opened a link sent to it); '' for none.
-- Reminders by email go only to that address.
ALTER TABLE families ADD COLUMN email_verified TEXT NOT NULL DEFAULT '';
-- The member of staff who enrolled the family (NULL: the parent registered themselves).
ALTER TABLE families ADD COLUMN enrolled_by INTEGER REFERENCES users (id);
-- Messages about an account (links, notices) belong to it, so erasure and export find them.
ALTER TABLE messages ADD COLUMN user_id INTEGER REFERENCES users (id);
CREATE INDEX messages_user ON messages (user_id);

-- Accounts made before addresses were confirmed have been getting their mail: their address
-- counts as confirmed, so no family loses its reminders with this change.
UPDATE families SET email_verified = COALESCE(NULLIF(email, ''),
        (SELECT u.email FROM users u WHERE u.id = families.user_id), '')
 WHERE erased_at IS NULL AND user_id IS NOT NULL;
