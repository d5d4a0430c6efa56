//! Access tokens are HS256 JWTs (one pinned algorithm) carrying no personal data: subject id,
//! role, and a `typ` claim so nothing else can pass as an access token. Expiry is checked against
//! the app's clock, not the system's. Refresh tokens are opaque random strings, stored hashed.

use crate::domain::role::Role;
use chrono::{DateTime, NaiveDate, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const ISSUER: &str = "groupwork";
pub const AUDIENCE: &str = "groupwork-api";
const ACCESS_TYPE: &str = "access";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    pub typ: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// Who a valid access token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSubject {
    pub user_id: i32,
    pub role: Role,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // Expiry is checked below against the app clock; the claims must still be present.
        validation.validate_exp = false;
        validation.leeway = 0;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub fn issue(
        &self,
        subject: TokenSubject,
        now: DateTime<Utc>,
        ttl_minutes: i64,
    ) -> Result<String, String> {
        let claims = Claims {
            sub: subject.user_id.to_string(),
            role: subject.role,
            typ: ACCESS_TYPE.into(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now.timestamp(),
            exp: now.timestamp() + ttl_minutes * 60,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| format!("token signing failed: {e}"))
    }

    /// Checks signature, algorithm, issuer, audience, type and expiry; the reason is for logs.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<TokenSubject, String> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| format!("invalid token: {e}"))?;
        let c = data.claims;
        if c.typ != ACCESS_TYPE {
            return Err("not an access token".into());
        }
        if c.exp <= now.timestamp() {
            return Err("token expired".into());
        }
        if c.iat > now.timestamp() + 60 {
            return Err("token issued in the future".into());
        }
        let user_id = c.sub.parse().map_err(|_| "bad subject".to_string())?;
        Ok(TokenSubject {
            user_id,
            role: c.role,
        })
    }
}

const REPORT_LINK_TYPE: &str = "report_link";

/// What a signed link to the printable report shows: the period and whether it is the version
/// safe to share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLink {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub shared: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct LinkClaims {
    sub: String,
    role: Role,
    typ: String,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
    #[serde(flatten)]
    link: ReportLink,
}

impl JwtKeys {
    /// A short-lived token for one report page: it opens that page only (its `typ` is not an
    /// access token's, so it can reach no API route), for the user who asked for it.
    pub fn issue_report_link(
        &self,
        subject: TokenSubject,
        link: ReportLink,
        now: DateTime<Utc>,
        ttl_minutes: i64,
    ) -> Result<String, String> {
        let claims = LinkClaims {
            sub: subject.user_id.to_string(),
            role: subject.role,
            typ: REPORT_LINK_TYPE.into(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now.timestamp(),
            exp: now.timestamp() + ttl_minutes * 60,
            link,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| format!("link signing failed: {e}"))
    }

    /// The user and report of a valid, unexpired report link.
    pub fn verify_report_link(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(TokenSubject, ReportLink), String> {
        let data = jsonwebtoken::decode::<LinkClaims>(token, &self.decoding, &self.validation)
            .map_err(|e| format!("invalid link: {e}"))?;
        let c = data.claims;
        if c.typ != REPORT_LINK_TYPE {
            return Err("not a report link".into());
        }
        if c.exp <= now.timestamp() {
            return Err("link expired".into());
        }
        let user_id = c.sub.parse().map_err(|_| "bad subject".to_string())?;
        Ok((
            TokenSubject {
                user_id,
                role: c.role,
            },
            c.link,
        ))
    }
}

/// A fresh opaque secret: 256 random bits, hex encoded.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// How refresh tokens are stored: a leaked table does not yield usable tokens.
pub fn hash_opaque(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-03T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_report_link_opens_its_report_only_and_not_for_long() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let who = TokenSubject {
            user_id: 7,
            role: Role::Coordinator,
        };
        let link = ReportLink {
            from: NaiveDate::from_ymd_opt(2026, 4, 1),
            to: None,
            shared: true,
        };
        let t = keys.issue_report_link(who, link, now(), 15).unwrap();
        assert_eq!(keys.verify_report_link(&t, now()), Ok((who, link)));
        assert!(keys
            .verify_report_link(&t, now() + Duration::minutes(15))
            .is_err());
        // Neither passes as the other.
        assert!(keys.verify(&t, now()).is_err());
        let access = keys.issue(who, now(), 15).unwrap();
        assert!(keys.verify_report_link(&access, now()).is_err());
        let other = JwtKeys::new(b"another secret, another deployment");
        assert!(other.verify_report_link(&t, now()).is_err());
    }

    #[test]
    fn token_round_trips_with_the_crypto_backend() {
        // jsonwebtoken without a crypto backend compiles and panics at the first encode.
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let subject = TokenSubject {
            user_id: 7,
            role: Role::Coordinator,
        };
        let token = keys.issue(subject, now(), 15).unwrap();
        assert_eq!(keys.verify(&token, now()).unwrap(), subject);
        assert!(keys.verify(&token, now() + Duration::minutes(15)).is_err());
        let other = JwtKeys::new(b"another secret of thirty-two bytes!!");
        assert!(other.verify(&token, now()).is_err());
    }

    #[test]
    fn opaque_secrets_are_random_and_hashed() {
        let a = random_secret();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_secret());
        assert_eq!(hash_opaque(&a), hash_opaque(&a));
        assert_ne!(hash_opaque(&a), a);
    }
}
