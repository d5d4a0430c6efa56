//! Configuration: every setting is a `GROUPWORK_*` environment variable and also a command-line
//! flag of the subcommands that read it (`groupwork serve --pool-size 20`, a flag winning over its
//! variable), parsed by clap, with defaults that work on a fresh machine. A bad value stops
//! start-up with one clear line of our own (`Err(String)`, or [`bad_setting`] on a clap error),
//! never a panic. A blank variable counts as unset.

use clap::builder::TypedValueParser;
use clap::{Arg, ArgAction, Args, Command, FromArgMatches};
use std::collections::HashMap;
use std::ffi::OsStr;
use std::net::SocketAddr;
use std::sync::Arc;

/// The settings, flattened into each `groupwork` subcommand that reads them: every field is a flag
/// with its `GROUPWORK_*` variable, its default and our own value parser (see `Setting`).
#[derive(Debug, Clone, PartialEq, Args)]
#[command(
    next_help_heading = "Configuration (each a flag or its [env: …] variable; the flag wins)"
)]
pub struct Config {
    /// A SQLite file path (`sqlite://` optional), or `postgres://…` for PostgreSQL.
    #[arg(long, env = "GROUPWORK_DATABASE_URL", value_name = "URL",
          default_value = DEFAULT_DATABASE_URL, hide_env_values = true,
          value_parser = setting(database_url))]
    pub database_url: String,
    /// The address to listen on.
    #[arg(long, env = "GROUPWORK_BIND", value_name = "HOST:PORT",
          default_value = DEFAULT_BIND, value_parser = setting(|_, v| parse_bind(v)))]
    pub bind: SocketAddr,
    /// The token signing secret, at least 32 characters. When unset, a random secret is generated
    /// once and kept in the database. Prefer the variable: a command line is visible to others.
    #[arg(long, env = "GROUPWORK_JWT_SECRET", value_name = "SECRET",
          default_value = "", hide_default_value = true, hide_env_values = true,
          value_parser = setting(jwt_secret))]
    pub jwt_secret: ::std::option::Option<String>,
    /// The log filter (`tracing` env-filter syntax).
    #[arg(long, env = "GROUPWORK_LOG", value_name = "FILTER", default_value = "info",
          value_parser = setting(|_, v| Ok(v.to_string())))]
    pub log: String,
    /// How log lines are written: `text`, or `json` (one object per line, for log shippers).
    #[arg(long, env = "GROUPWORK_LOG_FORMAT", value_name = "text|json", default_value = "text",
          value_parser = setting(log_format))]
    pub log_format: crate::logging::LogFormat,
    /// Database connections per process.
    #[arg(long, env = "GROUPWORK_POOL_SIZE", value_name = "N", default_value_t = 10,
          value_parser = number::<u32>(1, 200))]
    pub pool_size: u32,
    /// HTTP worker threads; default one per core.
    #[arg(long, env = "GROUPWORK_WORKERS", value_name = "N", default_value_t = one_per_core(),
          hide_default_value = true, value_parser = number::<usize>(1, 256))]
    pub workers: usize,
    /// Seconds to wait for a database connection before answering 503.
    #[arg(long, env = "GROUPWORK_DB_TIMEOUT_SECS", value_name = "SECS", default_value_t = 3,
          value_parser = number::<u64>(1, 60))]
    pub db_timeout_secs: u64,
    /// Access token lifetime in minutes.
    #[arg(long, env = "GROUPWORK_ACCESS_TOKEN_MINUTES", value_name = "MINUTES",
          default_value_t = 15, value_parser = number::<i64>(1, 60))]
    pub access_token_minutes: i64,
    /// Refresh token lifetime in days.
    #[arg(long, env = "GROUPWORK_REFRESH_TOKEN_DAYS", value_name = "DAYS",
          default_value_t = 30, value_parser = number::<i64>(1, 365))]
    pub refresh_token_days: i64,
    /// Largest request body accepted, in bytes (413 beyond).
    #[arg(long, env = "GROUPWORK_BODY_LIMIT", value_name = "BYTES", default_value_t = 64 * 1024,
          value_parser = number::<usize>(1024, 16 * 1024 * 1024))]
    pub body_limit: usize,
    /// Failed logins allowed per account within the login window before 429.
    #[arg(long, env = "GROUPWORK_LOGIN_FAILURES_PER_ACCOUNT", value_name = "N",
          default_value_t = 5, value_parser = number::<u32>(1, 1000))]
    pub login_failures_per_account: u32,
    /// Login attempts allowed per client address within the login window before 429.
    #[arg(long, env = "GROUPWORK_LOGIN_ATTEMPTS_PER_ADDRESS", value_name = "N",
          default_value_t = 30, value_parser = number::<u32>(1, 100_000))]
    pub login_attempts_per_address: u32,
    /// The login rate-limit window in seconds.
    #[arg(long, env = "GROUPWORK_LOGIN_WINDOW_SECS", value_name = "SECS",
          default_value_t = 15 * 60, value_parser = number::<u64>(1, 86_400))]
    pub login_window_secs: u64,
    /// Parent accounts that may be registered from one client address per hour before 429.
    #[arg(long, env = "GROUPWORK_REGISTRATIONS_PER_ADDRESS", value_name = "N",
          default_value_t = 20, value_parser = number::<u32>(1, 100_000))]
    pub registrations_per_address: u32,
    /// Password-reset requests allowed per client address per hour before 429.
    #[arg(long, env = "GROUPWORK_PASSWORD_RESETS_PER_ADDRESS", value_name = "N",
          default_value_t = 10, value_parser = number::<u32>(1, 100_000))]
    pub password_resets_per_address: u32,
    /// Password-reset requests allowed per email address per hour before 429.
    #[arg(long, env = "GROUPWORK_PASSWORD_RESETS_PER_EMAIL", value_name = "N",
          default_value_t = 3, value_parser = number::<u32>(1, 1000))]
    pub password_resets_per_email: u32,
    /// Booking attempts one parent account may make per minute before 429.
    #[arg(long, env = "GROUPWORK_BOOKINGS_PER_MINUTE", value_name = "N", default_value_t = 20,
          value_parser = number::<u32>(1, 10_000))]
    pub bookings_per_minute: u32,
    /// Browser origins allowed to call the API cross-origin (CORS), comma-separated, e.g.
    /// `https://parents.example.org`; empty = CORS off.
    #[arg(long, env = "GROUPWORK_CORS_ORIGINS", value_name = "ORIGINS",
          default_value = "", hide_default_value = true, value_parser = setting(parse_origins))]
    pub cors_origins: ::std::vec::Vec<String>,
    /// Cohorts one supervisor may supervise in the same term.
    #[arg(long, env = "GROUPWORK_SUPERVISOR_COHORT_LIMIT", value_name = "N",
          default_value_t = 4, value_parser = number::<usize>(1, 50))]
    pub supervisor_cohort_limit: usize,
    /// Days after a session during which its facilitators may still mark the register;
    /// coordinators can correct it later.
    #[arg(long, env = "GROUPWORK_MARKING_WINDOW_DAYS", value_name = "DAYS",
          default_value_t = 7, value_parser = number::<i64>(0, 365))]
    pub marking_window_days: i64,
    /// Months after a family's last activity (normally the end of their last group) before the
    /// retention job anonymises them.
    #[arg(long, env = "GROUPWORK_RETENTION_MONTHS", value_name = "MONTHS",
          default_value_t = 24, value_parser = number::<u32>(1, 1200))]
    pub retention_months: u32,
    /// Months audit events are kept.
    #[arg(long, env = "GROUPWORK_AUDIT_RETENTION_MONTHS", value_name = "MONTHS",
          default_value_t = 84, value_parser = number::<u32>(1, 1200))]
    pub audit_retention_months: u32,
    /// Months notifications are kept.
    #[arg(long, env = "GROUPWORK_NOTIFICATION_RETENTION_MONTHS", value_name = "MONTHS",
          default_value_t = 12, value_parser = number::<u32>(1, 1200))]
    pub notification_retention_months: u32,
    /// Whether `serve` runs the retention job once a day.
    #[arg(long, env = "GROUPWORK_RETENTION_DAILY", value_name = "true|false",
          default_value_t = true, action = ArgAction::Set, value_parser = setting(retention_daily))]
    pub retention_daily: bool,
    /// Test-only: `false` switches off the booking capacity guard so the race tests' control can
    /// show the overbooking they guard against. Set by `GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS=1`
    /// (or the hidden flag `--unguarded-capacity-for-tests 1`) in debug builds only (the
    /// cross-process race test's control runs real `groupwork` processes); a release build
    /// refuses that setting.
    #[arg(long = "unguarded-capacity-for-tests", env = "GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS",
          value_name = "1|0", default_value = "0", hide = true, action = ArgAction::Set,
          value_parser = setting(|name, v| Ok(!unguarded_capacity(name, v, cfg!(debug_assertions))?)))]
    pub capacity_guard: bool,
    /// Test-only: `false` makes delivery workers take due messages without locking them (read the
    /// due rows, then mark them), so the two-process delivery test's control can show the double
    /// sends the lock prevents. Set by `GROUPWORK_UNGUARDED_OUTBOX_FOR_TESTS=1` (or the hidden flag
    /// `--unguarded-outbox-for-tests 1`) in debug builds only; a release build refuses it.
    #[arg(long = "unguarded-outbox-for-tests", env = "GROUPWORK_UNGUARDED_OUTBOX_FOR_TESTS",
          value_name = "1|0", default_value = "0", hide = true, action = ArgAction::Set,
          value_parser = setting(|name, v| Ok(!unguarded_outbox(name, v, cfg!(debug_assertions))?)))]
    pub outbox_guard: bool,
    /// Where families see their bookings (the centre's own front end): every message links to it.
    #[arg(long, env = "GROUPWORK_FAMILY_URL", value_name = "URL",
          default_value = crate::service::DEFAULT_FAMILY_LINK, value_parser = setting(web_url))]
    pub family_url: String,
    /// The address families reach this service at, for the links the public pages print (QR
    /// codes, search engines' event data), e.g. `https://groups.lambeth.example`.
    #[arg(long, env = "GROUPWORK_PUBLIC_URL", value_name = "URL",
          default_value = DEFAULT_PUBLIC_URL, value_parser = setting(web_url))]
    pub public_url: String,
    /// The centre's booking page the public programme's "Book a place" goes to: `{id}` is
    /// replaced by the group's id (without it, `group=<id>` is added).
    #[arg(long, env = "GROUPWORK_BOOKING_URL", value_name = "URL",
          default_value = DEFAULT_BOOKING_URL, value_parser = setting(web_url))]
    pub booking_url: String,
    /// The phone number the public pages give for families who would rather call.
    #[arg(long, env = "GROUPWORK_CENTRE_PHONE", value_name = "PHONE", default_value = "",
          hide_default_value = true, value_parser = setting(centre_phone))]
    pub centre_phone: String,
    /// Websites allowed to show the public programme in an iframe (`?embed=1`), comma-separated
    /// origins, e.g. `https://www.lambeth.example`; empty = only this service itself.
    #[arg(long, env = "GROUPWORK_EMBED_ORIGINS", value_name = "ORIGINS",
          default_value = "", hide_default_value = true, value_parser = setting(parse_origins))]
    pub embed_origins: ::std::vec::Vec<String>,
    /// The SMTP server emails go through: `smtp://host:25`, `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465` (TLS). Unset: emails go through GOV.UK Notify
    /// if it is set up, otherwise they are written to GROUPWORK_MAIL_DIR.
    #[arg(long, env = "GROUPWORK_SMTP_URL", value_name = "URL", default_value = "",
          hide_default_value = true, hide_env_values = true, value_parser = setting(optional))]
    pub smtp_url: ::std::option::Option<String>,
    /// The sender of emails, e.g. `Stockwell Children's Centre <groups@centre.example>`.
    #[arg(long, env = "GROUPWORK_MAIL_FROM", value_name = "ADDRESS",
          default_value = "groupwork <groupwork@localhost>", value_parser = setting(mail_from))]
    pub mail_from: String,
    /// Connections the SMTP pool keeps open between sends (sends in flight: up to the batch).
    #[arg(long, env = "GROUPWORK_SMTP_POOL", value_name = "N", default_value_t = 4,
          value_parser = number::<u32>(1, 64))]
    pub smtp_pool: u32,
    /// Where messages are written as files when no SMTP server (emails) or Notify (texts) is
    /// set up: `.eml` files any mail program opens, `.sms.txt` for texts.
    #[arg(long, env = "GROUPWORK_MAIL_DIR", value_name = "DIR", default_value = "mail",
          value_parser = setting(|_, v| Ok(v.trim().to_string())))]
    pub mail_dir: String,
    /// A GOV.UK Notify API key: texts (and emails, when GROUPWORK_SMTP_URL is unset) go through
    /// Notify. Prefer the variable: a command line is visible to others.
    #[arg(long, env = "GROUPWORK_NOTIFY_API_KEY", value_name = "KEY", default_value = "",
          hide_default_value = true, hide_env_values = true, value_parser = setting(optional))]
    pub notify_api_key: ::std::option::Option<String>,
    /// Notify's address (its own, unless testing).
    #[arg(long, env = "GROUPWORK_NOTIFY_BASE_URL", value_name = "URL",
          default_value = "https://api.notifications.service.gov.uk", value_parser = setting(web_url))]
    pub notify_base_url: String,
    /// The Notify template of each kind of message: `kind.channel=template-id`, comma-separated,
    /// `*` for any kind (`*.email=…,*.sms=…`). Each template's content is `((body))`, and an
    /// email template's subject `((subject))`.
    #[arg(long, env = "GROUPWORK_NOTIFY_TEMPLATES", value_name = "LIST", default_value = "",
          value_parser = setting(notify_templates))]
    pub notify_templates: String,
    /// The longest a rendered public listing is served from memory. A change made in this
    /// process (or, on PostgreSQL, in another one: `service::listing_watch`) is shown at once;
    /// this bounds the staleness only if a change notice was missed.
    #[arg(long, env = "GROUPWORK_LISTING_TTL_MS", value_name = "MS", default_value_t = 1000,
          value_parser = number::<u64>(1, 3_600_000))]
    pub listing_ttl_ms: u64,
    /// On PostgreSQL, whether `serve` listens for other processes' listing changes (off only to
    /// show what it prevents: the tests' control).
    #[arg(long, env = "GROUPWORK_LISTING_WATCH", value_name = "true|false", default_value_t = true,
          action = ArgAction::Set, value_parser = setting(retention_daily))]
    pub listing_watch: bool,
    /// On SIGTERM or SIGINT, how long `serve` waits for the requests in flight and the messages
    /// being sent to finish before it exits anyway.
    #[arg(long, env = "GROUPWORK_SHUTDOWN_TIMEOUT_SECS", value_name = "SECONDS", default_value_t = 10,
          value_parser = number::<u64>(1, 300))]
    pub shutdown_timeout_secs: u64,
    /// On SIGTERM or SIGINT, how long `serve` first goes on serving while `GET /health` answers
    /// 503 `draining`, so a load balancer polling it stops sending new connections before the
    /// listener closes (a connection still waiting to be accepted then would be reset). A
    /// second signal ends the drain at once; 0 skips it.
    #[arg(long, env = "GROUPWORK_SHUTDOWN_DRAIN_MS", value_name = "MS", default_value_t = 2000,
          value_parser = number::<u64>(0, 300_000))]
    pub shutdown_drain_ms: u64,
    /// Whether `serve` delivers messages (and queues reminders) itself. With false, run
    /// `groupwork deliver` (or another process) to send them.
    #[arg(long, env = "GROUPWORK_DELIVERY", value_name = "true|false", default_value_t = true,
          action = ArgAction::Set, value_parser = setting(retention_daily))]
    pub delivery: bool,
    /// The longest the delivery worker sleeps with nothing to send (a new message wakes it at once).
    #[arg(long, env = "GROUPWORK_DELIVERY_POLL_MS", value_name = "MS", default_value_t = 5000,
          value_parser = number::<u64>(10, 600_000))]
    pub delivery_poll_ms: u64,
    /// Messages a worker takes at once, and the most it has in flight.
    #[arg(long, env = "GROUPWORK_DELIVERY_BATCH", value_name = "N", default_value_t = 50,
          value_parser = number::<i64>(1, 1000))]
    pub delivery_batch: i64,
    /// How long a taken message is its worker's before another may take it (a worker that died).
    #[arg(long, env = "GROUPWORK_DELIVERY_LEASE_SECS", value_name = "SECS", default_value_t = 300,
          value_parser = number::<i64>(1, 86_400))]
    pub delivery_lease_secs: i64,
    /// The first wait before a failed send is tried again; it doubles each time.
    #[arg(long, env = "GROUPWORK_RETRY_BASE_MS", value_name = "MS", default_value_t = 30_000,
          value_parser = number::<i64>(10, 3_600_000))]
    pub retry_base_ms: i64,
    /// The longest wait between tries.
    #[arg(long, env = "GROUPWORK_RETRY_CAP_SECS", value_name = "SECS", default_value_t = 3600,
          value_parser = number::<i64>(1, 86_400))]
    pub retry_cap_secs: i64,
    /// Tries before a message is given up as failed.
    #[arg(long, env = "GROUPWORK_DELIVERY_ATTEMPTS", value_name = "N", default_value_t = 12,
          value_parser = number::<i32>(1, 100))]
    pub delivery_attempts: i32,
    /// The token Prometheus sends to read `GET /metrics` on the API's port
    /// (`Authorization: Bearer <token>`), at least 16 characters. Unset: no /metrics there.
    /// Prefer the variable: a command line is visible to others.
    #[arg(long, env = "GROUPWORK_METRICS_TOKEN", value_name = "TOKEN",
          default_value = "", hide_default_value = true, hide_env_values = true,
          value_parser = setting(metrics_token))]
    pub metrics_token: ::std::option::Option<String>,
    /// Serve `GET /metrics` on this address instead (e.g. `127.0.0.1:9464`), apart from the API
    /// and with no token, and not on the API's port.
    #[arg(long, env = "GROUPWORK_METRICS_BIND", value_name = "HOST:PORT",
          default_value = "", hide_default_value = true,
          value_parser = setting(metrics_bind))]
    pub metrics_bind: ::std::option::Option<SocketAddr>,
}

pub const DEFAULT_DATABASE_URL: &str = "groupwork.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

impl Default for Config {
    /// Every setting's default (its `default_value` above), whatever the environment says.
    // The defaults are constants of this file, parsed by a unit test on every run: no input
    // from anyone reaches this expect.
    #[allow(clippy::expect_used)]
    fn default() -> Self {
        parse(without_env(command()), Vec::new()).expect("the defaults are valid settings")
    }
}

impl Config {
    /// The settings from the `GROUPWORK_*` environment variables alone, for a caller with no
    /// command line of its own (the benchmarks). `groupwork` itself flattens `Config` into its
    /// subcommands, so there each setting is also a flag.
    pub fn from_env() -> Result<Self, String> {
        parse(command(), Vec::new())
    }

    /// Reads the settings from a map of variables as if it were the environment (and nothing
    /// else were): each variable's value goes to its flag, so through the same parser and
    /// default as the variable itself.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, String> {
        let cmd = command();
        let flags = cmd
            .get_arguments()
            .filter_map(|arg| {
                let value = vars.get(arg.get_env()?.to_str()?)?;
                Some(format!("--{}={value}", arg.get_long()?))
            })
            .collect();
        parse(without_env(cmd), flags)
    }
}

/// Our own one-line message when a command line failed on a setting's bad value (from a flag or
/// its variable); `None` for clap's usual errors (an unknown flag, `--help`, …), which clap
/// reports itself.
pub fn bad_setting(error: &clap::Error) -> Option<String> {
    if error.kind() != clap::error::ErrorKind::ValueValidation {
        return None;
    }
    std::error::Error::source(error).map(|e| e.to_string())
}

/// The settings alone, as a command (its variables read now, when the arguments are built).
fn command() -> Command {
    Config::augment_args(Command::new("groupwork"))
}

fn without_env(cmd: Command) -> Command {
    cmd.mut_args(|arg| arg.env(None::<&'static str>))
}

fn parse(cmd: Command, flags: Vec<String>) -> Result<Config, String> {
    let one_line = |e: clap::Error| {
        bad_setting(&e).unwrap_or_else(|| {
            let text = e.to_string();
            let line = text.lines().next().unwrap_or_default();
            line.trim_start_matches("error: ").to_string()
        })
    };
    let args = std::iter::once("groupwork".to_string()).chain(flags);
    let matches = cmd.try_get_matches_from(args).map_err(one_line)?;
    Config::from_arg_matches(&matches).map_err(one_line)
}

/// The value parser of every setting: `parse` gets the setting's variable name (for its message)
/// and the raw value, and gives our own one-line message for a bad one, which [`bad_setting`]
/// finds again. A blank value (an empty `GROUPWORK_…=` line in a compose file, say) counts as
/// unset, that is as the setting's default.
#[derive(Clone)]
struct Setting<T>(Arc<Parse<T>>);

/// (the variable's name, the raw value) → the value, or our message.
type Parse<T> = dyn Fn(&str, &str) -> Result<T, String> + Send + Sync;

fn setting<T>(
    parse: impl Fn(&str, &str) -> Result<T, String> + Send + Sync + 'static,
) -> Setting<T> {
    Setting(Arc::new(parse))
}

impl<T: Clone + Send + Sync + 'static> TypedValueParser for Setting<T> {
    type Value = T;

    fn parse_ref(&self, cmd: &Command, arg: Option<&Arg>, value: &OsStr) -> Result<T, clap::Error> {
        let default = arg.and_then(|a| a.get_default_values().first());
        let value = match (value.to_str(), default) {
            (Some(v), Some(default)) if v.trim().is_empty() => default.as_os_str(),
            _ => value,
        };
        // The setting's variable, named after its flag (a test holds every `env` to that): the
        // variable itself is left out when `Config::from_vars` or `Default` parse.
        let name = arg
            .and_then(Arg::get_long)
            .map(|long| format!("GROUPWORK_{}", long.to_uppercase().replace('-', "_")))
            .unwrap_or_default();
        let parse = Arc::clone(&self.0);
        // clap's own parser for a closure wraps our message as the error's source.
        (move |v: &str| parse(&name, v)).parse_ref(cmd, arg, value)
    }
}

/// A whole number from `min` to `max`.
fn number<T>(min: T, max: T) -> Setting<T>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy + Send + Sync + 'static,
{
    setting(move |name, raw| match raw.trim().parse::<T>() {
        Ok(v) if v >= min && v <= max => Ok(v),
        _ => Err(format!(
            "{name}={raw:?} must be a whole number from {min} to {max}"
        )),
    })
}

fn one_per_core() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

fn database_url(_: &str, url: &str) -> Result<String, String> {
    crate::db::DbKind::from_url(url)?;
    Ok(url.to_string())
}

/// `None` (blank) has a random secret generated once and kept in the database.
fn jwt_secret(name: &str, secret: &str) -> Result<Option<String>, String> {
    if secret.trim().is_empty() {
        return Ok(None);
    }
    if secret.len() < 32 {
        return Err(format!("{name} must be at least 32 characters (256 bits); leave it unset to have one generated"));
    }
    Ok(Some(secret.to_string()))
}

/// Blank is unset.
fn optional(_: &str, raw: &str) -> Result<Option<String>, String> {
    Ok(Some(raw.trim().to_string()).filter(|v| !v.is_empty()))
}

/// `None` (blank): no `/metrics` on the API's port. A bearer token is sent in a header, so
/// printable ASCII without spaces; long enough not to be guessed.
fn metrics_token(name: &str, raw: &str) -> Result<Option<String>, String> {
    let token = raw.trim();
    if token.is_empty() {
        return Ok(None);
    }
    if token.len() < 16 || !token.chars().all(|c| c.is_ascii_graphic()) {
        return Err(format!(
            "{name} must be at least 16 characters: letters, digits and punctuation, no spaces"
        ));
    }
    Ok(Some(token.to_string()))
}

/// `None` (blank): metrics, if any, on the API's own port.
fn metrics_bind(name: &str, raw: &str) -> Result<Option<SocketAddr>, String> {
    match raw.trim() {
        "" => Ok(None),
        addr => parse_bind(addr)
            .map(Some)
            .map_err(|e| format!("{name}: {e}")),
    }
}

/// Where the service says it is when nothing else is set (the `serve` default bind).
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";
pub const DEFAULT_BOOKING_URL: &str = "http://127.0.0.1:8080/book?group={id}";

fn centre_phone(name: &str, raw: &str) -> Result<String, String> {
    let phone = raw.trim();
    if phone.chars().count() <= 30
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-'))
    {
        Ok(phone.to_string())
    } else {
        Err(format!("{name}={raw:?} must be a phone number"))
    }
}

fn web_url(name: &str, raw: &str) -> Result<String, String> {
    let url = raw.trim();
    if (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > 8
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        Ok(url.to_string())
    } else {
        Err(format!(
            "{name}={raw:?} must be an http:// or https:// address"
        ))
    }
}

fn mail_from(name: &str, raw: &str) -> Result<String, String> {
    raw.trim()
        .parse::<lettre::message::Mailbox>()
        .map(|_| raw.trim().to_string())
        .map_err(|e| format!("{name}={raw:?} is not an email address: {e}"))
}

fn notify_templates(name: &str, raw: &str) -> Result<String, String> {
    crate::messages::notify::parse_templates(raw).map_err(|e| format!("{name}: {e}"))?;
    Ok(raw.trim().to_string())
}

fn log_format(name: &str, raw: &str) -> Result<crate::logging::LogFormat, String> {
    match raw.trim() {
        "text" => Ok(crate::logging::LogFormat::Text),
        "json" => Ok(crate::logging::LogFormat::Json),
        _ => Err(format!("{name} must be text or json")),
    }
}

fn retention_daily(name: &str, raw: &str) -> Result<bool, String> {
    match raw.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(format!("{name} must be true or false")),
    }
}

/// Whether `GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS` asks to switch the capacity guard off (blank
/// does not). Only a debug build may: a production service that could overbook by a stray
/// variable is worse than one that refuses to start.
fn unguarded_capacity(name: &str, raw: &str, debug_build: bool) -> Result<bool, String> {
    unguarded(name, raw, debug_build, "the booking capacity guard")
}

/// Whether `GROUPWORK_UNGUARDED_OUTBOX_FOR_TESTS` asks to take due messages without locking them
/// (blank does not); debug builds only, since a stray variable would send families messages twice.
fn unguarded_outbox(name: &str, raw: &str, debug_build: bool) -> Result<bool, String> {
    unguarded(name, raw, debug_build, "the outbox's claim lock")
}

/// A test switch that turns `guard` off: `1` or `0`, and only in a debug build.
fn unguarded(name: &str, raw: &str, debug_build: bool, guard: &str) -> Result<bool, String> {
    let off = match raw.trim() {
        "" | "0" | "false" => false,
        "1" | "true" => true,
        _ => return Err(format!("{name}={raw:?} must be 1 or 0")),
    };
    if off && !debug_build {
        return Err(format!(
            "{name} switches off {guard} and is refused in a release build; unset it"
        ));
    }
    Ok(off)
}

/// `GROUPWORK_CORS_ORIGINS`: comma-separated origins such as `https://a.example`. Each must be
/// exactly what a browser sends in `Origin` (scheme, host, optional port; no path, no `*`), since
/// origins are compared as exact strings and a near miss would silently allow nothing.
fn parse_origins(name: &str, raw: &str) -> Result<Vec<String>, String> {
    let shape =
        regex::Regex::new(r"^https?://([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$")
            .map_err(|e| e.to_string())?;
    let mut origins = Vec::new();
    for origin in raw.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let lower = origin.to_ascii_lowercase();
        if !shape.is_match(&lower) {
            return Err(format!(
                "{name}: {origin:?} is not an origin; write scheme://host[:port] with no path or wildcard, e.g. https://parents.example.org"
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

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The settings from these flags alone (the test's own environment left out).
    fn flags(args: &[&str]) -> Result<Config, String> {
        parse(
            without_env(command()),
            args.iter().map(|a| a.to_string()).collect(),
        )
    }

    /// Every setting's variable, as clap knows them (the README's table is checked against
    /// the binary's `--help` in tests/api/cli.rs).
    fn variables() -> Vec<String> {
        command()
            .get_arguments()
            .filter_map(|a| Some(a.get_env()?.to_str()?.to_string()))
            .collect()
    }

    #[test]
    fn defaults_work_on_a_fresh_machine() {
        let c = Config::from_vars(&HashMap::new()).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.database_url, "groupwork.db");
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert!(c.jwt_secret.is_none());
        assert_eq!(c.log, "info");
        assert_eq!(c.pool_size, 10);
        assert_eq!(c.workers, one_per_core());
        assert_eq!(c.db_timeout_secs, 3);
        assert_eq!(c.access_token_minutes, 15);
        assert_eq!(c.refresh_token_days, 30);
        assert_eq!(c.body_limit, 65536);
        assert_eq!(c.login_failures_per_account, 5);
        assert_eq!(c.login_attempts_per_address, 30);
        assert_eq!(c.login_window_secs, 900);
        assert_eq!(c.bookings_per_minute, 20);
        assert_eq!(c.registrations_per_address, 20);
        assert_eq!(c.password_resets_per_address, 10);
        assert_eq!(c.password_resets_per_email, 3);
        assert!(c.cors_origins.is_empty());
        assert_eq!(c.supervisor_cohort_limit, 4);
        assert_eq!(c.marking_window_days, 7);
        assert_eq!(c.retention_months, 24);
        assert_eq!(c.audit_retention_months, 84);
        assert_eq!(c.notification_retention_months, 12);
        assert!(c.retention_daily);
        assert!(c.capacity_guard);
        assert!(c.outbox_guard);
        assert!(c.metrics_token.is_none() && c.metrics_bind.is_none());
        assert_eq!(c.shutdown_drain_ms, 2000);
    }

    #[test]
    fn the_drain_may_be_off_but_not_endless() {
        let drain = |v: &str| {
            Config::from_vars(&vars(&[("GROUPWORK_SHUTDOWN_DRAIN_MS", v)]))
                .map(|c| c.shutdown_drain_ms)
        };
        assert_eq!(drain("0"), Ok(0));
        assert_eq!(drain("300000"), Ok(300_000));
        let e = drain("300001").unwrap_err();
        assert!(
            e.contains("GROUPWORK_SHUTDOWN_DRAIN_MS") && e.contains("0 to 300000"),
            "{e}"
        );
    }

    #[test]
    fn a_blank_variable_counts_as_unset() {
        for name in &variables() {
            for blank in ["", "  "] {
                assert_eq!(
                    Config::from_vars(&vars(&[(name, blank)])),
                    Ok(Config::default()),
                    "{name}={blank:?}"
                );
            }
        }
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

    /// Each whole-number setting: its flag, its variable, its range, and the message naming the
    /// variable whichever way the value came.
    #[test]
    fn every_number_setting_has_its_range_and_message() {
        type Get = fn(&Config) -> String;
        let numbers: [(&str, &str, i64, i64, Get); 18] = [
            ("GROUPWORK_POOL_SIZE", "--pool-size", 1, 200, |c| {
                c.pool_size.to_string()
            }),
            ("GROUPWORK_WORKERS", "--workers", 1, 256, |c| {
                c.workers.to_string()
            }),
            (
                "GROUPWORK_DB_TIMEOUT_SECS",
                "--db-timeout-secs",
                1,
                60,
                |c| c.db_timeout_secs.to_string(),
            ),
            (
                "GROUPWORK_ACCESS_TOKEN_MINUTES",
                "--access-token-minutes",
                1,
                60,
                |c| c.access_token_minutes.to_string(),
            ),
            (
                "GROUPWORK_REFRESH_TOKEN_DAYS",
                "--refresh-token-days",
                1,
                365,
                |c| c.refresh_token_days.to_string(),
            ),
            (
                "GROUPWORK_BODY_LIMIT",
                "--body-limit",
                1024,
                16 * 1024 * 1024,
                |c| c.body_limit.to_string(),
            ),
            (
                "GROUPWORK_LOGIN_FAILURES_PER_ACCOUNT",
                "--login-failures-per-account",
                1,
                1000,
                |c| c.login_failures_per_account.to_string(),
            ),
            (
                "GROUPWORK_LOGIN_ATTEMPTS_PER_ADDRESS",
                "--login-attempts-per-address",
                1,
                100_000,
                |c| c.login_attempts_per_address.to_string(),
            ),
            (
                "GROUPWORK_LOGIN_WINDOW_SECS",
                "--login-window-secs",
                1,
                86_400,
                |c| c.login_window_secs.to_string(),
            ),
            (
                "GROUPWORK_REGISTRATIONS_PER_ADDRESS",
                "--registrations-per-address",
                1,
                100_000,
                |c| c.registrations_per_address.to_string(),
            ),
            (
                "GROUPWORK_PASSWORD_RESETS_PER_ADDRESS",
                "--password-resets-per-address",
                1,
                100_000,
                |c| c.password_resets_per_address.to_string(),
            ),
            (
                "GROUPWORK_PASSWORD_RESETS_PER_EMAIL",
                "--password-resets-per-email",
                1,
                1000,
                |c| c.password_resets_per_email.to_string(),
            ),
            (
                "GROUPWORK_BOOKINGS_PER_MINUTE",
                "--bookings-per-minute",
                1,
                10_000,
                |c| c.bookings_per_minute.to_string(),
            ),
            (
                "GROUPWORK_SUPERVISOR_COHORT_LIMIT",
                "--supervisor-cohort-limit",
                1,
                50,
                |c| c.supervisor_cohort_limit.to_string(),
            ),
            (
                "GROUPWORK_MARKING_WINDOW_DAYS",
                "--marking-window-days",
                0,
                365,
                |c| c.marking_window_days.to_string(),
            ),
            (
                "GROUPWORK_RETENTION_MONTHS",
                "--retention-months",
                1,
                1200,
                |c| c.retention_months.to_string(),
            ),
            (
                "GROUPWORK_AUDIT_RETENTION_MONTHS",
                "--audit-retention-months",
                1,
                1200,
                |c| c.audit_retention_months.to_string(),
            ),
            (
                "GROUPWORK_NOTIFICATION_RETENTION_MONTHS",
                "--notification-retention-months",
                1,
                1200,
                |c| c.notification_retention_months.to_string(),
            ),
        ];
        for (name, flag, min, max, get) in numbers {
            for good in [min, max] {
                let c = Config::from_vars(&vars(&[(name, &format!(" {good} "))])).unwrap();
                assert_eq!(get(&c), good.to_string(), "{name}");
                let c = flags(&[flag, &good.to_string()]).unwrap();
                assert_eq!(get(&c), good.to_string(), "{flag}");
            }
            for bad in [
                (min - 1).to_string(),
                (max + 1).to_string(),
                "lots".into(),
                "2.5".into(),
            ] {
                let message = format!("{name}={bad:?} must be a whole number from {min} to {max}");
                assert_eq!(
                    Config::from_vars(&vars(&[(name, &bad)])),
                    Err(message.clone())
                );
                assert_eq!(flags(&[&format!("{flag}={bad}")]), Err(message), "{flag}");
            }
        }
    }

    #[test]
    fn the_other_settings_and_their_messages() {
        let c = flags(&[
            "--database-url",
            "postgres://u@h/db",
            "--bind",
            "0.0.0.0:9000",
            "--jwt-secret",
            "0123456789abcdef0123456789abcdef",
            "--log",
            "debug,diesel=warn",
            "--cors-origins",
            "https://a.example",
            "--retention-daily",
            "false",
        ])
        .unwrap();
        assert_eq!(c.database_url, "postgres://u@h/db");
        assert_eq!(c.bind.to_string(), "0.0.0.0:9000");
        assert_eq!(
            c.jwt_secret.as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(c.log, "debug,diesel=warn");
        assert_eq!(c.cors_origins, ["https://a.example"]);
        assert!(!c.retention_daily);

        let bad: [(&str, &str, &str, &str); 6] = [
            (
                "GROUPWORK_DATABASE_URL",
                "--database-url",
                "mysql://x/y",
                r#"database URL "mysql://x/y" is neither postgres://… nor a SQLite file path"#,
            ),
            (
                "GROUPWORK_BIND",
                "--bind",
                "localhost",
                r#"bind address "localhost" is not of the form HOST:PORT, e.g. 127.0.0.1:8080"#,
            ),
            (
                "GROUPWORK_JWT_SECRET",
                "--jwt-secret",
                "short",
                "GROUPWORK_JWT_SECRET must be at least 32 characters (256 bits); leave it unset to have one generated",
            ),
            (
                "GROUPWORK_CORS_ORIGINS",
                "--cors-origins",
                "https://a.example/",
                r#"GROUPWORK_CORS_ORIGINS: "https://a.example/" is not an origin; write scheme://host[:port] with no path or wildcard, e.g. https://parents.example.org"#,
            ),
            (
                "GROUPWORK_RETENTION_DAILY",
                "--retention-daily",
                "yes",
                "GROUPWORK_RETENTION_DAILY must be true or false",
            ),
            (
                "GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS",
                "--unguarded-capacity-for-tests",
                "yes please",
                r#"GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS="yes please" must be 1 or 0"#,
            ),
        ];
        for (name, flag, value, message) in bad {
            assert_eq!(
                Config::from_vars(&vars(&[(name, value)])),
                Err(message.to_string())
            );
            assert_eq!(
                flags(&[&format!("{flag}={value}")]),
                Err(message.to_string())
            );
        }
        for (value, daily) in [("true", true), ("1", true), ("false", false), ("0", false)] {
            let c = Config::from_vars(&vars(&[("GROUPWORK_RETENTION_DAILY", value)])).unwrap();
            assert_eq!(c.retention_daily, daily, "{value}");
        }
    }

    #[test]
    fn the_capacity_guard_is_off_only_when_asked_in_a_debug_build() {
        const NAME: &str = "GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS";
        let c = Config::from_vars(&HashMap::new()).unwrap();
        assert!(c.capacity_guard, "on by default");
        let unset = |v: &str| Config::from_vars(&vars(&[(NAME, v)])).map(|c| c.capacity_guard);
        // `cargo test` builds with debug assertions, so the variable works here.
        assert_eq!(unset("1"), Ok(false));
        assert_eq!(unset("true"), Ok(false));
        assert_eq!(unset("0"), Ok(true));
        assert_eq!(unset(""), Ok(true), "empty counts as unset");
        let e = unset("yes please").unwrap_err();
        assert!(e.contains(NAME), "{e}");
        assert_eq!(
            flags(&["--unguarded-capacity-for-tests", "1"]).map(|c| c.capacity_guard),
            Ok(false)
        );
        // A release build refuses to switch the guard off, with one line saying why.
        let e = unguarded_capacity(NAME, "1", false).unwrap_err();
        assert!(e.contains("release build") && !e.contains('\n'), "{e}");
        assert_eq!(unguarded_capacity(NAME, "0", false), Ok(false));
        assert_eq!(unguarded_capacity(NAME, "", false), Ok(false));
    }

    #[test]
    fn the_outbox_lock_is_off_only_when_asked_in_a_debug_build() {
        const NAME: &str = "GROUPWORK_UNGUARDED_OUTBOX_FOR_TESTS";
        let c = Config::from_vars(&HashMap::new()).unwrap();
        assert!(c.outbox_guard, "on by default");
        let unset = |v: &str| Config::from_vars(&vars(&[(NAME, v)])).map(|c| c.outbox_guard);
        assert_eq!(unset("1"), Ok(false));
        assert_eq!(unset("0"), Ok(true));
        assert_eq!(unset(""), Ok(true), "empty counts as unset");
        assert!(unset("yes").unwrap_err().contains(NAME));
        assert_eq!(
            flags(&["--unguarded-outbox-for-tests", "1"]).map(|c| c.outbox_guard),
            Ok(false)
        );
        let e = unguarded_outbox(NAME, "1", false).unwrap_err();
        assert!(e.contains("release build") && !e.contains('\n'), "{e}");
        assert_eq!(unguarded_outbox(NAME, "0", false), Ok(false));
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
    fn the_public_pages_settings() {
        let c = Config::from_vars(&HashMap::new()).unwrap();
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert!(c.booking_url.contains("{id}"));
        assert!(c.centre_phone.is_empty() && c.embed_origins.is_empty());
        let c = Config::from_vars(&vars(&[
            ("GROUPWORK_CENTRE_PHONE", " +44 (0)20 7926 1000 "),
            (
                "GROUPWORK_EMBED_ORIGINS",
                "https://www.lambeth.example, http://localhost:8000",
            ),
        ]))
        .unwrap();
        assert_eq!(c.centre_phone, "+44 (0)20 7926 1000");
        assert_eq!(
            c.embed_origins,
            ["https://www.lambeth.example", "http://localhost:8000"]
        );
        for (name, bad) in [
            ("GROUPWORK_CENTRE_PHONE", "call us"),
            (
                "GROUPWORK_EMBED_ORIGINS",
                "https://www.lambeth.example/groups",
            ),
            ("GROUPWORK_BOOKING_URL", "book.example"),
        ] {
            let e = Config::from_vars(&vars(&[(name, bad)])).unwrap_err();
            assert!(e.contains(name), "{e}");
        }
    }

    #[test]
    fn the_metrics_settings() {
        let c = Config::from_vars(&vars(&[
            ("GROUPWORK_METRICS_TOKEN", " 0123456789abcdef-_.~ "),
            ("GROUPWORK_METRICS_BIND", "127.0.0.1:9464"),
        ]))
        .unwrap();
        assert_eq!(c.metrics_token.as_deref(), Some("0123456789abcdef-_.~"));
        assert_eq!(c.metrics_bind, Some("127.0.0.1:9464".parse().unwrap()));
        let c = flags(&["--metrics-bind", "[::1]:9464"]).unwrap();
        assert_eq!(c.metrics_bind, Some("[::1]:9464".parse().unwrap()));
        for bad in ["short", "0123456789 abcdef", "0123456789abcdéf"] {
            assert_eq!(
                Config::from_vars(&vars(&[("GROUPWORK_METRICS_TOKEN", bad)])),
                Err("GROUPWORK_METRICS_TOKEN must be at least 16 characters: letters, digits and punctuation, no spaces".into()),
                "{bad}"
            );
        }
        assert_eq!(
            Config::from_vars(&vars(&[("GROUPWORK_METRICS_BIND", "localhost:9464")])),
            Err(r#"GROUPWORK_METRICS_BIND: bind address "localhost:9464" is not of the form HOST:PORT, e.g. 127.0.0.1:8080"#.into())
        );
    }

    #[test]
    fn postgres_url_is_accepted() {
        let c =
            Config::from_vars(&vars(&[("GROUPWORK_DATABASE_URL", "postgres://u@h/db")])).unwrap();
        assert_eq!(c.database_url, "postgres://u@h/db");
    }

    /// Every documented variable is a setting, and only those (besides the hidden test-only one),
    /// and `--help` names each beside its flag.
    #[test]
    fn help_lists_every_variable() {
        for arg in command().get_arguments() {
            let long = arg.get_long().unwrap().to_uppercase().replace('-', "_");
            assert_eq!(arg.get_env().unwrap(), format!("GROUPWORK_{long}").as_str());
        }
        let mut cmd = command();
        let shown: Vec<String> = cmd
            .get_arguments()
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| Some(a.get_env()?.to_str()?.to_string()))
            .collect();
        assert_eq!(
            shown.len(),
            50,
            "every documented setting, none hidden but the test switch"
        );
        let help = cmd.render_long_help().to_string();
        for name in shown {
            assert!(help.contains(&format!("[env: {name}")), "{name}: {help}");
        }
        assert!(!help.contains("UNGUARDED"), "{help}");
    }
}
