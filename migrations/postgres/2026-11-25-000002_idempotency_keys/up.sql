-- Idempotency keys for booking POSTs: a retried request gets the first answer (PostgreSQL).
CREATE TABLE idempotency_keys (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    location TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
