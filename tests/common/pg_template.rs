//! Fresh PostgreSQL databases for the tests and benches, each a copy of one migrated template.
//!
//! Running every migration into every test's database is slow; `CREATE DATABASE … TEMPLATE`
//! copies an already migrated one in a fraction of the time. The template is named by a hash of
//! `migrations/postgres` (folder names and file contents), so a changed migration set gets a
//! template of its own and a stale one is never reused. It is built once per migration set:
//! once per process (a mutex) and once across processes — `tests/api` and `tests/faults` run at
//! the same time — under a PostgreSQL advisory lock on the admin database, which copies take
//! shared. It is built under a `_build` name and renamed only when migrated, so a run killed
//! half-way leaves nothing that looks finished, and it allows no connections, so nothing can
//! hold it open while it is copied. Templates of other migration sets (and half-built ones) are
//! dropped when a new one is built, so they do not pile up; a run still using one that was
//! dropped under it simply builds it again. The app still runs its migrations when it starts:
//! it finds none pending.
//!
//! Included by path from `tests/api`, `tests/faults.rs` and `benches/support`.

use diesel::sql_types::Text;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// Serialises building and dropping templates (exclusive) against copying them (shared).
/// Distinct from the app's own migration lock.
const TEMPLATE_LOCK_KEY: i64 = 0x6777_7465_6d70;
/// Every template, finished or half-built, and nothing else, is named with this prefix.
const TEMPLATE_PREFIX: &str = "gw_tpl_";

/// The PostgreSQL server the tests use: GROUPWORK_TEST_POSTGRES_URL, or the local one.
pub fn admin_url() -> String {
    std::env::var("GROUPWORK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// `url` with its database name replaced by `name` (any `?query` kept).
pub fn replace_db_name(url: &str, name: &str) -> String {
    let (head, tail) = url
        .rsplit_once('/')
        .expect("a PostgreSQL URL names a database");
    let query = tail
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    format!("{head}/{name}{query}")
}

/// Why no database could be made.
#[derive(Debug)]
pub enum PgError {
    /// No PostgreSQL to talk to (the caller says NOT TESTED, or fails in CI).
    Unavailable(String),
    /// PostgreSQL is there but something went wrong.
    Failed(String),
}

/// A migrated database of the caller's own, dropped (WITH FORCE: an app may still hold
/// connections) when this is dropped.
pub struct PgDb {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDb {
    /// A copy of the migrated template named `name` (an existing database of that name is
    /// dropped first), on [`admin_url`]'s server.
    pub fn create(name: &str) -> Result<PgDb, PgError> {
        let admin_url = admin_url();
        let mut admin = PgConnection::establish(&admin_url).map_err(|e| {
            // libpq's message spans lines; one line reads better.
            let why = e
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            PgError::Unavailable(format!("cannot connect to {admin_url}: {why}"))
        })?;
        copy_template(&mut admin, &admin_url, name)
            .map_err(|e| PgError::Failed(format!("cannot create database {name}: {e}")))?;
        Ok(PgDb {
            url: replace_db_name(&admin_url, name),
            admin_url,
            name: name.to_string(),
        })
    }

    // Not every binary that includes this file names its databases.
    #[allow(dead_code)]
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if let Ok(mut c) = PgConnection::establish(&self.admin_url) {
            let _ = execute(
                &mut c,
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            );
        }
    }
}

fn execute(conn: &mut PgConnection, sql: &str) -> Result<(), String> {
    diesel::sql_query(sql)
        .execute(conn)
        .map(|_| ())
        .map_err(|e| format!("{sql}: {e}"))
}

/// `CREATE DATABASE name TEMPLATE <template>`, building the template first if need be.
fn copy_template(admin: &mut PgConnection, admin_url: &str, name: &str) -> Result<(), String> {
    execute(
        admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )?;
    let mut tries = 0;
    loop {
        let template = template(admin, admin_url)?;
        execute(
            admin,
            &format!("SELECT pg_advisory_lock_shared({TEMPLATE_LOCK_KEY})"),
        )?;
        let copied = execute(
            admin,
            &format!("CREATE DATABASE {name} TEMPLATE {template}"),
        );
        execute(
            admin,
            &format!("SELECT pg_advisory_unlock_shared({TEMPLATE_LOCK_KEY})"),
        )?;
        let Err(e) = copied else {
            return Ok(());
        };
        tries += 1;
        if tries == 20 {
            return Err(e);
        }
        if e.contains("does not exist") {
            // A run of another migration set dropped it: build it again.
            forget(&template);
        } else if e.contains("being accessed by other users") {
            // Nothing should connect to a template that allows no connections; should
            // something still, it will be gone in a moment.
            std::thread::sleep(Duration::from_millis(100));
        } else {
            return Err(e);
        }
    }
}

/// The name of the process's template, built this time only if no run has built it yet.
static TEMPLATE: Mutex<Option<String>> = Mutex::new(None);

fn template(admin: &mut PgConnection, admin_url: &str) -> Result<String, String> {
    // A test that panicked while holding this lock left nothing half-done in it.
    let mut cached = TEMPLATE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(name) = cached.as_ref() {
        return Ok(name.clone());
    }
    let name = format!("{TEMPLATE_PREFIX}{}", migrations_hash()?);
    execute(
        admin,
        &format!("SELECT pg_advisory_lock({TEMPLATE_LOCK_KEY})"),
    )?;
    let built = build_template(admin, admin_url, &name);
    // Disconnecting would release it too, should this fail.
    let _ = execute(
        admin,
        &format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK_KEY})"),
    );
    built?;
    *cached = Some(name.clone());
    Ok(name)
}

/// Forgets `name` so the next copy builds it again.
fn forget(name: &str) {
    let mut cached = TEMPLATE.lock().unwrap_or_else(|e| e.into_inner());
    if cached.as_deref() == Some(name) {
        *cached = None;
    }
}

#[derive(QueryableByName)]
struct Database {
    #[diesel(sql_type = Text)]
    datname: String,
}

/// Builds the template `name` unless it is there. Called holding the advisory lock, so no other
/// process is building or copying a template meanwhile.
fn build_template(admin: &mut PgConnection, admin_url: &str, name: &str) -> Result<(), String> {
    let templates: Vec<Database> = diesel::sql_query(format!(
        "SELECT datname FROM pg_database WHERE left(datname, {}) = '{TEMPLATE_PREFIX}'",
        TEMPLATE_PREFIX.len()
    ))
    .load(admin)
    .map_err(|e| format!("cannot list the templates: {e}"))?;
    if templates.iter().any(|d| d.datname == name) {
        return Ok(());
    }
    // Another migration set's, or one a killed run left half-built.
    for old in templates {
        let old = old.datname;
        execute(admin, &format!("ALTER DATABASE {old} IS_TEMPLATE false"))?;
        execute(admin, &format!("DROP DATABASE {old} WITH (FORCE)"))?;
    }
    let build = format!("{name}_build");
    execute(admin, &format!("CREATE DATABASE {build}"))?;
    {
        let url = replace_db_name(admin_url, &build);
        let mut conn = groupwork::db::DbManager::new(&url)?
            .open()
            .map_err(|e| e.0)?;
        groupwork::db::run_migrations(&mut conn)?;
        // Closed here: a database being renamed or copied must have no connections.
    }
    execute(
        admin,
        &format!("ALTER DATABASE {build} IS_TEMPLATE true ALLOW_CONNECTIONS false"),
    )?;
    execute(admin, &format!("ALTER DATABASE {build} RENAME TO {name}"))
}

/// The first 16 hex digits of a SHA-256 over `migrations/postgres`: each file's path (relative,
/// in sorted order), length and contents.
fn migrations_hash() -> Result<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut files = Vec::new();
    list_files(&root, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(format!("no migrations under {}", root.display()));
    }
    let mut hash = Sha256::new();
    for file in files {
        let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let relative = file.strip_prefix(&root).unwrap_or(&file);
        hash.update(relative.to_string_lossy().as_bytes());
        hash.update([0]);
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
    }
    Ok(hex::encode(hash.finalize())[..16].to_string())
}

fn list_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            list_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}
