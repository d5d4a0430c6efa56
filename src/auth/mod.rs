//! Credentials: argon2id password hashes, signed access tokens, opaque refresh tokens, and the
//! login rate limiter. No database and no HTTP here; `store::logins` keeps refresh tokens.

pub mod password;
pub mod rate_limit;
pub mod tokens;
