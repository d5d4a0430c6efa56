//! argon2id with the crate defaults (m = 19 MiB, t = 2, p = 1: OWASP's minimum), stored as PHC
//! strings so parameters can be raised later without breaking old hashes.

use argon2::password_hash::{
    self,
    phc::{Output, ParamsString, Salt},
};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use std::cell::RefCell;
use std::sync::{mpsc, Arc, Mutex, OnceLock};

/// Hashing runs on its own threads, one per core. Hashing is CPU-bound, so more at once is no
/// faster; and each hash allocates 19 MiB, which the allocator keeps in the arena of the thread
/// that hashed. On the blocking pool's many threads that grew the process by hundreds of MiB
/// during login bursts (seen in the benchmark, even with at most one hash per core at a time);
/// on a fixed few threads it stays at a few times 19 MiB.
type Job = Box<dyn FnOnce() + Send>;

fn hashing_threads() -> &'static Mutex<mpsc::Sender<Job>> {
    static POOL: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    POOL.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let n = std::thread::available_parallelism().map_or(2, |n| n.get());
        for i in 0..n {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || loop {
                    let job = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing thread");
            }
        }
        Mutex::new(tx)
    })
}

/// Runs `work` on a hashing thread and waits for it (callers are already off the async
/// workers). If no hashing thread could take it, it runs here rather than not at all; `None`
/// only if it panicked.
fn on_hashing_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (done, result) = mpsc::sync_channel(1);
    let work = Arc::new(Mutex::new(Some(work)));
    let job_work = Arc::clone(&work);
    let job: Job = Box::new(move || {
        let taken = job_work.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(w) = taken {
            let _ = done.send(w());
        }
    });
    let sent = hashing_threads()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .send(job)
        .is_ok();
    if sent {
        if let Ok(out) = result.recv() {
            return Some(out);
        }
    }
    let taken = work.lock().unwrap_or_else(|p| p.into_inner()).take();
    taken.map(|w| w())
}

thread_local! {
    /// The 19 MiB argon2 works in, allocated once per hashing thread and reused: left to the
    /// allocator, each hash's blocks stayed behind in the thread's arena, several times over.
    static WORK_MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// argon2's raw output for `password` and `salt`, worked out in this thread's reused memory.
fn argon2_output(argon: &Argon2, password: &[u8], salt: &[u8], out: &mut [u8]) -> bool {
    WORK_MEMORY.with_borrow_mut(|blocks| {
        let need = argon.params().block_count();
        if blocks.len() != need {
            *blocks = Vec::new();
            blocks.resize(need, Block::default());
        }
        argon
            .hash_password_into_with_memory(password, salt, out, &mut blocks[..])
            .is_ok()
    })
}

fn hash_here(password: &str) -> Result<String, String> {
    let argon = Argon2::default();
    let salt = password_hash::try_generate_salt().map_err(|e| format!("no random salt: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    if !argon2_output(&argon, password.as_bytes(), &salt, &mut out) {
        return Err("password hashing failed".into());
    }
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params()).map_err(|e| e.to_string())?,
        salt: Some(Salt::new(&salt).map_err(|e| e.to_string())?),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// Recomputes the hash with the stored algorithm, version, parameters and salt, and compares
/// in constant time (`Output`'s equality).
fn verify_here(password: &str, phc: &str) -> bool {
    let Ok(stored) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
        return false;
    };
    let algorithm = Algorithm::try_from(stored.algorithm.as_str());
    let version = stored
        .version
        .map_or(Ok(Version::default()), Version::try_from);
    let (Ok(algorithm), Ok(version), Ok(params)) = (algorithm, version, Params::try_from(&stored))
    else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    argon2_output(&argon, password.as_bytes(), salt, &mut out)
        && Output::new(&out).is_ok_and(|computed| &computed == expected)
}

pub fn hash(password: &str) -> Result<String, String> {
    let password = password.to_owned();
    on_hashing_thread(move || hash_here(&password))
        .unwrap_or_else(|| Err("password hashing failed".into()))
}

pub fn verify(password: &str, phc: &str) -> bool {
    let (password, phc) = (password.to_owned(), phc.to_owned());
    on_hashing_thread(move || verify_here(&password, &phc)).unwrap_or(false)
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
    fn many_threads_share_the_hashing_threads() {
        let h = hash("a shared secret phrase").unwrap();
        let oks: Vec<bool> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| verify("a shared secret phrase", &h)))
                .collect();
            handles.into_iter().map(|t| t.join().unwrap()).collect()
        });
        // More callers than hashing threads all get their answer.
        assert_eq!(oks, [true; 8]);
    }

    #[test]
    fn hashing_happens_on_the_fixed_hashing_threads() {
        let names: std::collections::BTreeSet<String> = (0..20)
            .map(|_| {
                std::thread::spawn(|| {
                    on_hashing_thread(|| std::thread::current().name().map(str::to_string))
                })
                .join()
                .unwrap()
                .flatten()
                .unwrap_or_default()
            })
            .collect();
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        // Twenty different callers, never more than one thread per core doing the work.
        assert!(names.len() <= cores, "{names:?}");
        assert!(
            names.iter().all(|n| n.starts_with("password-hash-")),
            "{names:?}"
        );
    }

    #[test]
    fn agrees_with_the_argon2_crates_own_hasher_and_verifier() {
        use argon2::{PasswordHasher, PasswordVerifier};
        let ours = hash("tea and biscuits at ten").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"tea and biscuits at ten", &parsed)
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"tea and biscuits at 10", &parsed)
            .is_err());
        let theirs = Argon2::default()
            .hash_password(b"tea and biscuits at ten")
            .unwrap()
            .to_string();
        assert!(verify("tea and biscuits at ten", &theirs));
        assert!(!verify("tea and biscuits at 10", &theirs));
        // Stored hashes with other parameters (raised later, or older) still verify.
        let stronger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 3, 1, Some(32)).unwrap(),
        )
        .hash_password(b"tea and biscuits at ten")
        .unwrap()
        .to_string();
        assert!(verify("tea and biscuits at ten", &stronger));
        assert!(!verify("tea and biscuits at 10", &stronger));
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
