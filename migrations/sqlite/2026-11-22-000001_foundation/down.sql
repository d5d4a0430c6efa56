DROP TABLE venues;
DROP TABLE programmes;
DROP TABLE refresh_tokens;
DROP TABLE users;
DROP TABLE settings;
