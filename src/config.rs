//! Configuration from `GROUPWORK_*` environment variables, with defaults that work on a fresh
//! machine. A bad value stops start-up with one clear line (`Err(String)`), never a panic.

use std::collections::HashMap;
use std::net::SocketAddr;

#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://…` selects PostgreSQL; anything else is a SQLite file path (`sqlite://` optional).
    pub database_url: String,
    pub bind: SocketAddr,
    /// When unset, a random secret is generated once and kept in the database.
    pub jwt_secret: Option<String>,
    pub log: String,
    pub pool_size: u32,
    /// HTTP worker threads; default one per core.
    pub workers: usize,
    /// Seconds to wait for a database connection before answering 503.
    pub db_timeout_secs: u64,
    pub access_token_minutes: i64,
    pub refresh_token_days: i64,
    /// Largest request body accepted, in bytes (413 beyond).
    pub body_limit: usize,
    /// Failed logins allowed per account within `login_window_secs` before 429.
    pub login_failures_per_account: u32,
    /// Login attempts allowed per client address within `login_window_secs` before 429.
    pub login_attempts_per_address: u32,
    pub login_window_secs: u64,
    /// Booking attempts one parent account may make per minute before 429.
    pub bookings_per_minute: u32,
    /// Browser origins allowed to call the API cross-origin (CORS); empty = CORS off.
    pub cors_origins: Vec<String>,
    /// Cohorts one supervisor may supervise in the same term.
    pub supervisor_cohort_limit: usize,
    /// Days after a session during which its facilitators may still mark the register;
    /// coordinators can correct it later.
    pub marking_window_days: i64,
    /// Months after a family's last activity (normally the end of their last group) before the
    /// retention job anonymises them.
    pub retention_months: u32,
    /// Months audit events are kept.
    pub audit_retention_months: u32,
    /// Months notifications are kept.
    pub notification_retention_months: u32,
    /// Whether `serve` runs the retention job once a day.
    pub retention_daily: bool,
    /// Test-only: `false` switches off the booking capacity guard so the race tests' control can
    /// show the overbooking they guard against. Set by `GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS=1`
    /// in debug builds only (the cross-process race test's control runs real `groupwork`
    /// processes, which only read the environment); a release build refuses that setting.
    pub capacity_guard: bool,
}

pub const DEFAULT_DATABASE_URL: &str = "groupwork.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: DEFAULT_DATABASE_URL.to_string(),
            bind: DEFAULT_BIND.parse().expect("default bind address is valid"),
            jwt_secret: None,
            log: "info".to_string(),
            pool_size: 10,
            workers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            db_timeout_secs: 3,
            access_token_minutes: 15,
            refresh_token_days: 30,
            body_limit: 64 * 1024,
            login_failures_per_account: 5,
            login_attempts_per_address: 30,
            login_window_secs: 15 * 60,
            bookings_per_minute: 20,
            cors_origins: Vec::new(),
            supervisor_cohort_limit: 4,
            marking_window_days: 7,
            retention_months: 24,
            audit_retention_months: 84,
            notification_retention_months: 12,
            retention_daily: true,
            capacity_guard: true,
        }
    }
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        Self::from_vars(&std::env::vars().collect())
    }

    /// Reads the settings from a map of variables (the environment, or a test's own map).
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, String> {
        let mut c = Config::default();
        let get = |name: &str| vars.get(name).filter(|v| !v.trim().is_empty()).cloned();
        if let Some(url) = get("GROUPWORK_DATABASE_URL") {
            crate::db::DbKind::from_url(&url)?;
            c.database_url = url;
        }
        if let Some(bind) = get("GROUPWORK_BIND") {
            c.bind = parse_bind(&bind)?;
        }
        if let Some(secret) = get("GROUPWORK_JWT_SECRET") {
            if secret.len() < 32 {
                return Err("GROUPWORK_JWT_SECRET must be at least 32 characters (256 bits); leave it unset to have one generated".into());
            }
            c.jwt_secret = Some(secret);
        }
        if let Some(log) = get("GROUPWORK_LOG") {
            c.log = log;
        }
        c.pool_size = number(&get, "GROUPWORK_POOL_SIZE", c.pool_size, 1, 200)?;
        c.workers = number(&get, "GROUPWORK_WORKERS", c.workers, 1, 256)?;
        c.db_timeout_secs = number(&get, "GROUPWORK_DB_TIMEOUT_SECS", c.db_timeout_secs, 1, 60)?;
        c.access_token_minutes = number(
            &get,
            "GROUPWORK_ACCESS_TOKEN_MINUTES",
            c.access_token_minutes,
            1,
            60,
        )?;
        c.refresh_token_days = number(
            &get,
            "GROUPWORK_REFRESH_TOKEN_DAYS",
            c.refresh_token_days,
            1,
            365,
        )?;
        c.body_limit = number(
            &get,
            "GROUPWORK_BODY_LIMIT",
            c.body_limit,
            1024,
            16 * 1024 * 1024,
        )?;
        c.login_failures_per_account = number(
            &get,
            "GROUPWORK_LOGIN_FAILURES_PER_ACCOUNT",
            c.login_failures_per_account,
            1,
            1000,
        )?;
        c.login_attempts_per_address = number(
            &get,
            "GROUPWORK_LOGIN_ATTEMPTS_PER_ADDRESS",
            c.login_attempts_per_address,
            1,
            100_000,
        )?;
        c.login_window_secs = number(
            &get,
            "GROUPWORK_LOGIN_WINDOW_SECS",
            c.login_window_secs,
            1,
            86_400,
        )?;
        c.bookings_per_minute = number(
            &get,
            "GROUPWORK_BOOKINGS_PER_MINUTE",
            c.bookings_per_minute,
            1,
            10_000,
        )?;
        if let Some(raw) = get("GROUPWORK_CORS_ORIGINS") {
            c.cors_origins = parse_origins(&raw)?;
        }
        c.retention_months = number(
            &get,
            "GROUPWORK_RETENTION_MONTHS",
            c.retention_months,
            1,
            1200,
        )?;
        c.audit_retention_months = number(
            &get,
            "GROUPWORK_AUDIT_RETENTION_MONTHS",
            c.audit_retention_months,
            1,
            1200,
        )?;
        c.notification_retention_months = number(
            &get,
            "GROUPWORK_NOTIFICATION_RETENTION_MONTHS",
            c.notification_retention_months,
            1,
            1200,
        )?;
        if let Some(v) = get("GROUPWORK_RETENTION_DAILY") {
            c.retention_daily = match v.trim() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => return Err("GROUPWORK_RETENTION_DAILY must be true or false".into()),
            };
        }
        c.marking_window_days = number(
            &get,
            "GROUPWORK_MARKING_WINDOW_DAYS",
            c.marking_window_days,
            0,
            365,
        )?;
        c.supervisor_cohort_limit = number(
            &get,
            "GROUPWORK_SUPERVISOR_COHORT_LIMIT",
            c.supervisor_cohort_limit,
            1,
            50,
        )?;
        c.capacity_guard = !unguarded_capacity(
            get("GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS"),
            cfg!(debug_assertions),
        )?;
        Ok(c)
    }
}

/// Whether `GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS` asks to switch the capacity guard off. Only a
/// debug build may: a production service that could overbook by a stray variable is worse than
/// one that refuses to start.
fn unguarded_capacity(raw: Option<String>, debug_build: bool) -> Result<bool, String> {
    const NAME: &str = "GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS";
    let Some(raw) = raw else { return Ok(false) };
    let off = match raw.trim() {
        "1" | "true" => true,
        "0" | "false" => false,
        _ => return Err(format!("{NAME}={raw:?} must be 1 or 0")),
    };
    if off && !debug_build {
        return Err(format!(
            "{NAME} switches off the booking capacity guard and is refused in a release build; unset it"
        ));
    }
    Ok(off)
}

/// `GROUPWORK_CORS_ORIGINS`: comma-separated origins such as `https://a.example`. Each must be
/// exactly what a browser sends in `Origin` (scheme, host, optional port; no path, no `*`), since
/// origins are compared as exact strings and a near miss would silently allow nothing.
fn parse_origins(raw: &str) -> Result<Vec<String>, String> {
    let shape =
        regex::Regex::new(r"^https?://([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$")
            .map_err(|e| e.to_string())?;
    let mut origins = Vec::new();
    for origin in raw.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let lower = origin.to_ascii_lowercase();
        if !shape.is_match(&lower) {
            return Err(format!(
                "GROUPWORK_CORS_ORIGINS: {origin:?} is not an origin; write scheme://host[:port] with no path or wildcard, e.g. https://parents.example.org"
            ));
        }
        if !origins.contains(&lower) {
            origins.push(lower);
        }
    }
    Ok(origins)
}

pub fn parse_bind(value: &str) -> Result<SocketAddr, String> {
    value.parse().map_err(|_| {
        format!("bind address {value:?} is not of the form HOST:PORT, e.g. 127.0.0.1:8080")
    })
}

fn number<T>(
    get: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: T,
    min: T,
    max: T,
) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let Some(raw) = get(name) else {
        return Ok(default);
    };
    match raw.trim().parse::<T>() {
        Ok(v) if v >= min && v <= max => Ok(v),
        _ => Err(format!(
            "{name}={raw:?} must be a whole number from {min} to {max}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_work_on_a_fresh_machine() {
        let c = Config::from_vars(&HashMap::new()).unwrap();
        assert_eq!(c.database_url, "groupwork.db");
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert!(c.jwt_secret.is_none());
    }

    #[test]
    fn bad_settings_give_one_clear_line() {
        let e = Config::from_vars(&vars(&[("GROUPWORK_BIND", "localhost")])).unwrap_err();
        assert!(e.contains("HOST:PORT"), "{e}");
        let e = Config::from_vars(&vars(&[("GROUPWORK_JWT_SECRET", "short")])).unwrap_err();
        assert!(e.contains("at least 32"), "{e}");
        let e = Config::from_vars(&vars(&[("GROUPWORK_POOL_SIZE", "lots")])).unwrap_err();
        assert!(e.contains("GROUPWORK_POOL_SIZE"), "{e}");
        let e = Config::from_vars(&vars(&[("GROUPWORK_DATABASE_URL", "mysql://x")])).unwrap_err();
        assert!(e.contains("mysql"), "{e}");
        assert!(!e.contains('\n'));
    }

    #[test]
    fn the_capacity_guard_is_off_only_when_asked_in_a_debug_build() {
        let c = Config::from_vars(&HashMap::new()).unwrap();
        assert!(c.capacity_guard, "on by default");
        let unset = |v: &str| {
            Config::from_vars(&vars(&[("GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS", v)]))
                .map(|c| c.capacity_guard)
        };
        // `cargo test` builds with debug assertions, so the variable works here.
        assert_eq!(unset("1"), Ok(false));
        assert_eq!(unset("true"), Ok(false));
        assert_eq!(unset("0"), Ok(true));
        assert_eq!(unset(""), Ok(true), "empty counts as unset");
        let e = unset("yes please").unwrap_err();
        assert!(e.contains("GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS"), "{e}");
        // A release build refuses to switch the guard off, with one line saying why.
        let e = unguarded_capacity(Some("1".into()), false).unwrap_err();
        assert!(e.contains("release build") && !e.contains('\n'), "{e}");
        assert_eq!(unguarded_capacity(Some("0".into()), false), Ok(false));
        assert_eq!(unguarded_capacity(None, false), Ok(false));
    }

    #[test]
    fn cors_origins_and_the_booking_limit() {
        let c = Config::from_vars(&HashMap::new()).unwrap();
        assert!(c.cors_origins.is_empty(), "CORS is off by default");
        assert_eq!(c.bookings_per_minute, 20);
        let c = Config::from_vars(&vars(&[
            (
                "GROUPWORK_CORS_ORIGINS",
                " https://A.example , http://localhost:5173,,https://a.example",
            ),
            ("GROUPWORK_BOOKINGS_PER_MINUTE", "5"),
        ]))
        .unwrap();
        assert_eq!(
            c.cors_origins,
            ["https://a.example", "http://localhost:5173"],
            "trimmed, lower-cased, without repeats"
        );
        assert_eq!(c.bookings_per_minute, 5);
        for bad in [
            "*",
            "https://a.example/",
            "a.example",
            "ftp://a.example",
            "https://*.example",
        ] {
            let e = Config::from_vars(&vars(&[("GROUPWORK_CORS_ORIGINS", bad)])).unwrap_err();
            assert!(
                e.contains("GROUPWORK_CORS_ORIGINS") && !e.contains('\n'),
                "{bad}: {e}"
            );
        }
        let e = Config::from_vars(&vars(&[("GROUPWORK_BOOKINGS_PER_MINUTE", "0")])).unwrap_err();
        assert!(e.contains("GROUPWORK_BOOKINGS_PER_MINUTE"), "{e}");
    }

    #[test]
    fn postgres_url_is_accepted() {
        let c =
            Config::from_vars(&vars(&[("GROUPWORK_DATABASE_URL", "postgres://u@h/db")])).unwrap();
        assert_eq!(c.database_url, "postgres://u@h/db");
    }
}
