//! Who is using a SQLite database, told through an advisory lock on a file beside it
//! (`<database>.lock`): every `groupwork` command that opens the database holds it *shared* for as
//! long as it runs (`serve` and `deliver` for their whole life), and `groupwork restore` takes it
//! *exclusively*, so a restore refuses while any of them runs and none of them starts during a
//! restore. The lock is the operating system's (`flock` on Unix, through `std::fs::File`): it goes
//! with the process, so a server killed with `kill -9` leaves nothing stale behind, and the file
//! itself (empty) may stay.
//!
//! PostgreSQL databases have no lock file: backup and restore there are `pg_dump`/`pg_restore`.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// A held lock on `<database>.lock`, released when dropped (or when the process ends).
#[derive(Debug)]
pub struct DbLock {
    _file: File,
    path: PathBuf,
}

/// Why a lock was not taken.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds it in a way that excludes us.
    Held { lock: PathBuf },
    /// The lock file could not be opened or locked at all (a read-only folder, a file system
    /// without locks).
    Unavailable { lock: PathBuf, why: String },
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Held { lock } => write!(f, "{} is held by another process", lock.display()),
            LockError::Unavailable { lock, why } => {
                write!(f, "cannot lock {}: {why}", lock.display())
            }
        }
    }
}

impl DbLock {
    /// The database is in use by this process; others may use it too (not a restore).
    pub fn shared(database: &Path) -> Result<DbLock, LockError> {
        Self::take(database, false)
    }

    /// No other `groupwork` process is using the database, and none may start until this is
    /// dropped.
    pub fn exclusive(database: &Path) -> Result<DbLock, LockError> {
        Self::take(database, true)
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn take(database: &Path, exclusive: bool) -> Result<DbLock, LockError> {
        let path = lock_path(database);
        let unavailable = |e: std::io::Error| LockError::Unavailable {
            lock: path.clone(),
            why: e.to_string(),
        };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(unavailable)?;
        let taken = if exclusive {
            file.try_lock()
        } else {
            file.try_lock_shared()
        };
        match taken {
            Ok(()) => Ok(DbLock { _file: file, path }),
            Err(TryLockError::WouldBlock) => Err(LockError::Held { lock: path }),
            Err(TryLockError::Error(e)) => Err(unavailable(e)),
        }
    }
}

/// `<database>.lock`, beside the database file as the operating system finds it (a symbolic link
/// followed), so two spellings of one path (`./x.db`, `/srv/x.db`) meet at one lock.
pub fn lock_path(database: &Path) -> PathBuf {
    let real = std::fs::canonicalize(database).unwrap_or_else(|_| {
        // Not there yet (a restore into a new file): its folder as found, with its name.
        match (database.parent(), database.file_name()) {
            (Some(dir), Some(name)) => {
                let dir = if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                };
                std::fs::canonicalize(dir)
                    .map(|d| d.join(name))
                    .unwrap_or_else(|_| database.to_path_buf())
            }
            _ => database.to_path_buf(),
        }
    });
    let mut name = real.into_os_string();
    name.push(".lock");
    PathBuf::from(name)
}

/// The SQLite file of a database URL (`sqlite://` optional), or `None` for PostgreSQL.
pub fn sqlite_path(url: &str) -> Option<&Path> {
    match super::DbKind::from_url(url) {
        Ok(super::DbKind::Sqlite) => Some(Path::new(url.strip_prefix("sqlite://").unwrap_or(url))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("gw_lock_{tag}_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn shared_holders_share_and_exclude_an_exclusive_one_until_they_go() {
        let dir = temp("share");
        let db = dir.join("g.db");
        let a = DbLock::shared(&db).unwrap();
        let b = DbLock::shared(&db).unwrap();
        assert!(matches!(
            DbLock::exclusive(&db),
            Err(LockError::Held { .. })
        ));
        drop(a);
        assert!(matches!(
            DbLock::exclusive(&db),
            Err(LockError::Held { .. })
        ));
        drop(b);
        let x = DbLock::exclusive(&db).unwrap();
        assert!(matches!(DbLock::shared(&db), Err(LockError::Held { .. })));
        assert_eq!(x.path(), dir.canonicalize().unwrap().join("g.db.lock"));
        drop(x);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn two_spellings_of_one_file_meet_at_one_lock() {
        let dir = temp("spell");
        std::fs::write(dir.join("g.db"), b"").unwrap();
        let plain = dir.join("g.db");
        let roundabout = dir.join(".").join("g.db");
        assert_eq!(lock_path(&plain), lock_path(&roundabout));
        let _held = DbLock::shared(&plain).unwrap();
        assert!(DbLock::exclusive(&roundabout).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn postgres_has_no_lock_file() {
        assert_eq!(sqlite_path("postgres://u@h/db"), None);
        assert_eq!(sqlite_path("sqlite://x.db"), Some(Path::new("x.db")));
        assert_eq!(sqlite_path("x.db"), Some(Path::new("x.db")));
    }
}
