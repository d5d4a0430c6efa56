-- The public listing reads only groups that may still be listed (`store::cohorts::list_full`):
-- those with a session to come (sessions_starts) or a recent first date (this index), so a
-- borough's finished terms cost it nothing.
CREATE INDEX cohorts_first_session ON cohorts (first_session_date);
