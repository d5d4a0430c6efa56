DROP INDEX cohorts_first_session;
