//! `groupwork backup` and `groupwork restore` for SQLite, through SQLite's online backup API
//! (`sqlite3_backup_init/step/finish`), which diesel does not expose: a small safe wrapper over
//! the raw C functions of `libsqlite3-sys`, the same bundled SQLite diesel links (so there is one
//! SQLite in the binary). This is the crate's only `unsafe` code; each block says why it holds
//! (`tests/api/architecture.rs` keeps it here).
//!
//! **Backup.** The copy is one consistent snapshot, made while the service goes on writing: the
//! source connection opens a read transaction before the first step and keeps it until the last,
//! so every step copies pages of that one snapshot. In WAL mode (groupwork's) a reader never
//! blocks a writer, so bookings go on being taken meanwhile; their pages go to the WAL, which
//! is not checkpointed past the snapshot until the copy ends. Without the held snapshot SQLite
//! restarts a backup from its first page whenever another process writes between two steps,
//! and under a steady stream of bookings it would not finish until the stream stopped (measured:
//! a 1,100-page copy in steps of 50 took 358 steps and ended only when the writer stopped; with
//! the snapshot held, 74 steps for 3,600 pages while the writer ran). The pages go to a
//! temporary file beside the destination, which is switched out of WAL mode (one self-contained
//! file), checked with `PRAGMA integrity_check` as written, flushed, and only then given its name:
//! a backup that stopped half way never looks complete.
//!
//! **Restore.** The backup is checked first (it opens, its integrity check is `ok`, it has
//! groupwork's migrations table and no migration this groupwork does not know), then copied
//! *into* the configured database through the same API, never by replacing files: SQLite reads
//! a left-over WAL (a server killed with `kill -9`) before the restore overwrites it, and a
//! restore cut off half way is rolled back at the next open. It refuses a database in use: a
//! `groupwork` process holding `<database>.lock` (`db::lock`), or any other program with the
//! database open (the exclusive SQLite lock it takes would wait for them).

#![allow(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

use super::lock::{DbLock, LockError};
use diesel::migration::MigrationSource;
use diesel::sqlite::Sqlite;
use libsqlite3_sys as ffi;
use std::collections::BTreeSet;
use std::ffi::{c_char, c_int, CStr, CString};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};
use std::time::{Duration, Instant};

/// Pages copied per step unless told otherwise (1 MiB of 4 KiB pages): the progress moves every
/// step; the snapshot is held between steps either way.
pub const DEFAULT_PAGES_PER_STEP: u32 = 256;

/// How long a step may keep finding the database locked (SQLITE_BUSY) before we give up.
const BUSY_PATIENCE: Duration = Duration::from_secs(10);

/// How far a copy has gone, in pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub copied: u64,
    pub total: u64,
}

/// A backup written.
#[derive(Debug, Clone)]
pub struct Written {
    pub path: PathBuf,
    pub pages: u64,
    pub page_size: u64,
    /// The file's size on disk.
    pub bytes: u64,
    /// Steps taken (the copy was never restarted when this is about pages / pages per step).
    pub steps: u64,
    /// `PRAGMA integrity_check` of the file as written: `ok`.
    pub integrity: String,
}

/// A backup checked before a restore.
#[derive(Debug, Clone)]
pub struct Checked {
    pub pages: u64,
    pub page_size: u64,
    /// The migrations applied in the backup.
    pub migrations: usize,
    /// The migrations this groupwork has that the backup has not: they run at the next start.
    pub pending: usize,
}

/// A database restored.
#[derive(Debug, Clone)]
pub struct Restored {
    pub backup: Checked,
    pub pages: u64,
    pub bytes: u64,
    /// `PRAGMA integrity_check` of the restored database: `ok`.
    pub integrity: String,
}

/// Copies the SQLite database at `source` to `dest` while others may be writing to it; `force`
/// replaces an existing `dest`. `progress` is told after each step.
pub fn backup(
    source: &Path,
    dest: &Path,
    force: bool,
    pages_per_step: u32,
    progress: &mut dyn FnMut(Progress),
) -> Result<Written, String> {
    if !source.is_file() {
        return Err(format!(
            "there is no SQLite database at {}",
            source.display()
        ));
    }
    if dest.is_dir() {
        return Err(format!(
            "{} is a folder: give the backup file's path",
            dest.display()
        ));
    }
    if same_file(source, dest) {
        return Err(format!(
            "{} is the database itself: give another path for the backup",
            dest.display()
        ));
    }
    if dest.exists() && !force {
        return Err(format!(
            "{} already exists: give --force to replace it",
            dest.display()
        ));
    }
    let partial = Partial::create(dest)?;

    let src = Raw::open(source, ffi::SQLITE_OPEN_READWRITE)
        .map_err(|e| format!("cannot open {}: {e}", source.display()))?;
    src.busy_timeout(5000);
    // The snapshot: a read transaction held from before the first step to after the last.
    src.exec("BEGIN; SELECT count(*) FROM sqlite_schema;")
        .map_err(|e| format!("cannot read {}: {e}", source.display()))?;
    let out = Raw::open(&partial.path, ffi::SQLITE_OPEN_READWRITE)
        .map_err(|e| format!("cannot write {}: {e}", partial.path.display()))?;
    let (pages, steps) = copy(&out, &src, pages_per_step, progress)
        .map_err(|e| format!("the backup of {} failed: {e}", source.display()))?;
    // The snapshot ends; the WAL may be checkpointed again.
    let _ = src.exec("COMMIT");
    drop(src);
    // One self-contained file: out of WAL mode (the copied header said WAL), no -wal beside it.
    let mode = out
        .texts("PRAGMA journal_mode = DELETE")
        .map_err(|e| format!("cannot finish {}: {e}", partial.path.display()))?;
    if mode.first().map(String::as_str) != Some("delete") {
        return Err(format!(
            "cannot finish {}: its journal mode stayed {mode:?}",
            partial.path.display()
        ));
    }
    drop(out);

    // Checked as written, through a connection of its own.
    let (page_size, integrity) = {
        let copy = Raw::open(&partial.path, ffi::SQLITE_OPEN_READONLY)
            .map_err(|e| format!("cannot open the copy to check it: {e}"))?;
        (
            one_number(&copy, "PRAGMA page_size")?,
            integrity(&copy).map_err(|e| format!("cannot check the copy: {e}"))?,
        )
    };
    if integrity != "ok" {
        return Err(format!(
            "the copy failed its integrity check ({integrity}); nothing was written at {} \
             (check the database itself: groupwork's own tables may be damaged)",
            dest.display()
        ));
    }
    let path = partial.finish(dest, force)?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    Ok(Written {
        path,
        pages,
        page_size,
        bytes,
        steps,
        integrity,
    })
}

/// Opens `backup` read-only and checks it can be restored: it is a SQLite database whose
/// `integrity_check` is `ok`, with groupwork's migrations table holding only migrations this
/// groupwork knows.
pub fn check(backup: &Path) -> Result<Checked, String> {
    let name = backup.display();
    if !backup.is_file() {
        return Err(format!("there is no backup at {name}"));
    }
    let _tidy = Sidecars::absent(backup);
    let raw = Raw::open(backup, ffi::SQLITE_OPEN_READONLY)
        .map_err(|e| format!("cannot open the backup {name}: {e}"))?;
    let integrity = integrity(&raw).map_err(|e| {
        format!("{name} cannot be read as a SQLite database ({e}); nothing was restored")
    })?;
    if integrity != "ok" {
        return Err(format!(
            "{name} is damaged (integrity_check: {integrity}); nothing was restored"
        ));
    }
    let applied: BTreeSet<String> = raw
        .texts("SELECT version FROM __diesel_schema_migrations")
        .map_err(|e| {
            format!("{name} is not a groupwork database (no migrations table: {e}); nothing was restored")
        })?
        .into_iter()
        .collect();
    if applied.is_empty() {
        return Err(format!(
            "{name} is not a groupwork database (no migration was ever run on it); nothing was restored"
        ));
    }
    let known = known_migrations()?;
    let unknown: Vec<&String> = applied.difference(&known).collect();
    if !unknown.is_empty() {
        return Err(format!(
            "{name} was made by a newer groupwork (migrations {} are unknown to this one): \
             restore it with that version; nothing was restored",
            unknown
                .iter()
                .map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(Checked {
        pages: one_number(&raw, "PRAGMA page_count")?,
        page_size: one_number(&raw, "PRAGMA page_size")?,
        migrations: applied.len(),
        pending: known.difference(&applied).count(),
    })
}

/// Replaces the database at `target` with the backup at `backup` (checked first), refusing if
/// anything has `target` open. `progress` is told after each step.
pub fn restore(
    backup: &Path,
    target: &Path,
    pages_per_step: u32,
    progress: &mut dyn FnMut(Progress),
) -> Result<Restored, String> {
    let name = target.display();
    if same_file(backup, target) {
        return Err(format!(
            "{} is the database itself: nothing to restore",
            backup.display()
        ));
    }
    let checked = check(backup)?;
    if target.is_dir() {
        return Err(format!("{name} is a folder, not a database file"));
    }
    let folder = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(format!(
            "the folder of {name} does not exist; nothing was restored"
        ));
    }
    // No groupwork process on it now, and none may start until we are done.
    let _lock = DbLock::exclusive(target).map_err(|e| match e {
        LockError::Held { lock } => format!(
            "the database {name} is in use: a running groupwork (serve, deliver or another \
             command) holds {}; stop it and restore again. Nothing was changed.",
            lock.display()
        ),
        LockError::Unavailable { .. } => {
            format!("cannot tell whether {name} is in use ({e}); nothing was restored")
        }
    })?;

    let db = Raw::open(target, ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE)
        .map_err(|e| format!("cannot open {name}: {e}"))?;
    db.busy_timeout(2000);
    // Ours alone until closed: in exclusive locking mode the lock taken is kept. Leaving WAL mode
    // needs every other connection gone (and reads a left-over WAL in first); a program that
    // does not take groupwork's lock file (the sqlite3 shell) is found here.
    let in_use = |e: SqlError| {
        if e.is_busy() {
            format!(
                "the database {name} is open in another program (one that does not take \
                 groupwork's lock: an sqlite3 shell, an older groupwork?); close it and restore \
                 again. Nothing was changed."
            )
        } else if e.primary() == ffi::SQLITE_NOTADB {
            format!("{name} is not a SQLite database: move it away and restore again")
        } else {
            format!("cannot prepare {name} for the restore: {e}")
        }
    };
    db.exec("PRAGMA locking_mode = EXCLUSIVE").map_err(in_use)?;
    let mode = db.texts("PRAGMA journal_mode = DELETE").map_err(in_use)?;
    if mode.first().map(String::as_str) != Some("delete") {
        return Err(format!(
            "cannot take {name} out of WAL mode for the restore (it stayed {mode:?}): is it \
             open elsewhere? Nothing was changed."
        ));
    }
    db.exec("BEGIN EXCLUSIVE; COMMIT;").map_err(in_use)?;

    let tidy = Sidecars::absent(backup);
    let src = Raw::open(backup, ffi::SQLITE_OPEN_READONLY)
        .map_err(|e| format!("cannot open the backup {}: {e}", backup.display()))?;
    let (pages, _) = copy(&db, &src, pages_per_step, progress)
        .map_err(|e| format!("the restore into {name} failed (it is rolled back): {e}"))?;
    drop(src);
    drop(tidy);
    // The database is out of WAL mode and locked by us alone, so a shared-memory file left by a
    // process that was killed belongs to no one: remove it (the next `serve` makes its own).
    let mut shm = target.as_os_str().to_owned();
    shm.push("-shm");
    match std::fs::remove_file(&shm) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(format!(
                "{name} was restored, but its stale -shm file stays: {e}"
            ))
        }
    }
    drop(db);

    // Checked through a connection of its own (read-write, so that when the restored file says
    // WAL mode this last connection's close removes the -wal and -shm it opens).
    let integrity = {
        let db = Raw::open(target, ffi::SQLITE_OPEN_READWRITE)
            .map_err(|e| format!("cannot open {name} to check it: {e}"))?;
        integrity(&db).map_err(|e| format!("cannot check {name}: {e}"))?
    };
    if integrity != "ok" {
        return Err(format!(
            "{name} was restored but fails its integrity check ({integrity})"
        ));
    }
    let bytes = std::fs::metadata(target).map(|m| m.len()).unwrap_or(0);
    Ok(Restored {
        backup: checked,
        pages,
        bytes,
        integrity,
    })
}

/// Runs the backup API from `src` into `dest` to the end; returns (pages, steps).
fn copy(
    dest: &Raw,
    src: &Raw,
    pages_per_step: u32,
    progress: &mut dyn FnMut(Progress),
) -> Result<(u64, u64), String> {
    let pages_per_step = c_int::try_from(pages_per_step.max(1)).unwrap_or(c_int::MAX);
    let mut run = BackupRun::start(dest, src).map_err(|e| e.to_string())?;
    let mut steps = 0u64;
    let mut stuck_since: Option<Instant> = None;
    loop {
        let step = run.step(pages_per_step);
        steps += 1;
        let (remaining, total) = run.counts();
        match step {
            Step::More | Step::Done => {
                stuck_since = None;
                progress(Progress {
                    copied: total.saturating_sub(remaining),
                    total,
                });
                if step == Step::Done {
                    run.finish().map_err(|e| e.to_string())?;
                    return Ok((total, steps));
                }
            }
            Step::Busy => {
                let since = *stuck_since.get_or_insert_with(Instant::now);
                if since.elapsed() > BUSY_PATIENCE {
                    return Err(format!(
                        "the database stayed locked for {} s",
                        BUSY_PATIENCE.as_secs()
                    ));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Step::Failed(code) => {
                // The error is kept on the destination connection once the backup is finished.
                let _ = run.finish();
                return Err(SqlError::from_code(code, dest).to_string());
            }
        }
    }
}

/// `PRAGMA integrity_check`'s rows joined (`ok` when all is well; at most 10 problems).
fn integrity(db: &Raw) -> Result<String, SqlError> {
    Ok(db.texts("PRAGMA integrity_check(10)")?.join("; "))
}

fn one_number(db: &Raw, sql: &str) -> Result<u64, String> {
    db.texts(sql)
        .map_err(|e| format!("{sql}: {e}"))?
        .first()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("{sql} gave no number"))
}

/// The versions of the SQLite migrations built into this groupwork.
fn known_migrations() -> Result<BTreeSet<String>, String> {
    let migrations = MigrationSource::<Sqlite>::migrations(&super::SQLITE_MIGRATIONS)
        .map_err(|e| format!("cannot list this groupwork's migrations: {e}"))?;
    Ok(migrations
        .iter()
        .map(|m| m.name().version().to_string())
        .collect())
}

/// Whether `a` and `b` name one existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The `-wal` and `-shm` files beside a backup that were not there before we read it: SQLite
/// makes them to read a file that says WAL mode (a backup made by other tools), even read-only,
/// and a read-only connection leaves them behind. Removed when dropped (after the connection),
/// if the WAL is still empty, so a backup is left as it was found.
struct Sidecars(Vec<PathBuf>);

impl Sidecars {
    fn absent(file: &Path) -> Sidecars {
        Sidecars(
            ["-wal", "-shm"]
                .iter()
                .map(|suffix| {
                    let mut name = file.as_os_str().to_owned();
                    name.push(suffix);
                    PathBuf::from(name)
                })
                .filter(|p| !p.exists())
                .collect(),
        )
    }
}

impl Drop for Sidecars {
    fn drop(&mut self) {
        let wal_empty = self
            .0
            .iter()
            .filter(|p| p.to_string_lossy().ends_with("-wal"))
            .all(|p| std::fs::metadata(p).map_or(true, |m| m.len() == 0));
        if wal_empty {
            for p in &self.0 {
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

/// The temporary file a backup is written to, beside its destination (so the final rename stays
/// on one file system); removed on drop unless it was given its name.
struct Partial {
    path: PathBuf,
    dir: PathBuf,
    done: bool,
}

impl Partial {
    fn create(dest: &Path) -> Result<Partial, String> {
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let Some(name) = dest.file_name() else {
            return Err(format!("{} is not a file name", dest.display()));
        };
        let path = dir.join(format!(
            ".{}.partial-{}-{:08x}",
            name.to_string_lossy(),
            std::process::id(),
            rand::random::<u32>()
        ));
        // A new empty file is an empty SQLite database; `create_new` never takes over another.
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| format!("cannot write a backup in {}: {e}", dir.display()))?;
        Ok(Partial {
            path,
            dir,
            done: false,
        })
    }

    /// Flushes the copy to disk and gives it its name: replacing `dest` when `force`, else only
    /// if nothing has appeared there meanwhile (a hard link fails on an existing name).
    fn finish(mut self, dest: &Path, force: bool) -> Result<PathBuf, String> {
        let flush = |p: &Path| File::open(p).and_then(|f| f.sync_all());
        flush(&self.path).map_err(|e| format!("cannot flush {}: {e}", self.path.display()))?;
        let placed = if force {
            std::fs::rename(&self.path, dest)
        } else {
            match std::fs::hard_link(&self.path, dest) {
                Ok(()) => std::fs::remove_file(&self.path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(format!(
                        "{} appeared while the backup was made: give --force to replace it",
                        dest.display()
                    ))
                }
                // A file system without hard links: the name was free a moment ago.
                Err(_) if !dest.exists() => std::fs::rename(&self.path, dest),
                Err(e) => Err(e),
            }
        };
        placed.map_err(|e| format!("cannot name the backup {}: {e}", dest.display()))?;
        self.done = true;
        // The new name itself made durable (best effort: not every platform syncs a folder).
        let _ = flush(&self.dir);
        Ok(dest.to_path_buf())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.path);
            let mut journal = self.path.clone().into_os_string();
            journal.push("-journal");
            let _ = std::fs::remove_file(journal);
        }
    }
}

/// An error SQLite reported: its (extended) result code and message.
#[derive(Debug)]
struct SqlError {
    code: c_int,
    message: String,
}

impl SqlError {
    fn primary(&self) -> c_int {
        self.code & 0xff
    }

    fn is_busy(&self) -> bool {
        matches!(self.primary(), ffi::SQLITE_BUSY | ffi::SQLITE_LOCKED)
    }

    /// The code's generic text, with the connection's own message when it adds to it.
    fn from_code(code: c_int, db: &Raw) -> SqlError {
        let generic = errstr(code);
        let own = db.message();
        let message = if own.is_empty() || own == generic || own == "not an error" {
            generic
        } else {
            format!("{generic}: {own}")
        };
        SqlError { code, message }
    }
}

impl std::fmt::Display for SqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// SQLite's English text for a result code.
fn errstr(code: c_int) -> String {
    // SAFETY: sqlite3_errstr accepts any integer and returns a pointer to a static,
    // NUL-terminated string owned by SQLite (never freed), or NULL for none.
    let text = unsafe { ffi::sqlite3_errstr(code) };
    if text.is_null() {
        return format!("SQLite error {code}");
    }
    // SAFETY: non-null, NUL-terminated and static (above); copied out at once.
    unsafe { CStr::from_ptr(text) }
        .to_string_lossy()
        .into_owned()
}

/// An open SQLite connection of our own (not diesel's), closed when dropped. Used from one
/// thread (it is neither `Send` nor `Sync`: it holds a raw pointer).
struct Raw {
    db: NonNull<ffi::sqlite3>,
}

impl Raw {
    /// `sqlite3_open_v2` on a plain file name (no URI parsing) with `flags`.
    fn open(path: &Path, flags: c_int) -> Result<Raw, SqlError> {
        let name = path
            .to_str()
            .and_then(|p| CString::new(p).ok())
            .ok_or_else(|| SqlError {
                code: ffi::SQLITE_CANTOPEN,
                message: "the path is not UTF-8 text without NUL bytes".into(),
            })?;
        let mut db: *mut ffi::sqlite3 = ptr::null_mut();
        // SAFETY: `name` is a valid NUL-terminated string that outlives the call, `db` a valid
        // place for the handle, and NULL asks for the default VFS. SQLite writes a handle (or
        // NULL when out of memory) into `db` whatever the result.
        let rc = unsafe { ffi::sqlite3_open_v2(name.as_ptr(), &mut db, flags, ptr::null()) };
        let Some(handle) = NonNull::new(db) else {
            return Err(SqlError {
                code: rc,
                message: errstr(rc),
            });
        };
        // From here the handle is ours to close (Drop), on failure too.
        let raw = Raw { db: handle };
        if rc != ffi::SQLITE_OK {
            return Err(SqlError::from_code(rc, &raw));
        }
        Ok(raw)
    }

    /// The connection's last error message.
    fn message(&self) -> String {
        // SAFETY: the handle is open (closed only in Drop); sqlite3_errmsg returns a
        // NUL-terminated string owned by SQLite, valid until the next call on this connection.
        let text = unsafe { ffi::sqlite3_errmsg(self.db.as_ptr()) };
        if text.is_null() {
            return String::new();
        }
        // SAFETY: non-null and NUL-terminated (above); copied out before any other call.
        unsafe { CStr::from_ptr(text) }
            .to_string_lossy()
            .into_owned()
    }

    fn busy_timeout(&self, ms: c_int) {
        // SAFETY: the handle is open; any non-negative time is accepted (it cannot fail).
        unsafe { ffi::sqlite3_busy_timeout(self.db.as_ptr(), ms) };
    }

    /// Runs statements whose rows, if any, are not wanted.
    fn exec(&self, sql: &str) -> Result<(), SqlError> {
        let sql = CString::new(sql).map_err(|_| SqlError {
            code: ffi::SQLITE_MISUSE,
            message: "a NUL byte in SQL".into(),
        })?;
        // SAFETY: the handle is open, `sql` is NUL-terminated and outlives the call; no callback
        // (rows are dropped) and no error-string out-pointer (nothing for us to free): the
        // message is read from the connection instead.
        let rc = unsafe {
            ffi::sqlite3_exec(
                self.db.as_ptr(),
                sql.as_ptr(),
                None,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(SqlError::from_code(rc, self))
        }
    }

    /// The first column of every row of one statement, as text.
    fn texts(&self, sql: &str) -> Result<Vec<String>, SqlError> {
        let text = CString::new(sql).map_err(|_| SqlError {
            code: ffi::SQLITE_MISUSE,
            message: "a NUL byte in SQL".into(),
        })?;
        let mut stmt: *mut ffi::sqlite3_stmt = ptr::null_mut();
        // SAFETY: the handle is open, `text` NUL-terminated (-1: read to the NUL) and alive for
        // the call; `stmt` is a valid place for the statement; we do not want the tail.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                self.db.as_ptr(),
                text.as_ptr(),
                -1,
                &mut stmt,
                ptr::null_mut(),
            )
        };
        if rc != ffi::SQLITE_OK {
            return Err(SqlError::from_code(rc, self));
        }
        let Some(stmt) = NonNull::new(stmt) else {
            return Ok(Vec::new()); // only whitespace or a comment
        };
        let stmt = Statement { stmt, _db: self };
        let mut rows = Vec::new();
        loop {
            // SAFETY: a prepared statement of this open connection, not yet finalized.
            match unsafe { ffi::sqlite3_step(stmt.stmt.as_ptr()) } {
                ffi::SQLITE_ROW => {
                    // SAFETY: the statement has a current row; column 0 exists for every
                    // statement we run (each returns one column). The text (NULL for an SQL
                    // NULL) is valid until the next step, and is copied before it.
                    let value = unsafe { ffi::sqlite3_column_text(stmt.stmt.as_ptr(), 0) };
                    rows.push(if value.is_null() {
                        String::new()
                    } else {
                        // SAFETY: non-null, NUL-terminated UTF-8 from SQLite (above).
                        unsafe { CStr::from_ptr(value.cast::<c_char>()) }
                            .to_string_lossy()
                            .into_owned()
                    });
                }
                ffi::SQLITE_DONE => return Ok(rows),
                rc => return Err(SqlError::from_code(rc, self)),
            }
        }
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        // SAFETY: the handle was opened by sqlite3_open_v2 and is closed once, here. Every
        // statement and backup borrows the `Raw`, so the borrow checker has them finalized
        // first (sqlite3_close would otherwise refuse with SQLITE_BUSY and leak, never crash).
        unsafe { ffi::sqlite3_close(self.db.as_ptr()) };
    }
}

/// A prepared statement, finalized when dropped; it borrows its connection, so it cannot
/// outlive it.
struct Statement<'a> {
    stmt: NonNull<ffi::sqlite3_stmt>,
    _db: &'a Raw,
}

impl Drop for Statement<'_> {
    fn drop(&mut self) {
        // SAFETY: prepared by sqlite3_prepare_v2 on a connection still open (borrowed), and
        // finalized once, here.
        unsafe { ffi::sqlite3_finalize(self.stmt.as_ptr()) };
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    More,
    Done,
    Busy,
    Failed(c_int),
}

/// One backup from a source connection's `main` into a destination's `main`; both are borrowed
/// for as long as it runs (SQLite requires them open until `sqlite3_backup_finish`).
struct BackupRun<'a> {
    run: NonNull<ffi::sqlite3_backup>,
    dest: &'a Raw,
    _src: &'a Raw,
    finished: bool,
}

impl<'a> BackupRun<'a> {
    fn start(dest: &'a Raw, src: &'a Raw) -> Result<BackupRun<'a>, SqlError> {
        let main = c"main";
        // SAFETY: both handles are open and distinct, and stay open while the run borrows
        // them; the schema names are static NUL-terminated strings. On failure SQLite returns
        // NULL and leaves the error on the destination connection.
        let run = unsafe {
            ffi::sqlite3_backup_init(
                dest.db.as_ptr(),
                main.as_ptr(),
                src.db.as_ptr(),
                main.as_ptr(),
            )
        };
        match NonNull::new(run) {
            Some(run) => Ok(BackupRun {
                run,
                dest,
                _src: src,
                finished: false,
            }),
            None => Err(SqlError {
                code: ffi::SQLITE_ERROR,
                message: dest.message(),
            }),
        }
    }

    fn step(&mut self, pages: c_int) -> Step {
        // SAFETY: an unfinished run whose two connections are open (borrowed).
        match unsafe { ffi::sqlite3_backup_step(self.run.as_ptr(), pages) } {
            ffi::SQLITE_OK => Step::More,
            ffi::SQLITE_DONE => Step::Done,
            rc if matches!(rc & 0xff, ffi::SQLITE_BUSY | ffi::SQLITE_LOCKED) => Step::Busy,
            rc => Step::Failed(rc),
        }
    }

    /// (pages still to copy, pages in the source), as of the last step.
    fn counts(&self) -> (u64, u64) {
        // SAFETY: an unfinished run (borrowed connections open); these only read two counters.
        let (remaining, total) = unsafe {
            (
                ffi::sqlite3_backup_remaining(self.run.as_ptr()),
                ffi::sqlite3_backup_pagecount(self.run.as_ptr()),
            )
        };
        (
            u64::try_from(remaining).unwrap_or(0),
            u64::try_from(total).unwrap_or(0),
        )
    }

    /// Ends the run (committing the destination when it is done, else rolling it back).
    fn finish(&mut self) -> Result<(), SqlError> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        // SAFETY: the run is finished once (guarded by `finished`); after this the pointer is
        // never used again.
        let rc = unsafe { ffi::sqlite3_backup_finish(self.run.as_ptr()) };
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(SqlError::from_code(rc, self.dest))
        }
    }
}

impl Drop for BackupRun<'_> {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;

    fn temp(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("gw_backup_{tag}_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A WAL database with `rows` rows of 200 bytes in `t`, and groupwork's migrations.
    fn database(path: &Path, rows: usize) -> crate::db::DbConnection {
        let url = path.to_string_lossy().into_owned();
        let mut c = crate::db::DbManager::new(&url).unwrap().open().unwrap();
        crate::db::run_migrations(&mut c).unwrap();
        c.batch_execute(&format!(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, pad BLOB NOT NULL);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
             INSERT INTO t (pad) SELECT randomblob(200) FROM n;"
        ))
        .unwrap();
        c
    }

    /// Rows in `t` (read-write: a read-only connection to a WAL file leaves its -wal behind).
    fn count(path: &Path) -> u64 {
        let raw = Raw::open(path, ffi::SQLITE_OPEN_READWRITE).unwrap();
        one_number(&raw, "SELECT count(*) FROM t").unwrap()
    }

    /// A thread that inserts rows into `t` until told to stop; joined, it says how many.
    struct Writer {
        stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
        thread: std::thread::JoinHandle<u64>,
    }

    impl Writer {
        fn start(db: &Path) -> Writer {
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let url = db.to_string_lossy().into_owned();
            let told = stop.clone();
            let thread = std::thread::spawn(move || {
                let mut c = crate::db::DbManager::new(&url).unwrap().open().unwrap();
                let mut n = 0;
                while !told.load(std::sync::atomic::Ordering::Relaxed) {
                    c.batch_execute("INSERT INTO t (pad) VALUES (randomblob(200))")
                        .unwrap();
                    n += 1;
                }
                n
            });
            std::thread::sleep(Duration::from_millis(50));
            Writer { stop, thread }
        }

        fn stop(&self) {
            self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }

        fn join(self) -> u64 {
            self.stop();
            self.thread.join().unwrap()
        }
    }

    /// Another connection writes all the time; the copy goes page by page and is never restarted
    /// (its progress only moves forward), and holds exactly the rows of one moment.
    #[test]
    fn a_backup_goes_forward_while_another_connection_writes() {
        let dir = temp("forward");
        let db = dir.join("g.db");
        drop(database(&db, 20_000));
        let writer = Writer::start(&db);
        let mut seen = Vec::new();
        let written = backup(&db, &dir.join("copy.db"), false, 20, &mut |p| {
            seen.push(p);
            // Slow enough that the writer commits between every two steps.
            std::thread::sleep(Duration::from_millis(2));
        })
        .unwrap();
        let wrote = writer.join();
        assert!(
            wrote > 100,
            "the writer kept writing during the copy: {wrote}"
        );
        assert!(
            seen.windows(2).all(|w| w[1].copied > w[0].copied),
            "the copy never went back to its start: {seen:?}"
        );
        assert_eq!(written.steps, written.pages.div_ceil(20));
        assert_eq!(written.integrity, "ok");
        let copied = count(&written.path);
        assert!(copied >= 20_000 && copied < count(&db), "{copied}");
        // One file: no WAL mode, nothing beside it, no temporary file left.
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("copy") || n.starts_with(".copy"))
            .collect();
        assert_eq!(names, ["copy.db"]);
        let header = std::fs::read(&written.path).unwrap();
        assert_eq!((header[18], header[19]), (1, 1), "a rollback-journal file");

        // Control: the same steps without the snapshot held go back to the first page when the
        // writer commits between two of them (and would not end while it writes: it is stopped
        // once a restart has been seen, or after 400 steps).
        let writer = Writer::start(&db);
        let src = Raw::open(&db, ffi::SQLITE_OPEN_READWRITE).unwrap();
        let out = Raw::open(
            &dir.join("control.db"),
            ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE,
        )
        .unwrap();
        let mut seen: Vec<Progress> = Vec::new();
        copy(&out, &src, 20, &mut |p| {
            if seen.last().is_some_and(|last| p.copied <= last.copied) || seen.len() > 400 {
                writer.stop();
            }
            seen.push(p);
            std::thread::sleep(Duration::from_millis(2));
        })
        .unwrap();
        let wrote_meanwhile = writer.join();
        eprintln!(
            "with the snapshot: {} steps for {} pages, {wrote} rows written meanwhile; \
             without: {} steps, {wrote_meanwhile} rows written, progress {:?}",
            written.steps,
            written.pages,
            seen.len(),
            seen.iter().map(|p| p.copied).take(12).collect::<Vec<_>>()
        );
        assert!(
            seen.windows(2).any(|w| w[1].copied <= w[0].copied),
            "without the snapshot the copy restarts: {:?}",
            seen.iter().map(|p| p.copied).collect::<Vec<_>>()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_backup_refuses_an_existing_file_without_force_and_replaces_it_with() {
        let dir = temp("force");
        let db = dir.join("g.db");
        drop(database(&db, 10));
        let dest = dir.join("copy.db");
        std::fs::write(&dest, b"keep me").unwrap();
        let e = backup(&db, &dest, false, 100, &mut |_| {}).unwrap_err();
        assert!(e.contains("already exists") && e.contains("--force"), "{e}");
        assert_eq!(std::fs::read(&dest).unwrap(), b"keep me");
        let e = backup(&db, &db, true, 100, &mut |_| {}).unwrap_err();
        assert!(e.contains("the database itself"), "{e}");
        backup(&db, &dest, true, 100, &mut |_| {}).unwrap();
        assert_eq!(count(&dest), 10);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn restore_checks_the_backup_first() {
        let dir = temp("check");
        let target = dir.join("g.db");
        drop(database(&target, 5));
        let garbage = dir.join("garbage.db");
        std::fs::write(&garbage, vec![7u8; 8192]).unwrap();
        let e = restore(&garbage, &target, 100, &mut |_| {}).unwrap_err();
        assert!(
            e.contains("garbage.db")
                && e.contains("not a database")
                && e.contains("nothing was restored"),
            "{e}"
        );
        let foreign = dir.join("foreign.db");
        Raw::open(
            &foreign,
            ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE,
        )
        .unwrap()
        .exec("CREATE TABLE x (y)")
        .unwrap();
        let e = restore(&foreign, &target, 100, &mut |_| {}).unwrap_err();
        assert!(e.contains("not a groupwork database"), "{e}");
        let newer = dir.join("newer.db");
        backup(&target, &newer, false, 100, &mut |_| {}).unwrap();
        Raw::open(&newer, ffi::SQLITE_OPEN_READWRITE)
            .unwrap()
            .exec("INSERT INTO __diesel_schema_migrations (version) VALUES ('29991231000000')")
            .unwrap();
        let e = restore(&newer, &target, 100, &mut |_| {}).unwrap_err();
        assert!(
            e.contains("newer groupwork") && e.contains("29991231000000"),
            "{e}"
        );
        assert_eq!(count(&target), 5, "nothing was changed");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn restore_refuses_a_database_another_connection_has_open() {
        let dir = temp("open");
        let target = dir.join("g.db");
        let copy = dir.join("copy.db");
        let mut open = database(&target, 5);
        backup(&target, &copy, false, 100, &mut |_| {}).unwrap();
        open.batch_execute("INSERT INTO t (pad) VALUES (x'00')")
            .unwrap();
        // No groupwork lock is held: SQLite's own lock finds the connection.
        let e = restore(&copy, &target, 100, &mut |_| {}).unwrap_err();
        assert!(e.contains("open in another program"), "{e}");
        drop(open);
        assert_eq!(count(&target), 6, "nothing was changed");
        let restored = restore(&copy, &target, 100, &mut |_| {}).unwrap();
        assert_eq!(restored.integrity, "ok");
        assert_eq!(count(&target), 5);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A backup made by other tools from a WAL database says WAL mode in its header: it is
    /// restored, and neither it nor the database is left with a -wal or -shm beside it.
    #[test]
    fn a_backup_in_wal_mode_is_restored_and_left_as_found() {
        let dir = temp("walmode");
        let target = dir.join("g.db");
        drop(database(&target, 7));
        let copy = dir.join("copy.db");
        backup(&target, &copy, false, 100, &mut |_| {}).unwrap();
        let mode = Raw::open(&copy, ffi::SQLITE_OPEN_READWRITE)
            .unwrap()
            .texts("PRAGMA journal_mode = WAL")
            .unwrap();
        assert_eq!(mode, ["wal"]);
        assert_eq!(std::fs::read(&copy).unwrap()[18], 2, "the header says WAL");
        Raw::open(&target, ffi::SQLITE_OPEN_READWRITE)
            .unwrap()
            .exec("DELETE FROM t")
            .unwrap();
        restore(&copy, &target, 3, &mut |_| {}).unwrap();
        assert_eq!(count(&target), 7);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["copy.db", "g.db", "g.db.lock"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_known_migrations_are_the_versions_diesel_records() {
        let dir = temp("versions");
        let db = dir.join("g.db");
        drop(database(&db, 1));
        let raw = Raw::open(&db, ffi::SQLITE_OPEN_READONLY).unwrap();
        let recorded: BTreeSet<String> = raw
            .texts("SELECT version FROM __diesel_schema_migrations")
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(recorded, known_migrations().unwrap());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
