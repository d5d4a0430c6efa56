//! Password rules (NIST SP 800-63B style): long enough, not absurdly long, not a well-known
//! password, not the email address. No composition rules: they make passwords worse.

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

const COMMON: &[&str] = &[
    "password",
    "password1",
    "password12",
    "password123",
    "passw0rd",
    "1234567890",
    "12345678910",
    "0123456789",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "changeme12",
    "abc1234567",
    "football12",
    "monkey1234",
    "sunshine12",
    "groupwork1",
    "groupwork123",
    "administrator",
    "children1",
    "lambeth123",
];

/// Returns why a password is refused, in words a parent understands; empty when it is fine.
pub fn problems(password: &str, email: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars = password.chars().count();
    if chars < MIN_LEN {
        out.push(format!("must be at least {MIN_LEN} characters long"));
    }
    if chars > MAX_LEN {
        out.push(format!("must be at most {MAX_LEN} characters long"));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        out.push("is too common; choose something less easy to guess".into());
    }
    let mut distinct: Vec<char> = lower.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if chars >= MIN_LEN && distinct.len() < 4 {
        out.push("uses too few different characters".into());
    }
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or("");
    if !email.is_empty() && (lower == email || (local.len() >= 4 && lower.contains(local))) {
        out.push("must not contain your email address".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_passphrase_passes() {
        assert!(problems("correct horse battery", "amy@example.org").is_empty());
    }

    #[test]
    fn weak_passwords_are_refused_with_reasons() {
        assert!(problems("short", "a@b.c")[0].contains("at least 10"));
        assert!(!problems("Password123", "a@b.c").is_empty());
        assert!(!problems("aaaaaaaaaaaa", "a@b.c").is_empty());
        assert!(!problems("amy.jones-secret", "amy.jones@example.org").is_empty());
        assert!(!problems(&"x1y2".repeat(40), "a@b.c").is_empty());
    }
}
