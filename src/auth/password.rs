//! argon2id with the crate defaults (m = 19 MiB, t = 2, p = 1: OWASP's minimum), stored as PHC
//! strings so parameters can be raised later without breaking old hashes.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use std::sync::{Condvar, Mutex, OnceLock};

/// At most one hash per core at a time. Hashing is CPU-bound, so more at once is no faster, but
/// each takes 19 MiB: a burst of logins on the blocking pool's many threads otherwise grew the
/// process by hundreds of MiB (seen in the benchmark).
struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

fn slots() -> &'static Slots {
    static SLOTS: OnceLock<Slots> = OnceLock::new();
    SLOTS.get_or_init(|| Slots {
        free: Mutex::new(std::thread::available_parallelism().map_or(2, |n| n.get())),
        freed: Condvar::new(),
    })
}

fn with_slot<T>(work: impl FnOnce() -> T) -> T {
    let s = slots();
    {
        let mut free = s.free.lock().unwrap_or_else(|p| p.into_inner());
        while *free == 0 {
            free = s.freed.wait(free).unwrap_or_else(|p| p.into_inner());
        }
        *free -= 1;
    }
    let out = work();
    *s.free.lock().unwrap_or_else(|p| p.into_inner()) += 1;
    s.freed.notify_one();
    out
}

pub fn hash(password: &str) -> Result<String, String> {
    with_slot(|| {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| format!("password hashing failed: {e}"))
    })
}

pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => with_slot(|| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        }),
        Err(_) => false,
    }
}

/// Spends the same time as a real verification, so an unknown email answers no faster than a
/// wrong password.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("dummy password for timing").unwrap_or_default());
    let _ = verify(password, phc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_threads_share_the_hashing_slots() {
        let h = hash("a shared secret phrase").unwrap();
        let oks: Vec<bool> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| verify("a shared secret phrase", &h)))
                .collect();
            handles.into_iter().map(|t| t.join().unwrap()).collect()
        });
        // More threads than slots all finish: every slot is given back after use.
        assert_eq!(oks, [true; 8]);
    }

    #[test]
    fn hashes_are_argon2id_phc_and_verify() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterx", &h));
        assert!(!verify("anything", "not a phc string"));
        assert_ne!(h, hash("correct horse battery").unwrap(), "salted");
    }
}
